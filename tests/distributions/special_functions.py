"""The special functions the distributions compose from Tensor ops (lgamma, digamma, the
normal quantile, the regularised incomplete gamma function) against torch over wide ranges,
values and gradients in float64; and Gamma.cdf, whose gradient w.r.t. the concentration
torch does not implement, against mpmath."""

import mpmath
import numpy as np
import torch

import chainrule as cr
import chainrule.distributions as crd
from chainrule.distributions import _special

from .dist_helpers import TOL, assert_same

X = np.concatenate([np.logspace(-8, 8, 60), np.linspace(0.05, 25.0, 60)])


def _assert_close(got, expected):
    """Relative to the size of the value, or absolute below 1 (lgamma(1e8) is about 1.7e9)."""
    scale = np.maximum(1.0, np.abs(expected))
    np.testing.assert_allclose(got / scale, expected / scale, **TOL)


def _unary(ours, theirs, x, derivative=None):
    """Values against torch's; the derivative against torch's gradient, or against
    ``derivative(x)`` where torch's is less accurate."""
    a = cr.tensor(x, dtype=cr.float64, requires_grad=True)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out, ref = ours(a), theirs(t)
    _assert_close(out.detach().numpy(), ref.detach().numpy())
    (g,) = cr.autograd.grad(out.sum(), [a])
    if derivative is None:
        derivative = torch.autograd.grad(ref.sum(), [t])[0].numpy()
    else:
        derivative = np.array([derivative(v) for v in x])
    _assert_close(g.numpy(), derivative)


def test_lgamma_digamma():
    _unary(_special.lgamma, torch.lgamma, X)
    # torch's trigamma is off by about 1e-9 near 1; mpmath's is exact
    _unary(_special.digamma, torch.digamma, X, lambda v: float(mpmath.polygamma(1, v)))


def test_ndtri():
    p = np.concatenate(
        [np.logspace(-300, -1, 40), np.linspace(0.01, 0.99, 50), 1 - np.logspace(-15, -1, 20)]
    )
    _unary(_special.ndtri, torch.special.ndtri, p)
    ends = _special.ndtri(cr.tensor([0.0, 1.0], dtype=cr.float64)).numpy()
    np.testing.assert_array_equal(ends, [-np.inf, np.inf])


def test_gamma_cdf():
    conc = np.array([0.1, 0.5, 1.0, 3.0, 20.0, 150.0])
    rate = np.array([2.0, 1.0, 0.5, 1.0, 2.0, 0.9])
    value = np.array([0.01, 2.0, 0.5, 10.0, 10.0, 170.0])
    ours = dict(
        rate=cr.tensor(rate, requires_grad=True), value=cr.tensor(value, requires_grad=True)
    )
    theirs = dict(
        rate=torch.tensor(rate, requires_grad=True), value=torch.tensor(value, requires_grad=True)
    )
    a = cr.tensor(conc, requires_grad=True)
    out = crd.Gamma(a, ours["rate"]).cdf(ours["value"])
    ref = torch.distributions.Gamma(torch.tensor(conc), theirs["rate"]).cdf(theirs["value"])
    (g,) = cr.autograd.grad(out.sum(), [a], retain_graph=True)
    assert_same(out, ref, ours, theirs)

    def d_da(c, x):
        return float(mpmath.diff(lambda s: mpmath.gammainc(s, 0, x, regularized=True), c))

    with mpmath.workdps(30):
        expected = [d_da(c, b * x) for c, b, x in zip(conc, rate, value)]
    np.testing.assert_allclose(g.numpy(), expected, **TOL)
