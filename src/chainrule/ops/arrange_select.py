"""Selections of the arrange family (re-exported from ops/arrange.py): diagonals,
take, masked_select, unfold, and index arithmetic (tril/triu_indices, unravel_index,
cartesian_prod, broadcast_tensors).

The rows here are the selections PyTorch records as a node of their own
(``TakeBackward0`` …): each reads ``out = a[index]`` with an integer index array per input
dim, so its gradient scatters ``g`` back, adding where an element is read more than once
(the overlapping windows of ``unfold``).
"""

import math

import numpy as np

from .._dtype import int64
from .._shape import normalize_dim
from .._tensor import Size, Tensor, version_box, wrap
from . import index as I
from . import matrix as MX
from . import shape as S
from ._registry import OpDef, apply


def _gather_row(name):
    # out = a[index]: ∂ = g scattered back to a's shape, added where an element repeats
    return OpDef(
        name,
        lambda xp, a, shape, index: a[index],
        linear=True,
        params=("shape", "index"),
        grads=[lambda xp, g, shape, index: xp.index_backward(g, shape, index, True)],
    )


TAKE = _gather_row("TakeBackward0")
MASKED_SELECT = _gather_row("MaskedSelectBackward0")
UNFOLD = _gather_row("UnfoldBackward0")
DIAG_EMBED = OpDef(
    "DiagEmbedBackward0",
    # out = zeros with v written at index (each place once)
    lambda xp, v, shape, index: xp.index_backward(v, shape, index, False),
    linear=True,
    params=("shape", "index"),
    grads=[lambda xp, g, shape, index: xp.index(g, index)],
)  # read the diagonals back


def _along(values, pos, ndim):
    """``values`` (1-D) as an array of ``ndim`` dims that varies along dim ``pos`` only."""
    return np.asarray(values, dtype=np.intp).reshape((1,) * pos + (-1,) + (1,) * (ndim - pos - 1))


def _check_tensor(name, *tensors):
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): expected Tensor arguments, got {type(t).__name__}")


def _tensors(name, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    _check_tensor(name, *tensors)
    return tensors


# ---------------------------------------------------------------- diagonals
def _diagonal_planes(name, ndim, dim1, dim2):
    d1, d2 = normalize_dim(dim1, ndim, name), normalize_dim(dim2, ndim, name)
    if d1 == d2:
        raise RuntimeError(f"{name}: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset``-th diagonal of the planes (``dim1``, ``dim2``), appended as the last
    dim (offset > 0 above the main diagonal)."""
    shape, ndim = input._data.shape, input._data.ndim
    d1, d2 = _diagonal_planes("diagonal", ndim, dim1, dim2)
    rest = [i for i in range(ndim) if i not in (d1, d2)]
    rows, cols = MX._diagonal_index(shape[d1], shape[d2], offset)
    index = [None] * ndim
    for j, i in enumerate(rest):
        index[i] = _along(np.arange(shape[i]), j, ndim - 1)
    index[d1], index[d2] = _along(rows, ndim - 2, ndim - 1), _along(cols, ndim - 2, ndim - 1)
    index = tuple(index)
    out = apply(MX.DIAGONAL, (input,), (shape, index))
    data = input._data
    if isinstance(data, np.ndarray) and len(rows):  # a view, as PyTorch's: writes reach x
        start = [slice(None)] * ndim
        start[d1], start[d2] = slice(int(rows[0]), None), slice(int(cols[0]), None)
        out._data = np.lib.stride_tricks.as_strided(
            data[tuple(start)],
            out._data.shape,
            tuple(data.strides[i] for i in rest) + (data.strides[d1] + data.strides[d2],),
        )
        out._vbox = version_box(input)
        if input._requires_grad:
            out._base = (input, lambda base, view: I.index_put(base, index, view))
    return out


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices whose ``offset``-th diagonals in the planes (``dim1``, ``dim2``) hold the
    last dim of ``input``; zeros elsewhere (the inverse of ``diagonal``)."""
    ndim = input._data.ndim
    d1, d2 = _diagonal_planes("diag_embed", ndim + 1, dim1, dim2)
    size = (input.shape[-1] if ndim else 1) + abs(offset)
    if not ndim:
        input = S.reshape(input, (1,))
        ndim = 1
    rows, cols = MX._diagonal_index(size, size, offset)
    lead = iter(enumerate(input.shape[:-1]))
    shape, index = [], []
    for i in range(ndim + 1):
        if i in (d1, d2):
            shape.append(size)
            index.append(_along(rows if i == d1 else cols, ndim - 1, ndim))
        else:
            j, n = next(lead)
            shape.append(n)
            index.append(_along(np.arange(n), j, ndim))
    return apply(DIAG_EMBED, (input,), (tuple(shape), tuple(index)))


def _triangle_indices(name, row, col, offset, dtype, upper):
    for what, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{name}: {what} must be non-negative, got {v}")
    rows, cols = np.indices((row, col))
    keep = cols - rows >= offset if upper else cols - rows <= offset
    pairs = np.stack([rows[keep], cols[keep]])
    return wrap(pairs.astype((dtype or int64).numpy))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) row and column indices of the lower triangle of a row×col matrix
    (col − row ≤ offset), in row-major order."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, upper=False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) row and column indices of the upper triangle (col − row ≥ offset)."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, upper=True)


# ---------------------------------------------------------------- index arithmetic
def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in a tensor of ``shape``, one int64 tensor per
    dim: coordᵢ = (index // Π shape[i+1:]) mod shape[i]."""
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: expected 'indices' to be integer dtype, got {idx.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"unravel_index: 'shape' cannot have negative values, but got {shape}")
    strides = [math.prod(shape[i + 1 :]) for i in range(len(shape))]
    return tuple(
        wrap(((idx.astype(np.int64) // st) % max(s, 1)).astype(np.int64))
        for st, s in zip(strides, shape)
    )


def cartesian_prod(*tensors):
    """All tuples (a, b, …) of elements of the 1-D tensors, in row-major order, as the
    rows of an (N, k) tensor (a single tensor is returned as it is)."""
    tensors = _tensors("cartesian_prod", tensors)
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"cartesian_prod: Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    from .query import meshgrid

    return S.stack([S.reshape(g, (-1,)) for g in meshgrid(*tensors, indexing="ij")], 1)


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to (PyTorch's rules: trailing dims match or
    are 1)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(
            f"broadcast_shapes: shapes {[list(s) for s in shapes]} cannot be broadcast together"
        ) from None


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (views; one already of that
    shape is returned as it is)."""
    tensors = _tensors("broadcast_tensors", tensors)
    try:
        shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    except ValueError:
        raise RuntimeError(
            f"broadcast_tensors: shapes {[list(t.shape) for t in tensors]} cannot be "
            f"broadcast together"
        ) from None
    return tuple(t if t._data.shape == shape else S.expand(t, shape) for t in tensors)


def take(input, index):
    """The elements of the flattened ``input`` at ``index`` (negative counts from the
    end); the result has ``index``'s shape."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {idx.dtype}")
    n = input._data.size
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(
            f"take(): out of range: tried to access index {int(idx[bad].flat[0])} on a "
            f"tensor of {n} elements (shape {list(input.shape)})"
        )
    return apply(TAKE, (S.reshape(input, (-1,)),), ((n,), (idx % max(n, 1),)))


def masked_select(input, mask):
    """The elements of ``input`` where the boolean ``mask`` is true (the two broadcast),
    as a 1-D tensor in row-major order."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {m.dtype}")
    try:
        shape = np.broadcast_shapes(input._data.shape, m.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_select: the mask of shape {list(m.shape)} cannot be broadcast with the "
            f"input of shape {list(input.shape)}"
        ) from None
    shape = shape or (1,)  # a 0-d input and mask act as 1-element vectors
    if input._data.shape != shape:
        input = S.expand(input, shape)
    return apply(MASKED_SELECT, (input,), (shape, np.nonzero(np.broadcast_to(m, shape))))


def unfold(input, dimension, size, step):
    """Every window of ``size`` elements along ``dimension``, ``step`` apart: that dim
    becomes the window count (n − size) // step + 1 and a new last dim of ``size`` holds
    each window (the gradient adds where windows overlap)."""
    shape, ndim = input._data.shape, input._data.ndim
    d = normalize_dim(dimension, ndim, "unfold")
    n = shape[d] if ndim else 1
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(
            f"unfold: maximum size for tensor at dimension {d} is {n} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if not ndim:
        return S.reshape(input, (size,))
    count = (n - size) // step + 1
    index = [_along(np.arange(s), i, ndim + 1) for i, s in enumerate(shape)]
    index[d] = _along(np.arange(count) * step, d, ndim + 1) + _along(
        np.arange(size), ndim, ndim + 1
    )
    return apply(UNFOLD, (input,), (shape, tuple(index)))


Tensor.diagonal = diagonal
Tensor.diag_embed = diag_embed
Tensor.take = take
Tensor.masked_select = masked_select
Tensor.unfold = unfold
