"""Every training setting in one dataclass, with the seed's defaults; saved with the weights."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pgcli.errors import PgcliError

OPTIMIZERS = ("rmsprop", "adam")


@dataclass
class Config:
    """Hyperparameters of one training run. Defaults are those of Karpathy's pg-pong.py."""

    hidden: int = 200
    """H: number of hidden-layer neurons."""
    batch_size: int = 10
    """Every how many episodes to do a parameter update."""
    learning_rate: float = 1e-4
    """Step size of the optimizer."""
    gamma: float = 0.99
    """Discount factor for reward."""
    decay_rate: float = 0.99
    """Decay factor for RMSProp leaky sum of grad^2."""
    optimizer: str = "rmsprop"
    """'rmsprop' (the seed's) or 'adam' (learns Pong several times faster at lr 1e-3)."""
    seed: int = 0
    """Seeds the weights, the action sampling and the emulator; same seed, same weights."""
    env_id: str = "ALE/Pong-v5"
    """Gymnasium id of the Pong variant to play."""
    num_envs: int = 32
    """Games played side by side (ale-py's native vector environment when the env allows);
    32, in 2 groups of 16 that take turns, measured fastest on 2 cores (README, Speed)."""

    def validate(self) -> "Config":
        """Raise PgcliError naming the first bad value; return self when all are fine."""
        checks = [
            (self.hidden >= 1, f"hidden must be >= 1, got {self.hidden}"),
            (self.batch_size >= 1, f"batch size must be >= 1, got {self.batch_size}"),
            (
                0 < self.learning_rate < float("inf"),
                f"learning rate must be > 0, got {self.learning_rate}",
            ),
            (0 < self.gamma <= 1, f"gamma must be in (0, 1], got {self.gamma}"),
            (0 <= self.decay_rate < 1, f"decay rate must be in [0, 1), got {self.decay_rate}"),
            (
                self.optimizer in OPTIMIZERS,
                f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}",
            ),
            (0 <= self.seed < 2**63, f"seed must be in [0, 2**63), got {self.seed}"),
            (1 <= self.num_envs <= 256, f"num envs must be in [1, 256], got {self.num_envs}"),
        ]
        for ok, message in checks:
            if not ok:
                raise PgcliError(message)
        return self

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        """Build from a checkpoint's dict; unknown keys are an error, missing ones take defaults."""
        if not isinstance(d, dict):
            raise PgcliError("checkpoint config is not a mapping")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(d) - set(fields)
        if unknown:
            raise PgcliError(f"checkpoint config has unknown keys: {', '.join(sorted(unknown))}")
        kwargs = {}
        for name, value in d.items():
            want = type(getattr(cls(), name))
            if want is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if type(value) is not want:
                raise PgcliError(f"checkpoint config {name!r} has the wrong type")
            kwargs[name] = value
        return cls(**kwargs).validate()
