"""What `pgcli tune` searches: PPO's recipe as ranges of pgcli train's flags.

A parameter is a Config field with a range (`low:high`, sampled uniformly, `low:high:log` on a log
scale; whole numbers when both ends are) or a list of choices (`a|b|c`). The default space covers
PPO's recipe; `--param field=...` (repeatable) searches those instead, and `--recipe field=value`
fixes flags for every trial, as `pgcli benchmark --recipe` does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pgcli.base.config import Config
from pgcli.base.errors import PgcliError

FIXED_BY_TUNE = ("algo", "env_id", "seed", "lr_anneal_steps")  # each trial's runs set these


@dataclass(frozen=True)
class Param:
    name: str  # a Config field
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple | None = None  # a categorical parameter

    def sample(self, trial):
        """This parameter's value for an Optuna trial."""
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        if isinstance(self.low, int) and isinstance(self.high, int):
            return trial.suggest_int(self.name, self.low, self.high, log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)

    def holds(self, value) -> bool:
        """Whether `value` is one this parameter can take."""
        if self.choices is not None:
            return value in self.choices
        return isinstance(value, (int, float)) and self.low <= value <= self.high


DEFAULT_SPACE = (
    Param("learning_rate", 1e-4, 2e-3, log=True),
    Param("clip", 0.1, 0.3),
    Param("ent_coef", 1e-3, 3e-2, log=True),
    Param("gae_lambda", 0.9, 0.99),
    Param("gamma", 0.97, 0.995),
    Param("epochs", 2, 10),
    Param("minibatches", choices=(2, 4, 8)),
    Param("num_envs", choices=(16, 32, 64)),
    Param("rollout_steps", choices=(64, 128, 256)),
    Param("hidden", choices=(200, 300, 400)),
    Param("vf_coef", 0.25, 1.0),
    Param("inputs", choices=("diff+objects+action", "diff+frame+action", "diff+objects+diff2+action")),
)
"""PPO's recipe: step size, trust region, entropy, returns, passes and minibatches, games side by
side and rollout length, hidden units, value weight, the input's parts."""


def _number(text: str, kind):
    try:
        return kind(text)
    except ValueError:
        raise PgcliError(f"--param: expected a number, got {text!r}") from None


def parse_param(text: str) -> Param:
    """`field=low:high[:log]` or `field=a|b|c` -> a Param (one line naming what is wrong)."""
    name, sep, rng = text.partition("=")
    name = name.strip().replace("-", "_")
    fields = {f.name: f for f in dataclasses.fields(Config)}
    if not sep or not rng.strip():
        raise PgcliError(f"--param takes field=low:high[:log] or field=a|b|c, got {text!r}")
    if name not in fields or name in FIXED_BY_TUNE:
        raise PgcliError(f"--param {name}: not a flag a trial can vary")
    default = getattr(Config(algo="ppo"), name)
    kind = type(default) if isinstance(default, (int, float)) and not isinstance(default, bool) else str
    if "|" in rng or kind is str or isinstance(default, bool):
        parse = (lambda v: v.strip().lower() in ("1", "true", "on", "yes")) if isinstance(default, bool) else \
            (lambda v: _number(v.strip(), kind) if kind is not str else v.strip())
        return Param(name, choices=tuple(parse(v) for v in rng.split("|")))
    parts = rng.split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2].strip() != "log"):
        raise PgcliError(f"--param {name}: a range is low:high or low:high:log, got {rng!r}")
    low, high = (_number(p.strip(), kind) for p in parts[:2])
    if not low < high or (len(parts) == 3 and low <= 0):
        raise PgcliError(f"--param {name}: needs low < high (and low > 0 on a log scale), got {rng!r}")
    return Param(name, low, high, log=len(parts) == 3)


def defaults(space) -> dict:
    """PPO's defaults for the searched parameters that can take them: a new study's first trial, so
    the report holds today's recipe beside what the search finds."""
    ppo = Config(algo="ppo")
    return {p.name: getattr(ppo, p.name) for p in space if p.holds(getattr(ppo, p.name))}


def recipe_of(params: dict, fixed: dict) -> dict:
    """A trial's training flags: the fixed recipe, then its sampled parameters."""
    return {**fixed, **params}


def recipe_string(recipe: dict) -> str:
    """`--recipe a=1,b=x`, as `pgcli benchmark` takes it (floats in full: the recipe the trial ran)."""
    def value(v):
        return ("on" if v else "off") if isinstance(v, bool) else repr(v) if isinstance(v, float) else str(v)

    return ",".join(f"{k.replace('_', '-')}={value(v)}" for k, v in recipe.items())
