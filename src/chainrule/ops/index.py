"""Indexing: ``x[...]`` (ints, slices, None, Ellipsis, integer arrays, boolean masks),
``x[...] = v``, gather, index_select and masked_fill.

The gradient of reading ``x[idx]`` scatters ``g`` back into zeros of ``x``'s shape,
*adding* at repeated integer indices.
"""

import numpy as np

from .._grad_mode import forward_level, grad_enabled
from .._shape import normalize_dim
from .._tensor import Tensor, version_box, wrap
from ._registry import OpDef, apply


def _index_row(name):
    return OpDef(
        name,
        lambda xp, a, shape, index, advanced: a[index],
        params=("shape", "index", "advanced"),
        linear=True,
        grads=[lambda xp, g, shape, index, advanced: xp.index_backward(g, shape, index, advanced)],
    )


SELECT = _index_row("SelectBackward0")
UNSQUEEZE_INDEX = _index_row("UnsqueezeBackward0")
SLICE = _index_row("SliceBackward0")
INDEX = _index_row("IndexBackward0")
INDEX_SELECT = _index_row("IndexSelectBackward0")
# the gradient of indexing, itself differentiable (its gradient indexes again)
INDEX_BACKWARD = OpDef(
    "IndexBackwardBackward0",
    lambda xp, g, shape, index, advanced: xp.index_backward(g, shape, index, advanced),
    params=("shape", "index", "advanced"),
    linear=True,
    grads=[lambda xp, g, shape, index, advanced: xp.index(g, index)],
)
GATHER = OpDef(
    "GatherBackward0",
    lambda xp, a, shape, dim, index: xp.gather(a, dim, index),
    params=("shape", "dim", "index"),
    linear=True,
    grads=[lambda xp, g, shape, dim, index: xp.scatter_zeros(g, shape, dim, index)],
)
SCATTER_ZEROS = OpDef(
    "ScatterAddBackward0",
    lambda xp, g, shape, dim, index: xp.scatter_zeros(g, shape, dim, index),
    params=("shape", "dim", "index"),
    linear=True,
    grads=[lambda xp, g, shape, dim, index: xp.gather(g, dim, index)],
)
MASKED_FILL = OpDef(
    "MaskedFillBackward0",
    lambda xp, a, mask, value: xp.astype(xp.where(mask, value, a), a.dtype, copy=False),
    elementwise=True,
    params=("mask", "value"),
    grads=[lambda xp, g, mask, value: xp.where(mask, 0, g)],
)  # 0 where filled
INDEX_PUT = OpDef(
    "CopySlices",
    lambda xp, a, v, index, keep: _put(a, v, index),
    params=("index", "keep"),
    broadcasts=True,
    linear=True,
    grads=[
        lambda xp, g, index, keep: g * keep,  # overwritten: 0
        lambda xp, g, index, keep: xp.index(g, index),  # what was written
    ],
)


def _put(a, v, index):
    out = a.copy()
    out[index] = v if v.dtype == a.dtype else v.astype(a.dtype)
    return out


def _convert_index(item):
    if isinstance(item, Tensor):
        data = item._data
        if data.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return data
    if isinstance(item, (list, tuple)):
        arr = np.asarray([x._data if isinstance(x, Tensor) else x for x in item])
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr
    if isinstance(item, slice):
        if item.step is not None and item.step <= 0:
            raise ValueError("step must be greater than zero")
        return slice(
            *[int(x) if isinstance(x, Tensor) else x for x in (item.start, item.stop, item.step)]
        )
    return item


def normalize_index(key):
    """A NumPy index for ``key``, and whether it uses advanced (array) indexing."""
    if type(key) is int:  # x[i], the commonest key, first
        return (key, Ellipsis), False
    items = key if isinstance(key, tuple) else (key,)
    items = tuple(_convert_index(k) for k in items)
    advanced = any(isinstance(k, np.ndarray) for k in items)
    if not advanced and not any(k is Ellipsis for k in items):
        items += (Ellipsis,)  # so that selecting one element still gives a view, not a copy
    return items, advanced


def _index_error(shape, key, err):
    return IndexError(f"index {key!r} is out of range for a tensor of shape {list(shape)}: {err}")


def getitem(input, key):
    """``input[key]``; basic indices give views that share memory with ``input``."""
    index, advanced = normalize_index(key)
    shape = input._data.shape
    if not input._requires_grad and not forward_level[0]:  # nothing to record
        try:
            data = input._data[index]
        except IndexError as err:
            raise _index_error(shape, key, err) from None
        out = wrap(data)
        if not advanced:
            out._vbox = version_box(input)
        return out
    if advanced:
        op = INDEX
    elif all(isinstance(k, (int, np.integer)) or k is Ellipsis for k in index):
        op = SELECT
    elif all(k is None or k is Ellipsis for k in index):
        op = UNSQUEEZE_INDEX
    else:
        op = SLICE
    try:
        out = apply(op, (input,), (shape, index, advanced))
    except IndexError as err:
        raise _index_error(shape, key, err) from None
    if not advanced:
        out._vbox = version_box(input)
        if input._requires_grad:
            out._base = (input, lambda base, view: index_put(base, index, view))
    return out


def index_put(input, index, value):
    """A copy of ``input`` with ``value`` written at ``index`` (recorded as CopySlices)."""
    keep = np.ones(input._data.shape, dtype=bool)
    keep[index] = False
    try:
        return apply(INDEX_PUT, (input, value), (index, keep))
    except RuntimeError:
        raise RuntimeError(
            f"index_put: cannot write a value of shape {list(value._data.shape)} "
            f"into the indexed part of a tensor of shape "
            f"{list(input._data.shape)}"
        ) from None


def setitem(self, key, value):
    """``self[key] = value``, in place, recorded as IndexPutBackward0."""
    from .inplace import inplace

    index, advanced = normalize_index(key)
    if not forward_level[0] and not (
        grad_enabled[0]
        and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    ):  # nothing to record (counting, no_grad): write straight into the memory
        data = value._data if isinstance(value, Tensor) else value
        try:
            self._data[index] = data
        except IndexError as err:
            raise _index_error(self._data.shape, key, err) from None
        except ValueError:
            raise RuntimeError(
                f"index_put: cannot write a value of shape {list(np.shape(data))} into the "
                f"indexed part of a tensor of shape {list(self._data.shape)}"
            ) from None
        self._bump_version()
        return
    if not isinstance(value, Tensor):
        value = wrap(np.asarray(value, dtype=self._data.dtype))
    try:
        self._data[index]
    except IndexError as err:
        raise _index_error(self._data.shape, key, err) from None

    inplace(self, lambda source: index_put(source, index, value), value)


def gather(input, dim, index):
    """out[i][j] = input[index[i][j]][j] (for dim=0): pick along ``dim`` by ``index``."""
    d = normalize_dim(dim, input._data.ndim, "gather")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype}")
    if idx.ndim != input._data.ndim:
        raise RuntimeError(
            f"gather(): Index tensor must have the same number of dimensions as "
            f"input tensor ({idx.ndim} vs {input._data.ndim})"
        )
    try:
        return apply(GATHER, (input,), (input._data.shape, d, idx))
    except IndexError as err:
        raise _index_error(input._data.shape, "index", err) from None


def index_select(input, dim, index):
    """The entries of ``input`` at positions ``index`` (1-D) along ``dim``."""
    d = normalize_dim(dim, input._data.ndim, "index_select")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    key = (slice(None),) * d + (idx.reshape(-1),)
    try:
        return apply(INDEX_SELECT, (input,), (input._data.shape, key, True))
    except IndexError as err:
        raise _index_error(input._data.shape, "index", err) from None


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is true, ``input`` elsewhere (mask broadcasts)."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}"
        )
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "masked_fill only supports a 0-dimensional value tensor, but got "
                f"tensor with {value._data.ndim} dimension(s)"
            )
        if value._requires_grad or getattr(value, "_fw_grad", None) is not None:
            from .elementwise import where

            return where(wrap(np.broadcast_to(m, input._data.shape)), value.to(input.dtype), input)
        value = value.item()
    return apply(MASKED_FILL, (input,), (m, value))
