"""`pgcli train --tensorboard DIR`: the run's curves as TensorBoard scalars, W1 as an image.

Needs the optional extra `pgcli[tensorboard]` (tensorboardX). Scalars per episode: running reward,
episode reward, episode length, agent steps/s; per update: the algorithm's statistics (PPO:
value loss, approximate KL, clip fraction, entropy, epochs); every `image_every` updates: the
grid of W1's first 40 neurons, as `pgcli weights` draws it.
"""

from __future__ import annotations

from pathlib import Path

from pgcli.base.errors import PgcliError
from pgcli.core.trainer import EpisodeStats


class TensorBoardLog:
    def __init__(self, logdir: Path, image_every: int = 20):
        try:
            from tensorboardX import SummaryWriter
        except ImportError:
            raise PgcliError("--tensorboard needs tensorboardX: pip install 'pgcli[tensorboard]'") from None
        if Path(logdir).exists() and not Path(logdir).is_dir():
            raise PgcliError(f"{logdir}: exists and is not a folder")
        try:
            self.w = SummaryWriter(str(logdir))
        except OSError as e:
            raise PgcliError(f"{logdir}: cannot write TensorBoard logs there ({e.strerror})") from None
        self.image_every, self.last_update, self.last_image, self.t0 = image_every, None, None, None

    def episode(self, st: EpisodeStats, W1=None) -> None:
        w, step = self.w, st.total_steps
        if self.t0 is None:
            self.t0 = (st.seconds, st.total_steps)
        w.add_scalar("episode/running_reward", st.running_reward, step)
        w.add_scalar("episode/reward", st.reward, step)
        w.add_scalar("episode/length", st.steps, step)
        dt = st.seconds - self.t0[0]
        if dt > 0:
            w.add_scalar("speed/agent_steps_per_s", (st.total_steps - self.t0[1]) / dt, step)
        if st.updates != self.last_update:
            self.last_update = st.updates
            for k, v in st.update.items():
                w.add_scalar(f"update/{k}", v, step)
            due = self.last_image is None or st.updates // self.image_every > self.last_image // self.image_every
            if W1 is not None and due:  # the first update, then every `image_every` updates
                from pgcli.commands.weights import neuron_grid

                self.last_image = st.updates
                w.add_image("weights/W1", neuron_grid(W1[:, :6400], 40, 10, 1), step, dataformats="HWC")  # the difference frame part

    def close(self) -> None:
        self.w.close()
