"""Optimisers and schedulers follow PyTorch's update rules to the digit (float64, 50 steps)."""

import math

import numpy as np
import pytest
import torch

import chainrule
from chainrule import nn, optim
from chainrule.optim import lr_scheduler

STEPS = 50
RTOL = 1e-8


def _models():
    """The same 6-16-16-3 tanh/relu network in both libraries, with the same weights."""
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(6, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 3),
    ).double()
    ours = nn.Sequential(
        nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)
    ).double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _batches():
    rng = np.random.default_rng(0)
    w_true = rng.normal(size=(6, 3))  # learnable labels: the argmax of a linear map
    xs = [rng.normal(size=(8, 6)) for _ in range(STEPS)]
    return [(x, (x @ w_true).argmax(axis=1)) for x in xs]


def _run(make_ours, make_theirs, loss="cross_entropy"):
    """Train both networks on the same batches; return the two loss curves and models."""
    ours, theirs = _models()
    opt_ours, opt_theirs = make_ours(ours.parameters()), make_theirs(theirs.parameters())
    losses_ours, losses_theirs = [], []
    for x, y in _batches():
        for model, opt, lib, losses in (
            (ours, opt_ours, chainrule, losses_ours),
            (theirs, opt_theirs, torch, losses_theirs),
        ):
            xb = lib.tensor(x, dtype=lib.float64)
            yb = lib.tensor(y, dtype=lib.int64)
            opt.zero_grad()
            out = model(xb)
            if loss == "cross_entropy":
                value = lib.nn.functional.cross_entropy(out, yb)
            else:
                value = lib.nn.functional.mse_loss(out, lib.nn.functional.one_hot(yb, 3).double())
            value.backward()
            opt.step()
            losses.append(value.item())
    return losses_ours, losses_theirs, ours, theirs


def _assert_same_training(make_ours, make_theirs, loss="cross_entropy"):
    losses_ours, losses_theirs, ours, theirs = _run(make_ours, make_theirs, loss)
    np.testing.assert_allclose(losses_ours, losses_theirs, rtol=RTOL, atol=0)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.detach().numpy(),
            theirs_params[name].detach().numpy(),
            rtol=RTOL,
            atol=1e-12,
            err_msg=name,
        )
    assert np.mean(losses_ours[-10:]) < np.mean(losses_ours[:10])  # it learned something


SGD_CONFIGS = {
    "plain": {"lr": 0.1},
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "nesterov": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    "weight_decay": {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-2},
    "dampening": {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 1e-3},
    "nesterov_wd": {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 1e-2},
}


@pytest.mark.parametrize("config", sorted(SGD_CONFIGS))
def test_sgd_matches_torch(config):
    kwargs = SGD_CONFIGS[config]
    _assert_same_training(
        lambda p: optim.SGD(p, **kwargs), lambda p: torch.optim.SGD(p, foreach=False, **kwargs)
    )


def test_sgd_maximize_with_mse():
    kwargs = {"lr": 0.002, "momentum": 0.5}
    losses_ours, losses_theirs, _, _ = _run(
        lambda p: optim.SGD(p, maximize=True, **kwargs),
        lambda p: torch.optim.SGD(p, maximize=True, foreach=False, **kwargs),
        loss="mse",
    )
    assert np.isfinite(losses_ours).all() and np.mean(losses_ours[-10:]) > np.mean(losses_ours[:10])
    np.testing.assert_allclose(losses_ours, losses_theirs, rtol=RTOL)


ADAM_CONFIGS = {
    "default": {},
    "lr_betas": {"lr": 3e-3, "betas": (0.8, 0.99), "eps": 1e-6},
    "weight_decay": {"lr": 1e-2, "weight_decay": 1e-2},
    "amsgrad": {"lr": 1e-2, "amsgrad": True},
}


@pytest.mark.parametrize("config", sorted(ADAM_CONFIGS))
def test_adam_matches_torch(config):
    kwargs = ADAM_CONFIGS[config]
    _assert_same_training(
        lambda p: optim.Adam(p, **kwargs), lambda p: torch.optim.Adam(p, foreach=False, **kwargs)
    )


@pytest.mark.parametrize("kwargs", [{}, {"lr": 1e-2, "weight_decay": 0.1, "amsgrad": True}])
def test_adamw_matches_torch(kwargs):
    _assert_same_training(
        lambda p: optim.AdamW(p, **kwargs),
        lambda p: torch.optim.AdamW(p, foreach=False, **kwargs),
        loss="mse",
    )


def test_param_groups_with_their_own_learning_rates():
    def groups(params):
        params = list(params)
        return [{"params": params[:2], "lr": 0.2}, {"params": params[2:]}]

    _assert_same_training(
        lambda p: optim.SGD(groups(p), lr=0.05, momentum=0.9),
        lambda p: torch.optim.SGD(groups(p), lr=0.05, momentum=0.9, foreach=False),
    )


def test_parameters_without_grad_are_skipped():
    a = nn.Parameter(chainrule.ones(2))
    b = nn.Parameter(chainrule.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    (a * 2).sum().backward()
    opt.step()
    assert (a.detach().numpy() < 1).all() and (b.detach().numpy() == 1).all()
    assert b not in opt.state


def test_update_is_in_place_and_keeps_identity():
    p = nn.Parameter(chainrule.ones(3))
    before = p
    opt = optim.SGD([p], lr=0.5)
    p.sum().backward()
    opt.step()
    assert p is before and p.is_leaf and p.requires_grad
    np.testing.assert_allclose(p.detach().numpy(), 0.5)


# --------------------------------------------------------------------------- protocol


def test_zero_grad_and_closure():
    p = nn.Parameter(chainrule.tensor([1.0, -2.0]))
    opt = optim.SGD([p], lr=0.1)
    calls = []

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        calls.append(loss.item())
        return loss

    loss = opt.step(closure)
    assert calls == [5.0] and loss.item() == 5.0
    np.testing.assert_allclose(p.detach().numpy(), [0.8, -1.6])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_state_dict_round_trip_resumes_identically():
    def make(params):
        return optim.Adam(params, lr=1e-2)

    ours_a, _ = _models()
    ours_b, _ = _models()
    opt_a, opt_b = make(ours_a.parameters()), make(ours_b.parameters())
    batches = _batches()[:10]

    def step(model, opt, x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(chainrule.tensor(x)), chainrule.tensor(y))
        loss.backward()
        opt.step()
        return loss.item()

    for x, y in batches[:5]:
        step(ours_a, opt_a, x, y)
        step(ours_b, opt_b, x, y)
    saved = opt_a.state_dict()
    assert set(saved) == {"state", "param_groups"}
    assert saved["param_groups"][0]["params"] == list(range(6))
    # A fresh optimiser that loads the state continues exactly like the original.
    resumed = make(ours_b.parameters())
    resumed.load_state_dict(saved)
    for x, y in batches[5:]:
        assert step(ours_a, opt_a, x, y) == step(ours_b, resumed, x, y)
    with pytest.raises(ValueError, match="parameter group"):
        make(list(ours_b.parameters())[:2]).load_state_dict(saved)


def test_hyperparameter_errors_name_the_value():
    p = [nn.Parameter(chainrule.ones(1))]
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        optim.SGD(p, lr=-0.1)
    with pytest.raises(ValueError, match="Invalid momentum value: -1"):
        optim.SGD(p, momentum=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.SGD(p, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.Adam(p, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Invalid epsilon value"):
        optim.AdamW(p, eps=-1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p[0])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": p}, {"params": p}], lr=0.1)


# --------------------------------------------------------------------------- schedulers


def _lr_curve(lib, make_scheduler, epochs=40):
    param = lib.nn.Parameter(lib.zeros(1))
    opt = lib.optim.SGD([param], lr=0.5)
    sched = make_scheduler(lib, opt)
    lrs = []
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    return lrs


@pytest.mark.parametrize(
    "name, make",
    [
        ("step", lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5)),
        ("cosine", lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)),
        (
            "cosine_min",
            lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=13, eta_min=0.01),
        ),
    ],
)
def test_schedulers_match_torch(name, make):
    np.testing.assert_allclose(
        _lr_curve(chainrule, make), _lr_curve(torch, make), rtol=1e-12, atol=1e-15, err_msg=name
    )


def test_scheduler_writes_into_the_optimizer():
    opt = optim.SGD([nn.Parameter(chainrule.zeros(1))], lr=1.0)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    for _ in range(4):
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-15)
    assert sched.get_last_lr() == [opt.param_groups[0]["lr"]]
    assert sched.state_dict()["last_epoch"] == 4
    assert math.isclose(sched.base_lrs[0], 1.0)
    with pytest.raises(TypeError, match="not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=1)
