"""The local experience source: owns the games, their previous frames and the step log, and acts.

The training loop sees only the source's interface, which `cluster.remote.RemoteCollector` (games
in Ray rollout workers) implements too:
    start(seed)   reset the games and send their first actions
    poll()        the next group's step -> `Experience`: the games that finished (with their
                  whole episode when the algorithm `wants` episodes) and the rollouts completed
    stop()        end the games -> `Experience` of what a gradient takes of them (REINFORCE: each game's steps up
                  to its last point; PPO: what its rollouts took), as (Finished, piece) pairs
    worker_rates(), peak_step_bytes
Inside, `poll` is `recv(g)` (the emulator's answer for group g: rewards, finished games), the
finished games' episodes, then `act(g, frames)` (preprocess, sample actions with the `Policy`, log
the step, send) and the group's rollout when T steps are logged, in the compact sparse form.
Groups of games take turns: while one group's actions are computed, the others are emulated.
A rollout worker runs this class in another process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pgcli.core import heads
from pgcli.core.agent import Actor
from pgcli.core.network import Policy
from pgcli.core.scores import Finished, Scores
from pgcli.base.inputs import SEED, InputSpec
from pgcli.core.steplog import StepLog
from pgcli.base.games import Game
from pgcli.base.run_spec import RunSpec
from pgcli.base.scenery import Scenery


@dataclass
class Rollout:
    """T steps of n games, flattened in (step, game) order; per-step arrays are (T, n)."""

    signed: np.ndarray  # signed lit-pixel indices of all T*n steps (see sparse.encode)
    counts: np.ndarray  # (T, n) lit pixels per step
    actions: np.ndarray  # (T, n) the action indices taken (Pong: 1 = UP)
    p_old: np.ndarray  # (T, n) P(the action taken) under the policy that acted
    values: np.ndarray  # (T, n) its value estimates
    rewards: np.ndarray  # (T, n)
    dones: np.ndarray  # (T, n) the game ended with this step
    last_value: np.ndarray  # (n,) value of the state after the last step (bootstrap at the cut)


@dataclass
class Experience:
    """What one poll of a source brings: agent steps played, and in order (Finished or None, piece
    or None) pairs: each finished game (with its episode if the algorithm wants episodes), then each
    rollout completed (PPO)."""

    steps: int = 0
    items: list = field(default_factory=list)


class Collector:
    def __init__(self, env, policy: Policy, rng: np.random.Generator, game: Game, wants: str = "episodes",
                 rollout_steps: int = 128, inputs: str | InputSpec = SEED, episodic_life: bool = False,
                 scenery: Scenery | None = None):
        self.env, self.policy, self.rng = env, policy, rng
        self.wants, self.T = wants, rollout_steps
        self.game, self.inputs, self.episodic_life, self.scenery = game, inputs, episodic_life, scenery
        self.groups = list(env.groups)
        self.turn = 0  # the group polled next
        self.peak_step_bytes = 0  # the step logs' bytes per stored agent step, at most

    @classmethod
    def for_run(cls, env, policy: Policy, rng: np.random.Generator, wants: str, run: RunSpec) -> "Collector":
        """The collector of a run (its game, rollout length, input, scenery and episodic life), for the
        trainer here and for each Ray rollout worker alike."""
        cfg = run.config
        return cls(env, policy, rng, run.game, wants, cfg.rollout_steps, run.inputs, cfg.episodic_life, run.scenery)

    def poll(self) -> Experience:
        """The next group's step: its finished games (their episodes), its actions sent, its rollout."""
        g = self.turn
        self.turn = (g + 1) % len(self.groups)
        frames, finished = self.recv(g)
        if finished:
            self.peak_step_bytes = max(self.peak_step_bytes, self.logs[g].bytes_per_step)
        episodes = self.wants == "episodes"
        items = [(fin, self.episode(g, fin.game) if episodes else None) for fin in finished]
        self.act(g, frames)  # the group plays on while the loop learns from what it finished
        ro = None if episodes else self.rollout(g, self.T)
        if ro is not None:
            items.append((None, ro))
        return Experience(self.groups[g], items)

    def stop(self) -> Experience:
        """End the games (collect every step in flight) -> the (Finished, piece) parts a gradient takes."""
        self.drain()
        if self.wants == "episodes":
            return Experience(0, self.completed_points())
        return Experience(0, [(fin, None) for fin in self.rolled_out()])

    def worker_rates(self) -> list:
        return []  # no rollout workers here

    def start(self, seed: int) -> None:
        """Reset every game (game k seeded with seed + k) and send each group's first actions."""
        frames = self.env.reset(seed=seed)
        self.logs = None  # a restart lets go of the last run's logs first
        self.logs = [StepLog(n) for n in self.groups]
        self.actors = [Actor(self.policy, f, self.rng, self.game, self.inputs, scenery=self.scenery) for f in frames]
        self.fresh = [np.ones(n, bool) for n in self.groups]
        self.scores = [Scores(n) for n in self.groups]
        self.turn = 0
        for g, f in enumerate(frames):
            self.act(g, f)

    def recv(self, g: int) -> tuple[np.ndarray, list[Finished]]:
        """Wait for group g's step; log rewards. -> (its new frames, the games that ended)."""
        frames, rewards, dones = self.env.recv(g)
        ends = dones | self.env.lives_lost(g) if self.episodic_life else dones  # where returns end (PPO)
        self.logs[g].reward(rewards, ends)
        self.fresh[g] = dones
        return frames, self.scores[g].add(rewards, dones)

    def act(self, g: int, frames: np.ndarray) -> None:
        """Preprocess group g's frames, sample its actions, record the steps, send the actions."""
        s = self.actors[g](frames, self.fresh[g])  # the one act step (pgcli.core.agent)
        p_taken = heads.taken(s.p.astype(np.float32).astype(np.float64), s.i)  # rounded to float32 first, as it always was
        self.logs[g].add(s.signed, s.counts, s.i, p_taken, 0.0 if s.v is None else s.v)
        self.env.send(g, s.actions)

    def episode(self, g: int, i: int):
        """Game i of group g's episode that just ended -> (signed, counts, y, r)."""
        return self.logs[g].episode(i)

    def rollout(self, g: int, T: int) -> Rollout | None:
        """Group g's next T steps once they and the step after (for the bootstrap value) are
        logged, else None. Call after `act`."""
        log = self.logs[g]
        start = int(log.first.min())  # rows before it were handed out already (see release)
        if log.T - start < T + 1:
            return None
        signed, counts, a, r, p, v, d = log.rows(start, start + T)
        last = log.v[start + T].astype(np.float64)
        log.release(start + T)
        return Rollout(signed, counts, a, p, v, r, d, last)

    def held(self) -> tuple[int, int]:
        """(steps, bytes) held in the step logs."""
        out = [log.held() for log in self.logs]
        return sum(s for s, _ in out), sum(b for _, b in out)

    def drain(self) -> None:
        """Collect every group's step in flight and log its rewards, e.g. before closing."""
        for g in range(len(self.groups)):
            _, rewards, dones = self.env.recv(g)
            self.logs[g].reward(rewards, dones)

    def completed_points(self) -> list[tuple[Finished, tuple]]:
        """At a stop (after `drain`), REINFORCE: each unfinished game's steps up to its last scored
        point -> (their length and points, the episode (signed, counts, y, r)); games that scored
        nothing yet give nothing, and so do games whose returns run to the end of the game (only a
        game whose points end its returns, like Pong, has complete training data at a point)."""
        out = []
        if not self.game.point_resets:
            return out
        for g, n in enumerate(self.groups):
            for i in range(n):
                part = self.logs[g].completed_points(i)
                if part is not None:
                    r = part[3]
                    out.append((Finished(i, len(part[1]), int((r > 0).sum()), int((r < 0).sum()), float(r.sum())), part))
        return out

    def rolled_out(self) -> list[Finished]:
        """At a stop (after `drain`), PPO: each unfinished game's steps that went into rollouts
        already (all but those after the last cut), with the points scored in them."""
        out = []
        for g, n in enumerate(self.groups):
            log, (steps, won, lost), score = self.logs[g], self.scores[g].count, self.scores[g].score
            for i in range(n):
                tail = slice(int(log.first[i]), log.T - 1)  # not handed out yet (the last row: the step drained)
                done = int(steps[i]) - (tail.stop - tail.start)
                if done > 0:
                    r = log.r[tail, i]
                    out.append(Finished(i, done, int(won[i] - (r > 0).sum()), int(lost[i] - (r < 0).sum()),
                                        float(score[i] - r.sum())))
        return out
