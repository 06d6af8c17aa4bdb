"""Counting and searching: bincount, bucketize, searchsorted, isin and unique_consecutive.

None is differentiable: each reads the data and returns counts, positions or masks
(``chainrule.<name>``, re-exported through ops/statistics.py).
"""

import numpy as np

from .._shape import normalize_dim
from .._tensor import Tensor, wrap


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, …, max(input) occurs in the 1-D non-negative integer
    ``input`` (the sum of ``weights`` there, when given); at least ``minlength`` bins."""
    data = input._data
    if data.dtype.kind not in "iub":
        raise NotImplementedError(
            f'"bincount_cpu" not implemented for {input.dtype}: pass an integer tensor'
        )
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError(
            f"bincount only supports 1-d non-negative integral inputs (got shape "
            f"{list(data.shape)})."
        )
    if weights is None or not data.size:  # no elements: int64 counts even with weights
        return wrap(np.bincount(data, minlength=minlength).astype(np.int64))
    w = weights._data
    out = np.bincount(data, w.astype(np.float64), minlength=minlength)
    return wrap(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))


def _side(right, side, name):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{name}(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                f"{name}(): side and right can't be set to opposites, got side of left "
                f"while right was True"
            )
        return side
    return "right" if right else "left"


def _positions(index, out_int32):
    return wrap(np.asarray(index, np.int32 if out_int32 else np.int64))


def _values_data(values):
    return values._data if isinstance(values, Tensor) else np.asarray(values)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The index of the bucket of each element of ``input``: i with
    boundaries[i−1] < x ≤ boundaries[i] (``right``: boundaries[i−1] ≤ x < boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    found = np.searchsorted(boundaries._data, _values_data(input), "right" if right else "left")
    return _positions(found, out_int32)


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    """Where ``values`` would go in the sorted innermost dim of ``sorted_sequence`` to keep
    it sorted: the first such index (``right=True`` or ``side='right'``: the last).
    ``sorter`` holds the indices that sort an unsorted sequence."""
    where = _side(right, side, "torch.searchsorted")
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    v = _values_data(values)
    if seq.ndim == 1:
        return _positions(np.searchsorted(seq, v, where), out_int32)
    if seq.shape[:-1] != v.shape[:-1]:
        raise RuntimeError(
            f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            f"dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(v.shape)}"
        )
    # per row: how many boundaries lie below each value (≤ for 'right'), vectorised
    below = (
        seq[..., None, :] <= v[..., :, None]
        if where == "right"
        else (seq[..., None, :] < v[..., :, None])
    )
    return _positions(below.sum(-1), out_int32)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` occurs in ``test_elements`` (either may be a
    number); ``invert``: whether it does not."""
    e, t = _values_data(elements), _values_data(test_elements)
    return wrap(np.asarray(np.isin(e, t, assume_unique=assume_unique, invert=invert)))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``input`` with each run of equal consecutive elements (slices along ``dim``) kept
    once; optionally the run each element belongs to and the length of each run."""
    data = input._data.reshape(-1) if dim is None else input._data
    d = 0 if dim is None else normalize_dim(dim, data.ndim, "unique_consecutive")
    rows = np.moveaxis(data, d, 0).reshape(data.shape[d], -1) if data.ndim else data.reshape(1, 1)
    starts = np.concatenate([[True], np.any(rows[1:] != rows[:-1], axis=1)])
    out = [wrap(np.compress(starts, data, axis=d) if data.ndim else data.reshape(1))]
    if return_inverse:
        inverse = np.cumsum(starts) - 1
        out.append(wrap(inverse.reshape(input._data.shape) if dim is None else inverse))
    if return_counts:
        first = np.flatnonzero(starts)
        out.append(wrap(np.diff(np.append(first, rows.shape[0])).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
