"""What the network sees, as a spec: `--input diff+objects+action` parsed once, with its size and parts.

The seed's input is the difference of two preprocessed frames (80x80 = 6400 entries). `--input` may add,
after it, in this order: `frame` (the current frame), `objects` (the current frame without its scenery),
`diff2` (the previous difference) and `action` (the previous action, one-hot: one entry per action).
`background` says what a lit pixel is (`BACKGROUNDS`). `pgcli.core.observe` makes the vectors; this
module only says what they hold (no numpy), so the config, the checkpoint reader and the viewers agree
on one reading of the string.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgcli.base.errors import PgcliError

PICTURE = 80 * 80  # entries of one 80x80 picture
PARTS = ("diff", "frame", "objects", "diff2", "action")
SEED = "diff"
BACKGROUNDS = ("colour", "pixel", "auto")  # lit: unlike the screen's commonest colour / the pixel's own
# usual one / 'pixel' on the screens the colour rule makes all scenery (`pgcli.base.games.background_rule`)
NAMES = {"diff": "80x80 difference frames", "frame": "the current frame", "objects": "the current frame without its scenery",
         "diff2": "the previous difference", "action": "the previous action"}


@dataclass(frozen=True)
class InputSpec:
    """The parts of the input vector, in their order (the difference frame first)."""

    parts: tuple[str, ...]
    background: str = "colour"  # what a lit pixel is: a key of BACKGROUNDS

    @classmethod
    def parse(cls, spec: "str | InputSpec", background: str = "colour") -> "InputSpec":
        """'diff+action+frame' -> InputSpec(('diff', 'frame', 'action')); one line naming a bad spec.
        An InputSpec is returned as it is."""
        if isinstance(spec, InputSpec):
            return spec
        if background not in BACKGROUNDS:
            raise PgcliError(f"background must be one of {', '.join(BACKGROUNDS)}, got {background!r}")
        parts = tuple(p.strip() for p in str(spec).split("+"))
        bad = [p for p in parts if p not in PARTS]
        if bad or not parts or parts[0] != "diff" or len(set(parts)) != len(parts):
            raise PgcliError(f"input must be 'diff' followed by any of +frame, +objects, +diff2, +action (each once), got {spec!r}")
        return cls(tuple(sorted(parts, key=PARTS.index)), background)

    def __str__(self) -> str:  # the saved form: 'diff+objects+action'
        return "+".join(self.parts)

    def size(self, n_actions: int) -> int:
        """Entries of the input vector: 6400 per picture, one per action for `action`."""
        return sum(n_actions if p == "action" else PICTURE for p in self.parts)

    def blocks(self, n_actions: int) -> list[tuple[str, slice]]:
        """Each part and where it sits in the vector (for the viewers)."""
        out, at = [], 0
        for p in self.parts:
            n = n_actions if p == "action" else PICTURE
            out.append((p, slice(at, at + n)))
            at += n
        return out

    def describe(self) -> str:
        """'80x80 difference frames + the previous action' (for start lines and help)."""
        what = " + ".join(NAMES[p] for p in self.parts)
        return {"colour": what, "pixel": f"{what} (each pixel against its own background)",
                "auto": f"{what} (each pixel against its own background on screens of scenery)"}[self.background]


def canonical(spec: str) -> str:
    """The saved form of a spec: its parts in their order ('diff+action+objects' -> 'diff+objects+action')."""
    return str(InputSpec.parse(spec))
