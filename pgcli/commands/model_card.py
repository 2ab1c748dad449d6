"""The model card of a model folder (README.md with hub metadata) and its learning curve.

The card says what the agent plays and how it was trained (the `pgcli train` command that trains it
again: every flag that differs from its algorithm's defaults), how far it got (agent steps, minutes),
how well it plays and under which protocol (sticky actions, sampled actions, frame cap, seed; HNS by
both human tables), which emulator actions its outputs are, and the versions it was made with.
"""

from __future__ import annotations

import dataclasses
from importlib import metadata
from pathlib import Path

from pgcli.base import games
from pgcli.base.config import FLAG_NAMES, Config
from pgcli.files import checkpoint

EVAL_STICKY = 0.25  # the card's evaluation protocol: the benchmark's (Machado et al. 2018)


def train_command(ck: checkpoint.Checkpoint) -> str:
    """The `pgcli train` line of this agent's run: its game and every flag off its algorithm's defaults."""
    cfg, default = ck.config, Config(algo=ck.config.algo)
    parts = ["pgcli train", f"--algo {cfg.algo}", f"--game {ck.game}"]
    for f in dataclasses.fields(Config):
        if f.name in ("algo", "env_id"):
            continue
        v, d = getattr(cfg, f.name), getattr(default, f.name)
        if v == d:
            continue
        flag = FLAG_NAMES.get(f.name, ["--" + f.name.replace("_", "-")])[0]
        parts.append(flag if v is True else f"--no-{flag[2:]}" if v is False else f"{flag} {v}")
    steps = ck.meta.get("steps")
    if steps:
        parts.append(f"--steps {steps}")
    return " ".join(parts)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def card(ck: checkpoint.Checkpoint, ev: dict, dtype: str, has_curve: bool, no_onnx: str | None = None) -> str:
    """The folder's README.md: the Hub's front matter, then what the agent is, its evaluation, how it was
    trained, and how to use it (with pgcli, or its ONNX policy without)."""
    game = games.for_rom(ck.game, ck.config.noop)
    return "\n".join(_front(ck, ev) + _about(ck, game, ev, dtype) + _use(game, has_curve, no_onnx))


def _front(ck: checkpoint.Checkpoint, ev: dict) -> list[str]:
    """The Hugging Face model card's YAML front matter (tags and the evaluation as model-index)."""
    cfg = ck.config
    return [
        "---", "library_name: pgcli", "tags:", "- reinforcement-learning", "- atari", f"- {cfg.algo}", f"- {ck.game}",
        "- policy-gradient", "model-index:", f"- name: pgcli {cfg.algo.upper()} {ck.game}", "  results:",
        "  - task: {type: reinforcement-learning, name: reinforcement-learning}",
        f"    dataset: {{name: {ev['env_id']}, type: {ev['env_id']}}}", "    metrics:",
        f"    - {{type: mean_reward, value: '{ev['mean_reward']:.2f} +/- {ev['std_reward']:.2f}', name: mean_reward}}",
        "---", ""]


def _about(ck: checkpoint.Checkpoint, game: games.Game, ev: dict, dtype: str) -> list[str]:
    """What the agent is, its evaluation (protocol named), and how it was trained."""
    cfg = ck.config
    rewards = ev["rewards"]
    se = ev["std_reward"] / max(1, len(rewards) - 1) ** 0.5 if len(rewards) > 1 else 0.0
    steps, minutes = ck.meta.get("steps"), float(ck.meta.get("seconds", 0.0)) / 60
    hns_text = "; ".join(f"{h:.2f} by {'Agent57' if t == 'agent57' else 'the DQN paper'}'s human table"
                         for t, h in ev["hns"].items() if h is not None) or "no published human score for this game"
    return [
        f"# pgcli {cfg.algo.upper()} agent for {ev['env_id']}", "",
        f"A 2-layer policy network ({cfg.hidden} ReLU units) that plays {ck.game} from raw pixels, trained with "
        f"pgcli ({'PPO with a KL check' if cfg.algo == 'ppo' else 'REINFORCE, the seed'}): "
        "Karpathy's \"Pong from Pixels\" network and input, as a tool.", "",
        "## Evaluation", "",
        f"**{ev['mean_reward']:.2f} ± {ev['std_reward']:.2f}** (mean ± standard deviation; standard error {se:.2f}) "
        f"over {ev['episodes']} games; HNS {hns_text}.", "",
        f"Protocol: {ev['env_id']} with sticky actions {ev['sticky_actions']}, whole games (a lost life ends nothing), "
        f"at most {ev['max_frames_per_game']:,} frames a game ({ev['games_at_frame_cap']} of {ev['episodes']} reached it), "
        f"actions {'greedy' if ev['greedy'] else 'sampled from the policy'}, seed {ev['seed']}; "
        f"the weights in this folder ({dtype}). Again: `pgcli evaluate . -n {ev['episodes']} --sticky-actions {ev['sticky_actions']}`.", "",
        "## Training", "",
        "```bash", train_command(ck), "```", "",
        (f"{steps:,} agent steps ({ck.meta.get('episode', 0):,} games) in {minutes:.1f} minutes of training."
         if steps else "Agent steps and minutes were not recorded."), "",
        f"Input: {cfg.input_spec.describe()}; background rule `{cfg.background}`, frame max `{cfg.frame_max}`; "
        f"emulator settings as trained: `{ck.env}`.", "",
        "Actions: output i is the emulator's action " + ", ".join(
            f"{i} = {label}" for i, label in enumerate(game.labels)) +
        f" (indices {list(game.actions)} into the game's minimal action set).", "",
    ]


def _use(game: games.Game, has_curve: bool, no_onnx: str | None) -> list[str]:
    """The pictures, how to use the folder with pgcli, and the ONNX policy without it (or why there is none)."""
    actions = list(game.actions)
    body = ["![learning curve](curve.png)", ""] if has_curve else []
    body += ["![the agent playing](replay.gif)", "",
             "## Use it", "", "With pgcli installed (`pip install .` in its repository), in this folder:", "",
             "```bash", "pgcli play . --terminal           # watch it play",
             "pgcli evaluate . -n 30            # score it", "pgcli weights . -o w1.png       # its first layer",
             "```", "", "```python", "import pgcli", 'player = pgcli.load(".")   # acts on raw frames: player.act(frame)', "```", "",
             "Files: `model.safetensors` (weights), `config.json` (the run's settings and the action map), "
             "`evaluation.json`, `replay.gif`" + (", `curve.png`" if has_curve else "")
             + ("" if no_onnx else ", `policy.onnx`") + ". Loading runs no code.", ""]
    body += (["## Without pgcli: the ONNX policy", "",
              "`policy.onnx` maps the emulator's RGB frame (and a little state) to the action probabilities, with "
              "pgcli's preprocessing inside; onnxruntime and ale-py alone play the game "
              "(pgcli's `examples/play_onnx.py`, ~30 lines). Its outputs are the action indices above: "
              f"`env.step({actions}[i])`.", ""] if not no_onnx else
             [f"No `policy.onnx`: {no_onnx}.", ""])
    return body + [f"Made with pgcli {_version('pgcli')}, ale-py {_version('ale-py')}, numpy {_version('numpy')}.", ""]


def draw_curve(metrics: Path, out: Path, game: str) -> Path | None:
    """The run's learning curve (`pgcli plot`'s figure) -> its path, or None without matplotlib."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    from pgcli.commands.plot import plot, read_metrics

    plot([read_metrics(metrics)], out, game=None if game == "pong" else game)
    return out

