"""ConstantLR, MultiplicativeLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR,
SequentialLR and ChainedScheduler (and the older schedules, through them) give PyTorch's
rates and momenta at every step, get_last_lr included, and resume from a state_dict exactly."""

import copy

import numpy as np
import pytest
import torch

import chainrule

STEPS = 60


class Decay:
    """A callable object: PyTorch keeps its attributes in the state_dict."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, epoch):
        return self.factor if epoch % 3 else 1.0


def _optimizer(lib, kind):
    a, b = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(1))
    groups = [{"params": [a]}, {"params": [b], "lr": 0.3}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _row(opt, sched):
    row = list(sched.get_last_lr())
    assert row == [group["lr"] for group in opt.param_groups]
    for group in opt.param_groups:
        row.append(group["betas"][0] if "betas" in group else group["momentum"])
    return row


def _curve(lib, make, kind, steps=STEPS):
    opt = _optimizer(lib, kind)
    sched = make(lib, opt)
    rows = [_row(opt, sched)]
    for _ in range(steps):
        opt.step()
        sched.step()
        rows.append(_row(opt, sched))
    return np.array(rows, dtype=np.float64)


def _s(lib):
    return lib.optim.lr_scheduler


CASES = {
    "constant_default": (lambda lib, o: _s(lib).ConstantLR(o), "sgd"),
    "constant": (lambda lib, o: _s(lib).ConstantLR(o, factor=0.25, total_iters=7), "sgd"),
    "multiplicative": (lambda lib, o: _s(lib).MultiplicativeLR(o, lambda e: 0.95), "sgd"),
    "multiplicative_list": (
        lambda lib, o: _s(lib).MultiplicativeLR(o, [Decay(0.9), lambda e: 0.99]),
        "sgd",
    ),
    "polynomial_default": (lambda lib, o: _s(lib).PolynomialLR(o), "sgd"),
    "polynomial": (lambda lib, o: _s(lib).PolynomialLR(o, total_iters=40, power=2.0), "adam"),
    "warm_restarts": (lambda lib, o: _s(lib).CosineAnnealingWarmRestarts(o, T_0=7), "sgd"),
    "warm_restarts_mult": (
        lambda lib, o: _s(lib).CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
        "sgd",
    ),
    "cyclic_triangular_sgd": (
        lambda lib, o: _s(lib).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
        "sgd",
    ),
    "cyclic_triangular2_adam": (
        lambda lib, o: _s(lib).CyclicLR(
            o,
            base_lr=[0.01, 0.02],
            max_lr=[0.1, 0.5],
            step_size_up=4,
            step_size_down=9,
            mode="triangular2",
            base_momentum=0.85,
            max_momentum=0.95,
        ),
        "adam",
    ),
    "cyclic_exp_range": (
        lambda lib, o: _s(lib).CyclicLR(
            o, base_lr=0.001, max_lr=0.1, step_size_up=6, mode="exp_range", gamma=0.97
        ),
        "sgd",
    ),
    "cyclic_custom_scale": (
        lambda lib, o: _s(lib).CyclicLR(
            o,
            0.01,
            0.1,
            step_size_up=3,
            scale_fn=lambda x: 1 / (1 + x),
            scale_mode="iterations",
            cycle_momentum=False,
        ),
        "adam",
    ),
    "sequential_warmup_cosine": (
        lambda lib, o: _s(lib).SequentialLR(
            o,
            [
                _s(lib).LinearLR(o, start_factor=0.1, total_iters=5),
                _s(lib).CosineAnnealingLR(o, T_max=30),
            ],
            milestones=[5],
        ),
        "sgd",
    ),
    "sequential_three": (
        lambda lib, o: _s(lib).SequentialLR(
            o,
            [
                _s(lib).ConstantLR(o, factor=0.5, total_iters=3),
                _s(lib).ExponentialLR(o, gamma=0.9),
                _s(lib).StepLR(o, step_size=4, gamma=0.5),
            ],
            milestones=[8, 20],
        ),
        "adam",
    ),
    "sequential_multistep_polynomial": (
        lambda lib, o: _s(lib).SequentialLR(
            o,
            [
                _s(lib).MultiStepLR(o, milestones=[2, 4], gamma=0.5),
                _s(lib).PolynomialLR(o, total_iters=20, power=1.5),
            ],
            milestones=[6],
        ),
        "sgd",
    ),
    "chained": (
        lambda lib, o: _s(lib).ChainedScheduler(
            [_s(lib).ConstantLR(o, factor=0.1, total_iters=4), _s(lib).ExponentialLR(o, 0.95)]
        ),
        "sgd",
    ),
    "chained_lambda_cosine": (
        lambda lib, o: _s(lib).ChainedScheduler(
            [
                _s(lib).LambdaLR(o, lambda e: 1 / (1 + e)),
                _s(lib).CosineAnnealingLR(o, T_max=10, eta_min=0.001),
            ],
            optimizer=o,
        ),
        "adam",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rates_match_torch(case):
    make, kind = CASES[case]
    ours, theirs = _curve(chainrule, make, kind), _curve(torch, make, kind)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert np.ptp(ours[:, 0]) > 0  # the rate changed


@pytest.mark.parametrize("case", sorted(CASES))
def test_state_dict_resumes_exactly(case):
    make, kind = CASES[case]
    opt = _optimizer(chainrule, kind)
    sched = make(chainrule, opt)
    for _ in range(23):
        opt.step()
        sched.step()
    saved_opt, saved_sched = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    opt = _optimizer(chainrule, kind)
    sched = make(chainrule, opt)
    opt.load_state_dict(saved_opt)
    sched.load_state_dict(saved_sched)
    rows = []
    for _ in range(STEPS - 23):
        opt.step()
        sched.step()
        rows.append(_row(opt, sched))
    np.testing.assert_allclose(rows, _curve(torch, make, kind)[24:], rtol=1e-12, atol=1e-15)


def test_callable_object_lambdas_keep_their_state():
    for lib in (chainrule, torch):
        opt = _optimizer(lib, "sgd")
        sched = lib.optim.lr_scheduler.MultiplicativeLR(opt, [Decay(0.5), lambda e: 1.0])
        state = sched.state_dict()
        assert state["lr_lambdas"] == [{"factor": 0.5}, None]
        other = lib.optim.lr_scheduler.MultiplicativeLR(opt, [Decay(0.1), lambda e: 1.0])
        other.load_state_dict(state)
        assert other.lr_lambdas[0].factor == 0.5


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_fractional_epochs_match_torch(T_mult):
    """step(epoch + i / iters) once per batch, and jumps back and forth between epochs."""
    epochs = [e + i / 4 for e in range(12) for i in range(4)] + [30.5, 2.25, 0, 17, 3.75]
    rows = []
    for lib in (chainrule, torch):
        opt = _optimizer(lib, "sgd")
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            opt, T_0=2, T_mult=T_mult, eta_min=0.005
        )
        rows.append([])
        for epoch in epochs:
            opt.step()
            sched.step(epoch)
            rows[-1].append(sched.get_last_lr() + [sched.T_cur, sched.T_i, sched.last_epoch])
    np.testing.assert_allclose(rows[0], rows[1], rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="non-negative epoch"):
        sched.step(-1)


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("StepLR", {"step_size": 3, "gamma": 0.5}),
        ("MultiStepLR", {"milestones": [2, 5, 5], "gamma": 0.5}),
        ("ExponentialLR", {"gamma": 0.9}),
        ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01}),
        ("LinearLR", {"start_factor": 0.2, "total_iters": 6}),
        ("ConstantLR", {"factor": 0.5, "total_iters": 4}),
        ("PolynomialLR", {"total_iters": 8, "power": 2.0}),
        ("LambdaLR", {"lr_lambda": lambda e: 0.9**e}),
    ],
)
def test_step_with_epoch_warns_and_uses_the_closed_form(name, kwargs):
    rows = []
    for lib in (chainrule, torch):
        opt = _optimizer(lib, "sgd")
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
        rows.append([])
        for epoch in (3, 7, 1, 12, 5):
            opt.step()
            with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
                sched.step(epoch)
            rows[-1].append(sched.get_last_lr())
    np.testing.assert_allclose(rows[0], rows[1], rtol=1e-12)


def test_every_torch_scheduler_exists():
    names = [n for n in torch.optim.lr_scheduler.__all__ if n not in ("LRScheduler", "SWALR")]
    missing = [n for n in names if not hasattr(chainrule.optim.lr_scheduler, n)]
    assert missing == []


def test_errors_match_torch():
    for lib in (chainrule, torch):
        s, opt = lib.optim.lr_scheduler, _optimizer(lib, "sgd")
        with pytest.raises(ValueError, match="between 0 and 1"):
            s.ConstantLR(opt, factor=1.5)
        with pytest.raises(ValueError, match="positive integer T_0"):
            s.CosineAnnealingWarmRestarts(opt, T_0=0)
        with pytest.raises(ValueError, match="T_mult >= 1"):
            s.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
        with pytest.raises(ValueError, match="mode is invalid|is invalid"):
            s.CyclicLR(opt, 0.01, 0.1, mode="sawtooth")
        with pytest.raises(ValueError, match="max_lr must have the same length"):
            s.CyclicLR(opt, 0.01, [0.1, 0.2, 0.3])
        with pytest.raises(ValueError, match="one more than the number of milestone"):
            s.SequentialLR(opt, [s.ConstantLR(opt), s.ConstantLR(opt)], milestones=[1, 2])
        with pytest.raises(ValueError, match="ReduceLROnPlateau"):
            s.ChainedScheduler([s.ReduceLROnPlateau(opt)])
        with pytest.raises(TypeError, match="should be a function"):
            s.MultiplicativeLR(opt, 0.5)
    adagrad = chainrule.optim.Adagrad([chainrule.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="momentum or beta1"):
        chainrule.optim.lr_scheduler.CyclicLR(adagrad, 0.01, 0.1)
