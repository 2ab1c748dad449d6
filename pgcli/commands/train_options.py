"""What a training session is asked for (its budget, what it saves, where its games are played,
what its caller hears) and what it gives back; `describe` says in one line what a run trains."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pgcli.base.config import SAVE_EVERY, WORKERS
from pgcli.base.run_spec import RunSpec
from pgcli.core.trainer import Counters, EpisodeStats


@dataclass
class TrainResult:
    episodes: int
    running_reward: float | None
    seconds: float
    steps: int
    output: Path
    metrics: Path
    peak_step_bytes: int
    cluster: dict | None = None  # with rollout workers: per-step costs of learner and workers
    session_steps: int = 0  # agent steps emulated in this session
    learned_steps: int = 0  # of which entered a gradient (finished games, salvaged points, PPO rollouts)
    salvaged_steps: int = 0  # of which from games in flight at the stop (REINFORCE)


@dataclass(frozen=True)
class Budget:
    """When a session stops, whichever comes first: `episodes`, `seconds` or `steps` more, the running
    reward at `until_reward`, or `stop()` true (none given: when stopped, or at the annealed learning
    rate's end, past which nothing more would be learned)."""
    episodes: int | None = None
    seconds: float | None = None
    steps: int | None = None
    until_reward: float | None = None
    stop: Callable[[], bool] = lambda: False


@dataclass(frozen=True)
class Saving:
    """What a session writes beside its checkpoint: a checkpoint every `every` episodes, the agent at
    every `snapshot_every` agent steps (`Snapshots`), a TensorBoard log in `tensorboard`."""
    every: int = SAVE_EVERY
    snapshot_every: int | None = None
    tensorboard: Path | None = None


@dataclass(frozen=True)
class Where:
    """Where the games are played: here (one in a window with `render`), or in Ray rollout workers
    (`workers` of them, on the cluster at `ray_address`, each replaced after `worker_timeout` s of silence)."""
    render: bool = False
    workers: int | None = None
    ray_address: str | None = None
    worker_timeout: float | None = None

    @property
    def remote(self) -> bool:
        return self.workers is not None or self.ray_address is not None

    @property
    def n_workers(self) -> int:
        """The rollout workers a remote session starts (`workers`, else the default)."""
        return self.workers or WORKERS


@dataclass(frozen=True)
class Hooks:
    """What the caller hears: each episode's stats, a message, and the run's start (its counters and a
    line saying what it trains)."""
    on_episode: Callable[[EpisodeStats], None] = lambda st: None
    on_event: Callable[[str], None] = lambda msg: None
    on_start: Callable[[Counters, str], None] = lambda counters, line: None


def describe(spec: RunSpec, output: Path, resume: Path | None, episode: int, where: Where = Where()) -> str:
    """The run in one line: game and controls, algorithm, input, optimizer, games, where it saves."""
    cfg, settings = spec.config, spec.settings
    sticky = settings.repeat_action_probability
    controls = f"sticky actions {sticky:g}" if sticky else "exact controls"
    lives = cfg.episodic_life and spec.game.lives  # Pong has none: nothing to say
    algo = ("PPO" + (" (a lost life ends the return)" if lives else "")) if cfg.algo == "ppo" else "REINFORCE"
    if cfg.noop and settings.game == "pong":
        algo += " with NOOP, DOWN and UP"
    if cfg.algo == "ppo" and cfg.trust_region == "start":
        algo += ", its trust region centred on each update's start"
    opt = "Adam" if cfg.optimizer == "adam" else "RMSProp"
    n = where.n_workers
    played = (f"in {n} Ray rollout worker{'s' if n > 1 else ''}" + (f" at {where.ray_address}" if where.ray_address else "")
              if where.remote else "side by side")
    start = f"; continuing {resume} from episode {episode}" if resume is not None else ""
    seen = cfg.input_spec.describe() + (" (each frame the max of a step's last two)" if settings.maxpool else "")
    lr = f"lr {cfg.learning_rate:g}" + (f" falling to 0 at agent step {cfg.lr_anneal_steps:,} (the end)" if cfg.lr_anneal_steps else "")
    if cfg.algo == "ppo" and cfg.ent_anneal:
        lr += f", the entropy bonus {cfg.ent_coef:g} with it"
    return (f"training {algo} on {settings.env_id} ({controls}); input {seen}, "
            f"{cfg.hidden} hidden units; {opt} {lr}; {cfg.num_envs} games {played}; "
            f"saving to {output}{start}")
