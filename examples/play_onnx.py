"""Play a pgcli agent's ONNX policy with onnxruntime and ale-py alone (no pgcli):

    python examples/play_onnx.py pong-agent/        # a model folder from: pgcli export AGENT -o pong-agent/

The policy takes the emulator's RGB frame and its state (the last frame's lit pixels, the last
difference frame, the last action, the game's background colour) and gives the action probabilities
and the next state; the card's action map turns an output index into the env's action.
"""

import json
import sys

import ale_py
import gymnasium as gym
import numpy as np
import onnxruntime as ort


def play(folder: str, seed: int = 0) -> float:
    config = json.load(open(f"{folder}/config.json"))
    policy = ort.InferenceSession(f"{folder}/policy.onnx")
    actions = config["actions"]  # output i -> the env's action (an index into its minimal action set)
    gym.register_envs(ale_py)
    env = gym.make(config["env"]["env_id"], repeat_action_probability=0.25)
    frame, _ = env.reset(seed=seed)
    state = {"prev_lit": np.zeros(6400, np.float32), "prev_diff": np.zeros(6400, np.float32),
             "prev_action": np.array(-1, np.int64), "colour": np.array(0, np.int64)}
    fresh, score, done = True, 0.0, False
    while not done:
        probs, lit, diff, colour = policy.run(None, {"frame": frame, "fresh": np.array(fresh), **state})
        a = int(probs.argmax())  # greedy; np.random.default_rng().choice(len(probs), p=probs) samples
        state = {"prev_lit": lit, "prev_diff": diff, "prev_action": np.array(a, np.int64), "colour": colour}
        frame, reward, terminated, truncated, _ = env.step(actions[a])
        score, fresh, done = score + reward, False, terminated or truncated
    return score


if __name__ == "__main__":
    print(play(sys.argv[1]))
