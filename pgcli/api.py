"""pgcli from Python (a notebook, a script): load an agent and act on frames; train with a callback.

    import pgcli
    player = pgcli.load("examples/pong-agent")   # its weights and the emulator settings it trained with
    env = player.make_env()                         # a gymnasium env with exactly those settings
    frame, _ = env.reset(seed=0)
    player.reset(frame)                             # a new game: no difference frame yet
    while True:
        action, p_up = player.act(frame)            # ALE action (2 = UP, 3 = DOWN) and P(UP)
        frame, reward, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            break

    result = pgcli.train(pgcli.Config(algo="ppo"), "runs/nb.p", minutes=5,
                         on_episode=lambda st: print(st.episode, st.running_reward))

`train` is `pgcli train` without the terminal: the same checkpoints, metrics CSV and safety rules
(a new run never replaces another run's files unless `overwrite=True`); mistakes raise `PgcliError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from pgcli.base.config import SAVE_EVERY, Config
from pgcli.core.agent import Agent
from pgcli.core.trainer import EpisodeStats
from pgcli.base.envs import make_single_env
from pgcli.files.agents import load_agent


class Player:
    """A trained agent that acts on raw 210x160 RGB frames, one game at a time."""

    def __init__(self, agent: Agent, seed: int = 0, greedy: bool = False):
        self.agent, self.greedy = agent, greedy
        self.rng = np.random.default_rng(seed)
        self.actor = None  # the agent's act step, made at a game's first frame

    @property
    def settings(self):
        """The emulator settings the agent trained with (env id, frameskip, sticky actions)."""
        return self.agent.settings

    def make_env(self, render_mode: str | None = None):
        return make_single_env(self.agent.settings, render_mode)

    def reset(self, frame: np.ndarray) -> None:
        """Start a game from its first frame (the next `act` sees no motion yet)."""
        self.actor = self.agent.actor(np.asarray(frame)[None], self.rng, self.greedy)
        self._fresh = True

    def act(self, frame: np.ndarray) -> tuple[int, float]:
        """The action for this frame (the difference from the last one goes into the network) and
        P(UP) (Pong), or the chosen action's probability (games of more actions)."""
        if self.actor is None:
            self.reset(frame)
        step = self.actor(np.asarray(frame)[None], np.array([self._fresh]))
        self._fresh = False
        p, i = step.p, step.i
        taken = float(p[0]) if p.ndim == 1 else float(p[0, i[0]])
        return int(step.actions[0]), taken


def load(path: str | Path, seed: int = 0, greedy: bool = False, sticky_actions: float | None = None) -> Player:
    """The agent in a pgcli checkpoint, an export or Karpathy's save.p (loaded without running code)."""
    return Player(load_agent(Path(path), sticky_actions=sticky_actions), seed, greedy)


def train(config: Config | dict, output: str | Path, episodes: int | None = None, minutes: float | None = None,
          steps: int | None = None, on_episode: Callable[[EpisodeStats], None] = lambda st: None, resume: str | Path | None = None,
          overwrite: bool = False, save_every: int = SAVE_EVERY, snapshot_every: int | None = None,
          until_reward: float | None = None):
    """Train until `episodes` more episodes, `minutes` more minutes or `steps` more agent steps
    (whichever comes first; at least one; or sooner, once the running reward reaches `until_reward`) and
    checkpoint to `output`; `on_episode` gets each finished episode's `EpisodeStats`. A `Config` is the
    whole run: the fields not given to it took their algorithm's defaults when it was made
    (`Config(algo="ppo", epochs=4)`: PPO's learning rate, input and NOOP, and 4 epochs). To go on from
    `resume` with some settings changed, give a dict of just those (`{"learning_rate": 1e-4}`); a
    `Config` there must agree with the checkpoint's network (hidden, input, NOOP).
    `snapshot_every`: also keep the agent at every that many agent steps (`runs/p.1M.p`, ...)."""
    from pgcli.commands.train import Budget, Hooks, Saving, train as run

    if episodes is None and minutes is None and steps is None:
        raise ValueError("give episodes, minutes or steps: train would otherwise run until stopped")
    if isinstance(config, Config):
        config = config.to_dict()
    budget = Budget(episodes=episodes, seconds=None if minutes is None else minutes * 60, steps=steps,
                    until_reward=until_reward)
    return run(dict(config), Path(output), budget, resume=None if resume is None else Path(resume), overwrite=overwrite,
               saving=Saving(every=save_every, snapshot_every=snapshot_every), hooks=Hooks(on_episode=on_episode))
