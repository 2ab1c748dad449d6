"""Training algorithms over one policy and one rollout collector.

Each has the same small interface: `wants` ("episodes" or "rollouts"), `observe(experience)`,
`ready()`, `update() -> stats`, `state_dict()` / `load_state_dict()`.
"""

from __future__ import annotations


def make(cfg, policy, rng):
    if cfg.algo == "ppo":
        from pgcli.algos.ppo import PPO

        return PPO(cfg, policy, rng)
    from pgcli.algos.reinforce import Reinforce

    return Reinforce(cfg, policy, rng)
