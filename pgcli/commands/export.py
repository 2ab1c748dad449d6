"""`pgcli export`: a weights-only copy of a checkpoint, or Karpathy's save.p pickle."""

from __future__ import annotations

import json
from pathlib import Path

from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pgcli.files.atomic import atomic_write
from pgcli.files.outputs import check_output


def export_file(source: Path, output: Path, karpathy: bool = False, dtype: str = "float32") -> tuple[int, str]:
    """A weights-only copy of `source` (config and env settings kept), or Karpathy's save.p pickle
    -> (bytes written, what was written)."""
    from pgcli.files import model_folder

    ck = model_folder.load(source)  # a checkpoint, an export or a model folder
    check_output(output)
    data = checkpoint.karpathy_pickle(ck) if karpathy else checkpoint.encode(checkpoint.export_weights(ck, dtype))
    try:
        atomic_write(output, data)
    except OSError as e:
        raise PgcliError(f"{output}: cannot write ({e.strerror})") from None
    return len(data), "Karpathy save.p" if karpathy else "pgcli weights"


def export_folder(source: Path, folder: Path, dtype: str = "float16", eval_games: int = 10, gif_steps: int = 300,
                  on_event=lambda msg: None) -> dict:
    """A model folder to share (`pgcli.files.model_folder`): the weights as safetensors, the config,
    an evaluation by the benchmark's protocol, a short GIF, the learning curve (when the run's metrics
    are beside `source` and matplotlib is installed) and the model card, README.md -> what was written."""
    from pgcli.commands import model_card
    from pgcli.commands.evaluate import evaluate
    from pgcli.commands.record import record
    from pgcli.files import model_folder
    from pgcli.files.agents import load_agent
    from pgcli.files.metrics import find_metrics

    ck = model_folder.load(source)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PgcliError(f"{folder}: exists and is not a folder")
    model_folder.write(folder, checkpoint.export_weights(ck, dtype))
    agent = load_agent(folder, sticky_actions=model_card.EVAL_STICKY)  # the folder's own weights, as users get them
    on_event(f"evaluating on {eval_games} games (sticky actions {model_card.EVAL_STICKY}, actions sampled, seed 0)")
    ev = evaluate(agent, eval_games, seed=0)
    atomic_write(folder / "evaluation.json", (json.dumps(ev, indent=1) + "\n").encode())
    on_event(f"recording {gif_steps} agent steps")
    record(load_agent(folder), folder / "replay.gif", episodes=1, max_frames=gif_steps, seed=0)
    onnx = _onnx(model_folder.read(folder), folder, on_event)  # the folder's own weights, read from its file
    curve = None
    metrics = find_metrics(Path(source).parent, Path(source).stem) if Path(source).is_file() else None
    if metrics is not None:
        curve = model_card.draw_curve(metrics, folder / "curve.png", ck.game)
    atomic_write(folder / "README.md", model_card.card(ck, ev, dtype, curve is not None, onnx).encode())
    return {"folder": folder, "evaluation": ev, "curve": curve,
            "files": sorted(p.name for p in folder.iterdir() if p.is_file())}


def _onnx(ck, folder: Path, on_event) -> str | None:
    """policy.onnx beside the weights (reading them from model.safetensors) -> None, or why there is
    none (no onnx package, a --frame-max on agent)."""
    from pgcli.commands import onnx_policy
    from pgcli.files.model_folder import WEIGHTS

    try:
        onnx_policy.write(ck, folder / "policy.onnx", folder / WEIGHTS)
    except PgcliError as e:
        on_event(f"no policy.onnx: {e}")
        return str(e)
    return None
