"""Hand-built pickle streams: Karpathy's Python 2 save.p and a corpus of hostile files."""

from __future__ import annotations

import struct

import numpy as np


def _s(text: str | bytes) -> bytes:
    """A Python 2 str: SHORT_BINSTRING or BINSTRING."""
    b = text.encode("latin1") if isinstance(text, str) else text
    return (b"U" + bytes([len(b)]) if len(b) < 256 else b"T" + struct.pack("<i", len(b))) + b


def _int(n: int) -> bytes:
    if 0 <= n < 256:
        return b"K" + bytes([n])
    if 0 <= n < 65536:
        return b"M" + struct.pack("<H", n)
    return b"J" + struct.pack("<i", n)


def py2_array(a: np.ndarray, code: str = "f8", shape=None, module=b"numpy.core.multiarray",
              data: bytes | None = None) -> bytes:
    """An ndarray as Python 2's cPickle (protocol 2) with numpy 1.x wrote it."""
    shape = a.shape if shape is None else shape
    data = a.astype("<" + code).tobytes() if data is None else data
    shp = b"(" + b"".join(_int(n) for n in shape) + b"t"
    return (b"c" + module + b"\n_reconstruct\ncnumpy\nndarray\n" + _int(0) + b"\x85" + _s("b") + b"\x87R"
            + b"(" + _int(1) + shp + b"cnumpy\ndtype\n" + _s(code) + _int(0) + _int(1) + b"\x87R"
            + b"(" + _int(3) + _s("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xff" + _int(0) + b"tb"
            + b"\x89" + _s(data) + b"tb")


def py2_save_p(entries: dict[str, bytes]) -> bytes:
    """{'W1': array pickle, 'W2': ...} as a Python 2 protocol-2 dict pickle (like save.p)."""
    body = b"".join(_s(k) + v + b"s" for k, v in entries.items())
    return b"\x80\x02}" + body + b"."


def karpathy_py2(W1: np.ndarray, W2: np.ndarray) -> bytes:
    return py2_save_p({"W1": py2_array(W1), "W2": py2_array(W2)})


def call_global(module: str, name: str, *args: str) -> bytes:
    """A pickle whose loading calls module.name(*args) (string arguments)."""
    arg = b"".join(b"X" + struct.pack("<I", len(a.encode())) + a.encode() for a in args)
    return b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n(" + arg + b"tR."


def hostile_corpus(sentinel: str) -> dict[str, bytes]:
    """Name -> file bytes. None may load; the code-running ones would create `sentinel`."""
    touch = f"open({sentinel!r}, 'w').write('pwned')"
    shell = f"touch '{sentinel}'"
    ok_w2 = py2_array(np.zeros(200))
    W1 = np.zeros((200, 6400))
    nested = b"\x80\x02" + b"]" * 200_000 + b"a" * 199_999 + b"."
    return {
        "os.system": call_global("os", "system", shell),
        "posix.system": call_global("posix", "system", shell),
        "subprocess.Popen": b"\x80\x02csubprocess\nPopen\n((X\x05\x00\x00\x00touchX" + struct.pack("<I", len(sentinel)) + sentinel.encode() + b"ttR.",
        "builtins.eval": call_global("builtins", "eval", touch),
        "builtins.exec": call_global("builtins", "exec", touch),
        "__builtin__.eval (py2)": call_global("__builtin__", "eval", touch),
        "builtins.getattr": b"\x80\x02cbuiltins\ngetattr\n(cos\nsystem\nX\x04\x00\x00\x00nametR.",
        "importlib.import_module": call_global("importlib", "import_module", "os"),
        "numpy runstring (exec)": call_global("numpy.testing._private.utils", "runstring", touch, ""),
        "numpy.load": call_global("numpy", "load", sentinel),
        "numpy scalar": call_global("numpy.core.multiarray", "scalar", "x"),
        "numpy.core.multiarray other": call_global("numpy.core.multiarray", "frombuffer", "x"),
        "_reconstruct of a non-ndarray": b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncos\nsystem\nK\x00\x85U\x01b\x87R.",
        "_reconstruct crafted args": b"\x80\x02cnumpy.core.multiarray\n_reconstruct\nU\x04evil\x85R.",
        "object dtype": py2_save_p({"W1": py2_array(W1, code="O"), "W2": ok_w2}),
        "complex dtype": py2_save_p({"W1": py2_array(W1.astype(complex), code="c16"), "W2": ok_w2}),
        "integer dtype": py2_save_p({"W1": py2_array(W1.astype(np.int64), code="i8"), "W2": ok_w2}),
        "NaN weights": py2_save_p({"W1": py2_array(np.full((200, 6400), np.nan)), "W2": ok_w2}),
        "inf weights": py2_save_p({"W1": py2_array(W1), "W2": py2_array(np.full(200, np.inf))}),
        "huge shape claim": py2_save_p({"W1": py2_array(W1, shape=(2**31 - 1, 6400), data=b"\0" * 64), "W2": ok_w2}),
        "shape/data mismatch": py2_save_p({"W1": py2_array(W1, data=b"\0" * 1000), "W2": ok_w2}),
        "wrong W1 shape": py2_save_p({"W1": py2_array(np.zeros((200, 100))), "W2": ok_w2}),
        "extra key": py2_save_p({"W1": py2_array(W1), "W2": ok_w2, "evil": ok_w2}),
        "missing key": py2_save_p({"W1": py2_array(W1)}),
        "not a dict": b"\x80\x02]q\x00.",
        "deeply nested lists": nested,
        "forged huge bytearray length": b"\x80\x05\x96" + struct.pack("<Q", 2**40) + b"xx.",
        "forged huge bytes length": b"\x80\x04\x8e" + struct.pack("<Q", 2**62) + b"xx.",
        "persistent id": b"\x80\x02U\x01xQ.",
        "truncated": karpathy_py2(W1, np.zeros(200))[:5000],
        "empty": b"",
        "random bytes": bytes(range(256)) * 4,
        "zip bomb": _zip_bomb(),
        "zip with path traversal": _zip_member("../../evil.npy", b"\x93NUMPY"),
    }


def _zip_member(name: str, data: bytes, compress: bool = False) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    return _zip_member("W1.npy", b"\0" * (64 * 2**20), compress=True)  # 64 MiB -> ~64 KB
