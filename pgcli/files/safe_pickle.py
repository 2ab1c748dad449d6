"""Load Karpathy-format `save.p` files (a pickled {'W1': ndarray, 'W2': ndarray}) without
running any code from the file.

A pickle can name any Python callable and have the loader call it; `pickle.load` on a
downloaded file is arbitrary code execution (see numpy's CVE-2019-6446). Here the loader
resolves only the few names a plain float array needs, and even those never reach numpy:
each resolves to a small stand-in below that checks its arguments and builds the array
itself from the bytes in the stream. Everything else in the stream is refused.
"""

from __future__ import annotations

import io
import pickle
import pickletools

import numpy as np

from pgcli.base.errors import PgcliError
from pgcli.core.pg_math import D

MAX_PICKLE_BYTES = 256 * 2**20  # a 200x6400 float64 save.p is 10 MB
MAX_HIDDEN = 65536
MAX_OPCODES = 2_000_000
_FLOAT_CODES = {"f8": np.float64, "f4": np.float32, "float64": np.float64, "float32": np.float32}


class _Refused(Exception):
    pass


class _NdarrayMarker:
    """Stands for `numpy.ndarray`; only ever passed to the stand-ins, never called."""


class _Dtype:
    """Stands for `numpy.dtype(spec, align, copy)`: float32 or float64, little endian."""

    def __init__(self, spec=None, align=False, copy=True, *rest):
        if isinstance(spec, bytes):
            spec = spec.decode("latin1")
        if not isinstance(spec, str) or spec.lstrip("<=|") not in _FLOAT_CODES:
            raise _Refused(f"array dtype {spec!r} is not float32/float64")
        self.type = _FLOAT_CODES[spec.lstrip("<=|")]
        self.little = True

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 2:
            raise _Refused("malformed dtype state")
        order = state[1].decode("latin1") if isinstance(state[1], bytes) else state[1]
        if order == ">":
            raise _Refused("big-endian arrays are not supported")
        if order not in ("<", "=", "|"):
            raise _Refused("malformed dtype byte order")

    def numpy(self) -> np.dtype:
        return np.dtype(self.type).newbyteorder("<")


def _as_bytes(raw) -> bytes:
    if isinstance(raw, str):  # Python 2 str read with encoding="latin1"
        return raw.encode("latin1")
    if isinstance(raw, (bytes, bytearray)):
        return bytes(raw)
    raise _Refused("array data is not bytes")


def _build(shape, dtype, raw, fortran: bool = False) -> np.ndarray:
    if not isinstance(dtype, _Dtype):
        raise _Refused("array dtype is not a plain float dtype")
    if not isinstance(shape, tuple) or not all(type(n) is int and 0 <= n for n in shape):
        raise _Refused("array shape is malformed")
    if len(shape) > 2:
        raise _Refused("array has more than 2 dimensions")
    data = _as_bytes(raw)
    dt = dtype.numpy()
    count = 1
    for n in shape:
        count *= n
    if count * dt.itemsize != len(data):  # checked before anything is allocated
        raise _Refused("array size does not match its data")
    return np.frombuffer(data, dtype=dt).reshape(shape, order="F" if fortran else "C").astype(np.float64)


class _Array:
    """What `_reconstruct` returns; pickle's BUILD then hands it the array state."""

    array = None

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise _Refused("malformed array state")
        if len(state) == 5:
            state = state[1:]  # drop the version number
        shape, dtype, fortran, raw = state
        if fortran not in (0, 1, False, True):
            raise _Refused("malformed array state")
        self.array = _build(shape, dtype, raw, bool(fortran))  # the bytes are in Fortran order if set


def _reconstruct(cls, shape, typecode):
    if cls is not _NdarrayMarker:
        raise _Refused("_reconstruct called on something other than ndarray")
    return _Array()


def _frombuffer(buf, dtype, shape, order="C"):
    out = _Array()
    if order not in ("C", "F"):
        raise _Refused("malformed array order")
    out.array = _build(tuple(shape) if isinstance(shape, (tuple, list)) else shape, dtype, buf, order == "F")
    return out


def _latin1_encode(text, encoding="latin1"):
    """Stands for `_codecs.encode`, which Python 3 protocols 0-2 use to spell bytes."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise _Refused("_codecs.encode with unexpected arguments")
    return text.encode("latin1")


_ALLOWED = {
    ("_codecs", "encode"): _latin1_encode,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _NdarrayMarker,
    ("numpy", "dtype"): _Dtype,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
}


class _AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise _Refused(f"refusing to load {module}.{name}") from None

    def persistent_load(self, pid):
        raise _Refused("refusing persistent ids")


def _prescan(data: bytes, source: str) -> None:
    """Walk the opcodes without executing them (pure-Python reader, nothing allocated beyond
    the file): every length field must fit in the file, so the real unpickler can never be
    told to allocate gigabytes by a forged length, and the stream must end with STOP."""
    n = 0
    try:
        for op, arg, pos in pickletools.genops(io.BytesIO(data)):
            n += 1
            if n > MAX_OPCODES:
                raise PgcliError(f"{source}: pickle too complex ({MAX_OPCODES} opcodes)")
            if op.name in ("GLOBAL", "INST") and tuple(str(arg).split(" ", 1)) not in _ALLOWED:
                raise PgcliError(f"{source}: unsafe or unsupported pickle: refusing to load {str(arg).replace(' ', '.')}")
    except PgcliError:
        raise
    except Exception as e:
        raise PgcliError(f"{source}: corrupt pickle ({type(e).__name__})") from None


def load_karpathy(data: bytes, source: str = "file") -> dict[str, np.ndarray]:
    """Parse a Karpathy `save.p` from bytes -> {'W1': (H, 6400), 'W2': (H,)} float64 arrays."""
    if len(data) > MAX_PICKLE_BYTES:
        raise PgcliError(f"{source}: too large for a Karpathy save.p ({len(data)} bytes)")
    _prescan(data, source)
    try:
        obj = _AllowListUnpickler(io.BytesIO(data), encoding="latin1").load()
    except _Refused as e:
        raise PgcliError(f"{source}: unsafe or unsupported pickle: {e}") from None
    except Exception as e:  # anything else a malformed stream can raise
        raise PgcliError(f"{source}: corrupt pickle ({type(e).__name__})") from None
    if not isinstance(obj, dict) or set(obj) != {"W1", "W2"}:
        raise PgcliError(f"{source}: a Karpathy save.p must be a dict with exactly keys W1 and W2")
    model = {}
    for k, v in obj.items():
        if not isinstance(v, _Array) or v.array is None:
            raise PgcliError(f"{source}: {k} is not a float array")
        model[k] = np.ascontiguousarray(v.array)
    W1, W2 = model["W1"], model["W2"]
    if W1.ndim != 2 or W1.shape[1] != D or not 1 <= W1.shape[0] <= MAX_HIDDEN:
        raise PgcliError(f"{source}: W1 must have shape (H, {D}), got {W1.shape}")
    if W2.shape != (W1.shape[0],):
        raise PgcliError(f"{source}: W2 must have shape ({W1.shape[0]},), got {W2.shape}")
    if not (np.isfinite(W1).all() and np.isfinite(W2).all()):
        raise PgcliError(f"{source}: weights contain NaN or infinity")
    return model
