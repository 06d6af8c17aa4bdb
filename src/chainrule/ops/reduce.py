"""Reductions: sum, mean, var, std, prod, max/min, amax/amin, logsumexp, norm, argmax.

Every reduction takes ``dim`` (None, an int or a tuple) and ``keepdim``; its gradient
first puts the reduced dims back (``_unreduce``) and then applies the local derivative.
"""

import numpy as np

from .._backend import dtype_kind
from .._dtype import get_default_dtype, int64
from .._shape import kept_shape, normalize_dim, normalize_dims
from .._tensor import Tensor, wrap
from ._registry import OpDef, apply, values_indices
from .elementwise import maximum, minimum

MaxResult = values_indices("max")
MinResult = values_indices("min")


def _unreduce(xp, g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's ``shape``."""
    if not keepdim:
        g = xp.reshape(g, kept_shape(shape, dims))
    return xp.expand(g, shape)


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _ties_grad(xp, g, a, out, shape, dims, keepdim):
    # max/min over several equal elements: the gradient is split evenly among them
    mask = a == _unreduce(xp, out, shape, dims, keepdim)
    gu = _unreduce(xp, g, shape, dims, keepdim)
    zero = gu * 0
    hits = xp.sum(xp.where(mask, zero + 1, zero), dims, True)  # how many tie, in g's dtype
    return xp.where(mask, gu, zero) / hits


def _sum_grad(xp, g, shape, dims, keepdim):
    return _unreduce(xp, g, shape, dims, keepdim)  # ∂Σ/∂aᵢ = 1


def _mean_grad(xp, g, shape, dims, keepdim):
    return _unreduce(xp, g, shape, dims, keepdim) / _count(shape, dims)  # ∂mean/∂aᵢ = 1/n


def _sum(xp, a, shape, dims, keepdim):
    return xp.sum(a, dims, keepdim)


def _mean(xp, a, shape, dims, keepdim):
    return xp.mean(a, dims, keepdim)


def _centered(xp, a, dims):
    return a - xp.mean(a, dims, True)


def _var_tangent(xp, t, a, out, shape, dims, keepdim, c):
    # dvar = 2/(n−c) Σ (a−ā) ta
    return xp.sum(_centered(xp, a, dims) * t[0], dims, keepdim) * (2 / (_count(shape, dims) - c))


def _std_tangent(xp, t, a, out, shape, dims, keepdim, c):
    # dσ = Σ (a−ā) ta / ((n−c) σ), 0 where σ = 0
    dot = xp.sum(_centered(xp, a, dims) * t[0], dims, keepdim) / (_count(shape, dims) - c)
    return xp.where(out == 0, 0, dot / xp.where(out == 0, 1, out))


# PyTorch names the whole-tensor and the per-dim reductions differently (…0 and …1)
_REDUCTION = dict(params=("shape", "dim", "keepdim"), linear=True)
SUM_ALL = OpDef("SumBackward0", _sum, grads=[_sum_grad], **_REDUCTION)
SUM = OpDef("SumBackward1", _sum, grads=[_sum_grad], **_REDUCTION)
MEAN_ALL = OpDef("MeanBackward0", _mean, grads=[_mean_grad], **_REDUCTION)
MEAN = OpDef("MeanBackward1", _mean, grads=[_mean_grad], **_REDUCTION)
VAR = OpDef(
    "VarBackward0",
    lambda xp, a, shape, dims, keepdim, c: xp.var(a, dims, keepdim, c),
    jvp=_var_tangent,
    saves=(0,),
    params=("shape", "dim", "keepdim", "correction"),
    grads=[
        lambda xp, g, a, shape, dims, keepdim, c: (  # 2(a−ā)/(n−c)
            _unreduce(xp, g, shape, dims, keepdim)
            * (a - xp.mean(a, dims, True))
            * (2 / (_count(shape, dims) - c))
        )
    ],
)
STD = OpDef(
    "StdBackward0",
    lambda xp, a, shape, dims, keepdim, c: xp.std(a, dims, keepdim, c),
    jvp=_std_tangent,
    saves=(0,),
    saves_out=True,
    params=("shape", "dim", "keepdim", "correction"),
    grads=[
        lambda xp, g, a, out, shape, dims, keepdim, c: (  # (a−ā)/((n−c)σ)
            _unreduce(xp, xp.where(out == 0, 0, g / out), shape, dims, keepdim)  # 0 where σ = 0
            * (a - xp.mean(a, dims, True))
            / (_count(shape, dims) - c)
        )
    ],
)


def _prod_grad(xp, g, a, shape, dims, keepdim):
    return _unreduce(xp, g, shape, dims, keepdim) * xp.prod_except(a, dims)  # Π of the others


def _prod(xp, a, shape, dims, keepdim):
    return xp.prod(a, dims, keepdim)


def _prod_tangent(xp, t, a, out, shape, dims, keepdim):
    return xp.sum(t[0] * xp.prod_except(a, dims), dims, keepdim)  # Σ tᵢ Π_{j≠i} aⱼ


_PROD = dict(saves=(0,), params=("shape", "dim", "keepdim"), grads=[_prod_grad], jvp=_prod_tangent)
PROD_ALL = OpDef("ProdBackward0", _prod, **_PROD)
PROD = OpDef("ProdBackward1", _prod, **_PROD)


def _ties_tangent(xp, t, a, out, shape, dims, keepdim):
    # the mean of the tangents over the tied extreme elements
    mask = a == _unreduce(xp, out, shape, dims, keepdim)
    return xp.sum(t[0] * mask, dims, keepdim) / xp.sum(mask, dims, keepdim)


_EXTREME = dict(
    saves=(0,),
    saves_out=True,
    params=("shape", "dim", "keepdim"),
    grads=[_ties_grad],
    jvp=_ties_tangent,
)
AMAX = OpDef(
    "AmaxBackward0", lambda xp, a, shape, dims, keepdim: xp.amax(a, dims, keepdim), **_EXTREME
)
AMIN = OpDef(
    "AminBackward0", lambda xp, a, shape, dims, keepdim: xp.amin(a, dims, keepdim), **_EXTREME
)
MAX_ALL = OpDef("MaxBackward1", lambda xp, a, shape, dims, keepdim: xp.amax(a), **_EXTREME)
MIN_ALL = OpDef("MinBackward1", lambda xp, a, shape, dims, keepdim: xp.amin(a), **_EXTREME)


def _take(xp, a, shape, dim, keepdim, index):
    out = xp.take_along_axis(a, index, axis=dim)
    return out if keepdim else xp.squeeze(out, dim)


def _index_grad(xp, g, shape, dim, keepdim, index):
    # the gradient goes to the selected position only
    if not keepdim:
        g = xp.reshape(g, kept_shape(shape, (dim,)))
    return xp.scatter_zeros(g, shape, dim, index)


# the values at given indices: linear in the input
_SELECTED = dict(params=("shape", "dim", "keepdim", "index"), grads=[_index_grad], linear=True)
MAX_DIM = OpDef("MaxBackward0", _take, **_SELECTED)
MIN_DIM = OpDef("MinBackward0", _take, **_SELECTED)


def _logsumexp(xp, a, shape, dims, keepdim):
    m = xp.amax(a, dims, True)
    m = xp.where(xp.isfinite(m), m, 0)
    out = xp.log(xp.sum(xp.exp(a - m), dims, True)) + m
    return out if keepdim else xp.squeeze(out, dims)


LOGSUMEXP = OpDef(
    "LogsumexpBackward0",
    _logsumexp,
    saves=(0,),
    saves_out=True,
    params=("shape", "dim", "keepdim"),
    grads=[
        lambda xp, g, a, out, shape, dims, keepdim: (  # softmax(a)
            _unreduce(xp, g, shape, dims, keepdim)
            * xp.exp(a - _unreduce(xp, out, shape, dims, keepdim))
        )
    ],
    jvp=lambda xp, t, a, out, shape, dims, keepdim: xp.sum(  # Σ softmax(a) ta
        xp.exp(a - _unreduce(xp, out, shape, dims, keepdim)) * t[0], dims, keepdim
    ),
)
NORM2 = OpDef(
    "LinalgVectorNormBackward0",
    lambda xp, a, shape, dims, keepdim: xp.sqrt(xp.sum(a * a, dims, keepdim)),
    jvp=lambda xp, t, a, out, shape, dims, keepdim: (  # Σ a ta / ‖a‖ (0 at 0)
        xp.sum(a * t[0], dims, keepdim) / xp.where(out == 0, 1, out)
    ),
    saves=(0,),
    saves_out=True,
    params=("shape", "dim", "keepdim"),
    grads=[
        lambda xp, g, a, out, shape, dims, keepdim: (  # a/‖a‖ (0 at 0)
            _unreduce(xp, g / xp.where(out == 0, 1, out), shape, dims, keepdim) * a
        )
    ],
)


def _numpy_names(name, dim, keepdim, axis, keepdims):
    """``axis=``/``keepdims=``, NumPy's names that PyTorch accepts for ``dim``/``keepdim``."""
    if axis is not None:
        if not (dim is None or (type(dim) is tuple and not dim)):
            raise TypeError(f"{name}() got multiple values for argument 'dim' (axis is its alias)")
        dim = axis
    if keepdims is not None:
        if keepdim:
            raise TypeError(
                f"{name}() got multiple values for argument 'keepdim' (keepdims is its alias)"
            )
        keepdim = keepdims
    return dim, keepdim


def _reduce(op, input, dim, keepdim, *extra):
    dims = normalize_dims(dim, input._data.ndim, op.name)
    return apply(op, (input,), (input._data.shape, dims, bool(keepdim)) + extra)


def _float_input(input, name):
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be "
            f"either a floating point or complex dtype. Got: {input.dtype}"
        )


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Σ of elements over ``dim`` (all dims when None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("sum", dim, keepdim, axis, keepdims)
    if dtype is not None:
        input = input.to(dtype)
    elif dtype_kind(input._data.dtype) == "u":  # NumPy would sum uint8 in uint64; PyTorch: int64
        input = input.to(int64)
    return _reduce(SUM_ALL if dim is None else SUM, input, dim, keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Arithmetic mean over ``dim``: Σx / n."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("mean", dim, keepdim, axis, keepdims)
    if dtype is not None:
        input = input.to(dtype)
    _float_input(input, "mean")
    return _reduce(MEAN_ALL if dim is None else MEAN, input, dim, keepdim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(
    input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None
):
    """Variance Σ(x − x̄)² / (n − correction); correction 1 (Bessel) by default."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("var", dim, keepdim, axis, keepdims)
    if isinstance(dim, bool):  # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    _float_input(input, "var")
    return _reduce(VAR, input, dim, keepdim, _correction(unbiased, correction))


def std(
    input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None
):
    """Standard deviation √var (see ``var``)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("std", dim, keepdim, axis, keepdims)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    _float_input(input, "std")
    return _reduce(STD, input, dim, keepdim, _correction(unbiased, correction))


def prod(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Product of elements over ``dim`` (one dim, or all when None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("prod", dim, keepdim, axis, keepdims)
    if isinstance(dim, (tuple, list)):
        raise TypeError(
            f"prod(): dim must be one int (or None for all elements), got {dim!r}; reduce "
            f"one dim at a time, or flatten first"
        )
    if dtype is not None:
        input = input.to(dtype)
    elif dtype_kind(input._data.dtype) == "u":  # as for sum: int64, not NumPy's uint64
        input = input.to(int64)
    return _reduce(PROD_ALL if dim is None else PROD, input, dim, keepdim)


def amax(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    """Maximum over ``dim``; ties share the gradient evenly."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("amax", dim, keepdim, axis, keepdims)
    return _reduce(AMAX, input, None if dim == () else dim, keepdim)


def amin(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    """Minimum over ``dim``; ties share the gradient evenly."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("amin", dim, keepdim, axis, keepdims)
    return _reduce(AMIN, input, None if dim == () else dim, keepdim)


def _max_min(input, dim, keepdim, whole_op, dim_op, arg, name):
    if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum, as in PyTorch
        return (maximum if name == "max" else minimum)(input, dim)
    if input._data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() "
            f"== 0. Specify the reduction dim with the 'dim' argument."
        )
    if dim is None:
        return _reduce(whole_op, input, None, False)
    if input._data.ndim == 0:
        return _max_min(input.reshape(1), 0, keepdim, whole_op, dim_op, arg, name)
    d = normalize_dim(dim, input._data.ndim, name)
    index = np.expand_dims(arg(input._data, axis=d), d)
    values = apply(dim_op, (input,), (input._data.shape, d, bool(keepdim), index))
    result_type = MaxResult if name == "max" else MinResult
    return result_type(values, wrap(index if keepdim else np.squeeze(index, d)))


def max(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Largest element, or ``(values, indices)`` along ``dim``, or elementwise with a tensor."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("max", dim, keepdim, axis, keepdims)
    return _max_min(input, dim, keepdim, MAX_ALL, MAX_DIM, np.argmax, "max")


def min(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Smallest element, or ``(values, indices)`` along ``dim``."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("min", dim, keepdim, axis, keepdims)
    return _max_min(input, dim, keepdim, MIN_ALL, MIN_DIM, np.argmin, "min")


def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log Σ exp(x) over ``dim``, computed stably by shifting by the maximum."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("logsumexp", dim, keepdim, axis, keepdims)
    if dim is None:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    if not input.dtype.is_floating_point:
        input = input.to(get_default_dtype())
    return _reduce(LOGSUMEXP, input, dim, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm (‖x‖₂ by default) over ``dim``; ``p`` may be 1, 2, inf, -inf or any."""
    if dtype is not None:
        input = input.to(dtype)
    if p in ("fro", 2, 2.0):
        return _reduce(NORM2, input, dim, keepdim)
    if p == "nuc":  # Σ σᵢ over two dims (a 2-D input's own by default)
        from .matrix_functions import matrix_norm

        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)
    a = input.abs()
    if p == float("inf"):
        return amax(a, () if dim is None else dim, keepdim)
    if p == -float("inf"):
        return amin(a, () if dim is None else dim, keepdim)
    if p == 1:
        return sum(a, dim, keepdim)
    return sum(a**p, dim, keepdim) ** (1.0 / p)


def _arg(fn, input, dim, keepdim, name):
    data = input._data
    if dim is None:
        out = np.asarray(fn(data))
        if keepdim:
            out = out.reshape((1,) * data.ndim)
        return wrap(out.astype(np.int64))
    d = normalize_dim(dim, data.ndim, name)
    if data.ndim == 0:
        return wrap(np.zeros((), np.int64))
    out = fn(data, axis=d, keepdims=bool(keepdim))
    return wrap(np.asarray(out, dtype=np.int64))


def argmax(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the largest element (of the flattened tensor when ``dim`` is None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("argmax", dim, keepdim, axis, keepdims)
    return _arg(np.argmax, input, dim, keepdim, "argmax")


def argmin(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("argmin", dim, keepdim, axis, keepdims)
    return _arg(np.argmin, input, dim, keepdim, "argmin")


def _flip_cumsum(xp, g, dim):
    return xp.flip(xp.cumsum(xp.flip(g, (dim,)), dim), (dim,))  # Σ over later i


CUMSUM = OpDef(
    "CumsumBackward0",
    lambda xp, a, dim: xp.cumsum(a, dim),
    params=("dim",),
    grads=[_flip_cumsum],
    linear=True,
)


def cumsum(input, dim=None, *, dtype=None, axis=None):
    """Running sums along ``dim``: outᵢ = Σ_{j ≤ i} xⱼ."""
    if axis is not None:
        dim, _ = _numpy_names("cumsum", dim, False, axis, None)
    if dim is None:
        raise TypeError('cumsum() missing 1 required positional arguments: "dim"')
    if dtype is not None:
        input = input.to(dtype)
    elif dtype_kind(input._data.dtype) in "biu":
        input = input.to(int64)
    return apply(CUMSUM, (input,), (normalize_dim(dim, input._data.ndim, "cumsum"),))


def all(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """True where every element (along ``dim``) is nonzero."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("all", dim, keepdim, axis, keepdims)
    dims = None if dim is None else normalize_dims(dim, input._data.ndim, "all")
    return wrap(np.asarray(np.all(input._data, axis=dims, keepdims=keepdim)))


def any(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """True where some element (along ``dim``) is nonzero."""
    if axis is not None or keepdims is not None:
        dim, keepdim = _numpy_names("any", dim, keepdim, axis, keepdims)
    dims = None if dim is None else normalize_dims(dim, input._data.ndim, "any")
    return wrap(np.asarray(np.any(input._data, axis=dims, keepdims=keepdim)))
