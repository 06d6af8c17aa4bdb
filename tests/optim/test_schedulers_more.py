"""LinearLR and OneCycleLR give PyTorch's rates (and momenta) to 1e-12; every scheduler here
resumes from its state_dict exactly where it left off."""

import numpy as np
import pytest
import torch

import chainrule
from chainrule import nn, optim
from chainrule.optim import lr_scheduler


def _optimizer(lib, kind="sgd", two_groups=False):
    a, b = lib.nn.Parameter(lib.zeros(1)), lib.nn.Parameter(lib.zeros(1))
    groups = [{"params": [a]}, {"params": [b], "lr": 0.3}] if two_groups else [a, b]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    if kind == "rmsprop":
        return lib.optim.RMSprop(groups, lr=0.1, momentum=0.5)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _curves(lib, make, kind="sgd", two_groups=False, steps=30):
    """Each group's rate and momentum (``momentum`` or ``betas[0]``) after every step."""
    opt = _optimizer(lib, kind, two_groups)
    sched = make(lib, opt)
    rows = []

    def record():
        row = []
        for group in opt.param_groups:
            momentum = group["betas"][0] if "betas" in group else group.get("momentum")
            row += [group["lr"], momentum]
        rows.append(row)

    record()
    for _ in range(steps):
        opt.step()
        sched.step()
        record()
    assert sched.get_last_lr() == [group["lr"] for group in opt.param_groups]
    return np.array(rows, dtype=np.float64)


def _linear(**kw):
    return lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, **kw)


def _one_cycle(**kw):
    return lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, **kw)


CASES = {
    "linear_default": (_linear(), "sgd", False, 30),
    "linear_warmup": (_linear(start_factor=0.05, total_iters=12), "sgd", True, 30),
    "linear_decay": (_linear(start_factor=1.0, end_factor=0.1, total_iters=20), "adam", True, 30),
    "linear_to_zero": (_linear(start_factor=0.5, end_factor=0.0, total_iters=8), "sgd", False, 12),
    "onecycle_cos_sgd": (_one_cycle(max_lr=0.5, total_steps=40), "sgd", False, 40),
    "onecycle_linear_sgd": (
        _one_cycle(max_lr=0.5, total_steps=37, anneal_strategy="linear", pct_start=0.25),
        "sgd", False, 37,
    ),
    "onecycle_adam_betas": (
        _one_cycle(max_lr=[0.2, 0.4], epochs=5, steps_per_epoch=7, div_factor=10.0,
                   final_div_factor=100.0, base_momentum=0.8, max_momentum=0.92),
        "adam", True, 35,
    ),
    "onecycle_three_phase": (
        _one_cycle(max_lr=1.0, total_steps=50, three_phase=True, pct_start=0.2,
                   base_momentum=[0.7, 0.75], max_momentum=[0.9, 0.95]),
        "sgd", True, 50,
    ),
    "onecycle_rmsprop": (_one_cycle(max_lr=0.3, total_steps=20), "rmsprop", False, 20),
    "onecycle_no_momentum": (
        _one_cycle(max_lr=0.3, total_steps=25, cycle_momentum=False, anneal_strategy="linear"),
        "sgd", False, 25,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_rates_and_momenta_match_torch(name):
    make, kind, two_groups, steps = CASES[name]
    ours = _curves(chainrule, make, kind, two_groups, steps)
    theirs = _curves(torch, make, kind, two_groups, steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15, err_msg=name)
    assert np.ptp(ours[:, 0]) > 0  # the schedule moved the rate


def test_one_cycle_cycles_momentum_and_sets_group_keys():
    opt = _optimizer(chainrule, "sgd")
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    group = opt.param_groups[0]
    assert group["initial_lr"] == 1.0 / 25 and group["max_lr"] == 1.0
    assert group["min_lr"] == 1.0 / 25 / 1e4
    assert group["momentum"] == 0.95 and group["max_momentum"] == 0.95
    assert group["base_momentum"] == 0.85
    for _ in range(10):
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of total"):
        sched.step()


def test_one_cycle_errors_match_torch():
    for lib in (chainrule, torch):
        opt = _optimizer(lib)
        schedulers = lib.optim.lr_scheduler
        with pytest.raises(ValueError, match="You must define either total_steps OR"):
            schedulers.OneCycleLR(opt, max_lr=1.0)
        with pytest.raises(ValueError, match="Expected positive integer total_steps, but got 0"):
            schedulers.OneCycleLR(opt, max_lr=1.0, total_steps=0)
        with pytest.raises(ValueError, match="Expected positive integer epochs, but got -1"):
            schedulers.OneCycleLR(opt, max_lr=1.0, epochs=-1, steps_per_epoch=2)
        with pytest.raises(ValueError, match="Expected float between 0 and 1 pct_start"):
            schedulers.OneCycleLR(opt, max_lr=1.0, total_steps=5, pct_start=1.5)
        with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
            schedulers.OneCycleLR(opt, max_lr=1.0, total_steps=5, anneal_strategy="exp")
        with pytest.raises(ValueError, match="max_lr must have the same length"):
            schedulers.OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=5)
        with pytest.raises(TypeError, match="is not an Optimizer"):
            schedulers.OneCycleLR(object(), max_lr=1.0, total_steps=5)
        with pytest.raises(ValueError, match="Starting multiplicative factor"):
            schedulers.LinearLR(opt, start_factor=0)
        with pytest.raises(ValueError, match="Ending multiplicative factor"):
            schedulers.LinearLR(opt, end_factor=1.5)
    opt = optim.Adagrad([nn.Parameter(chainrule.zeros(1))])  # no momentum, no betas
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)
    lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5, cycle_momentum=False)


RESUMABLE = {
    "step": (lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5), "sgd"),
    "cosine": (
        lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=7, eta_min=0.01),
        "sgd",
    ),
    "linear": (_linear(start_factor=0.1, total_iters=9), "sgd"),
    "onecycle": (_one_cycle(max_lr=0.5, total_steps=20, three_phase=True), "adam"),
}


@pytest.mark.parametrize("name", sorted(RESUMABLE))
def test_state_dict_round_trip_resumes_the_schedule(name):
    """8 steps, then a new optimizer and scheduler load both state dicts and take 8 more: the
    rates and momenta are those of 16 uninterrupted steps, which are torch's."""
    make, kind = RESUMABLE[name]
    straight = _curves(chainrule, make, kind, two_groups=True, steps=16)
    np.testing.assert_allclose(
        straight, _curves(torch, make, kind, two_groups=True, steps=16), rtol=1e-12, atol=1e-15
    )

    opt = _optimizer(chainrule, kind, two_groups=True)
    sched = make(chainrule, opt)
    for _ in range(8):
        opt.step()
        sched.step()
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    assert "optimizer" not in saved_sched and saved_sched["last_epoch"] == 8

    opt2 = _optimizer(chainrule, kind, two_groups=True)
    sched2 = make(chainrule, opt2)  # created before loading, as PyTorch advises
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    resumed = []
    for _ in range(8):
        opt2.step()
        sched2.step()
        row = []
        for group in opt2.param_groups:
            row += [group["lr"], group["betas"][0] if "betas" in group else group["momentum"]]
        resumed.append(row)
    np.testing.assert_array_equal(np.array(resumed), straight[9:])
