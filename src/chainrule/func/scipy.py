"""``scipy_objective``: a chainrule function as an objective for ``scipy.optimize``.

SciPy's minimisers work on a flat float64 NumPy vector x and want the value f(x), the
gradient ∇f(x) and, for Newton-type methods, Hessian-vector products H(x)p.  This adapter
computes them with chainrule's reverse mode:

* ``objective(x, *args)`` returns ``(f(x), ∇f(x))`` for ``minimize(..., jac=True)``: one
  forward and one backward pass;
* ``objective.hessp(x, p, *args)`` returns H(x)p as the gradient of ∇f(x)·p (reverse over
  reverse).  The gradient's graph is built once per point and reused, so the many
  products a Newton-CG or trust-region step asks for at one x cost one backward pass
  each;
* ``objective.hess(x, *args)`` returns the dense Hessian (``trust-exact``).

SciPy itself is not imported here: the adapter only takes and returns NumPy arrays.

Example:
    >>> from scipy.optimize import minimize
    >>> obj = chainrule.func.scipy_objective(lambda w: ((w - 3) ** 2).sum())
    >>> minimize(obj, np.zeros(2), jac=True, hessp=obj.hessp, method="Newton-CG").x
    array([3., 3.])
"""

import numpy as np

from .. import autograd
from .._grad_mode import grad_enabled
from .._tensor import Tensor
from ..creation import as_tensor
from ._pytree import to_tensors

__all__ = ["scipy_objective", "ScipyObjective"]


def scipy_objective(f, dtype=np.float64):
    """Wrap ``f(x, *args) -> scalar tensor`` for ``scipy.optimize.minimize``.

    Args:
        f: a function of a 1-D tensor ``x`` (and the extra ``args`` SciPy passes, NumPy
            arrays arriving as tensors) returning a 0-d (or one-element) tensor, written
            with chainrule ops.
        dtype: the dtype ``x`` is computed in (float64, SciPy's own, by default).

    Returns:
        a ``ScipyObjective``: call it for ``(value, gradient)`` (``jac=True``); its
        ``hessp`` and ``hess`` give second-order information.
    """
    return ScipyObjective(f, dtype)


class ScipyObjective:
    """``f`` with value, gradient and Hessian-vector products as NumPy float64 arrays.

    Attributes:
        nfev, ngev, nhev: how many values (with gradients) and Hessian-vector products
            were computed, for comparing optimisers.
    """

    def __init__(self, f, dtype=np.float64):
        self.f = f
        self.dtype = np.dtype(dtype)
        self.nfev = self.ngev = self.nhev = 0
        self._point = None  # (x bytes, args id) of the cached gradient graph
        self._x = self._g = None

    def __call__(self, x, *args):
        """``(f(x), ∇f(x))``: a Python float and a float64 vector."""
        x = self._input(x)
        previous = grad_enabled[0]
        grad_enabled[0] = True
        try:
            value = self._value(x, args)
            (g,) = autograd.grad(value, x)
        finally:
            grad_enabled[0] = previous
        self.nfev += 1
        self.ngev += 1
        return float(value.item()), self._output(g)

    def fun(self, x, *args):
        """f(x) alone, as a Python float (no gradient is computed)."""
        self.nfev += 1
        from ..autograd import no_grad

        with no_grad():
            return float(self._value(as_tensor(self._array(x)), args).item())

    def jac(self, x, *args):
        """∇f(x) alone (for ``minimize(fun=obj.fun, jac=obj.jac)``)."""
        return self(x, *args)[1]

    def hessp(self, x, p, *args):
        """H(x) p, the Hessian of f at x times the vector p: ∂(∇f(x)·p)/∂x."""
        x_tensor, g = self._gradient_graph(x, args)
        self.nhev += 1
        if not g._requires_grad:  # ∇f does not depend on x: f is linear
            return np.zeros_like(self._array(p))
        p_tensor = as_tensor(self._array(p))
        previous = grad_enabled[0]
        grad_enabled[0] = True
        try:
            (hp,) = autograd.grad(g, x_tensor, p_tensor, retain_graph=True, allow_unused=True)
        finally:
            grad_enabled[0] = previous
        if hp is None:
            return np.zeros_like(self._array(p))
        return self._output(hp)

    def hess(self, x, *args):
        """The dense Hessian H(x), one Hessian-vector product per column."""
        n = self._array(x).size
        return np.stack([self.hessp(x, e, *args) for e in np.eye(n, dtype=self.dtype)], 1)

    # ------------------------------------------------------------ helpers
    def _array(self, x):
        return np.ascontiguousarray(x, dtype=self.dtype).reshape(-1)

    def _input(self, x):
        return as_tensor(self._array(x).copy()).requires_grad_(True)

    def _value(self, x, args):
        value = self.f(x, *to_tensors(args))
        if not isinstance(value, Tensor):
            raise TypeError(
                f"scipy_objective: f must return a chainrule tensor, got {type(value).__name__}"
            )
        if value.numel() != 1:
            raise RuntimeError(
                f"scipy_objective: f must return a scalar (one element), got shape "
                f"{list(value.shape)}; reduce it, e.g. with .sum()"
            )
        return value.reshape(())

    def _output(self, g):
        return np.array(g.detach().numpy(), dtype=np.float64).reshape(-1)

    def _gradient_graph(self, x, args):
        """∇f(x) with its graph (create_graph), built once per point and reused."""
        array = self._array(x)
        key = (array.tobytes(), tuple(id(a) for a in args))
        if self._point != key:
            x_tensor = as_tensor(array.copy()).requires_grad_(True)
            previous = grad_enabled[0]
            grad_enabled[0] = True
            try:
                (g,) = autograd.grad(self._value(x_tensor, args), x_tensor, create_graph=True)
            finally:
                grad_enabled[0] = previous
            self._point, self._x, self._g = key, x_tensor, g
            self.ngev += 1
        return self._x, self._g
