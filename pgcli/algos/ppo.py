"""PPO on the seed's network and pixels: the blog post's closing advice, a trust region.

One batch = a rollout of `rollout_steps` steps from each of the `num_envs` games. For each batch:
GAE(lambda) advantages with a value head on the shared hidden layer (each point ends a return, as
in the seed); then `epochs` passes of `minibatches` shuffled minibatches, each one Adam step on the
clipped surrogate + value + entropy loss after clipping the global gradient norm. Before each step
the KL from the trust region's centre to the current policy is checked: past 1.5 x `target_kl` the
remaining epochs are skipped (the blog's "checking the KL"). The centre (`--trust-region`) is the
policy that played the batch ('acted', the PPO paper's; it is one update behind when the update runs
beside the acting, so a big update can stop the next before its first step) or the policy the
update starts from ('start': the update's own move, the lag weighted out; at least one step).
W1 is updated lazily: only the pixels lit somewhere in the minibatch (see optim.Adam.step).
The products and Adam's rows follow the lit inputs (`pgcli.core.kernels`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from pgcli.core import kernels, optim, sparse
from pgcli.algos import ppo_math
from pgcli.core.collector import Rollout
from pgcli.base.errors import PgcliError
from pgcli.core.network import Policy
from pgcli.core.pg_math import clip_rewards
from pgcli.base.games import Game

STAT_KEYS = ("value_loss", "approx_kl", "clip_frac", "entropy", "epochs")
SHUFFLE_STREAM = 0x5050  # seeds PPO's shuffling stream apart from the action sampling


class RolloutBatch(NamedTuple):
    """A batch of N agent steps, as PPO learns from it (one array per field, step by step)."""

    signed: np.ndarray  # the steps' signed lit-input indices (sparse.encode)
    counts: np.ndarray  # (N,) lit inputs a step
    actions: np.ndarray  # (N,) the action indices taken
    p_old: np.ndarray  # (N,) P(the action taken) under the policy that acted
    adv: np.ndarray  # (N,) GAE advantages
    ret: np.ndarray  # (N,) returns, the value head's targets
    streams: np.ndarray | None = None  # (N,) which game a step came from (its steps in time order)


class PPO:
    wants = "rollouts"
    overlap = True  # the update runs beside the acting: batch k+1 is played with the weights of update k-1
    value_head = True

    def __init__(self, cfg, pol: Policy, rng: np.random.Generator, game: Game):
        self.cfg, self.policy, self.game = cfg, pol, game
        # its own stream for the minibatch shuffles: the update may run beside the acting (see Trainer)
        self.rng = np.random.default_rng([cfg.seed, SHUFFLE_STREAM])
        self.opt = optim.Adam(pol.params, cfg.learning_rate, eps=cfg.adam_eps)
        self.ent_coef = cfg.ent_coef  # lowered before each update under --ent-anneal (`update`)
        self.rollouts: list[Rollout] = []
        self.learned_steps = 0  # whole batches, counted when they go into an update

    def observe(self, ro: Rollout) -> None:
        self.rollouts.append(ro)  # no work until a batch is complete

    def ready(self) -> bool:
        return sum(ro.counts.shape[1] for ro in self.rollouts) >= self.cfg.num_envs

    def take(self):
        """The batch's rollouts -> one `RolloutBatch` with per-step advantages and returns; the
        next rollouts start the next batch."""
        cfg, parts = self.cfg, []
        for g, ro in enumerate(self.rollouts):
            adv, ret = ppo_math.gae(clip_rewards(ro.rewards), ro.values.astype(np.float64), ro.dones,
                                    ro.last_value, cfg.gamma, cfg.gae_lambda, self.game.point_resets)
            T, n = ro.counts.shape
            parts.append((ro.signed, ro.counts.ravel(), ro.actions.ravel().astype(np.intp),
                          ro.p_old.ravel().astype(np.float64), adv.ravel(), ret.ravel(),
                          np.tile(np.arange(n) + g * cfg.num_envs, T)))  # (step, game) order
        self.rollouts = []
        return RolloutBatch(*(np.concatenate(a) for a in zip(*parts)))

    def update(self, steps: int = 0):
        """Take the batch now -> the update that learns from it (on the learner thread), with the
        schedules at agent step `steps`: the step size (and under --ent-anneal the entropy bonus)
        falls linearly to 0 at --lr-anneal-steps."""
        cfg = self.cfg
        self.opt.lr = optim.annealed(cfg.learning_rate, steps, cfg.lr_anneal_steps)
        if cfg.ent_anneal:
            self.ent_coef = optim.annealed(cfg.ent_coef, steps, cfg.lr_anneal_steps)
        batch = self.take()
        self.learned_steps += len(batch[1])
        return lambda: self.learn(batch)

    def learn(self, batch) -> dict:
        """The epochs of minibatch steps on a batch from `take`. Changes only the weights, the
        optimizer and the shuffling stream; the acting copies follow at `policy.sync()`."""
        cfg, params = self.cfg, self.policy.params
        signed, counts, actions, p_old, adv, ret, streams = RolloutBatch(*batch)
        logp_old = np.log(p_old.clip(1e-12))  # P(the action taken) under the policy that acted
        N, M = len(counts), cfg.minibatches
        W1T32 = self.policy.W1T.astype(np.float32)  # the products' copy of W1; Adam keeps its rows in step
        start = cfg.trust_region == "start"  # else centred on the policy that acted
        z_start = ppo_math.logits_sparse(params, W1T32, signed, counts) if start else None
        deltas = sparse.Deltas(signed, counts, self.policy.inputs, streams)  # each step against the one before
        stats, epochs, stop = [], 0, False
        for epoch in range(cfg.epochs):
            for mb in np.array_split(self.rng.permutation(N), M):
                mb.sort()  # same sum, better memory locality
                batch = sparse.Batch(deltas, mb)
                a = adv[mb]
                a = (a - a.mean()) / (a.std() + 1e-8)  # advantages normalised per minibatch
                _, grads, pixels, rows, st = ppo_math.loss_and_grads_sparse(
                    params, W1T32, batch, actions[mb], logp_old[mb], None if z_start is None else z_start[mb],
                    a, ret[mb], cfg.clip, self.ent_coef, cfg.vf_coef)
                if cfg.target_kl and (stats or not start) and st["approx_kl"] > 1.5 * cfg.target_kl:
                    stop = True  # the policy moved too far from the trust region's centre: no more steps
                    break
                stats.append(st)
                grads["W1"] = rows
                norm = np.sqrt(sum(kernels.sum_squares(g.reshape(len(g), -1)) for g in grads.values()))
                scale = min(1.0, cfg.max_grad_norm / (norm + 1e-6))  # global grad-norm clip
                self.opt.step(params, grads, scale=-scale, rows=pixels, mirror=W1T32)  # Adam ascends
            epochs += not stop
            if stop:
                break
        out = {k: float(np.mean([s[k] for s in stats])) if stats else float("nan")
               for k in ("value_loss", "approx_kl", "clip_frac", "entropy")}
        if not stats:  # the check stopped the first minibatch: report the KL that stopped it
            out["approx_kl"] = float(st["approx_kl"])
        out["epochs"] = epochs
        return out

    def state_dict(self) -> tuple[dict, dict]:
        arrays, meta = optim.state_dict(self.opt)
        return arrays, {**meta, "shuffle_rng": self.rng.bit_generator.state}

    def load_state_dict(self, arrays: dict, meta: dict, episode: int, updates: int) -> bool:
        if not optim.load_state_dict(self.opt, arrays, meta, legacy_t=updates):
            return False
        if "shuffle_rng" in meta:
            try:
                self.rng.bit_generator.state = meta["shuffle_rng"]
            except (TypeError, ValueError, KeyError):
                raise PgcliError("checkpoint RNG state is malformed") from None
        else:  # written before PPO had its own stream: continue from one seeded by the run's progress
            self.rng = np.random.default_rng([self.cfg.seed, SHUFFLE_STREAM, updates])
        return True
