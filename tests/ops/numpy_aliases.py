"""``axis=`` and ``keepdims=``, NumPy's names that PyTorch's reductions and argmax/argmin
accept for ``dim`` and ``keepdim``: results, gradients and errors against torch."""

import numpy as np
import pytest
import torch

import chainrule as cr

REDUCTIONS = ["sum", "mean", "var", "std", "prod", "amax", "amin", "logsumexp", "max", "min"]
INDEXES = ["argmax", "argmin", "all", "any"]
KWARGS = [
    {"axis": 1},
    {"axis": 0, "keepdims": True},
    {"axis": (0, 1), "keepdims": False},
    {"dim": 1, "keepdims": True},
    {"axis": -1, "keepdim": True},
]
X = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -2.5]])


def call(m, name, how, kwargs, x):
    return getattr(m, name)(x, **kwargs) if how == "function" else getattr(x, name)(**kwargs)


def outcome(m, name, how, kwargs, x):
    try:
        return call(m, name, how, kwargs, x)
    except (TypeError, RuntimeError, IndexError) as err:
        return type(err).__name__


def flat(result):
    """Values of a tensor or of a (values, indices) pair, as NumPy arrays."""
    if isinstance(result, tuple):
        return [np.asarray(r.detach()) for r in result]
    return [np.asarray(result.detach())]


@pytest.mark.parametrize("how", ["function", "method"])
@pytest.mark.parametrize("name", REDUCTIONS + INDEXES)
def test_numpy_names_match_torch(name, how):
    for kwargs in KWARGS:
        xt = torch.tensor(X, requires_grad=name in REDUCTIONS)
        xc = cr.tensor(X, requires_grad=name in REDUCTIONS)
        if name in ("all", "any"):
            xt, xc = xt > 0, xc > 0
        t = outcome(torch, name, how, kwargs, xt)
        c = outcome(cr, name, how, kwargs, xc)
        if isinstance(t, str):
            assert isinstance(c, str) and c == t, (kwargs, c)
            continue
        for a, b in zip(flat(c), flat(t)):
            assert a.shape == b.shape and a.dtype == b.dtype, kwargs
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
        if name in REDUCTIONS:
            (t[0] if isinstance(t, tuple) else t).sum().backward()
            (c[0] if isinstance(c, tuple) else c).sum().backward()
            np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_cumsum_takes_axis():
    x = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(cr.cumsum(cr.tensor(x), axis=1).numpy(), np.cumsum(x, 1))
    assert np.array_equal(cr.tensor(x).cumsum(axis=0).numpy(), np.cumsum(x, 0))


def test_giving_a_name_and_its_alias_is_a_typeerror():
    x = cr.ones(2, 3)
    with pytest.raises(TypeError, match="sum"):
        x.sum(0, axis=1)
    with pytest.raises(TypeError, match="argmax"):
        cr.argmax(x, dim=0, axis=1)
    with pytest.raises(TypeError, match="keepdim"):
        x.mean(0, keepdim=True, keepdims=True)
