"""Logistic regression on the breast-cancer data by scipy.optimize with chainrule
gradients, checked against scikit-learn's LogisticRegression.

The objective is scikit-learn's: C Σᵢ log(1 + exp(−ỹᵢ (xᵢ·w + b))) + ½‖w‖², with labels
ỹᵢ = ±1 and the intercept b not penalised.  ``scipy_objective`` gives SciPy the value and
gradient (one backward pass) and Hessian-vector products (reverse over reverse) from the
same chainrule function, so one objective drives L-BFGS-B, Newton-CG and trust-krylov.

    python examples/scipy_logistic.py
"""

import numpy as np
from scipy.optimize import minimize
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import chainrule.nn.functional as F
from chainrule.func import scipy_objective

C = 1.0
METHODS = {
    "L-BFGS-B": dict(options={"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-10}),
    "Newton-CG": dict(hessp=True, options={"xtol": 1e-12, "maxiter": 1000}),
    "trust-krylov": dict(hessp=True, options={"gtol": 1e-10, "maxiter": 1000}),
}


def loss(theta, X, y):
    """C Σ log(1 + e^(−ỹ·(Xw + b))) + ½‖w‖², written with chainrule ops."""
    w, b = theta[:-1], theta[-1]
    margin = (X @ w + b) * (2 * y - 1)
    return C * F.softplus(-margin).sum() + 0.5 * (w * w).sum()


def data():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y.astype(np.float64)


def fit_all():
    """Coefficients (w, b) from each SciPy method and from scikit-learn."""
    X, y = data()
    objective = scipy_objective(loss)
    theta0 = np.zeros(X.shape[1] + 1)
    fits = {}
    for method, kw in METHODS.items():
        kw = dict(kw)
        if kw.pop("hessp", False):
            kw["hessp"] = objective.hessp
        result = minimize(objective, theta0, args=(X, y), jac=True, method=method, **kw)
        fits[method] = result.x
    # scikit-learn's Newton solver, run to a tight tolerance, is the reference
    reference = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    reference.fit(X, y)
    fits["scikit-learn"] = np.concatenate([reference.coef_.ravel(), reference.intercept_])
    return fits


def main():
    fits = fit_all()
    reference = fits["scikit-learn"]
    print(f"{'method':<14} {'max |Δcoef| vs scikit-learn':>28} {'objective':>12}")
    X, y = data()
    objective = scipy_objective(loss)
    for method, theta in fits.items():
        diff = np.abs(theta - reference).max()
        print(f"{method:<14} {diff:>28.2e} {objective.fun(theta, X, y):>12.6f}")


if __name__ == "__main__":
    main()
