"""chainrule.func.pymc: the Op's log-density and gradient against PyMC's own model of the
same density, NUTS sampling through it, and (slow) the logistic-regression example's
posterior against the PyMC-only model."""

import runpy
import warnings
from pathlib import Path

import numpy as np
import pytest

pm = pytest.importorskip("pymc", reason="the science extra (pip install 'chainrule[science]')")

import chainrule as cr  # noqa: E402
from chainrule.func.pymc import logp_op  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RNG = np.random.default_rng(21)
X = RNG.normal(size=(40, 3))
Y = (X @ np.array([1.0, -1.0, 0.5]) + RNG.normal(size=40) > 0).astype(np.float64)


def _models():
    Xc, Yc = cr.tensor(X), cr.tensor(Y)

    def loglik(alpha, beta):
        eta = alpha + Xc @ beta
        return (Yc * eta - cr.nn.functional.softplus(eta)).sum()

    op = logp_op(loglik)
    with pm.Model() as ours:
        alpha = pm.Normal("alpha", 0.0, 2.0)
        beta = pm.Normal("beta", 0.0, 1.0, shape=3)
        pm.Potential("loglik", op(alpha, beta))
    with pm.Model() as theirs:
        alpha = pm.Normal("alpha", 0.0, 2.0)
        beta = pm.Normal("beta", 0.0, 1.0, shape=3)
        pm.Bernoulli("y", logit_p=alpha + pm.math.dot(X, beta), observed=Y)
    return ours, theirs, op


def test_logp_and_gradient_match_pymc_own_model():
    ours, theirs, op = _models()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logp = [m.compile_logp() for m in (ours, theirs)]
        dlogp = [m.compile_dlogp() for m in (ours, theirs)]
    for _ in range(3):
        point = {"alpha": RNG.normal(), "beta": RNG.normal(size=3)}
        np.testing.assert_allclose(logp[0](point), logp[1](point), rtol=1e-12)
        np.testing.assert_allclose(dlogp[0](point), dlogp[1](point), rtol=1e-10, atol=1e-12)
    assert op.evaluator.evaluations >= 3


def test_gradient_op_is_shared_with_the_value_op():
    op = logp_op(lambda a, b: (a * b).sum() + (b**2).sum())
    a, b = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    value, (ga, gb) = op.evaluator([a, b])
    assert value == (a * b).sum() + (b**2).sum()
    np.testing.assert_array_equal(ga, b)
    np.testing.assert_array_equal(gb, a + 2 * b)
    op.evaluator([a, b])
    assert op.evaluator.evaluations == 1  # the same point is not evaluated twice


def test_nuts_samples_through_the_op():
    ours, _, op = _models()
    with ours, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = pm.sample(
            draws=200,
            tune=200,
            chains=1,
            cores=1,
            progressbar=False,
            random_seed=3,
            compute_convergence_checks=False,
        )
    beta = idata.posterior["beta"].values.reshape(-1, 3)
    assert beta.shape == (200, 3) and np.isfinite(beta).all()
    assert beta.mean(0)[0] > 0 > beta.mean(0)[1]  # the signs of the true coefficients
    assert op.evaluator.evaluations > 200


@pytest.mark.slow
def test_logistic_example_posterior_matches_pymc():
    """The example's two models, 4 chains each with fewer draws than the script's default (the
    script itself uses 1000): means and sds within 4 MCSEs, r-hat <= 1.01."""
    example = runpy.run_path(str(EXAMPLES / "pymc_logistic.py"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows, ok = example["main"](draws=500, tune=500, chains=4)
    assert len(rows) == 31
    assert ok, [r for r in rows if r["mean_z"] > 4 or r["sd_z"] > 4 or max(r["r_hat"]) > 1.01]
