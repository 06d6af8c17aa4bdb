"""``x ** p`` for the exponents PyTorch computes without pow (2, 3, -1, -2, 0.5, -0.5)
multiplies, divides or takes square roots, as PyTorch does: the values must be PyTorch's
exactly in float64 and to 1 ulp in float32; other exponents still agree to 1 ulp.

The square roots are the exception in float64: NumPy's sqrt is correctly rounded, and
PyTorch's vectorised float64 sqrt (this CPU build) is 1 ulp off now and then, so there
``x ** 0.5`` must equal chainrule's own ``sqrt`` and lie within 1 ulp of PyTorch's."""

import numpy as np
import pytest
import torch

import chainrule as cr

SPECIAL = [2, 3, -1, -2, 0.5, -0.5, 2.0, 3.0, -1.0]


def data(dtype):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.random(200) * 10 + 0.01, rng.normal(size=200), [0.0, 1.0, 4.0]])
    return x.astype(dtype)


@pytest.mark.parametrize("p", SPECIAL + [1.5, 4, -3])
def test_float64_values_equal_torch(p):
    x = data(np.float64)
    if p in (0.5, -0.5, 1.5):
        x = np.abs(x)
    c = (cr.from_numpy(x) ** p).numpy()
    t = (torch.from_numpy(x) ** p).numpy()
    if p in (0.5, -0.5):
        root = np.sqrt(x)
        np.testing.assert_array_equal(c, root if p > 0 else 1 / root)
        np.testing.assert_array_max_ulp(c, t, maxulp=1)
    elif p in SPECIAL:
        np.testing.assert_array_equal(c, t)
    else:  # std::pow and NumPy's pow: both within an ulp of the true value
        np.testing.assert_array_max_ulp(c, t, maxulp=1)


@pytest.mark.parametrize("p", SPECIAL + [1.5, 4, -3])
def test_float32_values_within_one_ulp_of_torch(p):
    x = data(np.float32)
    if p in (0.5, -0.5, 1.5):
        x = np.abs(x)
    c = (cr.from_numpy(x) ** p).numpy()
    t = (torch.from_numpy(x) ** p).numpy()
    assert c.dtype == t.dtype == np.float32
    finite = np.isfinite(t)
    assert np.array_equal(np.isfinite(c), finite)
    np.testing.assert_array_max_ulp(c[finite], t[finite], maxulp=1)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64"])
@pytest.mark.parametrize("p", [2, 3])
def test_integer_powers_equal_torch(dtype, p):
    x = np.arange(-6, 7)
    c = cr.tensor(x, dtype=getattr(cr, dtype)) ** p
    t = torch.tensor(x, dtype=getattr(torch, dtype)) ** p
    assert str(c.dtype) == str(t.dtype) and np.array_equal(c.numpy(), t.numpy())


@pytest.mark.parametrize("p", [2, 3, -1, 0.5])
def test_gradients_unchanged(p):
    x = np.abs(data(np.float64)[:20]) + 0.5
    grads = []
    for m in (torch, cr):
        xt = m.tensor(x, requires_grad=True)
        y = xt**p
        assert y.grad_fn.name() == "PowBackward0"
        y.sum().backward()
        grads.append(xt.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-13)
