"""Writing along a dimension: scatter, scatter_add and index_add (and their in-place forms).

``index`` picks, for each element of ``src``, the position along ``dim`` it goes to (the
other coordinates are the element's own).  The gradient to ``src`` reads ``g`` back at the
same positions (a gather); the gradient to ``input`` is ``g`` where ``input`` survived.
"""

import numpy as np

from .._backend import numpy_backend
from .._shape import normalize_dim
from .._tensor import Tensor
from ._registry import OpDef, apply
from .index import masked_fill
from .inplace import inplace


def _scatter(xp, a, s, dim, index, keep):
    out = xp.asarray(a, copy=True)
    out[xp.along_axis_coords(index, dim)] = s
    return out


def _scatter_value(xp, a, dim, index, keep, value):
    out = xp.asarray(a, copy=True)
    out[xp.along_axis_coords(index, dim)] = value
    return out


def _scatter_add(xp, a, s, dim, index):
    out = xp.asarray(a, copy=True)
    xp.add_at(out, xp.along_axis_coords(index, dim), s)
    return out


def _index_add(xp, a, s, key, alpha):
    out = xp.asarray(a, copy=True)
    xp.add_at(out, key, s * alpha if alpha != 1 else s)
    return out


SCATTER = OpDef(
    "ScatterBackward0",
    _scatter,
    params=("dim", "index", "keep"),
    linear=True,
    grads=[
        lambda xp, g, dim, index, keep: g * keep,  # overwritten: 0
        lambda xp, g, dim, index, keep: xp.gather(g, dim, index),  # read back
    ],
)
SCATTER_VALUE = OpDef(
    "ScatterBackward1",
    _scatter_value,
    params=("dim", "index", "keep", "value"),
    grads=[lambda xp, g, dim, index, keep, value: g * keep],  # overwritten: 0
    jvp=lambda xp, t, a, out, dim, index, keep, value: t[0] * keep,
)
SCATTER_ADD = OpDef(
    "ScatterAddBackward0",
    _scatter_add,
    params=("dim", "index"),
    linear=True,
    grads=[
        lambda xp, g, dim, index: g,  # ∂/∂input = 1
        lambda xp, g, dim, index: xp.gather(g, dim, index),  # ∂/∂src: gather
    ],
)
INDEX_ADD = OpDef(
    "IndexAddBackward0",
    _index_add,
    params=("key", "alpha"),
    linear=True,
    grads=[
        lambda xp, g, key, alpha: g,  # ∂/∂input = 1
        lambda xp, g, key, alpha: xp.index(g, key) * alpha,  # α·g[index]
    ],
)


def _check_index(name, input, dim, index, src=None):
    d = normalize_dim(dim, input._data.ndim, name)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim != input._data.ndim:
        raise RuntimeError(
            f"{name}(): Index tensor must have the same number of dimensions "
            f"as self tensor ({idx.ndim} vs {input._data.ndim})"
        )
    src_shape = src._data.shape if isinstance(src, Tensor) else None
    for i, n in enumerate(idx.shape):
        if (src_shape is not None and n > src_shape[i]) or (i != d and n > input.shape[i]):
            raise RuntimeError(
                f"{name}(): Expected index {list(idx.shape)} to be smaller than "
                f"self {list(input.shape)} apart from dimension {d}"
                + (
                    ""
                    if src_shape is None
                    else f" and to be smaller size than src {list(src_shape)}"
                )
            )
    if idx.size and (idx.min() < -input.shape[d] or idx.max() >= input.shape[d]):
        raise RuntimeError(
            f"{name}(): index out of range for dimension {d} with size {input.shape[d]}"
        )
    return d, idx % max(input.shape[d], 1)


def _src_part(src, idx, dtype):
    """The leading ``idx.shape`` block of ``src`` (the part the op reads), as ``dtype``."""
    if src._data.dtype != dtype:
        src = src.to(dtype)
    if src._data.shape != idx.shape:
        src = src[tuple(slice(0, n) for n in idx.shape)]
    return src


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or a number) written at ``index`` along
    ``dim``: out[index[i][j]][j] = src[i][j] for dim=0."""
    if reduce is not None:
        raise NotImplementedError(
            "scatter: the reduce argument is not supported; use scatter_add for reduce='add'"
        )
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing the 'src' or 'value' argument")
    d, idx = _check_index("scatter", input, dim, index, src if isinstance(src, Tensor) else None)
    keep = np.ones(input._data.shape, dtype=bool)
    keep[numpy_backend.along_axis_coords(idx, d)] = False
    if isinstance(src, Tensor):
        src = _src_part(src, idx, input.dtype)
        return apply(SCATTER, (input, src), (d, idx, keep))
    return apply(SCATTER_VALUE, (input,), (d, idx, keep, src))


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    d, idx = _check_index("scatter_add", input, dim, index, src)
    return apply(SCATTER_ADD, (input, _src_part(src, idx, input.dtype)), (d, idx))


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha·source`` added at positions ``index`` (1-D) along
    ``dim`` (repeats add up)."""
    d = normalize_dim(dim, input._data.ndim, "index_add")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector of integers, got "
            f"shape {list(idx.shape)} and dtype {idx.dtype}"
        )
    want = input.shape[:d] + (idx.size,) + input.shape[d + 1 :]
    if tuple(source.shape) != tuple(want):
        raise RuntimeError(
            f"index_add_(): source of shape {list(source.shape)} does not "
            f"match the expected shape {list(want)} for self of shape "
            f"{list(input.shape)}, dim {d} and {idx.size} indices"
        )
    if idx.size and (idx.min() < -input.shape[d] or idx.max() >= input.shape[d]):
        raise IndexError(
            f"index_add_(): index out of range for dimension {d} with size {input.shape[d]}"
        )
    if source._data.dtype != input._data.dtype:
        source = source.to(input.dtype)
    key = (slice(None),) * d + (idx.reshape(-1),)
    return apply(INDEX_ADD, (input, source), (key, alpha))


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return inplace(self, lambda s: scatter(s, dim, index, src, value=value, reduce=reduce), src)


def scatter_add_(self, dim, index, src):
    return inplace(self, lambda s: scatter_add(s, dim, index, src), src)


def index_add_(self, dim, index, source, *, alpha=1):
    return inplace(self, lambda s: index_add(s, dim, index, source, alpha=alpha), source)


def masked_fill_(self, mask, value):
    return inplace(self, lambda s: masked_fill(s, mask, value), value)
