"""docs/errors.md lists every user mistake with the exact message: checked here, so it cannot drift."""

import pytest

from errors_table import DOC, render, run_cases


@pytest.mark.ale
def test_every_mistake_is_one_line_and_nonzero(tmp_path):
    rows = run_cases(tmp_path)
    for cmd, _, code, err in rows:
        assert code in (1, 2), (cmd, code, err)
        assert err.count("\n") == 1 and err.startswith("pgcli: error: "), (cmd, err)
        assert "Traceback" not in err
    assert DOC.read_text() == render(rows), "docs/errors.md is stale: run python tests/errors_table.py"
