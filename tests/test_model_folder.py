"""A model folder (pgcli export -o DIR/): safetensors that the reference package reads and writes,
a card that says how the agent was trained and scored, and every command reading the folder."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli.base.errors import PgcliError
from pgcli.cli import app
from pgcli.files import safetensors

ARRAYS = {"W1": np.arange(12, dtype=np.float16).reshape(3, 4), "W2": np.linspace(-1, 1, 3).astype(np.float32),
          "bv": np.array([0.5]), "n": np.array([1, 2], np.int64), "u": np.array([7], np.uint8)}


def test_our_safetensors_and_the_reference_package_read_each_other(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    ours = tmp_path / "ours.safetensors"
    ours.write_bytes(safetensors.encode(ARRAYS, {"game": "pong"}))
    theirs = st.load_file(str(ours))
    assert theirs.keys() == ARRAYS.keys() and all(np.array_equal(theirs[k], v) and theirs[k].dtype == v.dtype
                                                  for k, v in ARRAYS.items())
    st.save_file(ARRAYS, str(tmp_path / "theirs.safetensors"), metadata={"a": "b"})
    back, meta = safetensors.decode((tmp_path / "theirs.safetensors").read_bytes())
    assert meta == {"a": "b"} and all(np.array_equal(back[k], v) and back[k].dtype == v.dtype for k, v in ARRAYS.items())


@pytest.mark.parametrize("change, said", [
    (lambda h: h.update(W1={**h["W1"], "data_offsets": [0, 10**6]}), "offsets do not fit"),
    (lambda h: h.update(W1={**h["W1"], "dtype": "BF16"}), "W1: dtype"),
    (lambda h: h.update(W2={**h["W2"], "data_offsets": h["W1"]["data_offsets"][:1] * 2}), "offsets do not fit"),
    (lambda h: h.update(__metadata__={"a": 1}), "metadata must map strings"),
])
def test_a_malformed_file_is_one_line_not_a_crash(change, said):
    data = safetensors.encode({"W1": np.zeros((2, 2), np.float32), "W2": np.zeros(2, np.float32)})
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    change(header)
    text = json.dumps(header).encode()
    with pytest.raises(PgcliError, match=said):
        safetensors.decode(len(text).to_bytes(8, "little") + text + data[8 + n :])
    with pytest.raises(PgcliError, match="header is not JSON"):
        safetensors.decode((5).to_bytes(8, "little") + b"{nope" + b"\0" * 8)


def test_overlapping_tensors_are_refused():
    data = safetensors.encode({"a": np.zeros(2, np.float32), "b": np.zeros(2, np.float32)})
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    header["b"]["data_offsets"] = [4, 12]
    text = json.dumps(header).encode()
    with pytest.raises(PgcliError, match="overlap"):
        safetensors.decode(len(text).to_bytes(8, "little") + text + data[8 + n :])


@pytest.mark.ale
def test_the_shipped_agent_as_a_model_folder_plays_like_its_float16_export(tmp_path):
    import pgcli
    from pgcli.commands.model_card import train_command
    from pgcli.files import checkpoint, model_folder

    folder = tmp_path / "pong-agent"
    r = CliRunner().invoke(app, ["export", "examples/pong-agent", "-o", f"{folder}/", "--eval-games", "2", "--gif-steps", "20"])
    assert r.exit_code == 0, r.stderr
    assert {p.name for p in folder.iterdir()} >= {"model.safetensors", "config.json", "README.md", "evaluation.json", "replay.gif"}
    card = (folder / "README.md").read_text()
    ev = json.loads((folder / "evaluation.json").read_text())
    assert ev["sticky_actions"] == 0.25 and not ev["greedy"] and ev["episodes"] == 2
    assert f"{ev['mean_reward']:.2f} ± {ev['std_reward']:.2f}" in card and "sticky actions 0.25" in card
    original = model_folder.load("examples/pong-agent")
    line = train_command(original)
    assert line in card and "--input diff+frame+action" in line and "--no-noop" in line
    args = line.split()[2:]
    group = __import__("typer").main.get_command(app)
    with group.make_context("pgcli", ["train", *args]) as ctx:  # the card's command is one pgcli train reads
        name, cmd, rest = group.resolve_command(ctx, ctx._protected_args + ctx.args)
        cmd.make_context(name, rest, parent=ctx)
    r = CliRunner().invoke(app, ["export", "examples/pong-agent", "-o", str(tmp_path / "x.p"), "--float16"])
    assert r.exit_code == 0, r.stderr
    a, b = model_folder.load(folder), checkpoint.load(tmp_path / "x.p")
    assert all(np.array_equal(a.arrays[k], b.arrays[k]) for k in ("W1", "W2"))
    frames = np.random.default_rng(0).integers(0, 255, (5, 210, 160, 3), dtype=np.uint8)
    p1, p2 = pgcli.load(folder, greedy=True), pgcli.load(tmp_path / "x.p", greedy=True)
    assert [p1.act(f) for f in frames] == [p2.act(f) for f in frames]
    r = CliRunner().invoke(app, ["weights", str(folder), "-o", str(tmp_path / "w1.png")])
    assert r.exit_code == 0, r.stderr
    (folder / "config.json").unlink()
    r = CliRunner().invoke(app, ["evaluate", str(folder), "-n", "1"])
    assert r.exit_code == 1 and "not a pgcli model folder (config.json missing)" in r.stderr
