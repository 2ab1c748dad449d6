"""`pgcli weights` weighs each pixel by its use in training, so what was learned shows."""

import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli.cli import app
from pgcli.commands.weights import neuron_grid
from pgcli.base.config import Config
from pgcli.core.optim import pixel_use
from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint

runner = CliRunner()


def full_state(H=4):
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((H, 6400)) / 80
    v = np.zeros((H, 6400))
    v[:, :3200] = 4e-6  # the top half of the screen was lit in training, the bottom never
    v[:, 100] = 16e-6  # one pixel twice as much
    arrays = {"W1": W1, "W2": np.ones(H), "m_W1": np.zeros((H, 6400)), "v_W1": v, "m_W2": np.zeros(H),
              "v_W2": np.ones(H)}
    return Checkpoint(Config(hidden=H), {}, arrays, {"episode": 7, "opt_t": 3})


def test_pixel_use_is_the_root_of_the_optimizers_mean_square_gradient():
    use = pixel_use(full_state().arrays)
    assert use.shape == (6400,) and use[100] == 1.0 and use[0] == pytest.approx(0.5) and use[3200:].max() == 0
    assert pixel_use({"W1": np.ones((4, 6400))}) is None  # Karpathy's file, an old export
    grid = neuron_grid(full_state().arrays["W1"] * use, 1, 1, 1)[2:82, 2:82, 0]
    assert (grid[40:] == 128).all() and (grid[:40] != 128).any()  # never-lit pixels: zero weight, grey


def test_weights_draws_the_weighted_view_and_an_export_keeps_it(tmp_path):
    full = tmp_path / "full.p"
    checkpoint.save(full, full_state())
    r = runner.invoke(app, ["weights", str(full), "-o", str(tmp_path / "w.png"), "--neurons", "4"])
    assert r.exit_code == 0 and r.stdout.strip().endswith("W1 weighted by each pixel's use in training")
    assert runner.invoke(app, ["export", str(full), "-o", str(tmp_path / "e.p")]).exit_code == 0
    exported = checkpoint.load(tmp_path / "e.p")
    assert "v_W1" not in exported.arrays and exported.arrays["pixel_use"].shape == (6400,)
    r = runner.invoke(app, ["weights", str(tmp_path / "e.p"), "-o", str(tmp_path / "e.png"), "--neurons", "4"])
    assert r.stdout.strip().endswith("W1 weighted by each pixel's use in training")
    assert (tmp_path / "e.png").read_bytes() == (tmp_path / "w.png").read_bytes()  # float32 export, same picture
    r = runner.invoke(app, ["weights", str(full), "-o", str(tmp_path / "r.png"), "--neurons", "4", "--raw"])
    assert r.stdout.strip().endswith("raw W1") and (tmp_path / "r.png").read_bytes() != (tmp_path / "w.png").read_bytes()


def test_a_pixel_use_of_the_wrong_shape_is_refused(tmp_path):
    ck = full_state()
    ck.arrays["pixel_use"] = np.ones(100)
    checkpoint.save(tmp_path / "bad.p", ck)
    with pytest.raises(PgcliError, match="pixel_use has shape"):
        checkpoint.load(tmp_path / "bad.p")
