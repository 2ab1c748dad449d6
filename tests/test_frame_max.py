"""`--frame-max`: the max of each agent step's last two frames, for the games that draw objects on
alternate frames (Asteroids' rocks are in under 1 % of its last frames); decided once per run, the
same frames in training (ale-py's vector env) and in play (gymnasium, `pgcli.base.frame_max`)."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli.base import games
from pgcli.cli import app
from pgcli.base.screen import Screen, grey_levels
from pgcli.base.envs import VectorGames, env_settings, make_single_env

FLICKER_TABLE = Path(__file__).parents[1] / "docs/runs/flicker/every-game.txt"


def test_the_flickering_games_are_the_measured_ones():
    """`games.FLICKER_GAMES` is every game of the committed table whose last frame shows under 60 % of
    what its step's last two frames light."""
    shares = {}
    for line in FLICKER_TABLE.read_text().splitlines():
        if "the last shows" in line:
            shares[line.split()[0]] = float(line.split("the last shows")[1].split(",")[0])
    assert len(shares) == 104
    assert games.FLICKER_GAMES == {g for g, share in shares.items() if share < 0.6}
    assert games.frame_max_rule(games.for_rom("asteroids"), "auto") == "on"
    assert games.frame_max_rule(games.PONG, "auto") == "off"
    assert games.frame_max_rule(games.PONG, "on") == "on"  # a concrete rule stays as given


def _lit_frames(env, steps: int, actions) -> np.ndarray:
    frames = [env.reset(seed=7)[0][0]] if isinstance(env, VectorGames) else [env.reset(seed=7)[0]]
    for t in range(steps):
        if isinstance(env, VectorGames):
            env.send(0, np.array([actions[t]]))
            frames.append(env.recv(0)[0][0])
        else:
            frames.append(env.step(actions[t])[0])
    return np.stack(frames)


@pytest.mark.ale
def test_training_and_play_see_the_same_max_of_two_frames():
    """On Asteroids (exact controls, one seed, one action sequence): the last frame alone lights almost
    nothing, the max of the last two the rocks; ale-py's vector env (grey, training) and a gymnasium
    env stepped frame by frame (RGB, play and record) give the same pixels."""
    s = env_settings("asteroids", 0.0)
    actions = np.arange(60) % 5
    asteroids = games.for_rom("asteroids")
    lit = {}
    for maxpool in (False, True):
        env = VectorGames(replace(s, maxpool=maxpool), 1)
        try:
            grey = _lit_frames(env, 60, actions)
        finally:
            env.close()
        lit[maxpool] = Screen(asteroids, grey[:1])(grey)
    assert lit[True].sum(1).mean() > 20 * max(lit[False].sum(1).mean(), 1)
    single = make_single_env(replace(s, maxpool=True))
    try:
        rgb = _lit_frames(single, 60, actions)
    finally:
        single.close()
    assert rgb.shape[1:] == (210, 160, 3)
    assert np.array_equal(grey_levels(rgb[1:]), grey[1:])  # after the first frame, each step's max
    assert np.array_equal(Screen(asteroids, rgb[:1])(rgb), lit[True])


@pytest.mark.ale
def test_frame_max_auto_is_decided_once_and_saved(tmp_path):
    """auto -> on for Asteroids (the config says 'on', the emulator settings max-pool), off for Breakout;
    a checkpoint from before the field trained on last frames; a resume may not change it; a random
    frameskip cannot take it, in training or in play; the agent read back plays with the frames it learned from."""
    from pgcli.base.config import Config, for_resumed_run
    from pgcli.base.errors import PgcliError
    from pgcli.files.agents import load_agent
    from pgcli.base.run_spec import RunSpec, resolve

    ast = resolve({"algo": "ppo", "env_id": "asteroids"})
    assert ast.config.frame_max == "on" and ast.settings.maxpool
    assert RunSpec.from_dict(json.loads(json.dumps(ast.to_dict()))) == ast  # what a Ray worker builds its games from
    brk = resolve({"algo": "ppo", "env_id": "breakout"})
    assert brk.config.frame_max == "off" and not brk.settings.maxpool
    old = {k: v for k, v in ast.config.to_dict().items() if k != "frame_max"}
    assert Config.from_dict(old).frame_max == "off" and not resolve({}, saved=Config.from_dict(old)).settings.maxpool
    with pytest.raises(PgcliError, match="--frame-max off does not match the checkpoint's on"):
        for_resumed_run(ast.config, {"frame_max": "off"})
    with pytest.raises(PgcliError, match="needs a fixed frameskip; Pong-v0 skips 2 to 4 frames"):
        resolve({"env_id": "Pong-v0", "frame_max": "on"})
    out = tmp_path / "a.p"
    r = CliRunner().invoke(app, ["train", "--game", "asteroids", "--algo", "ppo", "--hidden", "8", "--num-envs", "2",
                                 "--rollout-steps", "16", "--steps", "40", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "the max of a step's last two" in r.stdout
    assert load_agent(out).settings.maxpool and not load_agent(out, sticky_actions=0.0).settings.repeat_action_probability
    with pytest.raises(PgcliError, match="max of two frames .--frame-max on., which needs a fixed frameskip; Asteroids-v0 skips 2 to 4"):
        load_agent(out, env="Asteroids-v0")  # play shows it what it learned from, or says why it cannot


@pytest.mark.ale
def test_pgcli_games_says_which_games_flicker_and_which_screens_are_scenery():
    r = CliRunner().invoke(app, ["games"])
    assert r.exit_code == 0, r.stderr
    lines = {line.split()[0]: line for line in r.stdout.splitlines()[:-1]}
    assert "flickers" in lines["asteroids"] and "flickers" not in lines["breakout"]
    assert "its own background" in lines["battle_zone"] and "its own background" not in lines["pong"]
    rows = {g["game"]: g for g in json.loads(CliRunner().invoke(app, ["games", "--json"]).stdout)}
    assert [n for n, g in rows.items() if g["flickers"]] == sorted(games.FLICKER_GAMES)
    assert {n for n, g in rows.items() if g["screen_of_scenery"]} == games.SCENERY_SCREENS
