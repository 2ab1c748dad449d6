"""`pgcli train`'s hyperparameter flags, made from the Config dataclass: one `--flag` per field,
with its type, bounds, help (the field's docstring) and help panel, so the CLI, its help and the
table in docs/training.md cannot drift apart."""

from __future__ import annotations

from typing import Optional

import typer

from pgcli.base.config import FLAG_NAMES, Config

_D = Config()  # every field filled (REINFORCE's where the algorithms differ): the flags' types

PANELS = {  # train --help groups its flags: what to train, the algorithms' knobs, how long, where, speed
    "What to train": ("algo", "env_id", "sticky_actions", "inputs", "hidden", "seed", "gamma", "lr_anneal_steps",
                      "noop"),
    "REINFORCE (the seed's method)": ("batch_size", "optimizer", "learning_rate", "decay_rate"),
    "PPO (--algo ppo)": ("rollout_steps", "epochs", "minibatches", "clip", "target_kl", "trust_region", "ent_coef", "ent_anneal", "vf_coef",
                         "gae_lambda", "max_grad_norm", "episodic_life"),
    "Performance": ("num_envs",),
}
BOUNDS = {"hidden": dict(min=1, max=65536), "batch_size": dict(min=1), "num_envs": dict(min=1, max=256),
          "seed": dict(min=0), "lr_anneal_steps": dict(min=0), "sticky_actions": dict(min=0.0, max=1.0), "rollout_steps": dict(min=1), "epochs": dict(min=1), "minibatches": dict(min=1)}


def config_options(fn):
    """Give `fn` one `--flag` per Config field: name, type, help and default come from the dataclass
    (its field docstrings), so the CLI, its help and the table in docs/training.md cannot drift apart."""
    import dataclasses
    import inspect

    from pgcli.base.config import OPTIONAL_FLOATS, field_docs, shown_default

    docs, panel_of = field_docs(), {f: p for p, fs in PANELS.items() for f in fs}
    sig = inspect.signature(fn, eval_str=True)
    params = [p for p in sig.parameters.values() if p.name != "config"]
    for f in dataclasses.fields(Config):
        default = getattr(_D, f.name)
        names = FLAG_NAMES.get(f.name, ["--" + f.name.replace("_", "-")])
        if isinstance(default, bool):  # on and off: --episodic-life / --no-episodic-life
            names = [f"{n}/--no-{n[2:]}" for n in names]
        help_ = f"{docs[f.name]}" + ("" if default is None else f" (default: {shown_default(f.name)})")
        opt = typer.Option(None, *names, help=help_, rich_help_panel=panel_of.get(f.name, "What to train"),
                           show_default=False, **BOUNDS.get(f.name, {}))
        params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=opt,
                                        annotation=Optional[float if f.name in OPTIONAL_FLOATS else type(default)]))

    def wrapper(**kwargs):
        config = {f.name: kwargs.pop(f.name) for f in dataclasses.fields(Config)}
        return fn(config={k: v for k, v in config.items() if v is not None}, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=params)
    wrapper.__doc__, wrapper.__name__ = fn.__doc__, fn.__name__
    return wrapper


HOW_LONG, WHERE = "How long", "Where to save"
