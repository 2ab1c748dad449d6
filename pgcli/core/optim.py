"""Optimizers as small objects that own their state: moments *and* step count.

The math is `pg_math.rmsprop_step` / `pg_math.adam_step` (ascent steps, in place); these classes
only keep what those functions need between calls, save it and load it back. Adam's bias
correction uses the optimizer's own step count `t`, so a fresh optimizer starts at t = 0
whatever the training run's update counter says (a resumed export's first step is at most
the learning rate per weight).
"""

from __future__ import annotations

import numpy as np

from pgcli.core import kernels, pg_math
from pgcli.base.errors import PgcliError

BLOCK = 1 << 16  # weights per block: ~0.5 MB per float64 array, so a step's dozen passes stay in cache


def blockwise(step, *dicts: dict, **kw) -> None:
    """Run the elementwise step `step(*dicts, **kw)` block by block: the same numbers, about twice
    as fast on W1 (1.28M weights: Adam 17.7 -> 7.8 ms measured on 2 cores), because each block's
    passes read and write cache instead of memory. The arrays of a key must share a memory order."""
    for k in dicts[0]:
        arrays = [d[k] for d in dicts]
        order = "C" if arrays[0].flags.c_contiguous else "F"
        if not all(a.flags[f"{order}_CONTIGUOUS"] for a in arrays):  # no flat view: one block
            step(*({k: a} for a in arrays), **kw)
            continue
        flat = [a.ravel(order=order) for a in arrays]  # views in memory order
        for i in range(0, flat[0].size, BLOCK):
            step(*({k: f[i : i + BLOCK]} for f in flat), **kw)


def zeros_like_params(params: dict) -> dict:
    """Zeros shaped like each parameter, in the same memory order (W1 is kept pixel-major)."""
    out = {}
    for k, w in params.items():
        z = np.zeros(w.T.shape).T if w.ndim == 2 and w.flags.f_contiguous else np.zeros_like(w)
        out[k] = z
    return out


class RMSProp:
    """The seed's optimizer: a leaky average of grad^2 per weight (no step count needed)."""

    name = "rmsprop"
    slots = ("cache",)

    def __init__(self, params: dict, learning_rate: float, decay_rate: float = 0.99):
        self.lr, self.decay_rate = learning_rate, decay_rate
        self.cache = zeros_like_params(params)
        self.t = 0

    def step(self, params: dict, grad: dict) -> None:
        self.t += 1
        blockwise(pg_math.rmsprop_step, params, grad, self.cache, learning_rate=self.lr, decay_rate=self.decay_rate)

    def moments(self) -> dict:
        return {"cache": self.cache}


class Adam:
    """Kingma & Ba's Adam; `t` counts this optimizer's own steps (1-based at the first step)."""

    name = "adam"
    slots = ("m", "v")

    def __init__(self, params: dict, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.lr, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m, self.v = zeros_like_params(params), zeros_like_params(params)
        self.t = 0

    def step(self, params: dict, grad: dict, rows: np.ndarray | None = None, mirror: np.ndarray | None = None,
             scale: float = 1.0) -> None:
        """One ascent step along scale x grad (PPO passes its loss's gradient with scale = -clip).
        With `rows`, W1 is updated lazily, like PyTorch's SparseAdam: only those pixels' weights and
        moments (a pixel lit nowhere in the batch has a zero gradient), and `grad["W1"]` holds just
        those pixels, pixel-major (len(rows), H), float32 or float64; `mirror`, a float32 (6400, H)
        copy of W1T, takes the new rows too (one pass, `kernels.adam_rows`)."""
        self.t += 1
        scaled = lambda keys: {k: grad[k] if scale == 1.0 else scale * grad[k] for k in keys}  # noqa: E731
        if rows is None:
            blockwise(pg_math.adam_step, params, scaled(params), self.m, self.v, **self._hyper())
            return
        rest = [k for k in params if k != "W1"]
        pick = lambda d: {k: d[k] for k in rest}  # noqa: E731
        blockwise(pg_math.adam_step, pick(params), scaled(rest), pick(self.m), pick(self.v), **self._hyper())
        kernels.adam_rows(params["W1"].T, self.m["W1"].T, self.v["W1"].T, rows, grad["W1"], scale, self.t,
                          self.lr, self.beta1, self.beta2, self.eps, kernels.NO_MIRROR if mirror is None else mirror)

    def _hyper(self) -> dict:
        return {"t": self.t, "learning_rate": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def moments(self) -> dict:
        return {"m": self.m, "v": self.v}


OPTIMIZERS = {"rmsprop": RMSProp, "adam": Adam}


def annealed(learning_rate: float, steps: int, anneal_steps: int) -> float:
    """The step size after `steps` agent steps: linear from `learning_rate` to 0 at `anneal_steps`
    (0: constant), as CleanRL's Atari PPO anneals over its whole budget."""
    if not anneal_steps:
        return learning_rate
    return learning_rate * max(0.0, 1.0 - steps / anneal_steps)


def make(name: str, params: dict, learning_rate: float, decay_rate: float = 0.99, adam_eps: float = 1e-8):
    if name == "rmsprop":
        return RMSProp(params, learning_rate, decay_rate)
    if name == "adam":
        return Adam(params, learning_rate, eps=adam_eps)
    raise PgcliError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")


def state_dict(opt) -> tuple[dict, dict]:
    """-> (arrays named '<slot>_<param>', meta with the step count)."""
    arrays = {f"{slot}_{k}": a for slot, d in opt.moments().items() for k, a in d.items()}
    return arrays, {"opt_t": opt.t}


def load_state_dict(opt, arrays: dict, meta: dict, legacy_t: int) -> bool:
    """Restore moments and step count if the checkpoint has them all; -> True when it did.

    Checkpoints written before the optimizer owned its step count have no 'opt_t': their
    moments were built over all `legacy_t` updates of the run, so that is their step count."""
    names = [(slot, k) for slot, d in opt.moments().items() for k in d]
    if not all(f"{slot}_{k}" in arrays and arrays[f"{slot}_{k}"].shape == opt.moments()[slot][k].shape
               for slot, k in names):
        return False
    for slot, k in names:
        np.copyto(opt.moments()[slot][k], arrays[f"{slot}_{k}"])
    t = meta.get("opt_t", legacy_t)
    if type(t) is not int or t < 0:
        raise PgcliError("checkpoint optimizer step count is malformed")
    opt.t = t
    return True


MOMENTS = ("v_W1", "cache_W1")  # Adam's and RMSProp's running mean of grad^2 per weight of W1


def pixel_use(arrays: dict) -> np.ndarray | None:
    """How much gradient each input pixel received in training, in [0, 1] (6400,): the root of the
    optimizer's running mean of grad^2, averaged over the neurons (an export keeps it as
    `pixel_use`). None for a file without optimizer state (Karpathy's save.p, older exports).

    Why: Adam moves every weight of a lit pixel by about the learning rate whatever the gradient's
    size, so the many pixels that are rarely lit end up with large, noisy weights that hide what
    the often-lit ones learned (measured on the shipped agents: 95 % of W1 changed, by 7.6x the
    initial scale). Weighting each pixel by its use shows the paddle columns and the ball's paths."""
    if "pixel_use" in arrays:
        use = np.asarray(arrays["pixel_use"], np.float64).ravel()
    else:
        key = next((k for k in MOMENTS if k in arrays), None)
        if key is None:
            return None
        use = np.sqrt(np.asarray(arrays[key], np.float64).mean(axis=0))
    top = use.max() if use.size else 0.0
    return use / top if top > 0 else None
