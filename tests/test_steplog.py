"""The step log hands back exactly each game's steps, in little memory, however games interleave."""

import numpy as np

from pgcli.core import sparse
from pgcli.core.steplog import StepLog


def random_step(rng, n, density):
    """n games' difference frames for one step: -1/0/+1, about `density` of the pixels lit."""
    return ((rng.random((n, 6400)) < density) * rng.choice([-1, 1], (n, 6400))).astype(np.int8)


def test_episodes_come_back_exactly_while_games_interleave():
    rng = np.random.default_rng(0)
    n = 5
    log = StepLog(n, rows=8)  # tiny, so dropping old rows and growing both happen many times
    mine = [[] for _ in range(n)]  # what each game's current episode should hold
    finished = 0
    for t in range(3000):
        X = random_step(rng, n, rng.choice([0.001, 0.004, 0.02]))
        X[rng.random(n) < 0.1] = 0  # some steps light no pixel at all
        signed, counts = sparse.encode(X)
        up = rng.random(n) < 0.5
        r = rng.choice([0.0, 0.0, 0.0, 1.0, -1.0], n)
        log.add(signed, counts, up)
        log.reward(r)
        for i in range(n):
            mine[i].append((X[i], up[i], r[i]))
        for i in np.flatnonzero(rng.random(n) < 0.01):
            if i == 0 and t < 2000:  # game 0 plays one very long episode: the log must grow
                continue
            got_signed, got_counts, got_y, got_r = log.episode(i)
            want_X = np.array([s[0] for s in mine[i]])
            want_signed, want_counts = sparse.encode(want_X)
            assert np.array_equal(got_signed, want_signed)
            assert np.array_equal(got_counts, want_counts)
            assert np.array_equal(got_y, [s[1] for s in mine[i]])
            assert np.array_equal(got_r, np.array([s[2] for s in mine[i]], np.float32))
            mine[i] = []
            finished += 1
    assert finished > 50


def test_memory_follows_the_games_in_flight():
    rng = np.random.default_rng(1)
    n = 4
    log = StepLog(n, rows=64)
    peak_held = peak_capacity = 0
    for t in range(20000):
        X = random_step(rng, n, 66 / 6400)  # the most lit pixels seen in Pong
        signed, counts = sparse.encode(X)
        log.add(signed, counts, rng.random(n) < 0.5)
        log.reward(np.zeros(n))
        if t % 500 == 499:
            for i in range(n):
                log.episode(i)
        peak_held = max(peak_held, log.held()[1])
        peak_capacity = max(peak_capacity, log.capacity_bytes)
        assert log.bytes_per_step < 1024  # <= 1 KB per stored step (dense float64 would be 51,200)
    assert peak_held > 500 * n * 100  # 500 steps of 4 games, ~130 bytes each, were in flight
    assert peak_capacity <= 4 * peak_held  # 40 episodes did not pile up: only games in flight count


def test_completed_points_are_the_steps_up_to_the_last_point():
    rng = np.random.default_rng(1)
    log = StepLog(3, rows=4)
    frames, rewards = [], [[0, 0, 0], [0, 1, 0], [0, 0, 0], [0, -1, 0], [-1, 0, 0], [0, 0, 0]]
    for r in rewards:
        X = random_step(rng, 3, 0.004)
        frames.append(X)
        log.add(*sparse.encode(X), rng.random(3) < 0.5)
        log.reward(np.array(r, float))
    assert log.completed_points(2) is None  # scored nothing yet: nothing is complete
    signed, counts, y, r = log.completed_points(1)  # rows 0..3: its last point ended at row 3
    assert np.array_equal(r, [0, 1, 0, -1]) and len(counts) == 4
    assert np.array_equal(signed, sparse.encode(np.array([f[1] for f in frames[:4]]))[0])
    assert np.array_equal(log.completed_points(0)[3], [0, 0, 0, 0, -1])
    assert log.completed_points(1) is None  # taken: the unfinished point (rows 4, 5) stays


def test_scores_hand_out_each_ended_game_once_and_start_it_again():
    from pgcli.core.scores import Finished, Scores

    s = Scores(3)
    assert s.add(np.array([1.0, -1.0, 0.0]), np.zeros(3, bool)) == []
    out = s.add(np.array([2.0, 0.0, -1.0]), np.array([True, False, True]), playing=np.array([True, True, False]))
    assert out == [Finished(0, 2, 2, 0, 3.0)]  # game 2 ended but is not playing: not counted
    assert list(s.count[:, 0]) == [0, 0, 0] and s.score[0] == 0  # game 0 starts again
    assert s.add(np.array([0.0, 0.0, 0.0]), np.array([False, True, False])) == [Finished(1, 3, 0, 1, -1.0)]
