"""`--frame-max on` for gymnasium's single envs (play, record, a render window, the Python API): the
frame of an agent step is the max of its last two emulator frames, as ale-py's vector environment
gives it in C++ for training (`maxpool=True`), so an agent sees in play what it learned from.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np


class MaxOfLastTwo(gym.Wrapper):
    """Wraps an Atari env made with frameskip 1: each step repeats the action `skip` frames (sticky
    actions apply frame by frame, as ALE's own frameskip does), sums their rewards and returns the
    pixel-wise max of the last two frames (the last alone if the game ended on the first)."""

    def __init__(self, env: gym.Env, skip: int):
        super().__init__(env)
        self.skip = skip

    def step(self, action):
        total, before, last = 0.0, None, None
        for _ in range(self.skip):
            before = last
            last, reward, terminated, truncated, info = self.env.step(action)
            total += reward
            if terminated or truncated:
                break
        frame = last if before is None else np.maximum(before, last)
        return frame, total, terminated, truncated, info
