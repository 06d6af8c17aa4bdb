"""Bayesian logistic regression on the breast-cancer data, sampled by PyMC's NUTS with a
log-density and gradient computed by chainrule, checked against the same model written
in PyMC alone.

The model: α ~ N(0, 5²), βⱼ ~ N(0, 1), yᵢ ~ Bernoulli(σ(α + xᵢ·β)) on the standardised
features.  The chainrule version writes the whole log-density,

    log p(α, β | y) = Σᵢ [yᵢ ηᵢ − log(1 + e^ηᵢ)] − α²/50 − ‖β‖²/2 + const,  η = α + Xβ,

as a chainrule function; ``chainrule.func.pymc.logp_op`` makes it a PyTensor Op (value
and gradient from chainrule), ``pm.Potential`` adds it to a model of flat parameters,
and PyMC's own NUTS samples it.  Both posteriors should agree within Monte Carlo error
(posterior means and standard deviations, compared with ArviZ's MCSEs) with r-hat ≤ 1.01.

    python examples/pymc_logistic.py
"""

import arviz as az
import numpy as np
import pymc as pm
import pytensor.tensor as pt
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.func.pymc import logp_op

SETTINGS = dict(draws=1000, tune=1000, chains=4, cores=1)


def data():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y.astype(np.float64)


def chainrule_model(X, y):
    """Flat α, β and the whole log-density from chainrule."""
    Xc, yc = cr.tensor(X), cr.tensor(y)

    def log_density(alpha, beta):
        eta = alpha + Xc @ beta
        likelihood = (yc * eta - F.softplus(eta)).sum()
        prior = -(alpha**2) / (2 * 5.0**2) - (beta * beta).sum() / 2
        return likelihood + prior

    op = logp_op(log_density)
    with pm.Model() as model:
        alpha = pm.Flat("alpha")
        beta = pm.Flat("beta", shape=X.shape[1])
        pm.Potential("log_density", op(alpha, beta))
    return model, op


def pymc_model(X, y):
    """The same model in PyMC alone."""
    with pm.Model() as model:
        alpha = pm.Normal("alpha", 0.0, 5.0)
        beta = pm.Normal("beta", 0.0, 1.0, shape=X.shape[1])
        pm.Bernoulli("y", logit_p=alpha + pt.dot(X, beta), observed=y)
    return model


def sample(model, seed, **settings):
    settings = {**SETTINGS, **settings}
    with model:
        return pm.sample(random_seed=seed, progressbar=False, **settings)


def compare(ours, theirs, sigmas=4.0):
    """Per parameter: means and sds of both posteriors, their MCSEs and r-hats; whether
    each difference is within ``sigmas`` combined Monte Carlo standard errors."""
    rows = []
    a = az.summary(ours, var_names=["alpha", "beta"], round_to="none")
    b = az.summary(theirs, var_names=["alpha", "beta"], round_to="none")
    for name in b.index:
        x, z = a.loc[name], b.loc[name]
        mean_se = np.hypot(x["mcse_mean"], z["mcse_mean"])
        sd_se = np.hypot(x["mcse_sd"], z["mcse_sd"])
        rows.append(
            dict(
                name=name,
                mean=(x["mean"], z["mean"]),
                sd=(x["sd"], z["sd"]),
                mean_z=abs(x["mean"] - z["mean"]) / mean_se,
                sd_z=abs(x["sd"] - z["sd"]) / sd_se,
                r_hat=(x["r_hat"], z["r_hat"]),
            )
        )
    ok = all(r["mean_z"] <= sigmas and r["sd_z"] <= sigmas for r in rows)
    ok = ok and all(max(r["r_hat"]) <= 1.01 for r in rows)
    return rows, ok


def main(**settings):
    X, y = data()
    model, op = chainrule_model(X, y)
    ours = sample(model, seed=1, **settings)
    theirs = sample(pymc_model(X, y), seed=2, **settings)
    rows, ok = compare(ours, theirs)
    print(f"{'parameter':<10} {'mean (chainrule / PyMC)':>26} {'sd (chainrule / PyMC)':>24}")
    for r in rows:
        print(
            f"{r['name']:<10} {r['mean'][0]:>12.4f} {r['mean'][1]:>12.4f}  "
            f"{r['sd'][0]:>10.4f} {r['sd'][1]:>10.4f}  |Δ|/MCSE {r['mean_z']:.1f}, {r['sd_z']:.1f}"
        )
    worst_rhat = max(max(r["r_hat"]) for r in rows)
    print(f"largest r-hat {worst_rhat:.3f}; chainrule evaluations {op.evaluator.evaluations}")
    print("posteriors agree within Monte Carlo error" if ok else "POSTERIORS DIFFER")
    return rows, ok


if __name__ == "__main__":
    main()
