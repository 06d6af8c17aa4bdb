"""The matrix helpers MultivariateNormal needs, composed from public Tensor ops so that their
gradients (and gradients of gradients) come from the ops' rows: a Cholesky factor, a
lower-triangular solve and a matrix's diagonal. Each loops over the n columns (or rows) of an
n x n matrix, every step vectorised over the batch."""

import math

import chainrule


def diagonal(a):
    """The diagonals of a batch of square matrices ``(..., n, n)``, as ``(..., n)``."""
    return (a * chainrule.eye(a.shape[-1], dtype=a.dtype)).sum(-1)


def cholesky(a):
    """The lower Cholesky factor ``L`` of symmetric positive-definite ``a`` ``(..., n, n)``.

    Column by column: with ``v = a[:, j] − L[:, :j] L[j, :j]ᵀ``, ``L[i, j] = v_i / √v_j`` for
    ``i ≥ j``.  ``a`` is symmetrised first, ``(a + aᵀ)/2``, so its gradient is symmetric as
    PyTorch's is.  A matrix that is not positive definite gives NaN from its first
    non-positive pivot on.
    """
    a = (a + a.transpose(-1, -2)) / 2
    n = a.shape[-1]
    rows = chainrule.arange(n)
    columns = []
    for j in range(n):
        v = a[..., :, j]
        if j:
            done = chainrule.stack(columns, -1)  # (..., n, j)
            v = v - (done * done[..., j : j + 1, :]).sum(-1)
        pivot = v[..., j : j + 1]
        root = chainrule.where(pivot > 0, pivot, math.nan).sqrt()
        columns.append(chainrule.where(rows >= j, v / root, 0.0))
    return chainrule.stack(columns, -1)


def solve_tril(lower, b):
    """``X = L⁻¹ b`` for lower-triangular ``L`` ``(..., n, n)`` and ``b`` ``(..., n, k)``,
    by forward substitution: ``x_i = (b_i − Σ_{k<i} L_ik x_k) / L_ii``."""
    xs = []
    for i in range(lower.shape[-1]):
        r = b[..., i, :]
        if i:
            r = r - (lower[..., i, :i].unsqueeze(-1) * chainrule.stack(xs, -2)).sum(-2)
        xs.append(r / lower[..., i, i : i + 1])
    return chainrule.stack(xs, -2)
