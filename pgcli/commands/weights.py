"""Draw W1's neurons as 80x80 images in a grid, like the figure in the blog post."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pgcli.core.optim import pixel_use
from pgcli.files import outputs
from pgcli.base.errors import PgcliError
from pgcli.base.inputs import SEED

GAP = 2  # pixels between tiles (at scale 1)
LABEL_H = 14  # height of the episode label strip on animation frames


def neuron_grid(W1: np.ndarray, neurons: int | None = 40, cols: int = 10, scale: int = 2) -> np.ndarray:
    """(H, 6400) -> uint8 RGB grid. Each neuron is scaled symmetrically around zero on its own:
    white = most positive, black = most negative, grey = 0."""
    n = W1.shape[0] if neurons is None else min(neurons, W1.shape[0])
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    w = W1[:n].reshape(n, 80, 80)
    peak = np.abs(w).max(axis=(1, 2), keepdims=True)
    tiles = 0.5 + 0.5 * w / np.where(peak > 0, peak, 1)  # in [0, 1], 0.5 is zero weight
    tile = 80 + GAP
    grid = np.full((rows * tile + GAP, cols * tile + GAP), 0.25)  # dark-grey frame lines
    for i in range(n):
        r, c = divmod(i, cols)
        grid[GAP + r * tile : GAP + r * tile + 80, GAP + c * tile : GAP + c * tile + 80] = tiles[i]
    img = (grid * 255).round().astype(np.uint8)
    img = img.repeat(scale, 0).repeat(scale, 1)
    return np.stack([img] * 3, axis=-1)


def grid_size(n: int, cols: int, scale: int) -> tuple[int, int]:
    """(width, height) in pixels of the grid for n neurons."""
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    return ((cols * (80 + GAP) + GAP) * scale, (rows * (80 + GAP) + GAP) * scale)


def label(img: np.ndarray, text: str) -> np.ndarray:
    """Add a strip with `text` above the image (Pillow's built-in font)."""
    from PIL import Image, ImageDraw

    strip = Image.new("RGB", (img.shape[1], LABEL_H * 2), (0, 0, 0))
    ImageDraw.Draw(strip).text((6, 6), text, fill=(255, 255, 255))
    return np.concatenate([np.asarray(strip), img], axis=0)


def check_output(path: Path, animated: bool) -> None:
    if animated:
        outputs.check_output(path, (".gif",), "several checkpoints make an animation: use .gif")
    else:
        outputs.check_output(path, (".png", ".gif", ".jpg", ".jpeg"), "use .png")


def write_image(path: Path, frames: list[np.ndarray], fps: float = 2.0) -> None:
    """One frame -> still image; several -> looping GIF. Atomic: no partial file on failure."""
    if len(frames) == 1:
        outputs.write_image(path, frames[0])
    else:
        outputs.write_image(path, np.stack(frames), duration=1000.0 / fps, loop=0)


def parse_neurons(text: str) -> int | None:
    """'all' -> None (every neuron), else a positive count."""
    if text == "all":
        return None
    try:
        n = int(text)
    except ValueError:
        raise PgcliError(f"--neurons must be a number or 'all', got {text!r}") from None
    if n < 1:
        raise PgcliError(f"--neurons must be >= 1, got {n}")
    return n


def picture(ck, part: str = SEED) -> slice:
    """Where W1's weights on one 80x80 part of the input sit (`pgcli.core.observe`): the difference
    frame by default, `frame`, `objects` or `diff2` when the agent sees them."""
    W2 = ck.model["W2"]
    where = dict(ck.config.input_spec.blocks(2 if W2.ndim == 1 else W2.shape[1]))
    if part == "action" or part not in where:
        pictures = [b for b in where if b != "action"]
        raise PgcliError(f"--part must be one of {', '.join(pictures)} (what this agent sees), got {part!r}")
    return where[part]


def draw(checkpoints: list[Path], output: Path, neurons: int | None, cols: int, scale: int, fps: float,
         raw: bool = False, part: str = SEED):
    """One checkpoint -> a still grid; several -> an animation ordered by episode, each frame
    labelled with its episode number. W1 is weighted by `pixel_use` where the file has it, unless
    `raw`; `part` picks the input picture shown. Returns (frames, width, height, how many frames
    were weighted)."""
    from pgcli.files import model_folder as ckpt_io  # a checkpoint file or a model folder

    animated = len(checkpoints) > 1
    check_output(output, animated)
    frames, weighted = [], 0  # (episode, image)
    for path in checkpoints:
        ck = ckpt_io.load(path)
        sl = picture(ck, part)
        use = None if raw else pixel_use(ck.arrays)
        weighted += use is not None
        W1 = ck.model["W1"][:, sl]  # (H, 6400)
        if use is not None:
            use = use[sl] / max(float(use[sl].max()), 1e-12)  # each picture on its own scale
        img = neuron_grid(W1 if use is None else W1 * use, neurons, cols, scale)
        if animated:
            img = label(img, f"episode {ck.episode}" if ck.source == "pgcli" else path.name)
        if frames and img.shape != frames[0][1].shape:
            raise PgcliError(f"{path}: has {ck.config.hidden} neurons, unlike the first checkpoint")
        frames.append((ck.episode, img))
    frames.sort(key=lambda f: f[0])  # stable: Karpathy files (episode 0) keep their order
    write_image(output, [img for _, img in frames], fps)
    h, w = frames[0][1].shape[:2]
    return len(frames), w, h, weighted
