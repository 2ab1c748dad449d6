"""Commonest colour of the first frame (`--background colour`) vs each pixel's commonest grey level
over random play (`--background pixel`): what is lit a step, and a picture per game, lit-<game>.png
(frame | colour rule | pixel rule). Usage: python lit_pixels.py pong battle_zone qbert ..."""
import sys, numpy as np, imageio.v3 as iio
from pgcli.base.games import emulator, for_rom
from pgcli.base import scenery
from pgcli.base.screen import Screen
for rom in sys.argv[1:]:
    game = for_rom(rom, noop=True)
    ale = emulator(rom, seed=0, sticky=0.25)
    acts, rng = ale.getMinimalActionSet(), np.random.default_rng(0)
    G = [ale.getScreenGrayscale()]
    for step in range(1000):
        a = acts[rng.integers(len(acts))]
        for k in range(4): ale.act(a)
        if ale.game_over(): ale.reset_game()
        G.append(ale.getScreenGrayscale())
    G = np.array(G)
    a = game.crop_top
    area = G[:, a:a + 160:2, ::2].reshape(len(G), -1)  # (T, 6400) grey levels
    counts = np.zeros((256, 6400), np.int32)
    np.add.at(counts, (area, np.broadcast_to(np.arange(6400), area.shape)), 1)
    bg = counts.argmax(0)
    lit_px = area != bg
    today = Screen(game, G[:1])(G).astype(bool)
    sc = scenery.of(game).still["colour"]
    sc_px = lit_px.mean(0) >= 0.5
    print(f"{rom:15s} today: lit {today.sum(1).mean():6.0f} a step, scenery {sc.sum():5d}, objects {(today & ~sc).sum(1).mean():5.1f}"
          f" | per-pixel: lit {lit_px.sum(1).mean():6.1f} a step, lit>=50% {sc_px.sum():4d}, objects {(lit_px & ~sc_px).sum(1).mean():6.1f}")
    t = 700
    raw = np.kron(G[t, a:a + 160:2, ::2], np.ones((3, 3), np.uint8))
    iio.imwrite(f"lit-{rom}.png", np.concatenate([raw, np.kron(np.concatenate([today[t].reshape(80, 80), lit_px[t].reshape(80, 80)], 1).astype(np.uint8) * 255, np.ones((3, 3), np.uint8))], 1))
