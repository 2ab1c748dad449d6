"""The safetensors format (Hugging Face's; what model hubs take), written and read with numpy alone.

    8 bytes: N, the header's length (little-endian u64) | N bytes: a JSON header | the tensors' bytes

The header maps each tensor's name to {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}
(offsets into the bytes after the header, C order, little-endian), plus "__metadata__": {str: str}.
Why not the `safetensors` package: the format is this simple, so pgcli needs no new dependency to
share an agent; tests/test_model_folder.py checks both ways against that package. Reading runs no
code: the header is JSON, every offset and size is checked before a byte is used.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from pgcli.base.errors import PgcliError

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "|u1"}
MAX_HEADER = 1 << 20


def encode(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """Named arrays (and string metadata) -> the bytes of a .safetensors file."""
    names = {np.dtype(v).str: k for k, v in DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        kind = names.get(a.dtype.newbyteorder("<").str if a.dtype.itemsize > 1 else a.dtype.str)
        if kind is None:
            raise ValueError(f"{name}: dtype {a.dtype} is not one safetensors names here")
        raw = a.astype(DTYPES[kind], copy=False).tobytes()
        header[name] = {"dtype": kind, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the tensors start 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def decode(data: bytes, source: str = "model.safetensors") -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The bytes of a .safetensors file -> (its arrays, its metadata); PgcliError names what is wrong."""
    bad = lambda why: PgcliError(f"{source}: not a safetensors file ({why})")  # noqa: E731
    if len(data) < 8:
        raise bad("too short")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER or 8 + n > len(data):
        raise bad("header size")
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, ValueError):
        raise bad("header is not JSON") from None
    if not isinstance(header, dict):
        raise bad("header is not a mapping")
    meta = header.pop("__metadata__", {}) or {}
    if not (isinstance(meta, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())):
        raise bad("metadata must map strings to strings")
    body, arrays, spans = data[8 + n :], {}, []
    for name, spec in header.items():
        if not isinstance(spec, dict) or spec.get("dtype") not in DTYPES:
            raise bad(f"{name}: dtype")
        shape, span = spec.get("shape"), spec.get("data_offsets")
        if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)
                and isinstance(span, list) and len(span) == 2 and all(type(s) is int for s in span)):
            raise bad(f"{name}: shape or offsets")
        dt = np.dtype(DTYPES[spec["dtype"]])
        begin, end = span
        if not (0 <= begin <= end <= len(body)) or end - begin != int(np.prod(shape)) * dt.itemsize:
            raise bad(f"{name}: offsets do not fit its shape")
        spans.append((begin, end))
        arrays[name] = np.frombuffer(body, dt, count=(end - begin) // dt.itemsize, offset=begin).reshape(shape).copy()
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
        raise bad("tensors overlap")
    return arrays, meta


def layout(data: bytes) -> dict[str, tuple[str, list[int], int, int]]:
    """Where each tensor's bytes are in the file: name -> (dtype, shape, begin, end), offsets from the
    file's start (what an ONNX graph's external data points at)."""
    decode(data)  # every offset checked first
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], 8 + n + v["data_offsets"][0], 8 + n + v["data_offsets"][1]) for k, v in header.items()}

