"""NAdam, RAdam, Adamax, Adadelta, Rprop and ASGD follow PyTorch's updates to ~1e-12 (float64):
from the same initial parameters, with the same gradients, every step; their state_dict
resumes a run exactly; bad hyperparameters raise ValueError."""

import numpy as np
import pytest
import torch

import chainrule
from chainrule import optim

STEPS = 40

CONFIGS = {
    "NAdam": [
        {},
        {"lr": 0.01, "betas": (0.8, 0.99), "momentum_decay": 0.01},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ],
    "RAdam": [
        {},
        {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ],
    "Adamax": [{}, {"lr": 0.05, "betas": (0.7, 0.9), "weight_decay": 0.1, "maximize": True}],
    "Adadelta": [{}, {"lr": 0.5, "rho": 0.7, "eps": 1e-4, "weight_decay": 0.1, "maximize": True}],
    "Rprop": [{}, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2), "maximize": True}],
    "ASGD": [
        {},
        {"lr": 0.05, "lambd": 1e-2, "alpha": 0.5, "t0": 10, "weight_decay": 0.1},
        {"lr": 0.05, "t0": 0, "maximize": True},
    ],
}
CASES = [(name, i) for name, configs in CONFIGS.items() for i in range(len(configs))]


def _initial():
    rng = np.random.default_rng(1)
    return [rng.normal(size=(3, 4)), rng.normal(size=(5,))]


def _loss(lib, params):
    """A non-convex loss whose gradients change sign (so Rprop's step sizes move both ways)."""
    w, b = params
    return (lib.sin(3 * w).sum() + (w**2).sum() * 0.5) + ((b - 1) ** 2 * b.cos()).sum()


def _train(lib, make, params, steps, opt=None):
    opt = opt if opt is not None else make(params)
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, params).backward()
        opt.step()
    return opt


def _pair(name, kwargs):
    ours = [chainrule.nn.Parameter(chainrule.tensor(a)) for a in _initial()]
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in _initial()]
    return (
        (ours, lambda p: getattr(optim, name)(p, **kwargs)),
        (theirs, lambda p: getattr(torch.optim, name)(p, **kwargs)),
    )


def _assert_close(ours, theirs):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name,index", CASES)
def test_steps_match_torch(name, index):
    (ours, make_ours), (theirs, make_theirs) = _pair(name, CONFIGS[name][index])
    opt_ours = _train(chainrule, make_ours, ours, STEPS)
    opt_theirs = _train(torch, make_theirs, theirs, STEPS)
    _assert_close(ours, theirs)
    assert np.abs(ours[0].detach().numpy() - _initial()[0]).max() > 1e-3  # it moved
    assert set(opt_ours.state[ours[0]]) == set(opt_theirs.state[theirs[0]])
    group_ours, group_theirs = opt_ours.param_groups[0], opt_theirs.param_groups[0]
    assert {k: v for k, v in group_ours.items() if k != "params"} == {
        k: v for k, v in group_theirs.items() if k != "params"
    }


@pytest.mark.parametrize("name", ["NAdam", "ASGD"])
def test_scalar_state_in_float64_default_matches_torch(name):
    """Their 0-d state (mu_product; eta, mu) is float64 when that is the default dtype."""
    kwargs = CONFIGS[name][1]
    torch.set_default_dtype(torch.float64)
    chainrule.set_default_dtype(chainrule.float64)
    (ours, make_ours), (theirs, make_theirs) = _pair(name, kwargs)
    _train(chainrule, make_ours, ours, STEPS)
    _train(torch, make_theirs, theirs, STEPS)
    _assert_close(ours, theirs)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_state_dict_resumes_exactly(name):
    kwargs = CONFIGS[name][-1]
    (ours, make_ours), (theirs, make_theirs) = _pair(name, kwargs)
    opt = _train(chainrule, make_ours, ours, 10)
    saved = opt.state_dict()
    resumed_params = [chainrule.nn.Parameter(p.detach().clone()) for p in ours]
    resumed = make_ours(resumed_params)
    resumed.load_state_dict(saved)
    _train(chainrule, None, resumed_params, 10, opt=resumed)
    _train(torch, make_theirs, theirs, 20)
    _assert_close(resumed_params, theirs)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_float32_parameters_match_torch(name):
    kwargs = CONFIGS[name][-1]
    f32 = chainrule.float32
    ours = [chainrule.nn.Parameter(chainrule.tensor(a, dtype=f32)) for a in _initial()]
    theirs = [torch.nn.Parameter(torch.tensor(a, dtype=torch.float32)) for a in _initial()]
    _train(chainrule, lambda p: getattr(optim, name)(p, **kwargs), ours, 10)
    _train(torch, lambda p: getattr(torch.optim, name)(p, **kwargs), theirs, 10)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


BAD = [
    ("NAdam", {"lr": -1.0}),
    ("NAdam", {"betas": (1.0, 0.9)}),
    ("NAdam", {"momentum_decay": -1.0}),
    ("RAdam", {"eps": -1.0}),
    ("RAdam", {"betas": (0.9, -0.1)}),
    ("Adamax", {"weight_decay": -1.0}),
    ("Adadelta", {"rho": 1.5}),
    ("Rprop", {"etas": (1.5, 2.0)}),
    ("ASGD", {"lr": -0.1}),
]


@pytest.mark.parametrize("name,kwargs", BAD)
def test_bad_hyperparameters_raise_as_torch(name, kwargs):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match="Invalid"):
        getattr(optim, name)([chainrule.zeros(1, requires_grad=True)], **kwargs)


def test_unsupported_flags_say_so():
    p = [chainrule.zeros(1, requires_grad=True)]
    with pytest.raises(ValueError, match="capturable=False"):
        optim.NAdam(p, capturable=True)
    with pytest.raises(NotImplementedError, match="differentiable=False"):
        optim.Rprop(p, differentiable=True)
    optim.RAdam(p, foreach=True)  # accepted: the same arithmetic
