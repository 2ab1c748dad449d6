"""Export gameplay as a GIF (or MP4), optionally with the network's-eye view beside the game."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pgcli.commands.play import StepView, play
from pgcli.core.agent import Agent
from pgcli.files import outputs
from pgcli.base.errors import PgcliError
from pgcli.base.inputs import InputSpec

FORMATS = (".gif", ".mp4")
PANEL_BG = np.array([24, 24, 24], np.uint8)


def upscale(img: np.ndarray, k: int) -> np.ndarray:
    return img.repeat(k, axis=0).repeat(k, axis=1) if k > 1 else img


def input_panel(x: np.ndarray, p: np.ndarray, height: int, value: float | None = None,
                labels: tuple[str, ...] = ("DOWN", "UP"), still: tuple[str, slice] | None = None) -> np.ndarray:
    """The 80x80 difference frame (+1 white, -1 red, 0 grey) over the action probabilities, `height`
    tall: Pong's P(UP) bar, or a bar per action; with a value head (PPO agents), its estimate too.
    `still` names the input's current-frame part (`frame` or `objects`) and where it sits: its lit
    pixels show in blue under the difference."""
    d = x[:6400].reshape(80, 80)  # the input's first part is always the difference frame
    img = np.full((80, 80, 3), 60, np.uint8)
    if still is not None:
        img[x[still[1]].reshape(80, 80) > 0] = (90, 130, 230)
    img[d > 0] = (255, 255, 255)
    img[d < 0] = (230, 60, 60)
    k = max(1, (height - 64) // 80)
    view = upscale(img, k)  # (80k, 80k, 3)
    w = view.shape[1] + 16
    panel = np.empty((height, w, 3), np.uint8)
    panel[:] = PANEL_BG
    panel[8 : 8 + view.shape[0], 8 : 8 + view.shape[1]] = view
    top = 16 + view.shape[0]
    bar_w = view.shape[1]
    value_text = "" if value is None else f"   value {value:+.2f}"
    if len(p) == 2:
        p_up = float(p[1])
        panel[top : top + 12, 8 : 8 + bar_w] = (70, 70, 70)  # the bar's track
        fill = int(round(p_up * bar_w))
        panel[top : top + 12, 8 : 8 + fill] = (80, 200, 120)  # P(UP): how full the bar is
        panel[top - 2 : top + 14, 8 + bar_w // 2] = (200, 200, 200)  # the 0.5 mark
        first = f"P({labels[1]}) {p_up:.2f}" + value_text
    else:  # one column per action, as tall as its probability
        col = bar_w // len(p)
        for i, pi in enumerate(p):
            h = int(round(float(pi) * 12))
            panel[top : top + 12, 8 + i * col : 8 + (i + 1) * col - 1] = (70, 70, 70)
            panel[top + 12 - h : top + 12, 8 + i * col : 8 + (i + 1) * col - 1] = (80, 200, 120)
        best = int(np.argmax(p))
        first = f"P({labels[best]}) {float(p[best]):.2f}" + value_text
    shown = "80x80 difference frame" + ("" if still is None else f" + {still[0]} (blue)")
    return caption(panel, [(8, top + 18, first), (8, top + 32, "network input: " + shown)])


def caption(img: np.ndarray, lines: list[tuple[int, int, str]]) -> np.ndarray:
    from PIL import Image, ImageDraw

    im = Image.fromarray(img)
    draw = ImageDraw.Draw(im)
    for x, y, text in lines:
        if y + 10 < img.shape[0]:
            draw.text((x, y), text, fill=(220, 220, 220))
    return np.asarray(im)


def still_part(inputs: str, n_actions: int) -> tuple[str, slice] | None:
    """The current-frame part of an input (`objects` or `frame`) and where it sits, if it has one."""
    where = dict(InputSpec.parse(inputs).blocks(n_actions))
    return next(((b, where[b]) for b in ("objects", "frame") if b in where), None)


def compose(view: StepView, scale: int, show_input: bool, labels: tuple[str, ...] = ("DOWN", "UP"),
            still: tuple[str, slice] | None = None) -> np.ndarray:
    game = upscale(view.frame, scale)
    if not show_input:
        return game
    return np.concatenate([game, input_panel(view.x, view.p, game.shape[0], view.value, labels, still)], axis=1)


def check_output(path: Path) -> str:
    """Validate the output path before any game is played; returns the lower-case extension."""
    ext = outputs.check_output(path, FORMATS, "use .gif or .mp4")
    if ext == ".mp4":
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise PgcliError("writing .mp4 needs the ffmpeg plugin: pip install 'pgcli[mp4]'") from None
    return ext


def gif_frame_ms(fps: float) -> int:
    """The frame time a GIF can store (10 ms units) closest to 1/fps."""
    return 10 * max(2, round(100 / fps))


def write_video(path: Path, frames: list[np.ndarray] | np.ndarray, fps: float) -> None:
    """Write frames (a list, or one array: not copied) to path atomically (no partial file is left if anything fails)."""
    import imageio.v3 as iio

    frames = frames if isinstance(frames, np.ndarray) else np.stack(frames)
    ext = check_output(path)
    if ext == ".gif":  # GIF frame times are whole centiseconds; identical frames get merged
        outputs.write_image(path, frames, duration=gif_frame_ms(fps), loop=0)
        return
    with outputs.atomic_output(path) as tmp:  # ffmpeg writes to a file of its own
        iio.imwrite(tmp, frames, extension=".mp4", fps=fps, codec="libx264", macro_block_size=1)


def record(agent: Agent, path: Path, episodes: int = 1, max_frames: int | None = None, fps: float | None = None,
           scale: int = 2, show_input: bool = False, seed: int = 0, greedy: bool = False,
           on_frame=lambda n: None) -> dict:
    """Play and record; every frame is one agent step. Returns counts for the caller to report."""
    check_output(path)
    frames: list[np.ndarray] = []
    still = still_part(agent.inputs, agent.game.n_actions)

    def grab(view: StepView):
        frames.append(compose(view, scale, show_input, agent.game.labels, still))
        on_frame(len(frames))
        return max_frames is not None and len(frames) >= max_frames

    results = play(agent, episodes, seed, greedy, on_step=grab)
    fps = fps or 60.0 / agent.settings.mean_frameskip  # real game speed by default
    if path.suffix.lower() == ".gif":
        fps = 1000 / gif_frame_ms(fps)
    write_video(path, frames, fps)
    return {"frames": len(frames), "fps": fps, "size": frames[0].shape[1::-1], "games": results}
