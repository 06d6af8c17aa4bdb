"""Cyclical learning-rate schedules: ``OneCycleLR``, ``CyclicLR`` and
``CosineAnnealingWarmRestarts`` (re-exported by ``chainrule.optim.lr_scheduler``)."""

import math
import types

from chainrule.optim._lr_base import LRScheduler, _per_group
from chainrule.optim.optimizer import Optimizer


def _set_momentum(group, value, use_beta1):
    """Write ``value`` as the group's ``betas[0]`` (Adam-like) or its ``momentum`` (SGD)."""
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def _momentum_kind(optimizer):
    """True when the optimizer's momentum is ``betas[0]``; raise if it has no momentum."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option "
            f"enabled; {type(optimizer).__name__} has neither"
        )
    return "betas" in optimizer.defaults


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2017): the rate climbs from ``max_lr / div_factor``
    to ``max_lr`` over the first ``pct_start`` of ``total_steps``, then anneals down to
    ``max_lr / div_factor / final_div_factor``; momentum moves the opposite way between
    ``max_momentum`` and ``base_momentum``.  Call ``step()`` after every batch.

    Each phase anneals from its start value :math:`a` to its end value :math:`b` as
    :math:`p` goes from 0 to 1 through the phase:

    .. math:: \\text{cos: } b + \\tfrac{a - b}{2}(1 + \\cos \\pi p), \\qquad
        \\text{linear: } a + (b - a)\\,p

    With ``three_phase=True`` the rate climbs, comes back down symmetrically to its initial
    value, then falls to the minimum (the paper's schedule; the default two phases follow
    fastai).  With ``cycle_momentum`` the optimizer's ``momentum`` (SGD, RMSprop) or
    ``betas[0]`` (Adam) is cycled.

    Args:
        max_lr: the peak rate, or a list with one per parameter group.
        total_steps: the number of steps in the cycle; or give ``epochs`` and
            ``steps_per_epoch`` (``total_steps = epochs * steps_per_epoch``).
        pct_start: the fraction of the cycle spent raising the rate (default 0.3).
        anneal_strategy: ``'cos'`` (default) or ``'linear'``.
        cycle_momentum: cycle the momentum inversely to the rate (default True).
        base_momentum, max_momentum: momentum bounds (defaults 0.85 and 0.95), or lists.
        div_factor: initial rate = ``max_lr / div_factor`` (default 25).
        final_div_factor: minimum rate = initial rate / ``final_div_factor`` (default 1e4).
        three_phase: use the three-phase schedule (default False).
        last_epoch: the index of the last batch, to resume (default -1: start).

    Example:
        >>> sched = OneCycleLR(optimizer, max_lr=0.01, epochs=10, steps_per_epoch=len(loader))
        >>> for epoch in range(10):
        ...     for batch in loader:
        ...         train_batch(...); optimizer.step(); sched.step()
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._anneal_func_type = anneal_strategy
        self._schedule_phases = _one_cycle_phases(self.total_steps, pct_start, three_phase)

        groups = optimizer.param_groups
        max_lrs = _per_group("max_lr", groups, max_lr)
        if last_epoch == -1:
            for group, peak in zip(groups, max_lrs):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_kind(optimizer)
            highs = _per_group("max_momentum", groups, max_momentum)
            lows = _per_group("base_momentum", groups, base_momentum)
            if last_epoch == -1:
                for group, high, low in zip(groups, highs, lows):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        _set_momentum(group, value, self.use_beta1)

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                        self._set_momentum(group, momentum)
                    break
                start_step = end_step
        return lrs


def _total_steps(total_steps, epochs, steps_per_epoch):
    """OneCycleLR's cycle length, from ``total_steps`` or ``epochs * steps_per_epoch``."""
    if total_steps is not None:
        if not isinstance(total_steps, int) or total_steps <= 0:
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        return total_steps
    if epochs is None or steps_per_epoch is None:
        raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
    if not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"Expected positive integer epochs, but got {epochs}")
    if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
        raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
    return epochs * steps_per_epoch


def _one_cycle_phases(total_steps, pct_start, three_phase):
    """The phases of the cycle: the step each ends at and the group keys it anneals between."""

    def phase(end_step, lrs, momenta):
        return {
            "end_step": end_step,
            "start_lr": lrs[0],
            "end_lr": lrs[1],
            "start_momentum": momenta[0],
            "end_momentum": momenta[1],
        }

    warmup_end = float(pct_start * total_steps) - 1
    if three_phase:
        return [
            phase(warmup_end, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum")),
            phase(
                float(2 * pct_start * total_steps) - 2,
                ("max_lr", "initial_lr"),
                ("base_momentum", "max_momentum"),
            ),
            phase(total_steps - 1, ("initial_lr", "min_lr"), ("max_momentum", "max_momentum")),
        ]
    return [
        phase(warmup_end, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum")),
        phase(total_steps - 1, ("max_lr", "min_lr"), ("base_momentum", "max_momentum")),
    ]


class CyclicLR(LRScheduler):
    """Cycle the rate between ``base_lr`` and ``max_lr`` (Smith, 2017); call ``step()``
    after every batch.

    With :math:`c = \\lfloor 1 + t / (u + d) \\rfloor` the cycle and
    :math:`x = 1 + t / (u + d) - c` the position in it (rising while :math:`x \\le r`,
    :math:`r = u / (u + d)`):

    .. math::
        h = \\begin{cases} x / r & x \\le r \\\\ (x - 1) / (r - 1) & \\text{else} \\end{cases},
        \\qquad \\alpha_t = \\alpha_{base} + (\\alpha_{max} - \\alpha_{base})\\, h\\, s

    where the scale :math:`s` is 1 (``'triangular'``), :math:`2^{1-c}` (``'triangular2'``),
    :math:`\\gamma^t` (``'exp_range'``) or ``scale_fn`` of :math:`c` (``scale_mode='cycle'``)
    or of :math:`t` (``'iterations'``).  With ``cycle_momentum`` the momentum (SGD's
    ``momentum``, Adam's ``betas[0]``) moves the other way:
    :math:`\\mu_{max} - (\\mu_{max} - \\mu_{base})\\, h\\, s`.

    Args:
        base_lr, max_lr: the cycle's bounds, or lists with one per parameter group.
        step_size_up: :math:`u`, steps rising (default 2000).
        step_size_down: :math:`d`, steps falling (default: ``step_size_up``).
        mode: ``'triangular'`` (default), ``'triangular2'`` or ``'exp_range'``.
        gamma: the base of ``'exp_range'`` (default 1.0).
        scale_fn: a custom scale, replacing ``mode``; scale_mode: what it is a function of.
        cycle_momentum: cycle the momentum too (default True).
        base_momentum, max_momentum: momentum bounds (defaults 0.8 and 0.9), or lists.
        last_epoch: the index of the last batch, to resume (default -1: start).
    """

    def __init__(
        self,
        optimizer,
        base_lr,
        max_lr,
        step_size_up=2000,
        step_size_down=None,
        mode="triangular",
        gamma=1.0,
        scale_fn=None,
        scale_mode="cycle",
        cycle_momentum=True,
        base_momentum=0.8,
        max_momentum=0.9,
        last_epoch=-1,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        groups = optimizer.param_groups
        base_lrs = _per_group("base_lr", groups, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, groups):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", groups, max_lr)
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(
                f"mode {mode!r} is invalid and scale_fn is None; use 'triangular', "
                "'triangular2', 'exp_range' or pass a scale_fn"
            )
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_mode()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_kind(optimizer)
            self.base_momentums = _per_group("base_momentum", groups, base_momentum)
            self.max_momentums = _per_group("max_momentum", groups, max_momentum)
            if last_epoch == -1:
                for high, low, group in zip(self.max_momentums, self.base_momentums, groups):
                    _set_momentum(group, high, self.use_beta1)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_mode(self):
        """The built-in modes fix what the scale is a function of, as in PyTorch."""
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x):
        """The scale :math:`s` of the cycle's height at cycle (or iteration) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [
            base + (high - base) * height * scale for base, high in zip(self.base_lrs, self.max_lrs)
        ]
        if self.cycle_momentum:
            for group, low, high in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums
            ):
                _set_momentum(group, high - (high - low) * height * scale, self.use_beta1)
        return lrs

    def state_dict(self):
        """Everything but the optimizer; a custom ``scale_fn`` is kept only as the
        attributes of a callable object (a function or lambda may not pickle)."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        fn = state_dict.pop("_scale_fn_custom")
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_mode()


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2017).

    .. math:: \\alpha_t = \\eta_{min} + \\tfrac12(\\alpha_0 - \\eta_{min})
        \\left(1 + \\cos\\left(\\pi\\, T_{cur} / T_i\\right)\\right)

    :math:`T_{cur}` counts epochs since the last restart; each restart multiplies the period
    :math:`T_i` (first :math:`T_0`) by ``T_mult``.  ``step(epoch)`` may be given a fractional
    epoch (e.g. ``epoch + i / iters``, once per batch), and it does not warn.

    Args:
        T_0: steps until the first restart (a positive int).
        T_mult: the period's growth factor at each restart (an int >= 1, default 1).
        eta_min: the lowest rate (default 0).
        last_epoch: the index of the last epoch, to resume (default -1: start).
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [
            self.eta_min
            + (base - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
            for base in self.base_lrs
        ]

    def step(self, epoch=None):
        """Advance one step, or go to ``epoch`` (a float allowed) and restart as it implies."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        elif epoch >= self.T_0:
            if self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:
                # the restart n with T_0 (T_mult^n - 1) / (T_mult - 1) <= epoch
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**n
        else:
            self.T_i = self.T_0
            self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
