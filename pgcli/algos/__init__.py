"""Training algorithms over one policy. Both fill one shape, so the loop never asks which it runs:

    wants             "episodes" or "rollouts": the experience the collector hands it
    observe(piece)    take one episode or rollout; may return work for the learner thread
                      (run there in order, beside the acting), or None
    ready()           an update is due
    update(steps)     take the batch -> the update to run (it returns the update's statistics);
                      `steps`, the run's agent steps so far, sets the algorithm's own schedules
                      (the learning rate annealed to 0 at --lr-anneal-steps; PPO's entropy bonus)
    value_head        the policy needs a value head (PPO)
    overlap           True: the update may run beside the acting (PPO: one update of policy lag);
                      False: it finishes before the next action (REINFORCE, as the seed)
    learned_steps     agent steps committed to a gradient so far in this session
    state_dict() / load_state_dict(arrays, meta, episode, updates)

A third algorithm is one more module with these names (see `pgcli.core.trainer` for the loop).
"""

from __future__ import annotations


def algorithm(name: str):
    """The class of the algorithm called `name` ('reinforce' or 'ppo')."""
    if name == "ppo":
        from pgcli.algos.ppo import PPO

        return PPO
    from pgcli.algos.reinforce import Reinforce

    return Reinforce


def make(cfg, policy, rng, game):
    """The algorithm `cfg.algo` names, learning `policy` on `game` (its rule for ending returns)."""
    return algorithm(cfg.algo)(cfg, policy, rng, game)
