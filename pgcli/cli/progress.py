"""Progress output: a rich live display on a terminal, plain periodic lines otherwise (CI logs)."""

from __future__ import annotations

import math
import sys

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pgcli.core.trainer import EpisodeStats


class TrainProgress:
    """Shows episode, running reward, last reward (Pong: and the points won/lost), steps/s and elapsed time."""

    def __init__(self, total: int | None, plain_every: int = 10, console: Console | None = None):
        self.console = console or Console(file=sys.stdout)
        self.live = self.console.is_terminal
        self.total, self.start, self.plain_every = total, 0, plain_every
        self.t0, self.steps0 = 0.0, 0
        self.progress = None
        if self.live:
            self.progress = Progress(
                SpinnerColumn(), TextColumn("[bold]episode {task.completed:>6.0f}"),
                BarColumn() if total else TextColumn(""),
                TextColumn("running reward [cyan]{task.fields[rr]:>7}[/] | last {task.fields[last]:>4}"
                           "{task.fields[points]} | {task.fields[sps]:>5} steps/s{task.fields[upd]}"),
                TimeElapsedColumn(), console=self.console, refresh_per_second=4,
            )
            self.task = self.progress.add_task("train", total=total, completed=0, rr="-", last="-", points="",
                                               sps="-", upd="")

    def started(self, counters, line: str) -> None:
        """Training starts (or resumes) from `counters`; `line` says what it trains."""
        episode = self.start = counters.episode
        self.steps0, self.t0 = counters.steps, counters.seconds  # the rate counts from the start of the run
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)
        if self.progress:
            self.progress.update(self.task, completed=episode, total=(episode + self.total) if self.total else None)

    def __enter__(self):
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def episode(self, st: EpisodeStats) -> None:
        dt = st.seconds - self.t0  # rate over this session's training time (pauses excluded)
        sps = (st.total_steps - self.steps0) / dt if dt > 0 else 0.0
        upd = update_summary(st.update)
        if st.worker_rates:
            upd = ("workers " + "/".join(f"{r:.0f}" for r in st.worker_rates) + " steps/s" + (" | " + upd if upd else ""))
        if self.progress:
            self.progress.update(self.task, completed=st.episode, rr=f"{st.running_reward:.2f}",
                                 last=f"{st.reward:+.0f}" if st.points else f"{st.reward:.0f}",
                                 points=f" ({st.won}-{st.lost})" if st.points else "", sps=f"{sps:.0f}",
                                 upd=f" | {upd}" if upd else "")
        elif st.episode % self.plain_every == 0 or st.episode == self.start + (self.total or -1):
            last = f"reward {st.reward:+.0f} ({st.won}-{st.lost})" if st.points else f"score {st.reward:.0f}"
            self.console.print(f"episode {st.episode}: {last}, running reward "
                               f"{st.running_reward:.2f}, {sps:.0f} steps/s, {st.seconds:.0f}s" + (f", {upd}" if upd else ""),
                               markup=False, highlight=False, soft_wrap=True)
            self.console.file.flush()

    def message(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)


def update_summary(u: dict) -> str:
    """PPO's last update in a few characters: KL, clip fraction, entropy, value loss, epochs."""
    if not u:
        return ""
    if u["epochs"] == 0 and math.isnan(u["entropy"]):  # no minibatch step was taken
        return f"KL {u['approx_kl']:.4f} before any step: update skipped (the trust region)"
    return (f"KL {u['approx_kl']:.4f} clip {u['clip_frac']:.2f} entropy {u['entropy']:.2f} "
            f"value loss {u['value_loss']:.3f} epochs {u['epochs']}")


def progress_bar(total: int, what: str):
    """A rich progress bar on stderr (stdout stays clean for results and --json)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                    TimeElapsedColumn(), console=console, disable=not console.is_terminal, transient=True)
