"""`pgcli plot`: a real matplotlib figure from metrics CSVs, and milestones read off the data."""

import os

import imageio.v3 as iio
import pytest
from typer.testing import CliRunner

from pgcli.cli import app
from pgcli.files.metrics import METRICS_FIELDS

runner = CliRunner()
pytest.importorskip("matplotlib")


def write_metrics(path, running):
    lines = [",".join(METRICS_FIELDS)]
    for i, rr in enumerate(running, start=1):
        lines.append(f"{i},1000,-1,{rr},10,11,{i * 360},{i * 1000},{i // 10}")  # 360 s per episode
    path.write_text("\n".join(lines) + "\n")


def test_plot_writes_png_and_reports_milestones(tmp_path):
    a, b = tmp_path / "a.metrics.csv", tmp_path / "b.metrics.csv"
    write_metrics(a, [-21, -18, -14.9, -12, -9.5, -4, 0.5, 2])
    write_metrics(b, [-21, -20.5, -20])
    out = tmp_path / "curve.png"
    r = runner.invoke(app, ["plot", str(a), str(b), "-l", "fast", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    img = iio.imread(out)
    assert img.ndim == 3 and img.shape[1] > img.shape[0] > 300  # two panels side by side
    assert img[..., :3].std() > 10  # not a blank canvas
    text = r.stdout
    assert "fast: 8 episodes, 0.80 h, running reward 2.00" in text
    assert "running reward >= -15: episode      3   0.30 h    0.00M steps" in text
    assert "running reward >=   0: episode      7   0.70 h" in text
    assert "b: 3 episodes" in text and "not reached" in text


def test_plot_bad_inputs(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    for args, msg in [(["missing.csv"], "no such file"), ([str(tmp_path / "x.csv")], "not a pgcli metrics CSV"),
                      ([str(tmp_path / "x.csv"), "-o", str(tmp_path / "c.txt")], "unsupported output format")]:
        r = runner.invoke(app, ["plot", *args, "-o", str(tmp_path / "c.png")] if "-o" not in args else ["plot", *args])
        assert r.exit_code == 1 and msg in r.stderr and r.stderr.count("\n") == 1


def test_runs_with_one_label_give_median_and_range(tmp_path):
    paths = []
    for i, levels in enumerate(([-21, -15, -9, 1], [-21, -20, -14, -9, -5, 0.2], [-21, -16, -14])):
        p = tmp_path / f"s{i}.metrics.csv"
        write_metrics(p, levels)
        paths.append(str(p))
    out = tmp_path / "cmp.png"
    r = runner.invoke(app, ["plot", *paths, "-l", "ppo", "-l", "ppo", "-l", "ppo", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    # -10 reached at episodes 3 and 4 of two runs (0.30 h and 0.40 h): median 0.35 h; the third run never
    assert "ppo, 3 runs: median (min-max); best running reward 1.00" in r.stdout
    assert "running reward >= -10:  0.35 h (0.30-0.40)   0.00M steps (0.00-0.00)  episode 4 (3-4)  [2 of 3 runs]" in r.stdout
    assert "running reward >=  10: reached by 0 of 3 runs" in r.stdout
    img = iio.imread(out)
    assert img[..., :3].std() > 10


def test_plot_skips_the_rows_of_games_cut_by_a_stop(tmp_path):
    a = tmp_path / "a.metrics.csv"
    write_metrics(a, [-21, -18, -14.9])
    rows = a.read_text().splitlines()
    rows = [rows[0]] + [r + ",,,,,,0" for r in rows[1:]] + ["3,40,1,,1,0,1080.5,3040,0,,,,,,1"]  # blank running reward
    a.write_text("\n".join(rows) + "\n")
    r = runner.invoke(app, ["plot", str(a), "-o", str(tmp_path / "c.png")])
    assert r.exit_code == 0, r.stderr
    assert "a: 3 episodes, 0.30 h, running reward -14.90" in r.stdout


def test_plot_of_another_game_uses_its_random_and_human_scores(tmp_path):
    a = tmp_path / "breakout.metrics.csv"
    write_metrics(a, [0.5, 1.2, 2.0, 9.0, 20.0, 33.0])
    out = tmp_path / "b.png"
    r = runner.invoke(app, ["plot", str(a), "--game", "Breakout", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "running reward >= 1.7: episode      3" in r.stdout  # beats random play (DQN paper: 1.7)
    assert "running reward >= 31.8: episode      6" in r.stdout  # reaches the human reference
    assert iio.imread(out).ndim == 3


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs Linux's /proc")
def test_a_figure_that_cannot_be_written_is_one_line(tmp_path):
    a = tmp_path / "a.metrics.csv"
    write_metrics(a, [-21, -18, -14.9])
    r = runner.invoke(app, ["plot", str(a), "-o", "/proc/curve.png"])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("pgcli: error: /proc/curve.png: cannot write")


def test_plot_reads_a_compressed_metrics_file_as_it_is_stored(tmp_path):
    import gzip

    plain = tmp_path / "a.metrics.csv"
    write_metrics(plain, [-21, -18, -14.9, -12])
    packed = tmp_path / "b.metrics.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    r = runner.invoke(app, ["plot", str(plain), str(packed), "-o", str(tmp_path / "c.png")])
    assert r.exit_code == 0, r.stderr
    assert "a: 4 episodes" in r.stdout and "b: 4 episodes" in r.stdout  # the same curve, named without .csv.gz
    (tmp_path / "bad.csv.gz").write_bytes(b"not gzip")
    r = runner.invoke(app, ["plot", str(tmp_path / "bad.csv.gz"), "-o", str(tmp_path / "d.png")])
    assert r.exit_code == 1 and "cannot read metrics" in r.stderr and r.stderr.count("\n") == 1


def test_a_game_without_a_dqn_paper_human_takes_agent57s():
    from pgcli.commands.plot import milestones

    assert milestones("breakout") == ((1.7, 16.8, 31.8, 61.9), (1.7, 31.8, "DQN paper"))
    assert milestones("phoenix") == ((761.4, 4002.0, 7242.6, 13723.8), (761.4, 7242.6, "Agent57"))
    assert milestones("pong")[1] is None and milestones("no_such_game")[1] is None
