"""What a run is, decided once: the config (the flags over a preset, or over a resumed checkpoint's),
the emulator settings of its game, the game record and what the network sees.

`pgcli train` and `pgcli.train` resolve one `RunSpec` from what the user gave; the trainer, the
collectors and the Ray workers take theirs from it (a worker gets `to_dict()`, plain data).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pgcli.base import games, scenery
from pgcli.base.config import Config, for_new_run, for_resumed_run
from pgcli.base.envs import EnvSettings, env_settings
from pgcli.base.errors import PgcliError
from pgcli.base.inputs import InputSpec


@dataclass(frozen=True)
class RunSpec:
    config: Config
    settings: EnvSettings  # the emulator settings, as saved in the checkpoint
    game: games.Game  # the actions the policy picks from, the play area, how a return ends

    @classmethod
    def of(cls, config: Config, settings: EnvSettings | None = None, who: str = "--frame-max on") -> "RunSpec":
        """The run of `config` (its env id looked up: `breakout` is saved as ALE/Breakout-v5), or of an
        agent's saved config on `settings`. The one place the `auto` rules are decided: 'auto' is saved as
        the rule it chose, and training, play and the ONNX policy all see the game through this spec."""
        settings = settings or env_settings(config.env_id, config.sticky_actions)
        game = games.for_rom(settings.game, config.noop)
        background = games.background_rule(game, config.background)
        frame_max = games.frame_max_rule(game, config.frame_max)
        return cls(replace(config, env_id=settings.env_id, background=background, frame_max=frame_max),
                   framed(settings, frame_max, who), game)

    @property
    def inputs(self) -> InputSpec:
        return self.config.input_spec

    @property
    def scenery(self) -> scenery.Scenery | None:
        """The game's scenery where the input reads it (measured once a process, on the real emulator)."""
        return scenery.of(self.game) if scenery.needs_scenery(self.inputs) else None

    @property
    def input_size(self) -> int:
        """Entries of the network's input vector (W1's columns)."""
        return self.inputs.size(self.game.n_actions)

    def to_dict(self) -> dict:
        """Plain data (for a Ray worker); `from_dict` rebuilds the same spec."""
        return {"config": self.config.to_dict(), "env": self.settings.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> "RunSpec":
        env = dict(d["env"])
        if isinstance(env.get("frameskip"), list):
            env["frameskip"] = tuple(env["frameskip"])
        return cls.of(Config.from_dict(d["config"]), EnvSettings(**env))


def framed(settings: EnvSettings, frame_max: str, who: str = "--frame-max on") -> EnvSettings:
    """`settings` emulating what a network with `frame_max` ('on' or 'off', as a run decided and saved
    it) learns from or learned from: with 'on', each step's frame the max of its last two (`maxpool`).
    Training and play both take their emulator from here; one line (`who` needs...) if the frameskip is random."""
    if frame_max == "on" and not isinstance(settings.frameskip, int):
        lo, hi = settings.frameskip
        raise PgcliError(f"{who} needs a fixed frameskip; {settings.env_id} skips {lo} to {hi - 1} "
                         "frames at random (use its ALE/...-v5 id)")
    return replace(settings, maxpool=frame_max == "on")


def resolve(flags: dict, preset: str | None = None, saved: Config | None = None) -> RunSpec:
    """A new run: the preset's settings, then the flags given (`flags` holds only those); a resumed
    run (`saved`: its checkpoint's config): that config, then the flags. Every field not given
    takes its algorithm's default (`pgcli.base.config.ALGO_DEFAULTS`)."""
    if saved is None:
        return RunSpec.of(for_new_run(flags, preset))
    if preset is not None:
        raise PgcliError("--preset applies to new runs; a resumed run keeps its checkpoint's settings")
    return RunSpec.of(for_resumed_run(saved, flags))
