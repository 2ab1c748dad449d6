"""Run the real `pgcli` entry point with FakePong in place of the emulator (for subprocess tests)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pgcli.commands.train  # noqa: E402
from fakepong import FakePong  # noqa: E402
from pgcli.cli import main  # noqa: E402


def slow_fake(settings, num_envs, render_mode=None):
    import time

    env = FakePong(num_envs)
    recv = env.recv

    def slow_recv(g):  # ~ the emulator's pace, so signals land mid-episode
        time.sleep(0.0005)
        return recv(g)

    env.recv = slow_recv
    return env


pgcli.commands.train.make_env = slow_fake
main()
