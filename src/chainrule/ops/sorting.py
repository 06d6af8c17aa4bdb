"""Sorting: sort, argsort and topk.  The values are gathered from the input by the
indices, so their gradient is the gather's: scattered back to where each value came from.
"""

import numpy as np

from .._shape import normalize_dim
from .._tensor import wrap
from ._registry import values_indices
from .index import gather

SortResult = values_indices("sort")
TopkResult = values_indices("topk")


def _order(data, dim, descending, stable=True):
    order = np.argsort(
        -data if descending and data.dtype.kind != "b" else data,
        axis=dim,
        kind="stable" if stable else None,
    )
    return np.flip(order, dim) if descending and data.dtype.kind == "b" else order


def argsort(input, dim=-1, descending=False, stable=False):
    """Indices that sort ``input`` along ``dim``."""
    if input._data.ndim == 0:
        return wrap(np.zeros((), np.int64))
    d = normalize_dim(dim, input._data.ndim, "argsort")
    return wrap(_order(input._data, d, descending).astype(np.int64))


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim``."""
    if input._data.ndim == 0:
        return SortResult(input.clone(), wrap(np.zeros((), np.int64)))
    indices = argsort(input, dim, descending, stable)
    return SortResult(gather(input, dim, indices), indices)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) entries along ``dim`` and their indices."""
    d = normalize_dim(dim, input._data.ndim, "topk")
    n = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for dimension {d} of size {n}")
    order = _order(input._data, d, descending=largest)
    indices = wrap(np.take(order, np.arange(k), axis=d).astype(np.int64))
    return TopkResult(gather(input, d, indices), indices)
