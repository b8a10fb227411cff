"""Step-size and momentum schedules of the literature's recipes, as functions of the epoch.

Every function maps the 0-based ``epoch`` of a run of ``epochs`` epochs to the value an
optimiser uses throughout that epoch; the training tasks set it at each step, so a run resumed
from a checkpoint takes the same values as an uninterrupted one.

* ``constant``: the base step size every epoch (the study's default).
* ``linear``: decays linearly from the base step to a tenth of it on the last epoch
  (Tieleman 2008 decayed PCD's step linearly to zero; a tenth keeps the last epochs learning).
* ``geometric``: decays geometrically from the base step to a hundredth of it on the last epoch
  (``lr · 0.01^(epoch / (epochs − 1))``): the step falls by the same factor every epoch, so the
  last 15% of a run is below a fiftieth of the base step. A persistent-CD RBM's likelihood follows
  its *current* step: continued at a constant step from the end of a run decayed to a tenth, the
  literature's MNIST RBM read −93 to −99 nats at 0.005 and −88 to −91 at 0.001 (seed 1, five-epoch
  probes), so a run must end with a long stretch of small steps.
* ``burda``: Burda et al. (2016)'s schedule, 8 stages i = 0..7 of 3^i epochs each at
  ``lr · 10^(−i/7)`` (3,280 epochs in all), compressed to ``epochs``: stage i covers the
  same share of the run as of theirs, so most of a run is at the smaller steps, as in theirs.
"""

from __future__ import annotations

from genstudy.errors import ParameterError

#: Burda et al.'s stages: 3^i epochs each, i = 0..7.
BURDA_STAGES = tuple(3**i for i in range(8))
#: The share of the base step a linear decay ends at.
LINEAR_FLOOR = 0.1
#: The share of the base step a geometric decay ends at.
GEOMETRIC_FLOOR = 0.01
SCHEDULES = ("constant", "linear", "geometric", "burda")


def burda_stage(epoch: int, epochs: int) -> int:
    """The stage i of Burda et al.'s schedule that ``epoch`` of ``epochs`` falls in: the first
    stage whose end, as a share of their 3,280 epochs, lies beyond the epoch's middle."""
    middle, total, end = (epoch + 0.5) / epochs, sum(BURDA_STAGES), 0
    for stage, length in enumerate(BURDA_STAGES):
        end += length
        if middle < end / total:
            return stage
    return len(BURDA_STAGES) - 1


def learning_rate(schedule: str, lr: float, epoch: int, epochs: int) -> float:
    """The step size of ``epoch`` (0-based) in a run of ``epochs`` epochs with base step ``lr``."""
    if schedule not in SCHEDULES:
        raise ParameterError("lr_schedule", schedule, SCHEDULES)
    if schedule == "constant" or epochs <= 1:
        return lr
    if schedule == "linear":
        return lr * (1.0 - (1.0 - LINEAR_FLOOR) * min(epoch, epochs - 1) / (epochs - 1))
    if schedule == "geometric":
        return lr * GEOMETRIC_FLOOR ** (min(epoch, epochs - 1) / (epochs - 1))
    return lr * 10.0 ** (-burda_stage(epoch, epochs) / 7.0)


def momentum(initial: float, final: float | None, epoch: int, switch: int) -> float:
    """SGD momentum: ``initial`` for the first ``switch`` epochs, then ``final`` (Hinton's practical
    guide to RBMs, §9: 0.5, then 0.9); ``initial`` throughout without a ``final``."""
    return initial if final is None or epoch < switch else final
