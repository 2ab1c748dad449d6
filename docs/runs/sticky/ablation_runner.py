"""The sticky-actions ablation's runner (docs/studies/sticky.md), as run on commit 4cea049 (the code before
the one-loop change; its `pgsync`/`pg1` patches reach into that version's Trainer):
    python ablation_runner.py ARM SEED MINUTES OUTDIR [more pgcli train flags]
ARM: pg (pgcli as it was: 2 groups of 16 games, PPO's update beside the acting), pgsync (the update
in line: no policy lag), pg1 (one vector env of 32 games, one emulator thread, update in line: the
reference's layout), ref (../shared/reference/ppo_reference.py)."""
import os, sys
arm, seed, minutes, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
extra = sys.argv[5:]  # more pgcli train flags, e.g. --ent-coef 0.03
os.makedirs(out, exist_ok=True)
tag = "".join(extra).replace("--", "-").replace(".", "")
name = f"{out}/{arm}{tag}-s{seed}"
if arm == "ref":
    os.execv(sys.executable, [sys.executable, os.path.join(os.path.dirname(__file__), "../../../shared/reference/ppo_reference.py"), str(minutes * 60), str(seed), name + ".metrics.csv"])
import pgcli.core.trainer as T
if arm == "pg1":  # the reference's layout: one vector env of 32 games, one emulator thread, update in line
    import pgcli.base.envs as E
    E.default_groups = lambda n: 1
    E.default_threads = lambda cores, games: 1
if arm in ("pgsync", "pg1"):
    def run(self, until_episode, on_episode, should_stop=lambda: False, on_save=lambda: None, save_every=None):
        self.learner = None
        try:
            return self._run(until_episode, on_episode, should_stop, on_save, save_every)
        finally:
            self.settle()
    T.Trainer.run = run
from pgcli.cli import app
sys.argv = ["pgcli", "train", "--algo", "ppo", "--input", "diff", "--no-episodic-life", "--seed", str(seed), "--minutes", str(minutes), "-o", name + ".p", "--save-every", "500", *extra]
app()
