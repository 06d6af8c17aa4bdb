"""Products and sums built by rearranging (part of the arrange family, re-exported from
ops/arrange.py): kron, tensordot, inner, vdot, vander, trapezoid, cumulative_trapezoid and
logspace.  All but vdot (a row of its own, as PyTorch's ``VdotBackward0``) are
compositions of shape ops, products and sums, so every order of gradient comes with them.
"""

import math

import numpy as np

from .._construct import _check_device, _finish
from .._dtype import get_default_dtype, to_dtype
from .._shape import normalize_dim
from .._tensor import Tensor, wrap
from . import linalg as L
from . import matrix as MX
from . import reduce as R
from . import shape as S
from .arrange_select import _check_tensor

VDOT = L._matmul_row("VdotBackward0")  # real inputs: the dot product a · b


def _check_not_bool(name, *tensors):
    if any(t._data.dtype == np.bool_ for t in tensors):
        raise NotImplementedError(
            f"{name}: not implemented for 'Bool' tensors; convert with .long()"
        )


def kron(input, other):
    """The Kronecker product: out[i·m + k, j·n + l] = a[i, j] b[k, l] (in any number of
    dims; the one with fewer dims gets leading 1s)."""
    _check_tensor("kron", input, other)
    ndim = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (ndim - input._data.ndim) + tuple(input.shape)
    sb = (1,) * (ndim - other._data.ndim) + tuple(other.shape)
    # a on the even dims, b on the odd ones: (a0, b0, a1, b1, …) → (a0·b0, a1·b1, …)
    a = S.reshape(input, tuple(x for s in sa for x in (s, 1)))
    b = S.reshape(other, tuple(x for s in sb for x in (1, s)))
    return S.reshape(a * b, tuple(p * q for p, q in zip(sa, sb)))


def _contracted_dims(name, dims, na, nb):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"{name} expects dims >= 0, but got dims={dims}")
        if dims > min(na, nb):
            raise RuntimeError(f"{name} expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(na - dims, na)), list(range(dims))
    da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError(
            f"{name}: both dimension lists should have same length, got {da} and {db}"
        )
    return [normalize_dim(d, na, name) for d in da], [normalize_dim(d, nb, name) for d in db]


def tensordot(a, b, dims=2, out=None):
    """Σ over the paired dims ``dims`` (an int: the last ``dims`` of ``a`` with the first
    of ``b``; or two lists) of a ⊗ b; the free dims of ``a`` then of ``b`` remain."""
    _check_tensor("tensordot", a, b)
    if out is not None:
        raise NotImplementedError("tensordot: out= is not supported; use the returned tensor")
    _check_not_bool("tensordot", a, b)
    da, db = _contracted_dims("tensordot", dims, a._data.ndim, b._data.ndim)
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(
                f"tensordot: contracted dimensions need to match, but first has size "
                f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} in dim {j} "
                f"(shapes {list(a.shape)} and {list(b.shape)})"
            )
    free_a = [d for d in range(a._data.ndim) if d not in da]
    free_b = [d for d in range(b._data.ndim) if d not in db]
    k = math.prod(a.shape[d] for d in da)
    left = S.reshape(S.permute(a, tuple(free_a + da)), (_size_of(a, free_a), k))
    right = S.reshape(S.permute(b, tuple(db + free_b)), (k, _size_of(b, free_b)))
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return S.reshape(L.matmul(left, right), shape)


def _size_of(t, dims):
    return math.prod(t.shape[d] for d in dims)


def inner(input, other):
    """Σ over the last dims of ``input`` and ``other`` of their product (a plain product
    when either is 0-D); the result has the shape input.shape[:-1] + other.shape[:-1]."""
    _check_tensor("inner", input, other)
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return tensordot(input, other, ([-1], [-1]))


def vdot(input, other):
    """Σᵢ conj(aᵢ) bᵢ of two 1-D tensors of one dtype (for real tensors, the dot product)."""
    _check_tensor("vdot", input, other)
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"vdot: 1D tensors expected, but got {input._data.ndim}D and "
            f"{other._data.ndim}D tensors"
        )
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(
            f"vdot: inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
            f"[{other.shape[0]}] to have the same number of elements"
        )
    if input.dtype != other.dtype:
        raise RuntimeError(
            f"vdot: expected both vectors to have same dtype, but found {input.dtype} and "
            f"{other.dtype}"
        )
    _check_not_bool("vdot", input, other)
    return L._product(VDOT, "vdot", input, other)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D ``x``: out[i, j] = xᵢ^(N−1−j) (xᵢ^j when
    ``increasing``), built from running products so that zeros are exact."""
    _check_tensor("vander", x)
    if x._data.ndim != 1:
        raise RuntimeError(f"vander: x must be a one-dimensional tensor, got shape {list(x.shape)}")
    n = x.shape[0]
    N = n if N is None else N
    if N < 0:
        raise RuntimeError(f"vander: N must be non-negative, got {N}")
    if x._data.dtype.kind in "bi":
        x = x.long()
    ones = wrap(np.ones((n, min(N, 1)), dtype=x._data.dtype))
    if N <= 1:
        return ones
    powers = MX.cumprod(S.expand(S.unsqueeze(x, 1), (n, N - 1)), 1)
    out = S.cat([ones, powers], 1)
    return out if increasing else S.flip(out, (1,))


def _spacing(name, y, x, dx, dim):
    """The sample spacing along ``d``: a scalar, or the differences of ``x`` shaped to
    broadcast with ``y``'s neighbour sums."""
    if x is None:
        return 1 if dx is None else dx
    if dx is not None:
        raise TypeError(f"{name}(): pass either x or dx, not both")
    d = normalize_dim(dim, y._data.ndim, name)
    if x._data.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(
                f"{name}: There must be one `x` value for each sample point: x has "
                f"{x.shape[0]}, y has {y.shape[d]} along dim {d}"
            )
        steps = x[1:] - x[:-1]
        return S.reshape(steps, (-1,) + (1,) * (y._data.ndim - 1 - d))
    lead = (slice(None),) * normalize_dim(dim, x._data.ndim, name)
    return x[lead + (slice(1, None),)] - x[lead + (slice(None, -1),)]


def _neighbour_sums(y, d):
    lead = (slice(None),) * d
    return y[lead + (slice(1, None),)] + y[lead + (slice(None, -1),)]


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along ``dim``: Σᵢ Δxᵢ (yᵢ + yᵢ₊₁) / 2, with Δx the
    differences of ``x`` or the constant ``dx`` (default 1)."""
    _check_tensor("trapezoid", y)
    d = normalize_dim(dim, y._data.ndim, "trapezoid")
    step = _spacing("trapezoid", y, x, dx, dim)
    if not isinstance(step, Tensor):  # constant spacing: (Σ y − (y₀ + yₙ) / 2) Δx
        if y.shape[d] == 0:
            return R.sum(y, d) * step
        lead = (slice(None),) * d
        ends = y[lead + (0,)] + y[lead + (-1,)]
        return (R.sum(y, d) - ends * 0.5) * step
    return R.sum(step * _neighbour_sums(y, d), d) / 2


def trapz(y, x=None, *, dx=None, dim=-1):
    """The older name of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal rule along ``dim``: outₖ = Σ_{i ≤ k} Δxᵢ (yᵢ + yᵢ₊₁) / 2
    (one element fewer than ``y`` along ``dim``)."""
    _check_tensor("cumulative_trapezoid", y)
    d = normalize_dim(dim, y._data.ndim, "cumulative_trapezoid")
    step = _spacing("cumulative_trapezoid", y, x, dx, dim)
    return R.cumsum(step * _neighbour_sums(y, d) / 2, d)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` points base^t for t evenly spaced from ``start`` to ``end``."""
    _check_device(device)
    if steps < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative, got {steps}")
    d = to_dtype(dtype) if dtype is not None else get_default_dtype()
    values = np.power(float(base), np.linspace(float(start), float(end), int(steps)))
    return _finish(values.astype(d.numpy), requires_grad)


Tensor.kron = kron
Tensor.inner = inner
Tensor.vdot = vdot
