"""The base layer: what a run and a game are, decided before anything runs.

    config.py      every training setting (one dataclass, saved with the weights) and each algorithm's defaults
    run_spec.py    flags, preset and checkpoint resolved once into the run's spec (every `auto` decided)
    inputs.py      what the network sees, parsed (`diff+objects+action`)
    games.py       a game as a small record: actions, crop, background, how points end a return
    screen.py      what a lit pixel is: the seed's prepro for a batch of frames, by the game's background rule
    scenery.py     a game's scenery (what stays lit in random play; each pixel's usual grey), measured once
    envs.py        the emulator settings and the vector environments that honour them
    frame_max.py   the max of a step's last two frames, for games that flicker
    references.py  published random, human and PPO scores; HNS; the Atari-5 estimate
    errors.py      the one exception type a user mistake raises (and Stopped)

May import: numpy, gymnasium, ale-py, and each other; nothing else of pgcli (tests/test_layers.py).
"""
