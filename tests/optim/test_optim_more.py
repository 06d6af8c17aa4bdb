"""RMSprop, Adagrad and the further schedulers follow PyTorch to the digit (float64)."""

import math

import numpy as np
import pytest
import torch
from test_optim_parity import _assert_same_training, _lr_curve, _run

import chainrule
from chainrule import nn, optim
from chainrule.optim import lr_scheduler

RMSPROP_CONFIGS = {
    "default": {},
    "alpha_eps": {"lr": 3e-3, "alpha": 0.9, "eps": 1e-6},
    "weight_decay": {"lr": 5e-3, "weight_decay": 1e-2},
    "momentum": {"lr": 2e-3, "momentum": 0.9},
    "centered": {"lr": 5e-3, "centered": True},
    "all": {"lr": 1e-3, "alpha": 0.95, "weight_decay": 1e-3, "momentum": 0.5, "centered": True},
}


@pytest.mark.parametrize("config", sorted(RMSPROP_CONFIGS))
def test_rmsprop_matches_torch(config):
    kwargs = RMSPROP_CONFIGS[config]
    _assert_same_training(
        lambda p: optim.RMSprop(p, **kwargs),
        lambda p: torch.optim.RMSprop(p, foreach=False, **kwargs),
    )


ADAGRAD_CONFIGS = {
    "default": {},
    "lr_decay": {"lr": 0.05, "lr_decay": 0.01},
    "weight_decay": {"lr": 0.05, "weight_decay": 1e-2},
    "initial_accumulator": {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-6},
    "all": {"lr": 0.05, "lr_decay": 1e-3, "weight_decay": 1e-3, "initial_accumulator_value": 0.5},
}


@pytest.mark.parametrize("config", sorted(ADAGRAD_CONFIGS))
def test_adagrad_matches_torch(config):
    kwargs = ADAGRAD_CONFIGS[config]
    _assert_same_training(
        lambda p: optim.Adagrad(p, **kwargs),
        lambda p: torch.optim.Adagrad(p, foreach=False, **kwargs),
    )


@pytest.mark.parametrize("cls", ["RMSprop", "Adagrad"])
def test_maximize_matches_torch(cls):
    # Ascent on cross-entropy does not learn, so compare the curves and weights only.
    losses_ours, losses_theirs, ours, theirs = _run(
        lambda p: getattr(optim, cls)(p, lr=1e-3, maximize=True),
        lambda p: getattr(torch.optim, cls)(p, lr=1e-3, maximize=True, foreach=False),
    )
    np.testing.assert_allclose(losses_ours, losses_theirs, rtol=1e-8)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.detach().numpy(),
            theirs_params[name].detach().numpy(),
            rtol=1e-8,
            atol=1e-12,
            err_msg=name,
        )


def test_optimizer_state_names_match_torch():
    for cls, kwargs in (("RMSprop", {"momentum": 0.9, "centered": True}), ("Adagrad", {})):
        ours = nn.Parameter(chainrule.ones(3))
        theirs = torch.nn.Parameter(torch.ones(3))
        opt_ours = getattr(optim, cls)([ours], **kwargs)
        opt_theirs = getattr(torch.optim, cls)([theirs], foreach=False, **kwargs)
        (ours * ours).sum().backward()
        (theirs * theirs).sum().backward()
        opt_ours.step()
        opt_theirs.step()
        assert set(opt_ours.state[ours]) == set(opt_theirs.state[theirs])
        assert opt_ours.state[ours]["step"] == float(opt_theirs.state[theirs]["step"])
        assert set(opt_ours.param_groups[0]) <= set(opt_theirs.param_groups[0])


def test_new_hyperparameter_errors_name_the_value():
    p = [nn.Parameter(chainrule.ones(1))]
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        optim.RMSprop(p, lr=-0.1)
    with pytest.raises(ValueError, match="Invalid alpha value: -0.5"):
        optim.RMSprop(p, alpha=-0.5)
    with pytest.raises(ValueError, match="Invalid momentum value: -1"):
        optim.RMSprop(p, momentum=-1)
    with pytest.raises(ValueError, match="Invalid epsilon value: -1"):
        optim.RMSprop(p, eps=-1)
    with pytest.raises(ValueError, match="Invalid weight_decay value: -0.1"):
        optim.RMSprop(p, weight_decay=-0.1)
    with pytest.raises(ValueError, match="Invalid lr_decay value: -1"):
        optim.Adagrad(p, lr_decay=-1)
    with pytest.raises(ValueError, match="Invalid initial_accumulator_value value: -1"):
        optim.Adagrad(p, initial_accumulator_value=-1)
    with pytest.raises(ValueError, match="Invalid weight_decay value: -2"):
        optim.Adagrad(p, weight_decay=-2)
    with pytest.raises(ValueError, match="Invalid epsilon value: -1"):
        optim.Adagrad(p, eps=-1)


# --------------------------------------------------------------------------- schedulers


def _warmup(epoch):
    return min(1.0, (epoch + 1) / 5) * 0.95**epoch


@pytest.mark.parametrize(
    "name, make",
    [
        ("exponential", lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)),
        (
            "multistep",
            lambda lib, opt: lib.optim.lr_scheduler.MultiStepLR(
                opt, milestones=[3, 10, 10, 25], gamma=0.3
            ),
        ),
        ("lambda", lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, _warmup)),
        (
            "lambda_list",
            lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0 / (1 + e)]),
        ),
    ],
)
def test_more_schedulers_match_torch(name, make):
    np.testing.assert_allclose(
        _lr_curve(chainrule, make), _lr_curve(torch, make), rtol=1e-12, atol=1e-15, err_msg=name
    )


def _plateau_curve(lib, kwargs, metrics):
    params = [lib.nn.Parameter(lib.zeros(1)), lib.nn.Parameter(lib.zeros(1))]
    opt = lib.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.2}], lr=1.0)
    sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    lrs = []
    for metric in metrics:
        sched.step(metric)
        lrs.append(list(sched.get_last_lr()))
    return lrs, sched


def _metrics():
    rng = np.random.default_rng(4)
    # improves, stalls, improves a little (below the threshold), jumps, stalls
    base = np.concatenate(
        [
            np.linspace(5, 2, 10),
            np.full(12, 2.0),
            2.0 - 1e-5 * np.arange(8),
            np.linspace(1.5, 1.0, 5),
            np.full(30, 1.0),
        ]
    )
    return list(base + rng.normal(scale=1e-7, size=base.shape))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"patience": 2},
        {"patience": 3, "factor": 0.5, "cooldown": 2},
        {"patience": 1, "threshold": 0.05, "threshold_mode": "abs", "min_lr": 0.01},
        {"patience": 1, "min_lr": [0.05, 0.001], "factor": 0.3},
        {"mode": "max", "patience": 2},
        {"mode": "max", "patience": 2, "threshold_mode": "abs", "threshold": 0.1, "cooldown": 1},
        {"patience": 0, "eps": 0.3},
    ],
)
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    metrics = _metrics()
    if kwargs.get("mode") == "max":
        metrics = [10.0 - m for m in metrics]  # rising, then stalling; positive for 'rel'
    ours, sched_ours = _plateau_curve(chainrule, kwargs, metrics)
    theirs, sched_theirs = _plateau_curve(torch, kwargs, metrics)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert len({tuple(lr) for lr in ours}) > 1 or kwargs.get("eps") == 0.3
    for key in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch"):
        assert getattr(sched_ours, key) == getattr(sched_theirs, key), key


def test_reduce_lr_on_plateau_takes_a_tensor_and_checks_options():
    opt = optim.SGD([nn.Parameter(chainrule.zeros(1))], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    assert isinstance(sched, lr_scheduler.LRScheduler) and sched.get_last_lr() == [1.0]
    sched.step(chainrule.tensor(1.0))
    sched.step(chainrule.tensor(2.0))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    state = sched.state_dict()
    assert "optimizer" not in state and state["best"] == 1.0
    resumed = lr_scheduler.ReduceLROnPlateau(opt, mode="max")
    resumed.load_state_dict(state)
    assert resumed.mode == "min" and resumed.mode_worse == math.inf and resumed.best == 1.0
    with pytest.raises(ValueError, match="1.5"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="'median'"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="median")
    with pytest.raises(ValueError, match="expected 1 min_lrs, got 2"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.0, 0.0])


def test_lambda_and_multistep_details():
    opt = optim.SGD([nn.Parameter(chainrule.zeros(1))], lr=2.0)
    sched = lr_scheduler.LambdaLR(opt, lambda e: 0.5**e)
    assert sched.state_dict()["lr_lambdas"] == [None]  # a plain function is left out, as torch
    for _ in range(3):
        sched.step()
    assert math.isclose(opt.param_groups[0]["lr"], 0.25)
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
    opt = optim.SGD([nn.Parameter(chainrule.zeros(1))], lr=1.0)
    sched = lr_scheduler.MultiStepLR(opt, milestones=[2, 2], gamma=0.5)
    sched.step()
    sched.step()
    assert sched.get_last_lr() == [0.25]
