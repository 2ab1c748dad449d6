"""pgcli's checkpoint file: weights, config, env settings, optimizer and RNG state. No pickle.

Layout (all little endian):
    b"PGCLI-CKPT\\n"          11-byte magic
    uint64 header length      at most 1 MiB
    uint32 crc32 of header
    header                    UTF-8 JSON: {"format": 1, "meta": {...}, "arrays": [...]}
    array data                each array's raw bytes, in header order, crc32 per array
Loading parses JSON and copies float bytes into numpy arrays; it never executes anything.
Files are recognised by content: this magic, or else a pickle handled by `safe_pickle`.
Writes are atomic: a temporary file in the same folder, fsync, then rename over the target.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pgcli.base.config import Config
from pgcli.base.errors import PgcliError
from pgcli.base.inputs import SEED, InputSpec
from pgcli.files.atomic import atomic_write
from pgcli.core.optim import pixel_use
from pgcli.core.network import MODEL_KEYS, VALUE_KEYS  # PPO checkpoints and their exports keep the value head
from pgcli.files.safe_pickle import load_karpathy

MAGIC = b"PGCLI-CKPT\n"
FORMAT = 1
MAX_HEADER = 2**20
MAX_FILE = 2**30
DTYPES = {"<f2": np.float16, "<f4": np.float32, "<f8": np.float64}


@dataclass
class Checkpoint:
    """Everything one save holds. `arrays` has W1 and W2, plus optimizer state when training."""

    config: Config
    env: dict
    arrays: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)  # episode, running_reward, rng, ...
    source: str = "pgcli"  # "pgcli" or "karpathy"

    @property
    def model(self) -> dict[str, np.ndarray]:
        return {k: self.arrays[k] for k in MODEL_KEYS}

    @property
    def episode(self) -> int:
        return int(self.meta.get("episode", 0))

    @property
    def game(self) -> str:
        """The ROM it was trained on ('pong' for Karpathy's files and those made before other games)."""
        game = self.env.get("game", "pong") if isinstance(self.env, dict) else "pong"
        return game if isinstance(game, str) else "pong"


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    raise TypeError(f"cannot store {type(o).__name__} in a checkpoint header")


def encode_parts(ckpt: Checkpoint) -> list:
    """Checkpoint -> the file as a list of buffers: magic and header, then each array's own memory
    (no copy of a C-contiguous little-endian array: a 41 MB training state is written as it is)."""
    specs, blobs, offset = [], [], 0
    for name, a in ckpt.arrays.items():
        a = np.ascontiguousarray(a)
        dt = a.dtype.newbyteorder("<").str
        if dt not in DTYPES:
            raise ValueError(f"array {name} has unsupported dtype {a.dtype}")
        raw = memoryview(a.astype(dt, copy=False).reshape(-1)).cast("B")  # a view of the array's bytes
        specs.append({"name": name, "dtype": dt, "shape": list(a.shape), "offset": offset,
                      "nbytes": raw.nbytes, "crc32": zlib.crc32(raw)})
        blobs.append(raw)
        offset += raw.nbytes
    header = json.dumps(
        {"format": FORMAT, "source": ckpt.source, "config": ckpt.config.to_dict(), "env": ckpt.env,
         "meta": ckpt.meta, "arrays": specs},
        default=_json_default, allow_nan=False,
    ).encode()
    return [MAGIC + struct.pack("<QI", len(header), zlib.crc32(header)) + header, *blobs]


def encode(ckpt: Checkpoint) -> bytes:
    """Checkpoint -> bytes of the file."""
    return b"".join(encode_parts(ckpt))


def save(path: Path, ckpt: Checkpoint) -> None:
    """Atomically save; refuses non-finite weights so a good checkpoint is never replaced by NaN."""
    for name, a in ckpt.arrays.items():
        if not np.isfinite(a).all():
            raise PgcliError(f"refusing to save: {name} contains NaN or infinity")
    atomic_write(path, encode_parts(ckpt))


def nbytes(ckpt: Checkpoint) -> int:
    """The size of the checkpoint's file."""
    return sum(memoryview(p).nbytes for p in encode_parts(ckpt))


def _bad(source: str, why: str) -> PgcliError:
    return PgcliError(f"{source}: not a valid pgcli checkpoint ({why})")


def _header(data: bytes, source: str) -> tuple[dict, int]:
    """The validated JSON header at the start of `data` -> (header, where the array data starts)."""
    fixed = len(MAGIC) + 12
    if len(data) < fixed or not data.startswith(MAGIC):
        raise _bad(source, "truncated or wrong magic")
    hlen, hcrc = struct.unpack_from("<QI", data, len(MAGIC))
    if hlen > MAX_HEADER or fixed + hlen > len(data):
        raise _bad(source, "header length out of range")
    raw_header = data[fixed : fixed + hlen]
    if zlib.crc32(raw_header) != hcrc:
        raise _bad(source, "header checksum mismatch")
    try:
        h = json.loads(raw_header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(source, "header is not JSON") from None
    if not isinstance(h, dict) or h.get("format") != FORMAT:
        raise _bad(source, "unknown format version")
    for key, typ in (("config", dict), ("env", dict), ("meta", dict), ("arrays", list)):
        if not isinstance(h.get(key), typ):
            raise _bad(source, f"{key} missing")
    return h, fixed + hlen


def read_meta(path: Path) -> dict:
    """A pgcli checkpoint's counters (episode, steps, seconds, ...) from its header alone: a few KB
    read, not the 41-61 MB of arrays (a suite's status, a report)."""
    source = str(path)
    try:
        with open(path, "rb") as f:
            start = f.read(len(MAGIC) + 12)
            if len(start) == len(MAGIC) + 12 and start.startswith(MAGIC):
                start += f.read(min(struct.unpack_from("<Q", start, len(MAGIC))[0], MAX_HEADER))
    except OSError as e:
        raise PgcliError(f"{source}: cannot read ({e.strerror})") from None
    return _header(start, source)[0]["meta"]


def decode(data: bytes, source: str = "checkpoint") -> Checkpoint:
    """Bytes of a pgcli checkpoint -> Checkpoint, validating every field."""
    h, at = _header(data, source)
    config = Config.from_dict(h["config"])
    body, arrays, expect = data[at:], {}, 0
    for spec in h["arrays"]:
        if not isinstance(spec, dict):
            raise _bad(source, "array entry malformed")
        name, dt, shape = spec.get("name"), spec.get("dtype"), spec.get("shape")
        off, nbytes, crc = spec.get("offset"), spec.get("nbytes"), spec.get("crc32")
        if not isinstance(name, str) or name in arrays or dt not in DTYPES:
            raise _bad(source, "array name or dtype not allowed")
        if not (isinstance(shape, list) and len(shape) <= 2 and all(type(n) is int and n >= 0 for n in shape)):
            raise _bad(source, f"array {name} shape malformed")
        count = int(np.prod(shape, dtype=object)) if shape else 1
        if off != expect or type(nbytes) is not int or nbytes != count * np.dtype(dt).itemsize:
            raise _bad(source, f"array {name} size or offset inconsistent")
        if off + nbytes > len(body):
            raise _bad(source, "truncated array data")
        raw = body[off : off + nbytes]
        if zlib.crc32(raw) != crc:
            raise _bad(source, f"array {name} checksum mismatch")
        arrays[name] = np.frombuffer(raw, dtype=DTYPES[dt]).reshape(shape).astype(np.float64)
        expect = off + nbytes
    if expect != len(body):
        raise _bad(source, "trailing bytes after the arrays")
    check_model(arrays, config, source)
    meta = h["meta"]
    return Checkpoint(config=config, env=h["env"], arrays=arrays, meta=meta, source="pgcli")


def check_model(arrays: dict, config: Config, source: str) -> None:
    """The weights fit the config: W1 (H, the input's size), W2 (H,) for two actions or (H, A)."""
    H = config.hidden
    for k in MODEL_KEYS:
        if k not in arrays:
            raise _bad(source, f"{k} missing")
    W2 = arrays["W2"]
    if not (W2.shape == (H,) or (W2.ndim == 2 and W2.shape[0] == H and 3 <= W2.shape[1] <= MAX_ACTIONS)):
        raise PgcliError(f"{source}: W2 has shape {W2.shape}, expected ({H},) or ({H}, actions)")
    A = 2 if W2.ndim == 1 else W2.shape[1]
    D = config.input_spec.size(A)
    if arrays["W1"].shape != (H, D):
        raise PgcliError(f"{source}: W1 has shape {arrays['W1'].shape}, expected ({H}, {D}) "
                         f"({config.input_spec.describe()})")
    for k, shape in (("Wv", (H,)), ("bv", (1,))):  # PPO's value head, when there is one
        if k in arrays and arrays[k].shape != shape:
            raise PgcliError(f"{source}: {k} has shape {arrays[k].shape}, expected {shape}")
    for k, a in arrays.items():
        if not np.isfinite(a).all():
            raise PgcliError(f"{source}: {k} contains NaN or infinity")
        if k == "pixel_use":  # an export's per-input use in training (see optim.pixel_use)
            if a.shape != (D,):
                raise _bad(source, f"pixel_use has shape {a.shape}, expected ({D},)")
        elif k not in MODEL_KEYS:  # optimizer state, e.g. cache_W1, must match its weight
            ref = arrays.get(k.rsplit("_", 1)[-1])
            if ref is None or a.shape != ref.shape:
                raise _bad(source, f"{k} does not match the weights' shape")


MAX_ACTIONS = 18  # the ALE's full action set


def load(path: Path) -> Checkpoint:
    """Read any checkpoint pgcli understands: its own format or a Karpathy save.p pickle."""
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise PgcliError(f"{source}: is a directory, expected a checkpoint file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise PgcliError(f"{source}: too large to be a checkpoint ({size} bytes)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise PgcliError(f"{source}: no such file") from None
    except PermissionError:
        raise PgcliError(f"{source}: permission denied") from None
    except OSError as e:
        raise PgcliError(f"{source}: cannot read ({e.strerror})") from None
    return loads(data, source)


def loads(data: bytes, source: str = "checkpoint") -> Checkpoint:
    if not data:
        raise PgcliError(f"{source}: empty file")
    if data.startswith(MAGIC):
        return decode(data, source)
    if data[:1] in (b"\x80", b"(", b"}", b"]"):  # pickle protocol 2+ / protocol 0 / 1
        model = load_karpathy(data, source)
        config = Config(hidden=model["W1"].shape[0])
        return Checkpoint(config=config, env={}, arrays=model, meta={}, source="karpathy")
    raise PgcliError(f"{source}: not a pgcli checkpoint or a Karpathy save.p")


def export_weights(ckpt: Checkpoint, dtype: str = "float32") -> Checkpoint:
    """A weights-only copy to share (no optimizer state): float32 halves the size again, float16
    once more (about 3 significant digits per weight; loading reads every dtype back as float64)."""
    dt = np.dtype(dtype).type
    arrays = {k: ckpt.arrays[k].astype(dt) for k in MODEL_KEYS + VALUE_KEYS if k in ckpt.arrays}
    use = pixel_use(ckpt.arrays)
    if use is not None:  # 25 KB that keep `pgcli weights`' weighted view of W1
        arrays["pixel_use"] = use.astype(np.float32)
    meta = {k: ckpt.meta[k] for k in ("episode", "running_reward", "steps", "seconds", "updates") if k in ckpt.meta}
    meta["exported_from"] = ckpt.source
    return Checkpoint(config=ckpt.config, env=ckpt.env, arrays=arrays, meta=meta)


def karpathy_pickle(ckpt: Checkpoint) -> bytes:
    """The weights as Karpathy's save.p ({'W1', 'W2'} float64, pickle protocol 2), for his script.
    Writing a pickle is safe; pgcli itself only ever reads them through `safe_pickle`."""
    import pickle

    game = ckpt.game
    if game != "pong" or ckpt.model["W2"].ndim != 1 or ckpt.config.input_spec != InputSpec.parse(SEED):
        raise PgcliError(f"Karpathy's save.p holds Pong's network on difference frames only; this agent "
                         f"plays {game} on {ckpt.config.input_spec.describe()}: export without --karpathy")
    return pickle.dumps({k: np.ascontiguousarray(ckpt.arrays[k], dtype=np.float64) for k in MODEL_KEYS}, protocol=2)
