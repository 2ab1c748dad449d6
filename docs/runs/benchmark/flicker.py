"""Does a suite game flicker (an object drawn on every other frame only, so an agent that sees every
4th frame may never see it: what the max over the last two frames, DQN's preprocessing, fixes)?
Random play, sticky actions 0.25, every frame through the colour rule: the input pixels that change
from one frame to the next, over two frames and over four. Motion changes more over more frames; a
game that flickers changes more from one frame to the next than over two (Asteroids).
Usage: python flicker.py pong breakout boxing qbert phoenix name_this_game battle_zone double_dunk"""
import sys
import numpy as np
from pgcli import games
from pgcli.core import observe
from pgcli.games import emulator

for name in sys.argv[1:]:
    game = games.for_rom(name)
    ale = emulator(name, seed=0, sticky=0.25)
    acts, rng = ale.getMinimalActionSet(), np.random.default_rng(0)
    screen = observe.Screen(game, ale.getScreenGrayscale()[None])
    frames = []
    for step in range(600):  # agent steps of 4 frames
        a = acts[rng.integers(len(acts))]
        for k in range(4):
            ale.act(a)
            frames.append(screen(ale.getScreenGrayscale()[None])[0].astype(bool))
        if ale.game_over():
            ale.reset_game()
    F = np.array(frames)
    d = {k: (F[k:] ^ F[:-k]).sum(1).mean() for k in (1, 2, 4)}
    print(f"{name:15s} pixels changed over 1 frame {d[1]:6.1f}, 2 frames {d[2]:6.1f}, 4 frames {d[4]:6.1f}"
          f"{'   flickers' if d[1] > d[2] else ''}")
