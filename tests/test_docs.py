"""The README's promises that code can check."""

import re
import shlex
from pathlib import Path


from pgcli.cli import app

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
PAGES = sorted((ROOT / "docs").rglob("*.md"))  # the pages, the studies and the runs' notes
DOCS = {str(p.relative_to(ROOT / "docs")): p.read_text() for p in PAGES}
TRAINING = DOCS["training.md"]


def test_ci_runs_exactly_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci


def _commands():
    import typer.main

    return typer.main.get_command(app)


def test_readme_names_every_command_and_docs_document_every_train_flag():
    group = _commands()
    assert {"train", "play", "evaluate", "record", "weights", "visualize-weights", "plot", "bench", "export"} <= set(group.commands)
    for cmd in group.commands:
        assert f"pgcli {cmd}" in README or cmd == "visualize-weights" and "visualize-weights" in README, cmd
    for param in group.commands["train"].params:
        for flag in param.opts:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}`" in TRAINING, flag


def test_readme_is_a_landing_page_whose_links_resolve():
    assert len(README.splitlines()) <= 150
    for text, base in [(README, ROOT)] + [(p.read_text(), p.parent) for p in PAGES]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (base / target).exists(), (base, target)


def readme_command_lines():
    """Every `pgcli ...` command line in the bash blocks of the README and docs/ (comments stripped)."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README + "\n".join(DOCS.values()), re.S):
        for line in block.splitlines():
            for part in re.split(r"&&|;", line.split(" #")[0]):
                words = shlex.split(part.strip()) if part.strip() else []
                if words and words[0] in ("pgcli", ".venv/bin/pgcli"):
                    lines.append(words[1:])
    return lines


def test_every_readme_command_line_parses():
    """The docs cannot drift from the CLI: each command and its flags resolve as written."""
    group = _commands()
    lines = readme_command_lines()
    assert len(lines) >= 25
    for args in lines:
        with group.make_context("pgcli", list(args), resilient_parsing=False) as ctx:
            name, cmd, rest = group.resolve_command(ctx, ctx._protected_args + ctx.args)
            try:
                cmd.make_context(name, rest, parent=ctx)
            except Exception as e:  # click's Exit (for --help) or a UsageError
                if type(e).__name__ != "Exit":
                    raise AssertionError(f"README or docs/: pgcli {' '.join(args)}: {e}") from None


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text and "keepachangelog.com/en/1.1.0" in text


def test_readme_flag_table_is_made_from_the_config():
    from pgcli.base.config import markdown_table

    assert markdown_table() in TRAINING


def test_the_map_in_development_md_names_every_module_and_only_modules_that_exist():
    """docs/development.md's tree of pgcli/: every module's file name is in it, and every `name.py`
    in it is a module of pgcli (the map cannot drift from the package)."""
    text = DOCS["development.md"]
    tree = text[text.index("```\npgcli/"):text.index("```", text.index("```\npgcli/") + 4)]
    package = ROOT / "pgcli"
    files = {p.name for p in package.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    named = set(re.findall(r"\b(\w+\.py)\b", tree)) - {"__init__.py"}
    assert files - named == set(), "not in the map"  # e.g. a new module of commands/
    assert named - files == set(), "in the map, not in pgcli/"


def test_the_scripts_beside_the_docs_import_what_pgcli_has():
    """Every `from pgcli... import name` in docs/runs/ and examples/ names a module and a name that
    exist (a module moved in the package must take its studies' scripts along)."""
    import ast
    import importlib

    broken = []
    for path in sorted((ROOT / "docs" / "runs").rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "pgcli":
                try:
                    module = importlib.import_module(node.module)
                except ImportError:
                    broken.append(f"{path.relative_to(ROOT)}: {node.module}")
                    continue
                broken += [f"{path.relative_to(ROOT)}: {node.module}.{a.name}" for a in node.names
                           if not hasattr(module, a.name) and importlib.util.find_spec(f"{node.module}.{a.name}") is None]
    assert not broken, broken
