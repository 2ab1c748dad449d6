"""Every game ale-py ships: train a few seconds, play, record, weights and export, through pgcli's API.

    python docs/runs/games/every_game.py                 # all games (~10 minutes on 2 cores)
    python docs/runs/games/every_game.py breakout boxing # some of them

For each game: `pgcli train --game G --preset atari` for 3 seconds (2 games side by side, 16-step
rollouts, so it saves after real PPO updates), then from the checkpoint: 200 steps played as
`pgcli play` plays them, a 30-frame `pgcli record --show-input` GIF, the `pgcli weights` grid and a
float16 `pgcli export` that loads back. One line per game; the table it writes
(docs/runs/games/every-game.txt) is committed. Exits non-zero if any game failed.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

import pgcli
from pgcli.base import games
from pgcli.files.agents import load_agent
from pgcli.commands.record import record
from pgcli.commands.weights import draw
from pgcli.base import scenery
from pgcli.files import checkpoint

OUT = Path(__file__).parent / "every-game.txt"


def check(name: str, gid: str, work: Path) -> str:
    t0 = time.perf_counter()
    game = games.for_rom(name)
    lit = int(scenery.of(game).still["colour"].sum())
    ck = work / f"{name}.p"
    cfg = pgcli.Config(algo="ppo", env_id=gid, inputs="diff+objects+action", episodic_life=True,
                       num_envs=2, rollout_steps=16)
    pgcli.train(cfg, ck, minutes=0.05)
    trained = checkpoint.load(ck).meta["steps"]
    agent = load_agent(ck)
    player = pgcli.load(ck, seed=1)
    env = player.make_env()
    frame, _ = env.reset(seed=1)
    score = 0.0
    for _ in range(200):  # what `pgcli play` does, without the window
        action, _ = player.act(frame)
        frame, reward, terminated, truncated, _ = env.step(action)
        score += reward
        if terminated or truncated:
            frame, _ = env.reset()
            player.reset(frame)
    env.close()
    rec = record(agent, work / f"{name}.gif", max_frames=30, show_input=True)
    draw([ck], work / f"{name}-w1.png", neurons=40, cols=10, scale=2, fps=2.0, part="objects")
    checkpoint.save(work / f"{name}-agent.p", checkpoint.export_weights(checkpoint.load(ck), "<f2"))
    assert load_agent(work / f"{name}-agent.p").game.name == name
    return (f"| {name} | {game.n_actions} | {lit:,} | {trained:,} | {score:+.0f} | {rec['frames']} |"
            f" {time.perf_counter() - t0:.1f} |")


def main(names: list[str]) -> int:
    wanted = [(n, g, a) for n, g, a in games.catalogue() if not names or n in names]
    rows = ["| game | actions | scenery pixels | trained steps | score in 200 played steps | GIF frames | seconds |",
            "|---|---|---|---|---|---|---|"]
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, gid, n_actions in wanted:
            if n_actions == 0:
                rows.append(f"| {name} | – | – | – | – | – | ale-py cannot load this ROM |")
                print(rows[-1], flush=True)
                continue
            try:
                rows.append(check(name, gid, Path(tmp)))
            except Exception as e:  # a report of every game, not a stop at the first failure
                failed.append(name)
                rows.append(f"| {name} | FAILED: {type(e).__name__}: {str(e).splitlines()[0][:80]} | | | | | |")
                traceback.print_exc()
            print(rows[-1], flush=True)
    if not names:
        OUT.write_text(f"{len(wanted) - len(failed)} of {len(wanted)} games trained, played, recorded, "
                       f"drew W1 and exported (python docs/runs/games/every_game.py)\n\n" + "\n".join(rows) + "\n")
        print(f"wrote {OUT}")
    return 1 if failed else 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv[1:]))
