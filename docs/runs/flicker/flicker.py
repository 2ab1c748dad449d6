"""Does a game flicker (objects drawn on alternate frames, so an agent that sees every 4th frame sees
some of them never), and does the max over the last two frames (DQN's preprocessing) give them back?
Random play, sticky actions 0.25, 600 agent steps of 4 frames, every frame through the colour rule.
Per game: the input pixels that change from one frame to the next and over two frames (motion
changes more over more frames; flicker changes more from one frame to the next); the share of the
pixels lit in the last two frames of each agent step that the last frame alone lights (what pgcli's
agent sees; motion alone leaves it near 1) and the share their grey-level max lights.
Usage: python flicker.py pong breakout boxing qbert phoenix name_this_game battle_zone double_dunk"""
import sys
import numpy as np
from pgcli.base import games
from pgcli.base.screen import Screen
from pgcli.base.games import emulator

for name in sys.argv[1:]:
    game = games.for_rom(name)
    ale = emulator(name, seed=0, sticky=0.25)
    acts, rng = ale.getMinimalActionSet(), np.random.default_rng(0)
    screen = Screen(game, ale.getScreenGrayscale()[None])
    lit = lambda f: screen(f[None])[0].astype(bool)  # noqa: E731
    frames, both = [], np.zeros(3)  # both: pixels lit in either of the last two frames; of them, by the last; by the max
    for step in range(600):
        a = acts[rng.integers(len(acts))]
        for k in range(4):
            ale.act(a)
            frames.append(ale.getScreenGrayscale())
        f3, f4 = frames[-2], frames[-1]
        either = lit(f3) | lit(f4)
        both += either.sum(), (either & lit(f4)).sum(), (either & lit(np.maximum(f3, f4))).sum()
        if ale.game_over():
            ale.reset_game()
    F = np.array([lit(f) for f in frames])
    d1, d2 = ((F[k:] ^ F[:-k]).sum(1).mean() for k in (1, 2))
    print(f"{name:15s} pixels changed over 1 frame {d1:6.1f}, over 2 {d2:6.1f}; of the last two frames' lit "
          f"pixels the last shows {both[1] / max(both[0], 1):4.2f}, their max {both[2] / max(both[0], 1):4.2f}")
