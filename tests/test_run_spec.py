"""What a run is, decided once: presets, each algorithm's defaults, a resume that switches
algorithm, the saved config and `RunSpec`."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pgcli.cli import app
from pgcli.base.config import for_new_run
from pgcli.files import checkpoint

runner = CliRunner()


def test_preset_karpathy_is_the_2016_script(tmp_path, fake_env):
    out = tmp_path / "k.p"
    r = runner.invoke(app, ["train", "--preset", "karpathy", "--episodes", "2", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    cfg = checkpoint.load(out).config
    assert (cfg.optimizer, cfg.learning_rate, cfg.decay_rate, cfg.batch_size, cfg.gamma, cfg.hidden, cfg.env_id) == \
        ("rmsprop", 1e-4, 0.99, 10, 0.99, 200, "Pong-v0")
    assert "karpathy" in runner.invoke(app, ["train", "--help"]).stdout


@pytest.mark.ale
def test_preset_atari_is_the_measured_recipe_and_flags_still_win(tmp_path, fake_env):
    out = tmp_path / "a.p"
    r = runner.invoke(app, ["train", "--preset", "atari", "--episodes", "2", "--num-envs", "2", "--rollout-steps", "16",
                            "--lr", "3e-4", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "the current frame without its scenery" in r.stdout  # (Pong has no lives: nothing said of them)
    cfg = checkpoint.load(out).config
    assert (cfg.algo, cfg.inputs, cfg.episodic_life, cfg.learning_rate, cfg.env_id, cfg.noop, cfg.epochs) == \
        ("ppo", "diff+objects+action", True, 3e-4, "ALE/Pong-v5", True, 8)
    assert checkpoint.load(out).arrays["W2"].shape[1] == 3  # NOOP, DOWN, UP behind a softmax
    off = tmp_path / "b.p"  # a bool flag turns off too: the preset's episodic life, for Machado et al.'s protocol
    r = runner.invoke(app, ["train", "--preset", "atari", "--no-episodic-life", "--episodes", "2", "--num-envs", "2",
                            "--rollout-steps", "16", "-o", str(off)])
    assert r.exit_code == 0, r.stderr
    assert not checkpoint.load(off).config.episodic_life


@pytest.mark.ale
def test_the_start_line_speaks_of_lives_only_in_games_that_have_them():
    from pgcli.base.run_spec import resolve
    from pgcli.commands.train import describe

    for game, said in (("ALE/Breakout-v5", True), ("ALE/Pong-v5", False)):
        line = describe(resolve({"algo": "ppo", "env_id": game}), Path("x.p"), None, 0)
        assert ("PPO (a lost life ends the return)" in line) is said, line
    line = describe(resolve({"algo": "ppo", "env_id": "ALE/Breakout-v5", "episodic_life": False}), Path("x.p"), None, 0)
    assert "lost life" not in line
    annealed = resolve({"algo": "ppo", "ent_anneal": True, "lr_anneal_steps": 10_000_000})
    line = describe(annealed, Path("x.p"), None, 0)
    assert "lr 0.0005 falling to 0 at agent step 10,000,000 (the end), the entropy bonus 0.01 with it;" in line
    assert "entropy" not in describe(resolve({"algo": "ppo"}), Path("x.p"), None, 0)


def test_ppo_defaults_are_the_measured_recipe_and_reinforce_keeps_the_seeds_input():
    ppo, reinforce = for_new_run({"algo": "ppo"}), for_new_run({})
    assert (ppo.inputs, ppo.episodic_life, ppo.learning_rate, ppo.optimizer) == ("diff+objects+action", True, 5e-4, "adam")
    assert (ppo.noop, ppo.epochs) == (True, 8)  # Pong's NOOP and 8 passes: docs/studies/sticky.md
    from pgcli.base.config import shown_default
    assert shown_default("learning_rate") == "0.001 (reinforce), 0.0005 (ppo)"  # the help says it, from ALGO_DEFAULTS
    assert shown_default("epochs") == "8" and shown_default("optimizer") == "adam"  # the same for both: one value
    assert (reinforce.inputs, reinforce.episodic_life, reinforce.learning_rate, reinforce.noop) == ("diff", False, 1e-3, False)
    assert for_new_run({"algo": "ppo", "inputs": "diff", "episodic_life": False}).inputs == "diff"  # flags win
    old = for_new_run({"algo": "ppo", "noop": False, "epochs": 4})  # the defaults before, by flags
    assert (old.noop, old.epochs, old.inputs) == (False, 4, "diff+objects+action")
    assert for_new_run({"algo": "ppo"}, "atari") == ppo
    karpathy = for_new_run({}, "karpathy")
    assert (karpathy.inputs, karpathy.optimizer) == ("diff", "rmsprop")


@pytest.mark.ale
def test_a_resume_that_switches_algorithm_takes_the_new_ones_defaults_but_keeps_the_network(tmp_path, fake_env):
    out = tmp_path / "a.p"
    assert runner.invoke(app, ["train", "--episodes", "2", "--preset", "karpathy", "-o", str(out)]).exit_code == 0
    r = runner.invoke(app, ["train", "--algo", "ppo", "--steps", "1", "--resume", str(out), "-o", str(tmp_path / "p.p")])
    assert r.exit_code == 0, r.stderr
    cfg = checkpoint.load(tmp_path / "p.p").config
    assert (cfg.algo, cfg.optimizer, cfg.learning_rate, cfg.epochs, cfg.episodic_life) == ("ppo", "adam", 5e-4, 8, True)
    assert (cfg.inputs, cfg.noop, cfg.hidden) == ("diff", False, 200)  # the weights' shape stays the checkpoint's
    assert cfg.env_id == "Pong-v0"  # not an algorithm's setting: kept
    r = runner.invoke(app, ["train", "--algo", "ppo", "--noop", "--steps", "1", "--resume", str(out), "-o", str(tmp_path / "q.p")])
    assert r.exit_code == 1 and "--noop does not match the checkpoint's actions" in r.stderr


def test_config_round_trips_the_envs_own_sticky_actions():
    from pgcli.base.config import Config
    from pgcli.base.errors import PgcliError

    assert Config.from_dict(Config().to_dict()).sticky_actions is None
    assert Config.from_dict({**Config().to_dict(), "sticky_actions": 0}).sticky_actions == 0.0
    with pytest.raises(PgcliError, match="sticky actions must be in"):
        Config(sticky_actions=2.0).validate()
    with pytest.raises(PgcliError, match="wrong type"):
        Config.from_dict({"sticky_actions": "0"})


@pytest.mark.ale
def test_a_run_is_resolved_once_and_travels_as_plain_data():
    """`RunSpec`: flags over a preset or a checkpoint's config, the env id looked up, the game record;
    a Ray worker rebuilds the same spec from `to_dict()`."""
    import json

    from pgcli.base.errors import PgcliError
    from pgcli.base.run_spec import RunSpec, resolve

    spec = resolve({"env_id": "breakout", "sticky_actions": 0.0, "seed": 4}, preset="atari")
    assert spec.config.env_id == "ALE/Breakout-v5" and spec.settings.repeat_action_probability == 0.0
    assert spec.game.name == "breakout" and spec.input_size == 2 * 6400 + spec.game.n_actions
    assert RunSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec  # what a worker gets
    resumed = resolve({"learning_rate": 1e-4}, saved=spec.config)
    assert resumed.config.learning_rate == 1e-4 and resumed.config.seed == 4 and resumed.game == spec.game
    with pytest.raises(PgcliError, match="--preset applies to new runs"):
        resolve({}, preset="atari", saved=spec.config)


def test_background_is_saved_with_the_weights_and_a_resume_keeps_it():
    from pgcli.base.config import Config, for_new_run, for_resumed_run
    from pgcli.base.errors import PgcliError

    cfg = for_new_run({"algo": "ppo", "background": "pixel"})
    assert cfg.input_spec.background == "pixel" and "own background" in cfg.input_spec.describe()
    assert Config.from_dict({k: v for k, v in cfg.to_dict().items() if k != "background"}).background == "colour"
    with pytest.raises(PgcliError, match="--background colour does not match the checkpoint's pixel"):
        for_resumed_run(cfg, {"background": "colour"})
    with pytest.raises(PgcliError, match="background must be one of colour, pixel"):
        for_new_run({"background": "grey"})


@pytest.mark.ale
def test_background_auto_is_decided_at_the_start_and_saved_as_the_rule_it_chose():
    """`--background auto`: each pixel against its own background on a screen of scenery (Battle
    Zone), the colour rule elsewhere (Breakout); the run's config holds the rule chosen, so a resume,
    a worker and `pgcli play` read a concrete rule, whatever the table says later."""
    import json

    from pgcli.base.run_spec import RunSpec, resolve

    bz = resolve({"algo": "ppo", "env_id": "battle_zone", "background": "auto"})
    assert bz.config.background == "pixel" and "own background" in bz.inputs.describe()
    assert resolve({"algo": "ppo", "env_id": "breakout", "background": "auto"}).config.background == "colour"
    assert RunSpec.from_dict(json.loads(json.dumps(bz.to_dict()))) == bz
    assert resolve({}, saved=bz.config).config.background == "pixel"


@pytest.mark.ale
def test_ppo_decides_the_background_by_default_and_reinforce_keeps_the_seeds_rule():
    """PPO's default is `auto` (pixel on Battle Zone, colour on Breakout); REINFORCE keeps the seed's
    colour rule on every screen; a checkpoint saved before the field existed read the colour rule."""
    from pgcli.base.config import Config
    from pgcli.base.run_spec import resolve

    assert resolve({"algo": "ppo", "env_id": "battle_zone"}).config.background == "pixel"
    assert resolve({"algo": "ppo", "env_id": "breakout"}).config.background == "colour"
    assert resolve({"env_id": "battle_zone"}).config.background == "colour"
    ppo = resolve({"algo": "ppo", "env_id": "battle_zone"}).config.to_dict()
    del ppo["background"]
    assert Config.from_dict(ppo).background == "colour"
