"""Learning-rate schedules, as in PyTorch: ``StepLR``, ``MultiStepLR``, ``ExponentialLR``,
``CosineAnnealingLR``, ``LambdaLR``, ``MultiplicativeLR``, ``ConstantLR``, ``LinearLR``,
``PolynomialLR`` here; ``OneCycleLR``, ``CyclicLR``, ``CosineAnnealingWarmRestarts``
(``_lr_cyclic``) and ``ReduceLROnPlateau``, ``SequentialLR``, ``ChainedScheduler``
(``_lr_compose``) re-exported.

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``; it writes the
new rate into every parameter group's ``"lr"``.
"""

import math
import types
from bisect import bisect_right
from collections import Counter

from chainrule.optim._lr_base import LRScheduler
from chainrule.optim._lr_compose import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from chainrule.optim._lr_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs.

    .. math:: \\alpha_t = \\alpha_0 \\, \\gamma^{\\lfloor t / \\text{step\\_size} \\rfloor}
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not isinstance(step_size, int) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the rate from its initial value to ``eta_min`` along half a cosine.

    .. math:: \\alpha_t = \\eta_{min} + \\tfrac12(\\alpha_0 - \\eta_{min})
        \\left(1 + \\cos\\left(\\pi\\, t / T_{max}\\right)\\right)

    Computed recursively, as PyTorch does, so the values match its to the digit.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and t > 0:
            return [
                eta_min + (base - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                for base in self.base_lrs
            ]
        if (t - 1 - T) % (2 * T) == 0:
            return [
                group["lr"] + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base, group in zip(self.base_lrs, groups)
            ]
        return [
            (1 + math.cos(math.pi * t / T))
            / (1 + math.cos(math.pi * (t - 1) / T))
            * (group["lr"] - eta_min)
            + eta_min
            for group in groups
        ]

    def _get_closed_form_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [
            eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / T)) / 2
            for base in self.base_lrs
        ]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch.

    .. math:: \\alpha_t = \\alpha_0 \\, \\gamma^t
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch listed in ``milestones``.

    .. math:: \\alpha_t = \\alpha_0 \\, \\gamma^{|\\{m \\in \\text{milestones} : m \\le t\\}|}

    A milestone listed twice multiplies by :math:`\\gamma^2`.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return [group["lr"] for group in self.optimizer.param_groups]
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]


class _LambdaState:
    """The state_dict of a scheduler driven by ``lr_lambdas``, as PyTorch keeps it: a plain
    function or lambda is left out (``None``); a callable object keeps its attributes."""

    def _set_lambdas(self, optimizer, lr_lambda):
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        else:
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(
                    f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
                )
            self.lr_lambdas = list(lr_lambda)

    def state_dict(self):
        state = {
            key: value
            for key, value in self.__dict__.items()
            if key not in ("optimizer", "lr_lambdas")
        }
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        lambdas = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state_dict)
        for fn, saved in zip(self.lr_lambdas, lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_LambdaState, LRScheduler):
    """Set the rate to the initial rate times ``lr_lambda(epoch)``.

    .. math:: \\alpha_t = \\alpha_0 \\, \\lambda(t)

    Args:
        lr_lambda: a function of the epoch, or a list of them, one per parameter group.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self._set_lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaState, LRScheduler):
    """Multiply the rate by ``lr_lambda(epoch)`` at every epoch after the first.

    .. math:: \\alpha_t = \\alpha_{t-1} \\, \\lambda(t)

    Args:
        lr_lambda: a function of the epoch, or a list of them, one per parameter group.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self._set_lambdas(optimizer, lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        return [group["lr"] * fn(self.last_epoch) for fn, group in zip(self.lr_lambdas, groups)]


class ConstantLR(LRScheduler):
    """Scale the rate by ``factor`` until epoch ``total_iters``, then restore it.

    .. math:: \\alpha_t = \\alpha_0 \\cdot \\begin{cases} f & t < T \\\\ 1 & t \\ge T
        \\end{cases}

    Args:
        factor: :math:`f`, in [0, 1] (default 1/3).
        total_iters: :math:`T` (default 5).
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if factor > 1.0 or factor < 0:
            raise ValueError(
                f"Constant multiplicative factor expected to be between 0 and 1, got {factor}"
            )
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return [group["lr"] for group in groups]
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _get_closed_form_lr(self):
        reached = self.last_epoch >= self.total_iters
        return [base * (self.factor + reached * (1 - self.factor)) for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the rate polynomially to 0 over ``total_iters`` epochs, then keep it.

    .. math:: \\alpha_t = \\alpha_0 \\left(1 - \\min(t, T) / T\\right)^{p}

    Computed recursively (each rate from the last), as PyTorch does.

    Args:
        total_iters: :math:`T` (default 5).
        power: :math:`p` (default 1.0).
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        t, T = self.last_epoch, self.total_iters
        if self._is_initial or t > T:
            return [group["lr"] for group in groups]
        decay = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [group["lr"] * decay for group in groups]

    def _get_closed_form_lr(self):
        T = self.total_iters
        return [base * (1.0 - min(T, self.last_epoch) / T) ** self.power for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the rate by a factor that moves linearly from ``start_factor`` to ``end_factor``
    over ``total_iters`` epochs, then stays.

    .. math:: \\alpha_t = \\alpha_0 \\left(f_s + (f_e - f_s)\\,
        \\frac{\\min(t, T)}{T}\\right)

    Computed recursively (each rate from the last), as PyTorch does, so that it chains with
    other schedulers and matches PyTorch's values to the digit.

    Args:
        start_factor: :math:`f_s`, in (0, 1] (default 1/3).
        end_factor: :math:`f_e`, in [0, 1] (default 1).
        total_iters: :math:`T`, epochs until the factor reaches ``end_factor`` (default 5).
    """

    def __init__(
        self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1
    ):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                f"equal to 1, got start_factor={start_factor}"
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(
                f"Ending multiplicative factor expected to be between 0 and 1, got "
                f"end_factor={end_factor}"
            )
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        t, f_s, f_e = self.last_epoch, self.start_factor, self.end_factor
        if t == 0:
            return [group["lr"] * f_s for group in groups]
        if self._is_initial or t > self.total_iters:
            return [group["lr"] for group in groups]
        # factor(t) / factor(t - 1), with factor(t) = f_s + (f_e - f_s) t / T
        ratio = 1.0 + (f_e - f_s) / (self.total_iters * f_s + (t - 1) * (f_e - f_s))
        return [group["lr"] * ratio for group in groups]

    def _get_closed_form_lr(self):
        f_s, f_e, T = self.start_factor, self.end_factor, self.total_iters
        return [base * (f_s + (f_e - f_s) * min(T, self.last_epoch) / T) for base in self.base_lrs]
