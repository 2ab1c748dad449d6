"""Where `pgcli train`'s Python threads spend a game's agent step: py-spy samples, by thread and by
the innermost pgcli function (numba's loops show as the pgcli line that calls them).

    pip install py-spy
    python docs/runs/speed/profile_threads.py --game beam_rider --minutes 1.5 > profile-beam_rider.txt

The emulator's own threads run ale-py's C++ without Python frames: they are not sampled. Each line
is a share of one core over the sampled seconds (start-up included: the first ~10 s are the
emulators' creation and the scenery's measurement).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RATE = 50  # samples a second


def buckets(raw: Path) -> dict[str, collections.Counter]:
    """py-spy's collapsed stacks -> per thread, the samples of each innermost pgcli frame."""
    per_thread: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in raw.read_text().splitlines():
        stack, n = line.rsplit(" ", 1)
        frames = stack.split(";")
        ours = [f for f in frames if "pgcli/" in f]
        key = re.sub(r"\(.*pgcli/", "(", re.sub(r":\d+\)", ")", ours[-1] if ours else frames[-1]))
        per_thread[frames[0]][key] += int(n)
    return per_thread


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--game", default="beam_rider")
    ap.add_argument("--minutes", type=float, default=1.5)
    ap.add_argument("--top", type=int, default=12)
    a = ap.parse_args()
    here = Path(sys.executable).parent
    pgcli, spy = str(here / "pgcli"), str(here / "py-spy") if (here / "py-spy").exists() else "py-spy"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "stacks.txt"
        subprocess.run([spy, "record", "-r", str(RATE), "--threads", "-f", "raw", "-o", str(raw), "--",
                        pgcli, "train", "--algo", "ppo", "--game", a.game, "--minutes", str(a.minutes),
                        "-o", str(Path(tmp) / "run.p")], check=True, capture_output=True)
        seconds = a.minutes * 60
        print(f"pgcli train --algo ppo --game {a.game} --minutes {a.minutes}: py-spy at {RATE}/s, shares of a core")
        for thread, counts in buckets(raw).items():
            print(f"{thread}: {sum(counts.values()) / RATE / seconds:.2f} of a core")
            for key, n in counts.most_common(a.top):
                print(f"  {n / RATE / seconds:6.3f}  {key}")


if __name__ == "__main__":
    main()
