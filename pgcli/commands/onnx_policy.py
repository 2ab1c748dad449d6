"""The agent as one ONNX graph: the emulator's RGB frame (and a little state) in, the action
probabilities out, pgcli's preprocessing inside, so any ONNX runtime plays the game without pgcli.

    inputs   frame (210, 160, 3) uint8 RGB   the emulator's newest frame
             fresh () bool                    a game begins with this frame (no motion yet)
             prev_lit (6400,) float32         state: the last frame's lit pixels (zeros at first)
             prev_diff (6400,) float32        state: the last difference frame
             prev_action () int64             state: the action index taken last (-1: none)
             colour () int64                  state: the background colour of this game (R*65536+G*256+B)
    outputs  probs (A,) float32               P(each action index); the game's map to emulator actions is in the card
             lit, diff, colour                the next step's state (feed back with the action taken)

The same steps as `pgcli.core.observe` and `Policy.forward`: the 160-row play area sampled every 2nd
row and column, lit where unlike the background (Pong's two red levels; else the commonest colour of
a game's first frame, or each pixel's own grey level for `--background pixel`), the difference from
the last frame, the current frame (or its objects: the scenery mask as a constant), the last
difference, the last action one-hot; then relu(W1 x), and a sigmoid (two actions) or a softmax.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pgcli.base.errors import PgcliError
from pgcli.base.run_spec import RunSpec
from pgcli.base.screen import LUMA
from pgcli.files import checkpoint

OPSET = 18


class _Graph:
    """The nodes and constants of an ONNX graph as it is built."""

    def __init__(self):
        from onnx import TensorProto, helper, numpy_helper

        self.T, self.h, self.nh = TensorProto, helper, numpy_helper
        self.nodes, self.inits = [], []

    def const(self, name: str, value) -> str:
        self.inits.append(self.nh.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, ins: list, out: str, **kw) -> str:
        self.nodes.append(self.h.make_node(op, ins, [out], **kw))
        return out


def build(ck: checkpoint.Checkpoint, weights: Path | None = None):
    """The ONNX model of a checkpoint's agent: W1 and W2 as float32 constants, or, given a model
    folder's `model.safetensors`, read from that file (ONNX external data: its bytes, not a copy; float16
    weights cast to float32 in the graph), so the folder holds the weights once."""
    import onnx

    run = RunSpec.of(ck.config)  # the game and its rules, as the agent saw them
    if run.config.frame_max == "on":
        raise PgcliError(f"{ck.game}: an agent of two-frame maxima (--frame-max on) has no ONNX policy yet")
    g = _Graph()
    lit, colour_out = _lit(g, run)
    x, diff = _network_input(g, run, lit)
    W1, W2 = (_weight(g, k, ck.arrays[k], weights) for k in ("W1", "W2"))
    _head(g, W1, W2, x, sigmoid=ck.arrays["W2"].ndim == 1)
    g.node("Identity", [lit], "lit_next")
    g.node("Identity", [diff], "diff_next")
    T, h, A = g.T, g.h, run.game.n_actions
    graph = h.make_graph(
        g.nodes, f"pgcli-{ck.game}",
        [h.make_tensor_value_info("frame", T.UINT8, [210, 160, 3]), h.make_tensor_value_info("fresh", T.BOOL, []),
         h.make_tensor_value_info("prev_lit", T.FLOAT, [6400]), h.make_tensor_value_info("prev_diff", T.FLOAT, [6400]),
         h.make_tensor_value_info("prev_action", T.INT64, []), h.make_tensor_value_info("colour", T.INT64, [])],
        [h.make_tensor_value_info("probs", T.FLOAT, [A]), h.make_tensor_value_info("lit_next", T.FLOAT, [6400]),
         h.make_tensor_value_info("diff_next", T.FLOAT, [6400]), h.make_tensor_value_info("colour_next", T.INT64, [])],
        g.inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", OPSET)], producer_name="pgcli")
    if weights is None:  # with external data the checker reads the file: `write` checks it there
        onnx.checker.check_model(model)
    return model


def _lit(g: _Graph, run: RunSpec) -> tuple[str, str]:
    """The play area's lit pixels (6400,) by the game's background rule -> (lit, the next colour state)."""
    T, node, const, game = g.T, g.node, g.const, run.game
    top = game.crop_top
    area = node("Slice", ["frame", const("s0", np.array([top, 0], np.int64)), const("s1", np.array([top + 160, 160], np.int64)),
                          const("sax", np.array([0, 1], np.int64)), const("sst", np.array([2, 2], np.int64))], "area")  # (80, 80, 3)
    rgb = node("Reshape", [node("Cast", [area], "area64", to=T.INT64), const("rs", np.array([6400, 3], np.int64))], "rgb")
    if game.red_background is not None:  # the seed's rule: red level not one of the background's
        red = node("Gather", [rgb, const("c0", np.array(0, np.int64))], "red", axis=1)  # (6400,)
        hit = node("Equal", [node("Unsqueeze", [red, const("ax1", np.array([1], np.int64))], "red1"),
                             const("reds", np.array(sorted(game.red_background), np.int64))], "hit")
        lit_b = node("Not", [node("Cast", [node("ReduceMax", [node("Cast", [hit], "hit8", to=T.INT32),
                                                             const("ax1b", np.array([1], np.int64))], "any", keepdims=0)],
                                    "anyb", to=T.BOOL)], "lit_b")
        colour_out = node("Identity", ["colour"], "colour_next")
    elif run.inputs.background == "pixel":  # each pixel against its own usual grey level
        grey = node("Round", [node("MatMul", [node("Cast", [rgb], "rgbd", to=T.DOUBLE), const("luma", LUMA)], "lum")], "grey")
        lit_b = node("Not", [node("Equal", [grey, const("image", run.scenery.image.astype(np.float64))], "same")], "lit_b")
        colour_out = node("Identity", ["colour"], "colour_next")
    else:  # the commonest colour of a game's first frame
        code = node("ReduceSum", [node("Mul", [rgb, const("w", np.array([65536, 256, 1], np.int64))], "rgbw"),
                                  const("ax1c", np.array([1], np.int64))], "code", keepdims=0)  # (6400,)
        g.nodes.append(g.h.make_node("Unique", [code], ["u", "ui", "uinv", "ucount"], sorted=1))
        mode = node("Gather", ["u", node("ArgMax", ["ucount"], "umax", axis=0, keepdims=0)], "mode")
        colour_out = node("Where", ["fresh", mode, "colour"], "colour_next")
        lit_b = node("Not", [node("Equal", [code, colour_out], "same")], "lit_b")
    return node("Cast", [lit_b], "lit", to=T.FLOAT), colour_out


def _network_input(g: _Graph, run: RunSpec, lit: str) -> tuple[str, str]:
    """The --input parts from the lit pixels and the state -> (x, the difference frame)."""
    T, node, const, spec, A = g.T, g.node, g.const, run.inputs, run.game.n_actions
    zero = const("zeros", np.zeros(6400, np.float32))
    diff = node("Where", ["fresh", zero, node("Sub", [lit, "prev_lit"], "d")], "diff")
    parts = [diff]
    for part in spec.parts[1:]:
        if part == "frame":
            parts.append(lit)
        elif part == "objects":
            still = run.scenery.still[spec.background]
            parts.append(node("Mul", [lit, const("moving", (~still).astype(np.float32))], "objects"))
        elif part == "diff2":
            parts.append(node("Where", ["fresh", zero, "prev_diff"], "diff2"))
        else:  # the last action, one-hot (none at a game's start)
            hot = node("Cast", [node("Equal", [const("idx", np.arange(A, dtype=np.int64)), "prev_action"], "eq")], "hot", to=T.FLOAT)
            parts.append(node("Where", ["fresh", const("zerosA", np.zeros(A, np.float32)), hot], "action"))
    return (node("Concat", parts, "x", axis=0) if len(parts) > 1 else parts[0]), diff


def _head(g: _Graph, W1: str, W2: str, x: str, sigmoid: bool) -> None:
    """relu(W1 x), then the seed's sigmoid (P(UP), the second action index) or a softmax -> probs."""
    hidden = g.node("Relu", [g.node("MatMul", [W1, x], "pre")], "h")
    if sigmoid:
        p = g.node("Sigmoid", [g.node("MatMul", [hidden, W2], "z")], "p_up")
        pu = g.node("Unsqueeze", [p, g.const("ax0", np.array([0], np.int64))], "pu")
        g.node("Concat", [g.node("Sub", [g.const("one", np.ones(1, np.float32)), pu], "pd"), pu], "probs", axis=0)
    else:
        g.node("Softmax", [g.node("MatMul", [hidden, W2], "z")], "probs", axis=0)


def _weight(g: _Graph, name: str, a: np.ndarray, weights: Path | None) -> str:
    """A weight as a float32 tensor of the graph: a constant, or the model folder's bytes of it."""
    T = g.T
    if weights is None:
        return g.const(name, a.astype(np.float32))
    from pgcli.files import safetensors

    dtype, shape, begin, end = safetensors.layout(Path(weights).read_bytes())[name]
    kind = {"F16": T.FLOAT16, "F32": T.FLOAT}.get(dtype)
    if kind is None:
        raise PgcliError(f"{name} is {dtype} in {weights}: the ONNX policy reads float16 or float32 weights")
    t = T(name=f"{name}_stored", data_type=kind, dims=shape, data_location=T.EXTERNAL)
    for key, value in (("location", Path(weights).name), ("offset", str(begin)), ("length", str(end - begin))):
        entry = t.external_data.add()
        entry.key, entry.value = key, value
    g.inits.append(t)
    return g.node("Cast", [f"{name}_stored"], name, to=T.FLOAT)


def write(ck: checkpoint.Checkpoint, path: Path, weights: Path | None = None) -> None:
    """policy.onnx at `path` (its weights in `weights`, a model.safetensors beside it, when given)."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise PgcliError("an ONNX policy needs the onnx package: pip install 'pgcli[onnx]'") from None
    from pgcli.files.atomic import atomic_write

    import onnx

    atomic_write(path, build(ck, weights).SerializeToString())
    try:
        onnx.checker.check_model(str(path))  # resolves the external weights beside it
    except (onnx.checker.ValidationError, ValueError) as e:
        Path(path).unlink(missing_ok=True)
        raise PgcliError(f"{path}: the ONNX policy did not check ({str(e).splitlines()[0]})") from None
