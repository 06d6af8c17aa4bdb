"""Each distribution against torch.distributions in float64: log_prob, cdf, icdf, entropy,
mean, mode, variance and stddev, with their gradients w.r.t. the parameters and the value
(1e-10), over batched and broadcast parameters."""

import numpy as np
import pytest
import torch

import chainrule as cr

from .dist_helpers import TOL, TOL32, assert_same, build

rng = np.random.default_rng(0)
R = rng.standard_normal
U = rng.uniform

LOC, SCALE = R((2, 3)), U(0.5, 2.0, (3,))
PROBS = U(0.05, 0.95, (2, 3))
WEIGHTS = U(0.1, 1.0, (2, 4))
A = R((2, 3, 3))
COV = A @ A.transpose(0, 2, 1) + np.eye(3)
TRIL = np.tril(R((2, 3, 3)), -1) + np.diag(U(0.5, 1.5, 3))
CONC = U(0.3, 4.0, (2, 3))
MOMENTS = ["mean", "variance", "stddev"]
DISCRETE = ("Bernoulli", "OneHotCategorical", "Poisson", "Binomial")

# name, parameters, keyword arguments, a value (or probabilities for icdf), what to compare
CASES = [
    (
        "Normal",
        dict(loc=LOC, scale=SCALE),
        {},
        R((4, 2, 3)),
        ["log_prob", "cdf", "entropy", "mode", *MOMENTS],
    ),
    ("Normal", dict(loc=LOC, scale=SCALE), {}, U(0.01, 0.99, (4, 2, 3)), ["icdf"]),
    (
        "LogNormal",
        dict(loc=LOC, scale=SCALE),
        {},
        U(0.1, 3.0, (2, 3)),
        ["log_prob", "cdf", "entropy", "mode", *MOMENTS],
    ),
    ("LogNormal", dict(loc=LOC, scale=SCALE), {}, U(0.01, 0.99, (2, 3)), ["icdf"]),
    (
        "Bernoulli",
        dict(probs=PROBS),
        {},
        np.array([0.0, 1.0, 1.0]),
        ["log_prob", "entropy", *MOMENTS],
    ),
    (
        "Bernoulli",
        dict(logits=R((2, 3)) * 3),
        {},
        np.array([[0.0], [1.0]]),
        ["log_prob", "entropy", *MOMENTS],
    ),
    ("Categorical", dict(probs=WEIGHTS), {}, np.array([[0], [3], [1]]), ["log_prob", "entropy"]),
    ("Categorical", dict(logits=R((2, 4))), {}, np.array([2, 0]), ["log_prob", "entropy"]),
    (
        "OneHotCategorical",
        dict(logits=R((2, 4))),
        {},
        np.eye(4)[[1, 3]],
        ["log_prob", "entropy", *MOMENTS],
    ),
    (
        "Uniform",
        dict(low=LOC, high=LOC + SCALE),
        {},
        LOC + 0.3 * SCALE,
        ["log_prob", "cdf", "entropy", *MOMENTS],
    ),
    ("Uniform", dict(low=LOC, high=LOC + SCALE), {}, U(0, 1, (2, 3)), ["icdf"]),
    (
        "MultivariateNormal",
        dict(loc=R(3), covariance_matrix=COV),
        {},
        R((4, 2, 3)),
        ["log_prob", "entropy", *MOMENTS],
    ),
    (
        "MultivariateNormal",
        dict(loc=R((2, 3)), scale_tril=TRIL),
        {},
        R((4, 1, 3)),
        ["log_prob", "entropy", *MOMENTS],
    ),
    (
        "MultivariateNormal",
        dict(loc=R(3), precision_matrix=COV),
        {},
        R((2, 3)),
        ["log_prob", "entropy", *MOMENTS],
    ),
    (
        "Gamma",
        dict(concentration=CONC, rate=SCALE),
        {},
        U(0.1, 3.0, (2, 3)),
        ["log_prob", "entropy", "mode", *MOMENTS],
    ),
    (
        "Exponential",
        dict(rate=SCALE),
        {},
        U(0.0, 3.0, (2, 3)),
        ["log_prob", "cdf", "entropy", "mode", *MOMENTS],
    ),
    ("Exponential", dict(rate=SCALE), {}, U(0.01, 0.99, (2, 3)), ["icdf"]),
    (
        "Beta",
        dict(concentration1=CONC, concentration0=CONC[::-1]),
        {},
        U(0.05, 0.95, (2, 3)),
        ["log_prob", "entropy", *MOMENTS],
    ),
    (
        "Dirichlet",
        dict(concentration=CONC),
        {},
        rng.dirichlet(np.ones(3), (4, 2)),
        ["log_prob", "entropy", *MOMENTS],
    ),
    (
        "Laplace",
        dict(loc=LOC, scale=SCALE),
        {},
        R((4, 2, 3)),
        ["log_prob", "cdf", "entropy", "mode", *MOMENTS],
    ),
    ("Laplace", dict(loc=LOC, scale=SCALE), {}, U(0.01, 0.99, (2, 3)), ["icdf"]),
    (
        "Poisson",
        dict(rate=U(0.5, 20.0, (2, 3))),
        {},
        np.array([[0.0, 3.0, 7.0], [1.0, 12.0, 30.0]]),
        ["log_prob", "mode", *MOMENTS],
    ),
    (
        "Binomial",
        dict(probs=PROBS),
        dict(total_count=10),
        np.array([0.0, 4.0, 10.0]),
        ["log_prob", "entropy", "mode", *MOMENTS],
    ),
    (
        "Binomial",
        dict(logits=R((2, 3)) * 2, total_count=np.array([3.0, 7.0, 12.0])),
        {},
        np.array([[0.0, 4.0, 9.0]]),
        ["log_prob", *MOMENTS],
    ),
]


def _method(dist, what, value):
    if what in ("log_prob", "cdf", "icdf"):
        return getattr(dist, what)(value)
    if what == "entropy":
        return dist.entropy()
    return getattr(dist, what)


@pytest.mark.parametrize(
    "case",
    [(c, w) for c in CASES for w in c[4]],
    ids=lambda c: f"{c[0][0]}-{c[1]}-{sorted(c[0][1])[-1]}",
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_against_torch(case, dtype):
    (name, params, kwargs, value, _), what = case
    mine, ref, ours, theirs = build(name, params, dtype, **kwargs)
    grad = value.dtype.kind == "f" and name not in DISCRETE
    float_value = value.dtype.kind == "f"
    ours["value"] = cr.tensor(
        value, dtype=getattr(cr, dtype) if float_value else cr.int64, requires_grad=grad
    )
    theirs["value"] = torch.tensor(
        value, dtype=getattr(torch, dtype) if float_value else torch.int64, requires_grad=grad
    )
    out = _method(mine, what, ours["value"])
    ref_out = _method(ref, what, theirs["value"])
    assert_same(out, ref_out, ours, theirs, tol=TOL if dtype == "float64" else TOL32)


# second order: the Hessian-vector product of Σ w·f w.r.t. every input, against torch
SECOND_ORDER = [
    ("Normal", dict(loc=LOC, scale=SCALE), R((2, 3)), "log_prob"),
    ("Normal", dict(loc=LOC, scale=SCALE), U(0.01, 0.99, (2, 3)), "icdf"),
    ("Normal", dict(loc=LOC, scale=SCALE), R((2, 3)), "cdf"),
    ("Bernoulli", dict(logits=R((2, 3))), None, "entropy"),
    ("Categorical", dict(logits=R((2, 4))), None, "entropy"),
    ("MultivariateNormal", dict(loc=R((2, 3)), scale_tril=TRIL), R((2, 3)), "log_prob"),
    ("MultivariateNormal", dict(loc=R(3), covariance_matrix=COV), R((2, 3)), "log_prob"),
]


@pytest.mark.parametrize("case", SECOND_ORDER, ids=lambda c: f"{c[0]}-{c[3]}")
def test_second_order_against_torch(case):
    name, params, value, what = case
    mine, ref, ours, theirs = build(name, params)
    if value is not None:
        ours["value"] = cr.tensor(value, dtype=cr.float64, requires_grad=True)
        theirs["value"] = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    out = _method(mine, what, ours.get("value"))
    ref_out = _method(ref, what, theirs.get("value"))
    rng = np.random.default_rng(7)
    w = rng.standard_normal(tuple(ref_out.shape))
    ins, ref_ins = list(ours.values()), list(theirs.values())
    g = cr.autograd.grad((out * cr.tensor(w)).sum(), ins, create_graph=True)
    h = torch.autograd.grad((ref_out * torch.tensor(w)).sum(), ref_ins, create_graph=True)
    us = [rng.standard_normal(tuple(t.shape)) for t in ref_ins]
    hv = cr.autograd.grad(
        sum((a * cr.tensor(u)).sum() for a, u in zip(g, us)), ins, allow_unused=True
    )
    ref_hv = torch.autograd.grad(
        sum((a * torch.tensor(u)).sum() for a, u in zip(h, us)), ref_ins, allow_unused=True
    )
    for a, b, u in zip(hv, ref_hv, us):
        a = np.zeros_like(u) if a is None else a.numpy()  # unused: a zero second derivative
        b = np.zeros_like(u) if b is None else b.numpy()
        np.testing.assert_allclose(a, b, **TOL)
