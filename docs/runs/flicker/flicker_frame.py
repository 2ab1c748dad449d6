"""One step of Asteroids in random play, as pgcli's input saw it before `--frame-max` and as it sees it
now: the last frame of the step | the max of its last two frames | the network's 80x80 lit pixels of
each. Writes flicker-asteroids.png. Usage: python flicker_frame.py [game] [step]"""
import sys
import numpy as np
import imageio.v3 as iio
from pgcli.base import games
from pgcli.base.screen import Screen
from pgcli.base.games import emulator

rom = sys.argv[1] if len(sys.argv) > 1 else "asteroids"
at = int(sys.argv[2]) if len(sys.argv) > 2 else 200
game = games.for_rom(rom)
ale = emulator(rom, seed=0, sticky=0.25)
acts, rng = ale.getMinimalActionSet(), np.random.default_rng(0)
screen = Screen(game, ale.getScreenGrayscale()[None])
for step in range(at):
    a = acts[rng.integers(len(acts))]
    for k in range(4):
        ale.act(a)
        if k == 2:
            third = ale.getScreenRGB()
last = ale.getScreenRGB()
both = np.maximum(third, last)
top = game.crop_top


def lit(rgb):  # the 80x80 input, white where lit, scaled to the play area's 160x160
    x = screen(rgb[None])[0].reshape(80, 80).astype(np.uint8) * 255
    return np.repeat(np.kron(x, np.ones((2, 2), np.uint8))[..., None], 3, axis=2)


gap = np.full((160, 6, 3), 128, np.uint8)
row = np.concatenate([last[top:top + 160], gap, both[top:top + 160], gap, lit(last), gap, lit(both)], axis=1)
iio.imwrite(f"flicker-{rom}.png", np.kron(row, np.ones((2, 2, 1), np.uint8)))
print(f"flicker-{rom}.png: lit input pixels {screen(last[None]).sum()} (last frame) against {screen(both[None]).sum()} (max of two)")
