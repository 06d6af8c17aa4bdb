"""scipy_objective: value, gradient and Hessian-vector products against torch, and the
logistic-regression example's fits against scikit-learn."""

import runpy
from pathlib import Path

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.func import scipy_objective

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RNG = np.random.default_rng(11)
A = RNG.normal(size=(6, 5))


def f(lib, x, a):
    return (lib.tanh(a @ x) ** 2).sum() + lib.exp(0.3 * x).sum() * (x**2).sum()


def test_value_gradient_hessp_and_hess_match_torch():
    obj = scipy_objective(lambda x, a: f(cr, x, a))
    x, p = RNG.normal(size=5), RNG.normal(size=5)
    value, gradient = obj(x, A)
    tx = torch.tensor(x, requires_grad=True)
    ta = torch.tensor(A)
    t_value = f(torch, tx, ta)
    (t_grad,) = torch.autograd.grad(t_value, tx)
    assert type(value) is float and gradient.dtype == np.float64
    np.testing.assert_allclose(value, t_value.item(), rtol=1e-12)
    np.testing.assert_allclose(gradient, t_grad.numpy(), rtol=1e-10)
    t_hess = torch.autograd.functional.hessian(lambda x: f(torch, x, ta), tx.detach())
    np.testing.assert_allclose(obj.hessp(x, p, A), t_hess.numpy() @ p, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(obj.hess(x, A), t_hess.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(obj.fun(x, A), value, rtol=1e-15)
    np.testing.assert_allclose(obj.jac(x, A), gradient, rtol=1e-15)


def test_hessp_reuses_the_gradient_graph_per_point():
    obj = scipy_objective(lambda x, a: f(cr, x, a))
    x1, x2 = RNG.normal(size=5), RNG.normal(size=5)
    e = np.eye(5)
    h1 = np.stack([obj.hessp(x1, e[i], A) for i in range(5)])
    assert obj.ngev == 1 and obj.nhev == 5  # one gradient graph for five products
    h2 = obj.hessp(x2, e[0], A)
    assert obj.ngev == 2
    np.testing.assert_allclose(h1, h1.T, rtol=1e-10)  # a Hessian is symmetric
    assert not np.allclose(h2, h1[0])


def test_linear_objective_has_zero_hessian():
    obj = scipy_objective(lambda x: (x * 2.0).sum())
    assert not obj.hessp(np.ones(3), np.ones(3)).any()


@pytest.mark.parametrize(
    "bad, message",
    [(lambda x: x * 2, "scalar"), (lambda x: 3.0, "chainrule tensor")],
)
def test_bad_objectives_are_named(bad, message):
    with pytest.raises((RuntimeError, TypeError), match=message):
        scipy_objective(bad)(np.ones(3))


def test_logistic_example_agrees_with_scikit_learn(capsys):
    example = runpy.run_path(str(EXAMPLES / "scipy_logistic.py"))
    fits = example["fit_all"]()
    reference = fits["scikit-learn"]
    # Newton-type methods converge to ~1e-9; L-BFGS-B stops on its own ftol earlier
    assert np.abs(fits["Newton-CG"] - reference).max() < 1e-7
    assert np.abs(fits["trust-krylov"] - reference).max() < 1e-7
    assert np.abs(fits["L-BFGS-B"] - reference).max() < 1e-5
    X, y = example["data"]()
    _, g = scipy_objective(example["loss"])(fits["trust-krylov"], X, y)
    assert np.linalg.norm(g) < 1e-6
