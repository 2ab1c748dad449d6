"""The figure in docs/games.md: what `--input diff+objects` keeps of four games' current frames.

Per game: the current frame as the network's 80x80 input, the scenery pgcli finds (pixels lit all
through 1,000 steps of seeded random play, `pgcli.base.scenery`) and what is left, the
`objects` part. Run from the repository: python docs/runs/games/scenery_figure.py
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from pgcli.base import games
from pgcli.base import scenery
from pgcli.base.screen import Screen
from pgcli.base.envs import make_gym_env

GAMES = ["breakout", "boxing", "video_pinball", "freeway"]
fig, axes = plt.subplots(len(GAMES), 3, figsize=(6, 2.1 * len(GAMES)))
for row, name in zip(axes, GAMES):
    game = games.for_rom(name)
    env = make_gym_env(games.env_id(name))
    frame, _ = env.reset(seed=3)
    rng = np.random.default_rng(1)
    for _ in range(60):  # a moment into a game of random play
        frame, *_ = env.step(int(rng.integers(env.action_space.n)))
    lit = Screen(game, frame[None])(frame[None])[0].astype(bool)
    still = scenery.of(game).still["colour"]
    for ax, img, title in zip(row, (lit, still, lit & ~still), ("frame", "scenery", "objects")):
        ax.imshow(img.reshape(80, 80), cmap="gray", interpolation="nearest")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"{name}: {title} ({img.sum()} lit)", fontsize=8)
fig.tight_layout()
fig.savefig("docs/runs/games/scenery.png", dpi=110)
print("wrote docs/runs/games/scenery.png")
