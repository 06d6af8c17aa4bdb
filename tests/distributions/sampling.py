"""Draws from chainrule's default generator (seeded with chainrule.manual_seed): sample means
and variances within 4 standard errors of torch.distributions' analytic moments, and
rsample's gradients equal to the analytic derivatives of each draw w.r.t. the parameters
(the implicit gamma gradient against mpmath's derivative of the regularised incomplete gamma
function)."""

import math

import mpmath
import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.distributions as crd

from .dist_helpers import as_np

N = 20_000
K = 4.0  # standard errors allowed

MOMENT_CASES = [
    "D.Normal(m.tensor([0.0, 2.0]), m.tensor([1.0, 0.5]))",
    "D.LogNormal(m.tensor([0.0, 0.5]), m.tensor([0.3, 0.5]))",
    "D.Bernoulli(m.tensor([0.2, 0.7]))",
    "D.OneHotCategorical(m.tensor([0.1, 0.2, 0.7]))",
    "D.Uniform(m.tensor([-1.0, 2.0]), m.tensor([1.0, 5.0]))",
    "D.Exponential(m.tensor([0.5, 3.0]))",
    "D.Laplace(m.tensor([0.0, 1.0]), m.tensor([1.0, 0.2]))",
    "D.Gamma(m.tensor([0.3, 2.5, 40.0]), m.tensor([1.0, 2.0, 0.5]))",
    "D.Beta(m.tensor([0.5, 2.0]), m.tensor([0.7, 3.0]))",
    "D.Dirichlet(m.tensor([0.4, 1.0, 3.0]))",
    "D.Poisson(m.tensor([0.5, 7.0]))",
    "D.Binomial(m.tensor([5.0, 12.0]), m.tensor([0.3, 0.8]))",
    "D.MultivariateNormal(m.tensor([1.0, -1.0]), m.tensor([[2.0, 0.6], [0.6, 0.5]]))",
    "D.Independent(D.Normal(m.zeros(3), m.tensor([1.0, 2.0, 3.0])), 1)",
]


def both(code, dtype="float64"):
    def env(m, D):
        return {"m": m, "D": D}

    mine = eval(code, env(cr, crd))
    ref = eval(code, env(torch, torch.distributions))
    return mine, ref


def assert_moments(x, mean, var):
    """Sample mean and variance of ``x`` (draws along axis 0) within K standard errors."""
    n = x.shape[0]
    m = x.mean(0)
    assert np.all(np.abs(m - mean) <= K * np.sqrt(var / n)), (m, mean)
    s2 = x.var(0, ddof=1)
    m4 = ((x - m) ** 4).mean(0)
    assert np.all(np.abs(s2 - var) <= K * np.sqrt((m4 - s2**2) / n)), (s2, var)


@pytest.mark.parametrize("code", MOMENT_CASES)
def test_sample_moments(code):
    cr.set_default_dtype(cr.float64)
    torch.set_default_dtype(torch.float64)
    mine, ref = both(code)
    cr.manual_seed(0)
    x = mine.sample((N,))
    assert x.shape == (N,) + ref.batch_shape + ref.event_shape and x.dtype == cr.float64
    assert_moments(x.numpy(), ref.mean.numpy(), ref.variance.numpy())


def test_categorical_frequencies_and_seed():
    probs = [0.1, 0.2, 0.3, 0.4]
    d = crd.Categorical(cr.tensor([probs, probs[::-1]], dtype=cr.float64))
    cr.manual_seed(1)
    x = d.sample((N,))
    assert x.shape == (N, 2) and x.dtype == cr.int64
    hits = (x.numpy()[..., None] == np.arange(4)).astype(float)
    p = np.array([probs, probs[::-1]])
    assert_moments(hits, p, p * (1 - p))
    cr.manual_seed(1)
    np.testing.assert_array_equal(d.sample((N,)).numpy(), x.numpy())


def test_multivariate_normal_covariance():
    cov = np.array([[2.0, 0.6, -0.3], [0.6, 0.5, 0.1], [-0.3, 0.1, 1.0]])
    d = crd.MultivariateNormal(cr.zeros(3, dtype=cr.float64), cr.tensor(cov))
    cr.manual_seed(2)
    x = d.sample((N,)).numpy()
    products = x[:, :, None] * x[:, None, :]  # entries' mean is the covariance
    var = cov.diagonal()[:, None] * cov.diagonal()[None, :] + cov**2
    assert_moments(products.reshape(N, -1)[:, :1], cov.reshape(-1)[:1], var.reshape(-1)[:1])
    m = products.mean(0)
    assert np.all(np.abs(m - cov) <= K * np.sqrt(var / N))


def _grads(x, params, seed=0):
    """The gradients of ``Σ w·x`` (random w) w.r.t. ``params``, and w."""
    w = np.random.default_rng(seed).standard_normal(tuple(x.shape))
    grads = cr.autograd.grad((x * cr.tensor(w)).sum(), list(params))
    return [g.numpy() for g in grads], w


def _leaf(values):
    return cr.tensor(values, dtype=cr.float64, requires_grad=True)


def test_rsample_gradients_location_scale():
    loc, scale = _leaf([0.5, -1.0]), _leaf([2.0, 0.3])
    for name in ("Normal", "Laplace"):
        x = getattr(crd, name)(loc, scale).rsample((50,))
        (g_loc, g_scale), w = _grads(x, (loc, scale))
        eps = (as_np(x) - as_np(loc)) / as_np(scale)  # x = loc + scale·eps
        np.testing.assert_allclose(g_loc, w.sum(0), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(g_scale, (w * eps).sum(0), rtol=1e-10, atol=1e-10)
    x = crd.LogNormal(loc, scale).rsample((50,))
    (g_loc, g_scale), w = _grads(x, (loc, scale))
    y = as_np(x)
    eps = (np.log(y) - as_np(loc)) / as_np(scale)
    np.testing.assert_allclose(g_loc, (w * y).sum(0), rtol=1e-10)
    np.testing.assert_allclose(g_scale, (w * y * eps).sum(0), rtol=1e-10)


def test_rsample_gradients_uniform_exponential():
    low, high = _leaf([0.0, -2.0]), _leaf([1.0, 3.0])
    x = crd.Uniform(low, high).rsample((50,))
    (g_low, g_high), w = _grads(x, (low, high))
    u = (as_np(x) - as_np(low)) / (as_np(high) - as_np(low))
    np.testing.assert_allclose(g_low, (w * (1 - u)).sum(0), rtol=1e-10)
    np.testing.assert_allclose(g_high, (w * u).sum(0), rtol=1e-10)
    rate = _leaf([0.5, 4.0])
    x = crd.Exponential(rate).rsample((50,))
    (g_rate,), w = _grads(x, (rate,))
    np.testing.assert_allclose(g_rate, (w * -as_np(x) / as_np(rate)).sum(0), rtol=1e-10)


def test_rsample_gradients_multivariate_normal():
    lower = np.tril(np.random.default_rng(3).standard_normal((3, 3)), -1) + np.diag([1.0, 2.0, 0.5])
    loc, scale_tril = _leaf([1.0, 0.0, -1.0]), _leaf(lower)
    x = crd.MultivariateNormal(loc, scale_tril=scale_tril).rsample((40,))
    (g_loc, g_tril), w = _grads(x, (loc, scale_tril))
    eps = np.linalg.solve(lower, (as_np(x) - as_np(loc)).T).T  # x = loc + L eps
    np.testing.assert_allclose(g_loc, w.sum(0), rtol=1e-10)
    # as in torch, the whole matrix given as scale_tril multiplies eps (its upper part too)
    np.testing.assert_allclose(g_tril, w.T @ eps, rtol=1e-9, atol=1e-10)


def _implicit_gamma_grad(alpha, x):
    """dx/dα at fixed P(α, x), from mpmath (30 digits)."""
    with mpmath.workdps(30):
        a, x = mpmath.mpf(alpha), mpmath.mpf(x)
        dp = mpmath.diff(lambda s: mpmath.gammainc(s, 0, x, regularized=True), a)
        pdf = x ** (a - 1) * mpmath.exp(-x) / mpmath.gamma(a)
        return float(-dp / pdf)


def test_rsample_gradients_gamma_are_the_implicit_ones():
    conc, rate = _leaf([0.2, 1.0, 3.5, 60.0]), _leaf([1.0, 0.5, 2.0, 1.5])
    cr.manual_seed(4)
    x = crd.Gamma(conc, rate).rsample((3,))
    (g_conc, g_rate), w = _grads(x, (conc, rate))
    y, a, b = as_np(x), as_np(conc), as_np(rate)
    np.testing.assert_allclose(g_rate, (w * -y / b).sum(0), rtol=1e-10)
    dx_da = np.vectorize(_implicit_gamma_grad)(np.broadcast_to(a, y.shape), y * b) / b
    np.testing.assert_allclose(g_conc, (w * dx_da).sum(0), rtol=1e-9)


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Dirichlet"])
def test_rsample_gradient_of_the_mean_is_unbiased(name):
    """The average over draws of d(draw)/dθ is d E[draw]/dθ (torch's analytic mean), within
    K standard errors estimated from 16 independent batches."""
    params = {
        "Gamma": dict(concentration=[0.5, 4.0], rate=[1.0, 2.0]),
        "Beta": dict(concentration1=[0.5, 3.0], concentration0=[2.0, 1.5]),
        "Dirichlet": dict(concentration=[0.6, 2.0, 5.0]),
    }[name]
    mine = {k: _leaf(v) for k, v in params.items()}
    theirs = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()
    }
    dist = getattr(crd, name)(**mine)
    w = np.random.default_rng(0).standard_normal(tuple(dist.batch_shape + dist.event_shape))
    cr.manual_seed(5)
    batches = []
    for _ in range(16):
        x = dist.rsample((500,))
        grads = cr.autograd.grad((x * cr.tensor(w)).sum() / 500, list(mine.values()))
        batches.append(np.concatenate([g.numpy().ravel() for g in grads]))
    batches = np.array(batches)
    mean = getattr(torch.distributions, name)(**theirs).mean
    expected = torch.autograd.grad((mean * torch.tensor(w)).sum(), list(theirs.values()))
    expected = np.concatenate([e.numpy().ravel() for e in expected])
    se = batches.std(0, ddof=1) / math.sqrt(len(batches))
    assert np.all(np.abs(batches.mean(0) - expected) <= K * se), (batches.mean(0), expected, se)
