"""Same batch, same weights, same shuffles: does pgcli's PPO update equal the reference PPO's?
(docs/studies/sticky.md). Plays one real batch (32 games x 128 steps of ALE/Pong-v5) through pgcli's
collector, then runs pgcli's `PPO.learn` and the reference's update (its lines, in substance) from
the same weights with the same minibatch shuffles, and prints how far apart the weights end up.
    cd docs/runs/sticky && python update_equivalence.py"""
import numpy as np
from pgcli.base.config import Config
from pgcli.base.games import PONG
from pgcli.core import sparse
from pgcli.core.network import Policy
from pgcli.algos.ppo import PPO
from real_batch import make_batch

cfg = Config(algo="ppo", learning_rate=5e-4, seed=3, num_envs=32, rollout_steps=128)
rng = np.random.default_rng(0)
pol = Policy.init(200, rng, value_head=True)
pol.params["Wv"][:] = rng.standard_normal(200) * 0.05
pol.sync()
signed, counts, up, p_old, adv, ret = make_batch(pol, rng)
algo = PPO(cfg, pol, rng, PONG)
state0 = algo.rng.bit_generator.state
P0 = {k: v.copy() for k, v in pol.params.items()}
algo.learn((signed, counts, up, p_old, adv, ret))
mine = {k: v.copy() for k, v in pol.params.items()}

# the reference's update, verbatim in substance
W1T = P0["W1"].T.copy(); W2 = P0["W2"].copy(); Wv = P0["Wv"].copy(); bv = P0["bv"].copy()
m = [np.zeros_like(W1T), np.zeros_like(W2), np.zeros_like(Wv), np.zeros_like(bv)]; v = [np.zeros_like(x) for x in m]; t_adam = 0
rrng = np.random.default_rng(); rrng.bit_generator.state = state0
def sigmoid(x): return 1 / (1 + np.exp(-x))
M = len(counts); offs = np.concatenate([[0], np.cumsum(counts)]); D = 6400
A_f, LP_f, R_f, ADV_f = up.astype(float), np.log(p_old), ret, adv  # p_old: P(the action taken)
lit, slot = np.zeros(D, bool), np.empty(D, np.intp)
for epoch in range(4):
    perm = rrng.permutation(M)
    for idx in np.array_split(perm, 4):
        idx = np.sort(idx)
        sg = np.concatenate([signed[offs[i]:offs[i + 1]] for i in idx]); cnt = counts[idx]
        cols, signs = sparse.decode(sg)
        lit[cols] = True; used = np.flatnonzero(lit); lit[used] = False; slot[used] = np.arange(len(used))
        epx = np.zeros((len(idx), len(used))); epx[np.repeat(np.arange(len(idx)), cnt), slot[cols]] = signs
        hh = np.maximum(epx @ W1T[used], 0); logit = hh @ W2; p = sigmoid(logit); val = hh @ Wv + bv[0]
        y = A_f[idx]; lp = np.where(y > 0, np.log(p + 1e-12), np.log(1 - p + 1e-12))
        ratio = np.exp(lp - LP_f[idx]); ad = ADV_f[idx]; ad = (ad - ad.mean()) / (ad.std() + 1e-8)
        unclipped = (ratio * ad) <= (np.clip(ratio, 0.8, 1.2) * ad); n = len(idx)
        dlogit = (ad * ratio * (y - p) * unclipped + 0.01 * (-logit * p * (1 - p))) / n
        dv = -0.5 * (val - R_f[idx]) / n
        dW2 = hh.T @ dlogit; dWv = hh.T @ dv; dbv = np.array([dv.sum()])
        dh = np.multiply.outer(dlogit, W2) + np.multiply.outer(dv, Wv); dh[hh <= 0] = 0
        dW1u = epx.T @ dh
        gn = np.sqrt((dW1u ** 2).sum() + (dW2 ** 2).sum() + (dWv ** 2).sum() + (dbv ** 2).sum()); sc = min(1.0, 0.5 / (gn + 1e-12))
        t_adam += 1; b1, b2, lr = 0.9, 0.999, 5e-4; c1, c2 = 1 - b1 ** t_adam, 1 - b2 ** t_adam
        for k, (prm, gr) in enumerate([(W2, dW2), (Wv, dWv), (bv, dbv)]):
            gr = gr * sc; m[k + 1] *= b1; m[k + 1] += (1 - b1) * gr; v[k + 1] *= b2; v[k + 1] += (1 - b2) * gr * gr
            prm += lr * (m[k + 1] / c1) / (np.sqrt(v[k + 1] / c2) + 1e-8)
        gr = dW1u * sc; mu, vu = m[0][used], v[0][used]
        mu = b1 * mu + (1 - b1) * gr; vu = b2 * vu + (1 - b2) * gr * gr
        m[0][used], v[0][used] = mu, vu
        W1T[used] += lr * (mu / c1) / (np.sqrt(vu / c2) + 1e-8)
ref = {"W1": W1T.T, "W2": W2, "Wv": Wv, "bv": bv}
for k in ref:
    d0 = np.abs(mine[k] - P0[k]).max(); d = np.abs(mine[k] - ref[k]).max()
    print(f"{k}: moved {d0:.3e}, pgcli vs reference max diff {d:.3e}")
