"""Ops that answer questions about values rather than compute with them: nonzero,
count_nonzero, unique; and the tuple-returning helpers meshgrid, var_mean and std_mean
(built from differentiable ops, so gradients flow where PyTorch's do)."""

import numpy as np

from .._shape import normalize_dim, normalize_dims
from .._tensor import Tensor, wrap
from . import reduce as R
from . import shape as S


def _check_tensor(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")


def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or with ``as_tuple`` one
    1-D index tensor per dim (ready for ``x[idx]``)."""
    _check_tensor("nonzero", input)
    data = input._data
    if as_tuple:
        return tuple(wrap(np.asarray(i, dtype=np.int64)) for i in np.nonzero(np.atleast_1d(data)))
    return wrap(np.argwhere(data).astype(np.int64, copy=False))


def count_nonzero(input, dim=None):
    """The number of nonzero elements (along ``dim``, an int or a tuple), as int64."""
    _check_tensor("count_nonzero", input)
    axes = None if dim is None else normalize_dims(dim, input._data.ndim, "count_nonzero")
    return wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, in ascending order (also when ``sorted=False``, as PyTorch does
    on the CPU); optionally the index of each input element in them and their counts.
    With ``dim``, the distinct slices along that dim."""
    _check_tensor("unique", input)
    axis = None if dim is None else normalize_dim(dim, input._data.ndim, "unique")
    values, inverse, counts = np.unique(
        input._data, return_inverse=True, return_counts=True, axis=axis
    )
    if axis is None:
        inverse = inverse.reshape(input._data.shape)
    result = [wrap(np.ascontiguousarray(values))]
    if return_inverse:
        result.append(
            wrap(
                inverse.reshape(-1).astype(np.int64)
                if axis is not None
                else inverse.astype(np.int64)
            )
        )
    if return_counts:
        result.append(wrap(counts.astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: with 'ij' the i-th output varies along dim i;
    'xy' swaps the first two dims (Cartesian order).  Differentiable (expanded views)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be one of 'xy' or 'ij', got '{indexing}'")
    for t in tensors:
        _check_tensor("meshgrid", t)
        if t._data.ndim > 1:
            raise RuntimeError(
                f"meshgrid: expected 0-D or 1-D tensors, got one of shape {list(t.shape)}"
            )
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) > 1:
        raise RuntimeError(
            f"meshgrid expects all tensors to have the same dtype, got "
            f"{sorted(str(d) for d in dtypes)}"
        )
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    flat = [S.reshape(t, (-1,)) for t in tensors]
    shape = tuple(flat[i].shape[0] for i in order)
    grids = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[order.index(i)] = -1
        grids.append(S.expand(S.reshape(t, tuple(view)), shape))
    return tuple(grids)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over ``dim`` in one call (see ``var``)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (
        R.var(input, dim, unbiased, keepdim, correction=correction),
        R.mean(input, dim, keepdim),
    )


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over ``dim`` in one call (see ``std``)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (
        R.std(input, dim, unbiased, keepdim, correction=correction),
        R.mean(input, dim, keepdim),
    )
