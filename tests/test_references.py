"""The random and human scores of both tables, checked offline: every game of each, the two copies of
the same random play against each other, and the HNS every command gives for any of the 57 games."""

import json

import pytest
from typer.testing import CliRunner

from pgcli.base import references
from pgcli.base.references import AGENT57, DISAGREEMENTS, NATURE


def test_the_tables_hold_the_57_and_the_49_games_as_ale_py_names_them():
    from ale_py import roms

    assert len(AGENT57) == 57 and len(NATURE) == 49 and set(NATURE) < set(AGENT57)
    assert set(AGENT57) - set(NATURE) == {"berzerk", "defender", "phoenix", "pitfall", "skiing", "solaris",
                                          "surround", "yars_revenge"}
    assert set(AGENT57) <= set(roms.get_all_rom_ids())  # each name trains with --game NAME
    assert set(references.ATARI5) <= set(AGENT57) and set(references.REFERENCES) == set(AGENT57)


def test_the_two_copies_of_random_play_agree_but_where_named():
    """Both tables scored the same random play; they round differently (0.05 at most). Any other
    difference is a disagreement between copies and must be named (and every named one is real)."""
    apart = {g for g in NATURE if abs(NATURE[g][0] - AGENT57[g][0]) > 0.05 + 1e-9}
    assert apart == set(DISAGREEMENTS) == {"video_pinball", "space_invaders"}


@pytest.mark.parametrize("game, nature, agent57", [
    ("pong", (-20.7, 9.3), (-20.71, 14.6)), ("breakout", (1.7, 31.8), (1.72, 30.5)),
    ("boxing", (0.1, 4.3), (0.05, 12.1)), ("video_pinball", (16256.9, 17297.6), (0.0, 17667.9)),
    ("phoenix", None, (761.4, 7242.6)), ("battle_zone", (2360.0, 37800.0), (2360.0, 37187.5)),
    ("seaquest", (68.4, 20181.8), (68.4, 42054.7)), ("enduro", (0.0, 309.6), (0.0, 860.5)),
])
def test_known_entries_against_the_published_anchors(game, nature, agent57):
    """Anchors transcribed before these tables were (../shared/MEASUREMENTS.md and pgcli 0.3's 14 games)."""
    assert NATURE.get(game) == nature and AGENT57[game] == agent57


@pytest.mark.ale  # pgcli games reads every ROM's action set
def test_every_game_of_agent57s_table_has_an_hns_and_games_lists_both_tables():
    from pgcli.cli import app
    from pgcli.base.games import for_rom

    for game, (random, human) in AGENT57.items():
        assert references.hns(game, human) == pytest.approx(1.0) and references.hns(game, random) == 0.0
    assert references.hns("ms_pacman", 3000.0) == pytest.approx((3000 - 307.3) / (6951.6 - 307.3))
    assert references.hns("phoenix", 3000.0, "nature") is None  # not one of the DQN paper's games
    assert "Agent57's table" in for_rom("ms_pacman").place(3000.0)
    rows = {g["game"]: g for g in json.loads(CliRunner().invoke(app, ["games", "--json"]).stdout)}
    assert all(rows[g]["random_human_agent57"] == list(AGENT57[g]) for g in AGENT57)
    assert rows["phoenix"]["random_human"] is None and rows["pong"]["random_human"] == [-20.7, 9.3]
