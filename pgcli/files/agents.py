"""An agent from a file: a pgcli checkpoint, an export, a model folder or Karpathy's save.p, with the
emulator settings it was trained with (loaded without running code: `pgcli.files.model_folder`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pgcli.core.agent import Agent
from pgcli.core.network import MODEL_KEYS, VALUE_KEYS, Policy
from pgcli.base.envs import EnvSettings, env_settings
from pgcli.base.errors import PgcliError
from pgcli.files import model_folder
from pgcli.base.run_spec import RunSpec

KARPATHY_ENV = "Pong-v0"  # what the 2016 save.p files were trained on


def settings_from_checkpoint(env: dict, override: str | None, source: str) -> EnvSettings:
    """The emulator settings a checkpoint was trained with, or those of `override`."""
    if override:
        return env_settings(override)
    if not env:
        return env_settings(KARPATHY_ENV if source == "karpathy" else "ALE/Pong-v5")
    base = env_settings(env.get("env_id") if isinstance(env.get("env_id"), str) else "?")
    fs, rap = env.get("frameskip", base.frameskip), env.get("repeat_action_probability", base.repeat_action_probability)
    if isinstance(fs, list) and len(fs) == 2 and all(type(v) is int and 1 <= v <= 64 for v in fs):
        fs = (fs[0], fs[1])
    elif not (type(fs) is int and 1 <= fs <= 64):
        raise PgcliError("checkpoint env settings are malformed (frameskip)")
    if not (isinstance(rap, (int, float)) and 0 <= rap <= 1):
        raise PgcliError("checkpoint env settings are malformed (repeat_action_probability)")
    return EnvSettings(base.env_id, base.game, fs, float(rap), False, base.max_num_frames_per_episode)


def load_agent(path: Path, env: str | None = None, sticky_actions: float | None = None) -> Agent:
    """The agent in `path`, to play with its recorded settings, or another env / sticky-action chance."""
    ck = model_folder.load(path)
    settings = settings_from_checkpoint(ck.env, env, ck.source)
    if sticky_actions is not None:
        settings = replace(settings, repeat_action_probability=float(sticky_actions))
    trained_on = ck.game
    if settings.game != trained_on:
        raise PgcliError(f"{path} plays {trained_on}; it cannot play {settings.game} (--env {settings.env_id})")
    policy = Policy({k: ck.arrays[k] for k in MODEL_KEYS + VALUE_KEYS if k in ck.arrays})
    run = RunSpec.of(ck.config, settings,  # it plays on what it learned from
                     f"{path} learned from each step's max of two frames (--frame-max on), which")
    if policy.n_actions != run.game.n_actions:
        raise PgcliError(f"{path}: its network picks from {policy.n_actions} actions, {run.game.name} has {run.game.n_actions}")
    return Agent(policy, run.settings, run.game, run.inputs, run.scenery, ck.episode, ck.source)
