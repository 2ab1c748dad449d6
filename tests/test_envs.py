"""The emulator back ends give the seed's input: grey frames from ale-py's vector env carry the
same picture as the RGB frames the seed's `prepro` was written for (real ALE Pong)."""

import pytest

import numpy as np

from pgcli.base.screen import Screen
from pgcli.base.games import PONG

from pgcli.core import pg_math
from pgcli.base.envs import VectorGames, env_settings


@pytest.mark.ale
def test_grey_frames_give_the_seeds_difference_frames():
    s = env_settings("ALE/Pong-v5")
    rgb, grey = VectorGames(s, 4, grayscale=False), VectorGames(s, 4, grayscale=True)
    try:
        fr, fg = rgb.reset(seed=3), grey.reset(seed=3)
        rng = np.random.default_rng(0)
        points = lit = 0
        for t in range(600):
            for g, n in enumerate(rgb.groups):
                a, b = fr[g], fg[g]
                assert a.shape == (n, 210, 160, 3) and b.shape == (n, 210, 160)
                red = a[..., 0]
                # one-to-one: a pixel is background in grey exactly when it is in the red channel
                assert np.array_equal(np.isin(red, (144, 109)), np.isin(b, PONG.grey_background))
                x = Screen(PONG, b)(b)
                assert np.array_equal(x, Screen(PONG, a)(a))
                if t % 150 == 0:  # and both equal the seed's own prepro, frame by frame
                    for i in range(n):
                        assert np.array_equal(x[i], pg_math.prepro(a[i]))
                lit += int(x.sum())
                actions = rng.integers(2, 4, n)
                rgb.send(g, actions)
                grey.send(g, actions)
                fr[g], r1, d1 = rgb.recv(g)
                fg[g], r2, d2 = grey.recv(g)
                assert np.array_equal(r1, r2) and np.array_equal(d1, d2)
                points += int(np.count_nonzero(r1))
        assert points > 10 and lit > 4 * 600 * 10  # real play: points scored, paddles and ball lit
    finally:
        rgb.close()
        grey.close()


@pytest.mark.ale
def test_layouts():
    """The default splits games in 2 groups that take turns; an explicit layout is kept,
    so the benchmark's "1 vector env" really is one."""
    from pgcli.base.envs import default_groups

    assert [default_groups(n) for n in (1, 2, 8, 16, 24, 32, 64)] == [1, 2, 2, 2, 2, 2, 2]
    env = VectorGames(env_settings("ALE/Pong-v5"), 6, groups=1)
    try:
        assert env.groups == [6] and len(env.envs) == 1
    finally:
        env.close()
    env = VectorGames(env_settings("ALE/Pong-v5"), 10)
    try:
        assert env.groups == [5, 5]
    finally:
        env.close()


def _paddle_frames(sticky: float, actions: list[int]) -> np.ndarray:
    env = VectorGames(env_settings("ALE/Pong-v5", sticky), 1)
    try:
        env.reset(seed=5)
        frames = []
        for a in actions:
            env.send(0, np.array([a]))
            frames.append(env.recv(0)[0][0])
        return np.stack(frames)
    finally:
        env.close()


@pytest.mark.ale
def test_sticky_actions_reach_the_emulator():
    """--sticky-actions sets ALE's repeat_action_probability: at 1 the emulator keeps repeating
    its first action (NOOP) whatever the agent sends, at 0 UP and DOWN move the paddle apart."""
    assert env_settings("ALE/Pong-v5").repeat_action_probability == 0.25
    assert env_settings("Pong-v0").repeat_action_probability == 0.25
    assert env_settings("ALE/Pong-v5", 0.0).repeat_action_probability == 0.0
    ups, downs = [2] * 40, [3] * 40
    assert np.array_equal(_paddle_frames(1.0, ups), _paddle_frames(1.0, downs))
    assert not np.array_equal(_paddle_frames(0.0, ups)[-1], _paddle_frames(0.0, downs)[-1])
