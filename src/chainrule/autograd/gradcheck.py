"""Checking gradients against central finite differences, as PyTorch's gradcheck does.

For each float64 input that requires grad, the numerical Jacobian column for element j is
(f(x + ε eⱼ) − f(x − ε eⱼ)) / 2ε; the analytical Jacobian row for output element i comes
from one backward pass with the one-hot gradient eᵢ.
"""

import numpy as np

from .._tensor import Tensor, wrap

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _outputs(fn, inputs):
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]


def _numerical(fn, inputs, eps):
    """Jacobians d(flattened outputs)/d(flattened input) for every differentiable input."""
    columns = []
    for t in inputs:
        if not (isinstance(t, Tensor) and t._requires_grad):
            columns.append(None)
            continue
        data = t._data  # perturbed in place, element by element in row-major order (a
        # reshape would copy a non-contiguous input, and the function would not see it)
        n_out = sum(o._data.size for o in _outputs(fn, inputs))
        jac = np.zeros((n_out, data.size))
        for j, index in enumerate(np.ndindex(data.shape)):
            orig = data[index]
            data[index] = orig + eps
            plus = _flat_outputs(fn, inputs)
            data[index] = orig - eps
            minus = _flat_outputs(fn, inputs)
            data[index] = orig
            jac[:, j] = (plus - minus) / (2 * eps)
        columns.append(jac)
    return columns


def _flat_outputs(fn, inputs):
    outs = [o._data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
    return np.concatenate(outs) if outs else np.zeros(0)


def _analytical(fn, inputs):
    from .engine import run_backward

    outputs = _outputs(fn, inputs)
    sizes = [o._data.size for o in outputs]
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    rows = []
    for k, out in enumerate(outputs):
        for i in range(sizes[k]):
            if not out._requires_grad:
                rows.append([np.zeros(t._data.size) for t in diff_inputs])
                continue
            onehot = np.zeros(out._data.size, dtype=out._data.dtype)
            onehot[i] = 1
            grads = run_backward(
                [out],
                [onehot.reshape(out._data.shape)],
                retain_graph=True,
                inputs=diff_inputs,
                accumulate=False,
            )
            rows.append(
                [
                    np.zeros(t._data.size)
                    if gi is None
                    else np.asarray(gi, dtype=np.float64).ravel()
                    for gi, t in zip(grads, diff_inputs)
                ]
            )
    return [
        np.array([r[j] for r in rows]).reshape(sum(sizes), t._data.size)
        for j, t in enumerate(diff_inputs)
    ]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """True if ``func``'s backward matches finite differences on ``inputs`` (use float64)."""
    inputs = _as_tuple(inputs)
    for t in inputs:
        if isinstance(t, Tensor) and t._requires_grad and t._data.dtype != np.float64:
            raise GradcheckError(
                f"gradcheck expects float64 inputs for reliable finite "
                f"differences, got {t.dtype}; convert with .double()"
            )
    numerical = [n for n in _numerical(func, inputs, eps) if n is not None]
    analytical = _analytical(func, inputs)
    for idx, (n, a) in enumerate(zip(numerical, analytical)):
        if n.shape != a.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(
                f"Jacobian mismatch for differentiable input {idx}:\n"
                f"numerical:\n{n}\nanalytical:\n{a}"
            )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    **_ignored,
):
    """gradcheck of the first derivative itself (checks ``create_graph=True`` backward)."""
    from . import grad

    inputs = _as_tuple(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    outs = _outputs(func, inputs)
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        grad_outputs = [
            wrap(np.asarray(rng.standard_normal(o._data.shape), o._data.dtype)) for o in outs
        ]
    grad_outputs = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]

    def first_derivative(*xs):
        out = _outputs(func, xs)
        gs = grad(
            out,
            [x for x in xs if isinstance(x, Tensor) and x._requires_grad],
            grad_outputs,
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in gs if g is not None)

    if not diff:
        return True
    return gradcheck(
        first_derivative, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
