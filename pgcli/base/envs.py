"""Every Atari environment pgcli plays is built here, with each emulator setting spelled out.

Two back ends give the same interface (`reset(seed)`, `send`/`recv` with same-step
autoreset, full 210x160 frames, so the seed's `prepro` applies unchanged):
- `VectorGames`: ale-py's native C++ `AtariVectorEnv`, used when the frameskip is fixed
  (the default `ALE/Pong-v5`, every `ALE/*-v5`). Its defaults (84x84 resize, frame stacking, max-pooling,
  reward clipping, no-op starts, FIRE reset) are all switched off. Its frames are 210x160
  *grayscale*: a third of the bytes to copy and read, and the same picture for the seed's
  preprocessing, because Pong's two backgrounds (red 144 and 109) are grey 87 and 107 and no
  other colour of the game is (`pgcli.base.screen.Screen` takes both; tests compare them on real
  games). Other games' frames are grey too; their backgrounds are found per game (`pgcli.base.games`).
- `GymGames`: plain `gymnasium.make` environments stepped one after another, for a random
  frameskip (`Pong-v0`, the 2016 setup) and for rendering in a window.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from pgcli.base import games
from pgcli.base.errors import PgcliError



@dataclass(frozen=True)
class EnvSettings:
    """The emulator settings of one game, as recorded in every checkpoint."""

    env_id: str
    game: str
    frameskip: int | tuple[int, int]
    repeat_action_probability: float
    full_action_space: bool
    max_num_frames_per_episode: int
    maxpool: bool = False  # the frame of a step is the max of its last two (`--frame-max`; older checkpoints: no)

    @property
    def mean_frameskip(self) -> float:
        fs = self.frameskip
        return float(fs) if isinstance(fs, int) else (fs[0] + fs[1] - 1) / 2  # [lo, hi)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["frameskip"] = list(self.frameskip) if isinstance(self.frameskip, tuple) else self.frameskip
        return d


def gym_module():
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # no banner on every env
    return gym


def make_gym_env(env_id: str, render_mode: str | None = None, **kwargs):
    """gymnasium.make, minus the noise: Pong-v0 is chosen on purpose (Karpathy's setup), and a
    window without a sound card should not flood stderr with ALSA errors."""
    gym = gym_module()
    if render_mode == "human" and sys.platform.startswith("linux") and not os.path.exists("/dev/snd"):
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is out of date.*")
        return gym.make(env_id, render_mode=render_mode, **kwargs)


def env_settings(env_id: str, sticky_actions: float | None = None) -> EnvSettings:
    """Look up a registered ALE id (or a short name, `breakout`); refuse unknown ids and variants pgcli
    cannot feed (not RGB, or the full action set). `sticky_actions`, if given, replaces the id's
    repeat_action_probability."""
    env_id = game_id(env_id)
    gym = gym_module()
    try:
        spec = gym.spec(env_id)
    except Exception:  # gymnasium raises several error types for a bad id
        raise PgcliError(f"unknown env id {env_id!r} (try ALE/Pong-v5, Pong-v0 or pgcli games)") from None
    kw = spec.kwargs
    game = kw.get("game")
    if not isinstance(game, str) or kw.get("obs_type", "rgb") != "rgb" or kw.get("full_action_space"):
        raise PgcliError(
            f"env {env_id!r} is not an Atari game with RGB frames and the minimal action set "
            "(try the ALE/<Game>-v5 id; pgcli games lists them)"
        )
    fs = kw.get("frameskip", 4)
    return EnvSettings(
        env_id=env_id,
        game=game,
        frameskip=tuple(fs) if isinstance(fs, (tuple, list)) else int(fs),
        repeat_action_probability=float(kw.get("repeat_action_probability", 0.25) if sticky_actions is None
                                        else sticky_actions),
        full_action_space=False,
        max_num_frames_per_episode=int(kw.get("max_num_frames_per_episode", 108000)),
    )


def make_single_env(s: EnvSettings, render_mode: str | None = None):
    """One gymnasium env with exactly the recorded settings (for play, record, render); with
    `maxpool`, it emulates frame by frame and returns each step's max of its last two frames."""
    env = make_gym_env(s.env_id, render_mode, frameskip=1 if s.maxpool else s.frameskip,
                       repeat_action_probability=s.repeat_action_probability,
                       max_num_frames_per_episode=s.max_num_frames_per_episode)
    if s.maxpool:
        from pgcli.base.frame_max import MaxOfLastTwo

        env = MaxOfLastTwo(env, s.frameskip)
    return env


def _ale_vector_env(s: EnvSettings, num_envs: int, num_threads: int, grayscale: bool = True):
    from ale_py.vector_env import AtariVectorEnv

    return AtariVectorEnv(
        s.game,
        num_envs,
        num_threads=num_threads,
        img_height=210,  # full frames, not the 84x84 default
        img_width=160,
        grayscale=grayscale,  # 1 byte a pixel; backgrounds stay distinct (see the module doc)
        stack_num=1,  # no frame stacking: pgcli feeds difference frames instead
        frameskip=s.frameskip,
        maxpool=s.maxpool,  # the max over the last two frames only where asked (`--frame-max`)
        noop_max=0,  # no random no-op starts
        reward_clipping=False,  # scores stay the game's own (learning clips them: pg_math.clip_rewards)
        use_fire_reset=False,
        episodic_life=False,
        repeat_action_probability=s.repeat_action_probability,
        max_num_frames_per_episode=s.max_num_frames_per_episode,
        full_action_space=False,
        autoreset_mode="SameStep",  # a finished game's next frame is the new game's first
    )


def default_groups(num_envs: int) -> int:
    """Two groups that take turns (one if there is one game): while Python handles one, the
    other is emulated. Measured on 2 cores with 32 games (bench, docs/speed.md): 2 groups of 16
    with a thread each reach 0.93 of the raw emulator, 4 groups of 8 0.91, 3 groups 0.81."""
    return 2 if num_envs >= 2 else 1


def default_threads(cores: int, games: int) -> int:
    """Emulator threads per group: one per core (no more than its games), so that while Python
    handles one group (its threads idle) the other group's games use every core. Measured on 2
    cores, 32 games, 2 groups, `pgcli train` steady state, interleaved 25-s runs: 2,916 / 3,003 /
    2,860 agent steps/s with 2 threads a group against 2,661 / 2,673 / 2,857 with 1 (CPU in use
    1.76 cores against 1.69; the raw emulator used 1.86)."""
    return max(1, min(cores, games))


class VectorGames:
    """ale-py's native vector environment, split in groups that step while Python works.

    Each group is its own AtariVectorEnv with its own C++ thread(s). While pgcli computes the
    next actions of one group, the other groups' games are being emulated; groups take turns
    in a fixed order, so runs stay deterministic (unlike ale-py's async `batch_size` mode,
    which returns whichever games finish first). Each group has a thread per core, so while
    Python works on one group the other group's games keep every core busy. Sub-environment i
    (counted across groups) is seeded with seed + i.
    """

    def __init__(self, s: EnvSettings, num_envs: int, groups: int | None = None, grayscale: bool = True,
                 threads: int | None = None):
        cores = os.cpu_count() or 1
        k = groups or default_groups(num_envs)
        k = max(1, min(k, num_envs))
        sizes = [num_envs // k + (g < num_envs % k) for g in range(k)]
        self.groups = sizes
        self.num_envs = num_envs
        self.envs = [_ale_vector_env(s, n, threads or default_threads(cores, n), grayscale) for n in sizes]
        self.lives = [np.zeros(n, np.int64) for n in sizes]
        self.lost = [np.zeros(n, bool) for n in sizes]

    def reset(self, seed: int) -> list[np.ndarray]:
        """Seeded resets reload the ROM (~0.1 s a game): the groups reset side by side."""
        firsts = np.cumsum([0] + self.groups[:-1])

        def one(g: int) -> np.ndarray:
            seeds = np.arange(seed + firsts[g], seed + firsts[g] + self.groups[g], dtype=np.int64) % 2**31
            obs, info = self.envs[g].reset(seed=seeds)
            self.lives[g] = np.asarray(info["lives"], np.int64)
            return obs[:, 0]  # (n, 210, 160) grey or (n, 210, 160, 3) RGB

        if len(self.envs) == 1:
            return [one(0)]
        with ThreadPoolExecutor(len(self.envs)) as pool:  # ale-py lets go of the GIL while resetting
            return list(pool.map(one, range(len(self.envs))))

    def send(self, g: int, actions: np.ndarray) -> None:
        self.envs[g].send(actions.astype(np.int64, copy=False))

    def recv(self, g: int):
        obs, reward, term, trunc, info = self.envs[g].recv()
        done, lives = term | trunc, np.asarray(info["lives"], np.int64)
        self.lost[g], self.lives[g] = (lives < self.lives[g]) & ~done, lives
        return obs[:, 0], reward.astype(np.float64), done

    def lives_lost(self, g: int) -> np.ndarray:
        """Which of group g's games lost a life, without ending, in the last step."""
        return self.lost[g]

    def close(self) -> None:
        for env in self.envs:
            env.close()


class GymGames:
    """N `gymnasium.make` environments stepped in turn (random frameskip, or a render window)."""

    def __init__(self, s: EnvSettings, num_envs: int, render_mode: str | None = None):
        self.num_envs = num_envs
        self.groups = [num_envs]
        self.envs = [make_single_env(s, render_mode) for _ in range(num_envs)]
        self._actions = None
        self.lives = np.zeros(num_envs, np.int64)
        self.lost = np.zeros(num_envs, bool)

    def reset(self, seed: int) -> list[np.ndarray]:
        out = [e.reset(seed=(seed + i) % 2**31) for i, e in enumerate(self.envs)]
        self.lives[:] = [info.get("lives", 0) for _, info in out]
        return [np.stack([obs for obs, _ in out])]

    def send(self, g: int, actions: np.ndarray) -> None:
        self._actions = actions

    def recv(self, g: int):
        frames, rewards, dones = [], np.zeros(self.num_envs), np.zeros(self.num_envs, bool)
        for i, (e, a) in enumerate(zip(self.envs, self._actions)):
            obs, r, term, trunc, info = e.step(int(a))
            rewards[i], dones[i] = r, term or trunc
            lives = info.get("lives", 0)
            self.lost[i] = lives < self.lives[i] and not dones[i]
            if dones[i]:
                obs, info = e.reset()  # same-step autoreset, continuing the env's own RNG
                lives = info.get("lives", 0)
            self.lives[i] = lives
            frames.append(obs)
        return np.stack(frames), rewards, dones

    def lives_lost(self, g: int) -> np.ndarray:
        """Which games lost a life, without ending, in the last step."""
        return self.lost

    def close(self) -> None:
        for e in self.envs:
            e.close()


def make_env(s: EnvSettings, num_envs: int, render_mode: str | None = None):
    """The fastest back end that honours the settings: native vector env unless it can't."""
    if render_mode is None and isinstance(s.frameskip, int):
        return VectorGames(s, num_envs)
    return GymGames(s, num_envs, render_mode=render_mode)


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).lower()


@functools.lru_cache(maxsize=1)
def registry() -> dict[str, str]:
    """Every ALE v5 game gymnasium knows after `ale_py` registers them: short name -> id."""
    gym = gym_module()
    return {gym.spec(k).kwargs["game"]: k for k in sorted(gym.registry)
            if k.startswith("ALE/") and k.endswith("-v5") and "game" in gym.spec(k).kwargs}


def game_id(name_or_id: str) -> str:
    """`breakout`, `Breakout`, `video-pinball` or an id -> a gymnasium id; one line if unknown."""
    if "/" in name_or_id or "-v" in name_or_id:
        return name_or_id
    key = _snake(name_or_id).replace("-", "_")
    ids = registry()
    if key not in ids:
        close = [n for n in ids if n.startswith(key[:3])][:5]
        hint = f" (did you mean {', '.join(close)}?)" if close else " (pgcli games lists them)"
        raise PgcliError(f"unknown game {name_or_id!r}{hint}")
    return ids[key]


def catalogue() -> list[tuple[str, str, int]]:
    """(short name, id, actions the policy picks from) of every game, for `pgcli games`."""
    out = []
    for name, gid in registry().items():
        try:
            out.append((name, gid, games.for_rom(name).n_actions))
        except PgcliError:
            out.append((name, gid, 0))  # listed, marked as not loadable
    return out
