"""pgcli from Python: watch the shipped agent play a few hundred steps, then train a small agent
with a callback per episode. Run from the repository root: python examples/python_api.py [FOLDER]"""

import sys
import tempfile
from pathlib import Path

import pgcli

player = pgcli.load("examples/pong-agent")
env = player.make_env()
frame, _ = env.reset(seed=0)
player.reset(frame)
won = lost = 0
for step in range(400):
    action, p_up = player.act(frame)
    frame, reward, terminated, truncated, _ = env.step(action)
    won, lost = won + (reward > 0), lost + (reward < 0)
    if terminated or truncated:
        break
env.close()
print(f"shipped agent on {player.settings.env_id}: {won}-{lost} after {step + 1} steps")

folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
seen = []
result = pgcli.train(pgcli.Config(algo="ppo", num_envs=4, rollout_steps=32), folder / "api.p", episodes=4,
                     on_episode=lambda st: seen.append(st.reward))
print(f"trained {result.episodes} episodes (rewards {seen}); checkpoint {result.output}")
