"""Training algorithms over one policy. Both fill one shape, so the loop never asks which it runs:

    wants             "episodes" or "rollouts": the experience the collector hands it
    observe(piece)    take one episode or rollout; may return work for the learner thread
                      (run there in order, beside the acting), or None
    ready()           an update is due
    update()          take the batch -> the update to run (it returns the update's statistics)
    overlap           True: the update may run beside the acting (PPO: one update of policy lag);
                      False: it finishes before the next action (REINFORCE, as the seed)
    learned_steps     agent steps committed to a gradient so far in this session
    state_dict() / load_state_dict(arrays, meta, episode, updates)

A third algorithm is one more module with these names (see `pgcli.core.trainer` for the loop).
"""

from __future__ import annotations


def make(cfg, policy, rng, game):
    """The algorithm `cfg.algo` names, learning `policy` on `game` (its rule for ending returns)."""
    if cfg.algo == "ppo":
        from pgcli.algos.ppo import PPO

        return PPO(cfg, policy, rng, game)
    from pgcli.algos.reinforce import Reinforce

    return Reinforce(cfg, policy, rng, game)
