"""A model folder: an agent as people upload it to a model hub, and as pgcli reads it back.

    DIR/model.safetensors   the weights (W1, W2, the value head; `pixel_use`), in the safetensors format
    DIR/config.json         the run's Config, the emulator settings, the training's counters
    DIR/README.md           the model card (written by `pgcli export -o DIR/`, with its GIF and curve)

`load(path)` reads a folder or any checkpoint file, the same way everywhere (play, evaluate, record,
weights, the Python API): nothing in it is executed, every array is checked against the config.
"""

from __future__ import annotations

import json
from pathlib import Path

from pgcli.base.config import Config
from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint, safetensors
from pgcli.files.atomic import atomic_write

WEIGHTS, CONFIG = "model.safetensors", "config.json"
FORMAT = "pgcli-model-folder/1"


def is_folder_output(path: Path) -> bool:
    """`-o DIR/` (a trailing slash), an existing folder, or a name without a suffix: a model folder."""
    text = str(path)
    return text.endswith(("/", "\\")) or Path(path).is_dir() or not Path(path).suffix


def write(folder: Path, ckpt: checkpoint.Checkpoint) -> None:
    """The weights and config of a weights-only checkpoint (`checkpoint.export_weights`) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT, "game": ckpt.game, "algo": ckpt.config.algo}
    atomic_write(folder / WEIGHTS, safetensors.encode(ckpt.arrays, meta))
    from pgcli.base.games import for_rom

    game = for_rom(ckpt.game, ckpt.config.noop)
    doc = {"format": FORMAT, "config": ckpt.config.to_dict(), "env": ckpt.env, "meta": ckpt.meta,
           "actions": list(game.actions), "action_labels": list(game.labels)}  # output i -> the env's action
    atomic_write(folder / CONFIG, (json.dumps(doc, indent=1) + "\n").encode())


def read(folder: Path) -> checkpoint.Checkpoint:
    """A model folder -> the weights-only Checkpoint it holds (one line naming what is wrong)."""
    folder = Path(folder)
    try:
        doc = json.loads((folder / CONFIG).read_text())
        data = (folder / WEIGHTS).read_bytes()
    except FileNotFoundError as e:
        raise PgcliError(f"{folder}: not a pgcli model folder ({Path(e.filename).name} missing)") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise PgcliError(f"{folder}: cannot read its {CONFIG} ({type(e).__name__})") from None
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT and all(isinstance(doc.get(k), dict) for k in ("config", "env", "meta"))):
        raise PgcliError(f"{folder / CONFIG}: not a pgcli model folder's config")
    arrays, _ = safetensors.decode(data, str(folder / WEIGHTS))
    config = Config.from_dict(doc["config"])
    checkpoint.check_model(arrays, config, str(folder / WEIGHTS))
    return checkpoint.Checkpoint(config=config, env=doc["env"], arrays=arrays, meta=doc["meta"])


def load(path: Path) -> checkpoint.Checkpoint:
    """Any agent pgcli reads: a model folder, a pgcli checkpoint or export, Karpathy's save.p."""
    path = Path(path)
    if path.is_dir() and ((path / WEIGHTS).exists() or (path / CONFIG).exists()):
        return read(path)
    return checkpoint.load(path)
