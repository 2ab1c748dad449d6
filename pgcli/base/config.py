"""Every training setting in one dataclass, with the seed's defaults; saved with the weights."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pgcli.base.errors import PgcliError
from pgcli.base.inputs import SEED, InputSpec

TRUST_REGIONS = ("acted", "start")  # PPO's trust region: centred on the policy that played the batch, or the update's start
OPTIMIZERS = ("rmsprop", "adam")  # the keys of core.optim.OPTIMIZERS (a test keeps them equal)
ALGOS = ("reinforce", "ppo")
FRAME_MAX = ("auto", "on", "off")  # the input frame: the max of the last two frames of a step, or the last
OPTIONAL_FLOATS = ("sticky_actions",)  # fields whose default None means "the env's own"

ALGO_DEFAULTS = {
    "reinforce": {"optimizer": "adam", "learning_rate": 1e-3, "inputs": SEED, "background": "colour", "noop": False,
                  "episodic_life": False},
    "ppo": {"optimizer": "adam", "learning_rate": 5e-4, "inputs": "diff+objects+action", "background": "auto",
            "noop": True, "episodic_life": True},
}
"""The one place where each algorithm's defaults live: the fields below that a Config is not given
take its algorithm's. REINFORCE keeps the seed's input and actions (Adam at 1e-3 learns visibly in
minutes); PPO's are what measured best on ALE v5 games as shipped (sticky actions) and within the
exact-controls target: the difference frame, the current frame without its scenery and the previous
action, each pixel against its own background on the 12 screens the colour rule makes all scenery;
a lost life ends the return in learning; Pong's paddle may stand still (NOOP)
(docs/results.md, docs/studies/sticky.md, docs/games.md, docs/benchmark.md)."""
CHOSEN_ON = {"inputs": ("the objects input", ("breakout",)), "episodic_life": ("episodic life", ("breakout",)),
             "epochs": ("8 epochs", ("pong", "breakout")), "background": ("--background auto", ("battle_zone",))}
"""The games each of PPO's defaults beyond CleanRL's recipe was chosen on (field -> (what, games)): a
suite holding them did not judge that choice blind, and the benchmark's report says so."""
WEIGHT_FIELDS = ("hidden", "inputs", "background", "noop", "frame_max")
"""Fields that fix the network's shape or what its inputs mean: a resumed run keeps its checkpoint's."""
LEGACY = {"inputs": SEED, "background": "colour", "noop": False, "episodic_life": False, "frame_max": "off"}
"""What a checkpoint saved before a field existed trained with (`from_dict`: a missing key)."""


SAVE_EVERY = 100  # a session's default (not saved): episodes between checkpoints (--save-every, the API, the bench)
WORKERS = 2  # a session's default (not saved): Ray rollout workers when --ray-address comes without --workers


@dataclass
class Config:
    """Hyperparameters of one training run. Network and discount are Karpathy's pg-pong.py's;
    the optimizer defaults to Adam at lr 1e-3, which learns visibly in minutes (the seed's
    RMSProp at 1e-4 is `--preset karpathy`, see KARPATHY below).

    A field left at None takes its algorithm's default (ALGO_DEFAULTS) when the Config is made, so
    `Config(algo="ppo", epochs=4)` is PPO with its own learning rate and input and 4 epochs; a
    Config, once made, is the whole run (what is saved with the weights)."""

    algo: str = "reinforce"
    """'reinforce' (the seed's method) or 'ppo' (clipped surrogate, value head, KL check)."""
    hidden: int = 200
    """H: number of hidden-layer neurons."""
    batch_size: int = 10
    """Every how many episodes to do a parameter update."""
    learning_rate: float = None  # type: ignore[assignment]  # ALGO_DEFAULTS
    """Step size of the optimizer."""
    lr_anneal_steps: int = 0
    """Lower the learning rate linearly from --lr to 0 at this many agent steps of the run, where
    the run ends (a resume goes on counting; CleanRL's Atari PPO anneals over its whole budget);
    0 keeps it constant."""
    gamma: float = 0.99
    """Discount factor for reward."""
    decay_rate: float = 0.99
    """Decay factor for RMSProp leaky sum of grad^2."""
    adam_eps: float = 1e-8
    """Adam's epsilon, added to the root of each weight's running mean of grad^2 (Kingma & Ba's 1e-8;
    CleanRL's Atari PPO uses 1e-5): where a weight's gradients are smaller than it, its steps shrink."""
    optimizer: str = None  # type: ignore[assignment]  # ALGO_DEFAULTS
    """'adam' (learns Pong several times faster) or 'rmsprop' (the seed's)."""
    seed: int = 0
    """Seeds the weights, the action sampling and the emulator; same seed, same weights."""
    env_id: str = "ALE/Pong-v5"
    """Gymnasium id of the game to play (any ALE game: `--game breakout` is ALE/Breakout-v5)."""
    sticky_actions: float | None = None
    """Chance that the emulator repeats the last action instead of the new one (ALE's
    repeat_action_probability). Default: the env's own, 0.25 for ALE/Pong-v5 and Pong-v0;
    0 makes the controls exact, an easier game."""
    inputs: str = None  # type: ignore[assignment]  # ALGO_DEFAULTS
    """What the network sees: the seed's 80x80 difference frame, plus any of +frame (the current
    frame), +objects (the current frame without its scenery: walls, bricks), +diff2 (the previous
    difference) and +action (the previous action, one-hot)."""
    background: str = None  # type: ignore[assignment]  # ALGO_DEFAULTS
    """What a lit input pixel is: one unlike the screen's commonest colour ('colour', the seed's rule
    generalised) or unlike its own usual colour in random play ('pixel': a background image, so a
    grey tank on grey ground or a cube that changed colour is lit); 'auto' is 'pixel' on the 12 games
    whose screen the colour rule makes >= 90 % scenery (Battle Zone, Bank Heist, Krull, Solaris...)
    and 'colour' elsewhere, decided at the run's start and saved as the rule it chose."""
    frame_max: str = "auto"
    """The input frame of an agent step: 'off', its last emulator frame (the seed's); 'on', the max
    of its last two frames (DQN's preprocessing: a game that draws objects on alternate frames shows
    them all); 'auto', 'on' for the 3 games that flicker so (Asteroids, Assault, Yars' Revenge),
    'off' elsewhere, decided at the run's start and saved as the rule it chose."""
    num_envs: int = 32
    """Games played side by side (ale-py's native vector environment when the env allows);
    32, in 2 groups of 16 that take turns (an emulator thread per core in each), measured fastest
    on 2 cores (docs/speed.md)."""

    rollout_steps: int = 128
    """PPO: agent steps per game in each rollout (batch = num_envs x rollout_steps)."""
    epochs: int = 8
    """PPO: passes over each batch of experience (fewer if the KL check stops them)."""
    minibatches: int = 4
    """PPO: minibatches per epoch."""
    clip: float = 0.2
    """PPO: clip range of the probability ratio (the trust region's width)."""
    target_kl: float = 0.03
    """PPO: stop the epochs when the approximate KL exceeds 1.5 x this (0 turns it off)."""
    trust_region: str = "acted"
    """PPO: where the clip and the KL check are centred: 'acted', the policy that played the batch
    (the PPO paper's; one update behind the learner here, so a big update can stop the next before
    its first step), or 'start', the policy the update starts from, with the lag weighted out (the
    decoupled objective of Hilton et al. 2021; every update takes at least one step)."""
    ent_coef: float = 0.01
    """PPO: weight of the entropy bonus (keeps P(UP) from saturating early)."""
    ent_anneal: bool = False
    """PPO: the entropy bonus falls to 0 with the learning rate, at --lr-anneal-steps (explore
    early, act decisively late)."""
    vf_coef: float = 0.5
    """PPO: weight of the value head's squared error."""
    gae_lambda: float = 0.95
    """PPO: GAE lambda (1 = Monte Carlo returns, 0 = one-step TD)."""
    max_grad_norm: float = 0.5
    """PPO: clip the global gradient norm to this."""
    noop: bool = None  # type: ignore[assignment]  # ALGO_DEFAULTS
    """Pong: the paddle may also stay still (NOOP beside the seed's DOWN and UP: a softmax over 3
    actions, where the seed's two must jitter to hold a place). Other games' action sets have NOOP
    already: nothing changes there."""
    episodic_life: bool = None  # type: ignore[assignment]  # ALGO_DEFAULTS
    """PPO: a lost life ends the return in learning (no value carried past it), as DQN and CleanRL
    train on Atari; the game itself goes on, and its score and evaluation are unchanged."""

    def __post_init__(self) -> None:
        for name, value in ALGO_DEFAULTS.get(self.algo, ALGO_DEFAULTS["reinforce"]).items():
            if getattr(self, name) is None:
                setattr(self, name, value)
        self.inputs = str(self.input_spec)  # one spelling of each input: 'diff+objects+action'

    @property
    def input_spec(self) -> InputSpec:
        """What the network sees, parsed: its parts, size and blocks."""
        return InputSpec.parse(self.inputs, self.background)

    def validate(self) -> "Config":
        """Raise PgcliError naming the first bad value; return self when all are fine."""
        checks = [
            (self.hidden >= 1, f"hidden must be >= 1, got {self.hidden}"),
            (self.batch_size >= 1, f"batch size must be >= 1, got {self.batch_size}"),
            (
                0 < self.learning_rate < float("inf"),
                f"learning rate must be > 0, got {self.learning_rate}",
            ),
            (self.lr_anneal_steps >= 0, f"lr anneal steps must be >= 0, got {self.lr_anneal_steps}"),
            (0 < self.gamma <= 1, f"gamma must be in (0, 1], got {self.gamma}"),
            (0 <= self.decay_rate < 1, f"decay rate must be in [0, 1), got {self.decay_rate}"),
            (0 < self.adam_eps < 1, f"adam eps must be in (0, 1), got {self.adam_eps}"),
            (
                self.optimizer in OPTIMIZERS,
                f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}",
            ),
            (self.algo in ALGOS, f"algo must be one of {', '.join(ALGOS)}, got {self.algo!r}"),
            (self.algo != "ppo" or self.optimizer == "adam", "--algo ppo uses --optimizer adam"),
            (self.algo == "ppo" or not self.episodic_life, "--episodic-life is for --algo ppo"),
            (self.algo == "ppo" or not self.ent_anneal, "--ent-anneal is for --algo ppo"),
            (not self.ent_anneal or self.lr_anneal_steps > 0,
             "--ent-anneal falls with the learning rate: give --lr-anneal-steps too"),
            (1 <= self.rollout_steps <= 100_000, f"rollout steps must be in [1, 100000], got {self.rollout_steps}"),
            (1 <= self.epochs <= 100, f"epochs must be in [1, 100], got {self.epochs}"),
            (1 <= self.minibatches <= self.num_envs * self.rollout_steps,
             f"minibatches must be in [1, num envs x rollout steps], got {self.minibatches}"),
            (0 < self.clip < 1, f"clip must be in (0, 1), got {self.clip}"),
            (0 <= self.target_kl < float("inf"), f"target kl must be >= 0, got {self.target_kl}"),
            (self.frame_max in FRAME_MAX, f"frame max must be one of {', '.join(FRAME_MAX)}, got {self.frame_max!r}"),
            (self.trust_region in TRUST_REGIONS,
             f"trust region must be one of {', '.join(TRUST_REGIONS)}, got {self.trust_region!r}"),
            (0 <= self.ent_coef < float("inf"), f"ent coef must be >= 0, got {self.ent_coef}"),
            (0 <= self.vf_coef < float("inf"), f"vf coef must be >= 0, got {self.vf_coef}"),
            (0 <= self.gae_lambda <= 1, f"gae lambda must be in [0, 1], got {self.gae_lambda}"),
            (0 < self.max_grad_norm < float("inf"), f"max grad norm must be > 0, got {self.max_grad_norm}"),
            (0 <= self.seed < 2**63, f"seed must be in [0, 2**63), got {self.seed}"),
            (1 <= self.num_envs <= 256, f"num envs must be in [1, 256], got {self.num_envs}"),
            (self.sticky_actions is None or 0 <= self.sticky_actions <= 1,
             f"sticky actions must be in [0, 1], got {self.sticky_actions}"),
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
        kwargs = {k: v for k, v in LEGACY.items() if k not in d}
        for name, value in d.items():
            if name in OPTIONAL_FLOATS and value is None:
                kwargs[name] = None
                continue
            want = float if name in OPTIONAL_FLOATS else type(getattr(_RESOLVED, name))
            if want is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if type(value) is not want:
                raise PgcliError(f"checkpoint config {name!r} has the wrong type")
            kwargs[name] = value
        return cls(**kwargs).validate()


_RESOLVED = Config()  # every field filled: the types of the fields


KARPATHY = {"optimizer": "rmsprop", "learning_rate": 1e-4, "decay_rate": 0.99, "batch_size": 10,
            "gamma": 0.99, "hidden": 200, "env_id": "Pong-v0", "algo": "reinforce"}
"""`--preset karpathy`: the 2016 script's settings exactly (RMSProp, lr 1e-4, Pong-v0)."""
ATARI = {"algo": "ppo"}
"""`--preset atari`: PPO with its defaults, by name (`--preset atari --game breakout`)."""
PRESETS = {"karpathy": KARPATHY, "atari": ATARI}


def for_new_run(overrides: dict, preset: str | None = None) -> Config:
    """The config of a new run: the preset's settings, then the user's flags on top (the fields
    neither gives take their algorithm's defaults)."""
    if preset is not None and preset not in PRESETS:
        raise PgcliError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    return Config(**{**PRESETS.get(preset, {}), **overrides}).validate()


def for_resumed_run(saved: Config, overrides: dict) -> Config:
    """A resumed run's config: the checkpoint's, then the flags. Switching the algorithm gives the
    new one's defaults for the flags not given, except the fields the weights fix (their shape)."""
    for name in WEIGHT_FIELDS:
        if name in overrides and overrides[name] != getattr(saved, name):
            given, had = overrides[name], getattr(saved, name)
            raise PgcliError(
                f"--{'' if given else 'no-'}noop does not match the checkpoint's actions (it was trained "
                f"{'with' if had else 'without'} NOOP)" if name == "noop" else
                f"{FLAG_NAMES.get(name, ['--' + name.replace('_', '-')])[0]} {given} does not match the checkpoint's {had}")
    base = saved.to_dict()
    if overrides.get("algo", saved.algo) != saved.algo:
        for name in ALGO_DEFAULTS[saved.algo]:
            if name not in WEIGHT_FIELDS:
                del base[name]
    return Config(**{**base, **overrides}).validate()


def field_docs() -> dict[str, str]:
    """Each field's one-line docstring (drives the CLI's help and the table in docs/training.md)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(Config))
    body, docs = tree.body[0].body, {}
    for node, nxt in zip(body, body[1:]):
        if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
            docs[node.target.id] = " ".join(nxt.value.value.split())
    return docs


def shown_default(name: str) -> str:
    """A field's default as help and docs show it: one value, or each algorithm's (ALGO_DEFAULTS)."""
    def show(value) -> str:
        if value is None:
            return "the env's"
        if isinstance(value, bool):
            return "on" if value else "off"
        return f"{value:g}" if isinstance(value, float) else str(value)

    if name in ALGO_DEFAULTS["reinforce"]:
        values = {algo: d[name] for algo, d in ALGO_DEFAULTS.items()}
        if len(set(values.values())) > 1:
            return ", ".join(f"{show(v)} ({algo})" for algo, v in values.items())
    return show(getattr(_RESOLVED, name))


FLAG_NAMES = {"env_id": ["--env", "--game"], "learning_rate": ["--learning-rate", "--lr"], "inputs": ["--input"]}
"""The flags of the fields whose flag is not `--field-name` (the CLI and the docs' table read it)."""


def markdown_table() -> str:
    """docs/training.md's table of `pgcli train`'s hyperparameter flags, made from the dataclass."""
    docs = field_docs()
    rows = ["| flag | default | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(Config):
        names, default = FLAG_NAMES.get(f.name, ["--" + f.name.replace("_", "-")]), getattr(_RESOLVED, f.name)
        flag = "`, `".join(names + [f"--no-{n[2:]}" for n in names if isinstance(default, bool)])
        rows.append(f"| `{flag}` | {shown_default(f.name)} | {docs[f.name]} |")
    return "\n".join(rows)
