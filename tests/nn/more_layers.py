"""The newer activations, normalisations, shape layers, pooling and distances agree with
PyTorch: float64 values, gradients and gradients of gradients, float32 values, reprs,
state_dict keys and loading torch's state_dict."""

import numpy as np
import pytest
import torch
from more_helpers import compare, compare_module
from nn_helpers import as_np

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

TF = torch.nn.functional


def _kinky(shape, seed, points=()):
    """Normal values times 3, with the kinks ``points`` placed at the front."""
    x = np.random.default_rng(seed).normal(size=shape) * 3
    x.flat[: len(points)] = points
    return x


# --------------------------------------------------------------------------- activations

ACTIVATIONS = {
    "selu": ((), (0.0,)),
    "celu": ((), (0.0,)),
    "celu-alpha": ((0.5,), (0.0,)),
    "mish": ((), ()),
    "hardsigmoid": ((), (-3.0, 3.0, 0.0)),
    "hardswish": ((), (-3.0, 3.0, 0.0)),
    "softsign": ((), (0.0,)),
    "softshrink": ((), (0.5, -0.5, 0.0)),
    "softshrink-lambd": ((1.5,), (1.5, -1.5)),
    "hardshrink": ((), (0.5, -0.5, 0.0)),
    "tanhshrink": ((), ()),
    "threshold": ((0.1, 20.0), (0.1,)),
    "glu": ((), ()),
    "glu-dim": ((0,), ()),
    "rrelu": ((), (0.0,)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_functions_match_torch(name):
    args, kinks = ACTIVATIONS[name]
    fn = name.split("-")[0]
    seed = sum(map(ord, name))
    ours, theirs = (lambda t: getattr(F, fn)(t, *args)), (lambda t: getattr(TF, fn)(t, *args))
    grads = fn != "hardsigmoid"  # torch's backward multiplies by 1/6 rounded to float32
    x = _kinky((4, 6), seed, kinks)  # first order at the kinks: the same side as torch
    compare(ours, theirs, [x], grads=grads, what=name)
    x = _kinky((4, 6), seed + 1)  # second order away from them
    compare(ours, theirs, [x], gradgrad=grads, grads=grads, what=name)
    if not grads:  # finite differences instead
        assert chainrule.autograd.gradcheck(ours, (chainrule.tensor(x, requires_grad=True),))


MODULES = {
    "SELU": ((), {}),
    "CELU": ((0.5,), {}),  # torch's gradient rounds 1/alpha to float32; 1/0.5 is exact
    "GLU": ((), {"dim": 1}),
    "Mish": ((), {}),
    "Hardswish": ((), {}),
    "Softsign": ((), {}),
    "Softshrink": ((0.3,), {}),
    "Hardshrink": ((0.3,), {}),
    "Tanhshrink": ((), {}),
    "Threshold": ((0.1, 20.0), {}),
    "Softmax2d": ((), {}),
    "RReLU": ((0.1, 0.3), {}),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_activation_modules_match_torch(name):
    args, kwargs = MODULES[name]
    cls = name.split("-")[0]
    x = _kinky((2, 4, 3, 2), 1)
    compare_module(
        lambda: getattr(nn, cls)(*args, **kwargs),
        lambda: getattr(torch.nn, cls)(*args, **kwargs),
        [x],
        train=cls != "RReLU",
        what=name,
    )


def test_activation_reprs_match_torch():
    pairs = [
        (nn.SELU(True), torch.nn.SELU(True)),
        (nn.Mish(inplace=True), torch.nn.Mish(inplace=True)),
        (nn.CELU(0.7, True), torch.nn.CELU(0.7, True)),
        (nn.Threshold(0.1, 20, True), torch.nn.Threshold(0.1, 20, True)),
        (nn.RReLU(inplace=True), torch.nn.RReLU(inplace=True)),
        (nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
        (nn.Hardshrink(), torch.nn.Hardshrink()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_rrelu_training_draws_slopes_within_bounds():
    chainrule.manual_seed(0)
    x = chainrule.tensor(-np.linspace(0.5, 3.0, 2000), requires_grad=True)
    out = nn.RReLU(0.1, 0.3)(x)  # training mode: a fresh slope per element
    slopes = as_np(out) / as_np(x)
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert slopes.std() > 0.04  # spread over the interval, not one value
    out.sum().backward()
    np.testing.assert_allclose(as_np(x.grad), slopes, rtol=1e-12)
    positive = chainrule.tensor([0.5, 2.0])
    np.testing.assert_array_equal(as_np(F.rrelu(positive, training=True)), [0.5, 2.0])


def test_activation_errors():
    with pytest.raises(RuntimeError, match="dimension 1 is size 5"):
        F.glu(chainrule.ones(2, 5))
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        F.softshrink(chainrule.ones(2), -1.0)
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        nn.Softmax2d()(chainrule.ones(2, 5))


# --------------------------------------------------------------------------- normalisation


def test_normalisation_functions_match_torch():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 4, 5)) * 2 + 1
    w, b = rng.normal(size=4), rng.normal(size=4)
    cases = [
        (lambda m, x, w, b: m.nn.functional.group_norm(x, 2, w, b), True),
        (lambda m, x, w, b: m.nn.functional.group_norm(x, 4, eps=1e-3), True),
        (lambda m, x, w, b: m.nn.functional.instance_norm(x, weight=w, bias=b), True),
        (lambda m, x, w, b: m.nn.functional.rms_norm(x, (5,)), True),
        (lambda m, x, w, b: m.nn.functional.rms_norm(x, (4, 5), eps=1e-3) * w[0], True),
        (lambda m, x, w, b: m.nn.functional.local_response_norm(x, 3, 0.1, 0.6, 2.0), True),
        (lambda m, x, w, b: m.nn.functional.local_response_norm(x, 2), False),
    ]
    for i, (fn, gradgrad) in enumerate(cases):
        compare(
            lambda *a, fn=fn: fn(chainrule, *a),
            lambda *a, fn=fn: fn(torch, *a),
            [x, w, b],
            gradgrad=gradgrad,
            what=f"case {i}",
        )


NORM_LAYERS = {
    "GroupNorm": ((2, 4), {}, (3, 4, 5)),
    "GroupNorm-noaffine": ((4, 4), {"affine": False, "eps": 1e-3}, (2, 4, 3, 2)),
    "GroupNorm-nobias": ((1, 4), {"bias": False}, (2, 4, 3)),
    "RMSNorm": ((5,), {}, (3, 4, 5)),
    "RMSNorm-2d": (((4, 5),), {"eps": 1e-3, "elementwise_affine": False}, (3, 4, 5)),
    "LocalResponseNorm": ((3,), {"alpha": 0.1}, (2, 4, 3, 2)),
    "InstanceNorm1d": ((4,), {}, (3, 4, 5)),
    "InstanceNorm1d-affine": ((4,), {"affine": True}, (3, 4, 5)),
    "InstanceNorm1d-unbatched": ((4,), {"affine": True}, (4, 5)),
    "InstanceNorm2d": ((4,), {"affine": True, "track_running_stats": True}, (2, 4, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(NORM_LAYERS))
def test_normalisation_layers_match_torch(name):
    args, kwargs, shape = NORM_LAYERS[name]
    cls = name.split("-")[0]
    x = np.random.default_rng(4).normal(size=shape) * 2 + 1
    compare_module(
        lambda: getattr(nn, cls)(*args, **kwargs),
        lambda: getattr(torch.nn, cls)(*args, **kwargs),
        [x],
        what=name,
    )


@pytest.mark.parametrize("momentum", [0.3, None])
def test_instance_norm_running_stats_match_torch(momentum):
    rng = np.random.default_rng(5)
    kwargs = {"affine": True, "track_running_stats": True, "momentum": momentum}
    th = torch.nn.InstanceNorm2d(3, **kwargs).double()
    cr = nn.InstanceNorm2d(3, **kwargs).double()
    for _ in range(3):
        x = rng.normal(size=(2, 3, 4, 4)) * 2 + 1
        np.testing.assert_allclose(
            as_np(cr(chainrule.tensor(x))), th(torch.tensor(x)).detach().numpy(), rtol=1e-10
        )
    for key, value in th.state_dict().items():
        np.testing.assert_allclose(as_np(cr.state_dict()[key]), value.numpy(), rtol=1e-10)
    cr.eval()
    th.eval()
    x = rng.normal(size=(3, 4, 4))  # unbatched, running statistics
    compare_module(
        lambda: cr,
        lambda: th,
        [x],
        train=False,
        what="eval",
    )
