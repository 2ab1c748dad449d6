"""The package's layers: no module imports one above its own layer, and no two modules import each
other, directly or round a circle (imports inside functions count: they are arrows too).

    front     pgcli.cli, pgcli.api, __main__    what a user calls: flags and printing, or Python
    commands  pgcli.commands, .benchmark, .tune   what each command does; the benchmark; the tuner over its runs
    cluster   pgcli.cluster                     Ray rollout workers
    files     pgcli.files                       every file pgcli reads or writes
    engine    pgcli.core, pgcli.algos           the network, its math, the act step, the algorithms, the loop
    base      pgcli.base                        what a run and a game are: config, run spec, inputs, games, envs, references

The bare package `pgcli` (its __init__ sets the BLAS thread default and lends `load`, `train` and
`Config` lazily) is outside the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "pgcli"
LAYERS = {
    "base": ("pgcli.base",),
    "engine": ("pgcli.core", "pgcli.algos"),
    "files": ("pgcli.files",),
    "cluster": ("pgcli.cluster",),
    "commands": ("pgcli.commands", "pgcli.benchmark", "pgcli.tune"),
    "front": ("pgcli.cli", "pgcli.api", "pgcli.__main__"),
}
RANK = {name: i for i, name in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, known: set[str]) -> set[str]:
    """The pgcli modules `path` imports, anywhere in it (`from pgcli.base import games` is pgcli.base.games)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pgcli":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "pgcli"}
    return out - {"pgcli"}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports(p, set(mods)) - {m} for m, p in mods.items()}


def layer_of(module: str) -> str | None:
    for name, prefixes in LAYERS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    return None


def test_every_module_is_in_a_layer():
    assert [m for m in modules() if m != "pgcli" and layer_of(m) is None] == []


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [f"{m} ({layer_of(m)}) imports {d} ({layer_of(d)})"
              for m, deps in graph().items() if m != "pgcli"
              for d in deps if RANK[layer_of(d)] > RANK[layer_of(m)]]
    assert upward == []


def test_no_import_circles():
    g, state, circles = graph(), {}, []

    def visit(m: str, path: list[str]) -> None:
        state[m] = "open"
        for d in sorted(g.get(m, ())):
            if state.get(d) == "open":
                circles.append(" -> ".join(path[path.index(d):] + [d]))
            elif d not in state:
                visit(d, path + [d])
        state[m] = "done"

    for m in sorted(g):
        if m not in state and m != "pgcli":
            visit(m, [m])
    assert circles == []


def test_the_checks_see_an_upward_arrow_and_a_circle(tmp_path, monkeypatch):
    """The checks can fail: a fake engine module that imports a command, and two that import each other."""
    fake = tmp_path / "pgcli"
    (fake / "core").mkdir(parents=True)
    (fake / "commands").mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "core" / "__init__.py").write_text("")
    (fake / "commands" / "__init__.py").write_text("")
    (fake / "core" / "a.py").write_text("def f():\n    from pgcli.commands import b\n")
    (fake / "commands" / "b.py").write_text("from pgcli.core import a\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    g = graph()
    assert g["pgcli.core.a"] == {"pgcli.commands.b"} and g["pgcli.commands.b"] == {"pgcli.core.a"}
    for check in (test_no_module_imports_from_a_layer_above_its_own, test_no_import_circles):
        try:
            check()
        except AssertionError:
            continue
        raise AssertionError(f"{check.__name__} passed on a package that breaks it")


def test_the_loop_never_names_an_algorithm():
    """The training loop asks the algorithm's interface (pgcli.algos), never which one it runs, and
    leaves its schedules to it: no 'ppo' or 'reinforce' in its code (docstrings aside), no reach
    into an algorithm's optimizer or entropy bonus."""
    tree = ast.parse((PACKAGE / "core" / "trainer.py").read_text())
    docs = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr)}
    named = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and id(n) not in docs and n.value.lower() in ("ppo", "reinforce")]
    reached = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in ("opt", "ent_coef")
               and isinstance(n.value, ast.Attribute) and n.value.attr == "algo"]
    assert named == [] and reached == []
