"""The README's promises that code can check."""

import re
from pathlib import Path

from typer.testing import CliRunner

from pgcli.cli import app

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def test_ci_runs_exactly_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci


def test_readme_documents_every_command_and_train_flag():
    r = CliRunner().invoke(app, ["--help"])
    commands = re.findall(r"^  ([a-z-]+)\s", r.stdout.split("Commands:")[1], re.M)
    assert {"train", "play", "evaluate", "record", "weights", "visualize-weights", "plot", "bench", "export"} <= set(commands)
    for cmd in commands:
        assert f"pgcli {cmd}" in README, cmd
    help_text = CliRunner().invoke(app, ["train", "--help"]).stdout
    for flag in re.findall(r"(--[a-z-]+)", help_text):
        if flag not in ("--help",):
            assert f"`{flag}`" in README, flag


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text and "keepachangelog.com/en/1.1.0" in text
