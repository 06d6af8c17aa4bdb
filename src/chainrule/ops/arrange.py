"""Rearranging, stacking, splitting and selecting: PyTorch's shape functions beyond
ops/shape.py (hstack, tile, roll, narrow, ...).

Most are compositions of the shape and index ops, so gradients, ``create_graph`` and forward
mode come with them.  The two rows here, roll and rot90 (PyTorch's ``RollBackward0`` and
``Rot90Backward0``), are gather rows as in ops/arrange_select.py, where the selections
live; the products (kron, tensordot, …) are in ops/arrange_products.py.
"""

import numpy as np

from .._dtype import bool_
from .._shape import normalize_dim
from .._tensor import Tensor, wrap
from . import elementwise as E
from . import index as I
from . import inplace as P
from . import shape as S
from ._registry import apply
from .arrange_products import (
    cumulative_trapezoid,
    inner,
    kron,
    logspace,
    tensordot,
    trapezoid,
    trapz,
    vander,
    vdot,
)
from .arrange_select import (
    _along,
    _check_tensor,
    _gather_row,
    _tensors,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    diag_embed,
    diagonal,
    masked_select,
    take,
    tril_indices,
    triu_indices,
    unravel_index,
)

__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "hstack",
    "vstack",
    "row_stack",
    "column_stack",
    "dstack",
    "tensor_split",
    "hsplit",
    "vsplit",
    "dsplit",
    "fliplr",
    "flipud",
    "movedim",
    "moveaxis",
    "swapdims",
    "ravel",
    "narrow",
    "narrow_copy",
    "select",
    "tile",
    "repeat_interleave",
    "roll",
    "rot90",
    "diff",
    "diagonal",
    "diag_embed",
    "tril_indices",
    "triu_indices",
    "unravel_index",
    "cartesian_prod",
    "broadcast_shapes",
    "broadcast_tensors",
    "take",
    "masked_select",
    # arrange_products
    "kron",
    "tensordot",
    "inner",
    "vdot",
    "vander",
    "trapezoid",
    "trapz",
    "cumulative_trapezoid",
    "logspace",
]


ROLL = _gather_row("RollBackward0")
ROT90 = _gather_row("Rot90Backward0")


# ---------------------------------------------------------------- stacking
def _atleast(name, ndim, reshape_to, tensors):
    tensors = _tensors(name, tensors)
    out = tuple(t if t._data.ndim >= ndim else S.reshape(t, reshape_to(t.shape)) for t in tensors)
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (a 0-D tensor becomes shape (1,))."""
    return _atleast("atleast_1d", 1, lambda s: (1,), tensors)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims: shape (n,) becomes (1, n)."""
    return _atleast("atleast_2d", 2, lambda s: (1,) * (2 - len(s)) + tuple(s), tensors)


def _to_3d(shape):
    return {0: (1, 1, 1), 1: (1, *shape, 1), 2: (*shape, 1)}[len(shape)]


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims: (n,) becomes (1, n, 1), (m, n) becomes (m, n, 1)."""
    return _atleast("atleast_3d", 3, _to_3d, tensors)


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def hstack(tensors):
    """Concatenate along dim 1 (dim 0 for 1-D tensors), as NumPy's hstack."""
    tensors = _as_tuple(atleast_1d(*_tensors("hstack", tensors)))
    return S.cat(tensors, 0 if all(t._data.ndim == 1 for t in tensors) else 1)


def vstack(tensors):
    """Concatenate along dim 0, 1-D tensors becoming rows."""
    return S.cat(_as_tuple(atleast_2d(*_tensors("vstack", tensors))), 0)


row_stack = vstack


def column_stack(tensors):
    """Concatenate along dim 1, 0-D and 1-D tensors becoming columns."""
    tensors = _tensors("column_stack", tensors)
    cols = [S.reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return S.cat(cols, 1)


def dstack(tensors):
    """Concatenate along dim 2 (depth), after ``atleast_3d``."""
    return S.cat(_as_tuple(atleast_3d(*_tensors("dstack", tensors))), 2)


# ---------------------------------------------------------------- splitting
def tensor_split(input, indices_or_sections, dim=0):
    """Views of ``input`` along ``dim``: ``sections`` nearly equal pieces (the first
    ``n % sections`` one longer), or the pieces between the given ``indices``."""
    _check_tensor("tensor_split", input)
    d = normalize_dim(dim, input._data.ndim, "tensor_split")
    n = input._data.shape[d]
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        if arg._data.dtype.kind not in "iu":
            raise RuntimeError(
                f"tensor_split expected tensor_indices_or_sections to have dtype of long, "
                f"but got {arg.dtype}"
            )
        if arg._data.ndim > 1:
            raise RuntimeError(
                f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional "
                f"or one-dimensional tensor, but got a tensor with {arg._data.ndim} dims"
            )
        arg = int(arg._data) if arg._data.ndim == 0 else arg._data.tolist()
    if isinstance(arg, int):
        if arg <= 0:
            raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {arg}")
        size, extra = divmod(n, arg)
        bounds = np.cumsum([0] + [size + (i < extra) for i in range(arg)]).tolist()
        starts, stops = bounds[:-1], bounds[1:]
    else:
        cuts = [int(i) for i in arg]
        starts, stops = [0] + cuts, cuts + [None]
    lead = (slice(None),) * d
    return tuple(I.getitem(input, lead + (slice(a, b),)) for a, b in zip(starts, stops))


def _split_along(name, input, arg, dim, min_ndim):
    _check_tensor(name, input)
    if input._data.ndim < min_ndim:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_ndim} dimension, but got a "
            f"tensor with {input._data.ndim} dimensions!"
        )
    n = input._data.shape[dim]
    if isinstance(arg, int) and (arg == 0 or n % arg):
        raise RuntimeError(
            f"torch.{name} attempted to split along dimension {dim}, but the size of the "
            f"dimension {n} is not divisible by the split_size {arg}!"
        )
    return tensor_split(input, arg, dim)


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 for 1-D tensors); sections must divide evenly."""
    dim = 1 if getattr(input, "ndim", 0) >= 2 else 0
    return _split_along("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections):
    """``tensor_split`` along dim 0 of a tensor of at least 2 dims."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """``tensor_split`` along dim 2 of a tensor of at least 3 dims."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


# ---------------------------------------------------------------- reordering dims
def fliplr(input):
    """Reverse the columns (dim 1) of a tensor of at least 2 dims."""
    if input._data.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d, got shape {list(input.shape)}")
    return S.flip(input, (1,))


def flipud(input):
    """Reverse the rows (dim 0) of a tensor of at least 1 dim."""
    if input._data.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d, got a 0-d tensor")
    return S.flip(input, (0,))


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or sequences); the other
    dims keep their order.  A view."""
    n = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should "
            f"contain the same number of dims as destination ({dst} dims)"
        )
    src_n = [normalize_dim(d, n, "movedim") for d in src]
    dst_n = [normalize_dim(d, n, "movedim") for d in dst]
    for what, dims, given in (("source", src_n, src), ("destination", dst_n, dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{what}` ({given})")
    order = [None] * n
    for s, d in zip(src_n, dst_n):
        order[d] = s
    rest = iter(d for d in range(n) if d not in src_n)
    return S.permute(input, tuple(next(rest) if o is None else o for o in order))


moveaxis = movedim
swapdims = S.transpose


def ravel(input):
    """The elements as a 1-D tensor (a view)."""
    return S.reshape(input, (-1,))


# ---------------------------------------------------------------- selecting
def narrow(input, dim, start, length):
    """The view ``input[..., start:start + length, ...]`` along ``dim`` (``start`` may be
    negative, counted from the end)."""
    d = normalize_dim(dim, input._data.ndim, "narrow")
    n = input._data.shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(
            f"narrow(): start out of range (expected to be in range of [{-n}, {n}], "
            f"but got {start})"
        )
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative, got {length}")
    start %= max(n, 1)
    if start + length > n:
        raise RuntimeError(
            f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({n}) "
            f"of dim {d} in a tensor of shape {list(input.shape)}"
        )
    return I.getitem(input, (slice(None),) * d + (slice(start, start + length),))


def narrow_copy(input, dim, start, length):
    """Like ``narrow``, but a copy."""
    return P.clone(narrow(input, dim, start, length))


def select(input, dim, index):
    """The view at position ``index`` of ``dim``, which is removed."""
    if input._data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, input._data.ndim, "select")
    n = input._data.shape[d]
    index = int(index)
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input.shape)} at dimension {d}"
        )
    key = (slice(None),) * d + (index, Ellipsis)
    return S._view(
        I.SELECT, input, (input._data.shape, key, False), lambda base, v: I.index_put(base, key, v)
    )


# ---------------------------------------------------------------- repeating, rolling
def tile(input, dims):
    """Repeat the tensor ``dims[i]`` times along each dim; missing leading entries are 1."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    for r in dims:
        if r < 0:
            raise RuntimeError(
                f"tile: repetitions must be non-negative, got dims={list(dims)} for a "
                f"tensor of shape {list(input.shape)}"
            )
    return S.repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int, or a tensor: one count per element)
    along ``dim`` (the flattened input when ``dim`` is None).  ``repeat_interleave(r)``
    with a single tensor gives ``arange(len(r))`` repeated by ``r``."""
    if repeats is None:
        repeats, input = input, wrap(np.arange(np.size(input._data), dtype=np.int64))
    if dim is None:
        input, dim = ravel(input), 0
    elif input._data.ndim == 0:
        raise IndexError(
            f"repeat_interleave: Dimension specified as {dim} but tensor has no dimensions"
        )
    d = normalize_dim(dim, input._data.ndim, "repeat_interleave")
    n = input._data.shape[d] if input._data.ndim else 1
    if isinstance(repeats, Tensor):
        reps = repeats._data
        if reps.ndim > 1:
            raise RuntimeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
        if reps.dtype.kind not in "iu":
            raise RuntimeError(
                f"repeat_interleave: repeats has to be Long or Int tensor, got {repeats.dtype}"
            )
        if reps.size != 1:
            if reps.size != n:
                raise RuntimeError(
                    f"repeat_interleave: repeats must have the same size as input along dim, "
                    f"but got repeats.size(0) = {reps.size} and input.size({d}) = {n}"
                )
            if (reps < 0).any():
                raise RuntimeError("repeat_interleave: repeats can not be negative")
            return I.index_select(input, d, np.repeat(np.arange(n), reps))
        repeats = int(reps.reshape(()))
    if repeats < 0:
        raise RuntimeError(f"repeat_interleave: Repeats must be non-negative, got {repeats}")
    shape = input.shape
    if not shape:
        return S.expand(S.reshape(input, (1,)), (repeats,))
    tiled = S.expand(S.unsqueeze(input, d + 1), shape[: d + 1] + (repeats,) + shape[d + 1 :])
    return S.reshape(tiled, shape[:d] + (n * repeats,) + shape[d + 1 :])


def roll(input, shifts, dims=None):
    """Shift elements cyclically by ``shifts`` along ``dims`` (each shift along its dim;
    with no dims, along the flattened tensor): out[(i + s) mod n] = x[i]."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    shape, ndim = input._data.shape, input._data.ndim
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(
                f"roll: with no dims, shifts must be one int, got shifts={list(shifts)}"
            )
        n = input._data.size
        flat = (np.arange(n) - shifts[0]) % max(n, 1)
        index = np.unravel_index(flat.reshape(shape), shape) if ndim else ()
        return apply(ROLL, (input,), (shape, index))
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if not shifts:
        raise RuntimeError("roll: `shifts` required")
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    total = [0] * ndim
    for s, d in zip(shifts, dims):
        total[normalize_dim(d, ndim, "roll")] += s
    index = tuple(
        _along((np.arange(n) - total[k]) % max(n, 1), k, ndim) for k, n in enumerate(shape)
    )
    return apply(ROLL, (input,), (shape, index))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by ``k`` quarter turns in the plane of ``dims``, from the first dim's
    direction towards the second's (NumPy's rot90)."""
    shape, ndim = input._data.shape, input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = (normalize_dim(d, ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(
            f"rot90: expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    k %= 4
    out_shape = list(shape)
    if k % 2:
        out_shape[d0], out_shape[d1] = shape[d1], shape[d0]
    index = [_along(np.arange(n), i, ndim) for i, n in enumerate(out_shape)]
    n0, n1 = shape[d0], shape[d1]
    rows, cols = index[d0], index[d1]  # the output's coordinates in the plane
    if k == 1:  # out[i, j] = x[j, n1 - 1 - i]
        index[d0], index[d1] = cols, n1 - 1 - rows
    elif k == 2:  # out[i, j] = x[n0 - 1 - i, n1 - 1 - j]
        index[d0], index[d1] = n0 - 1 - rows, n1 - 1 - cols
    elif k == 3:  # out[i, j] = x[n0 - 1 - j, i]
        index[d0], index[d1] = n0 - 1 - cols, rows
    return apply(ROT90, (input,), (shape, tuple(index)))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``: out[i] = x[i + 1] - x[i], applied
    ``n`` times, after concatenating ``prepend`` and ``append`` (logical xor for bool)."""
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"diff: order must be non-negative but got {n}")
    d = normalize_dim(dim, input._data.ndim, "diff")
    if n == 0:  # prepend and append are ignored, as in PyTorch
        return input
    parts = [t for t in (prepend, input, append) if t is not None]
    for t in parts:
        same = t._data.ndim == input._data.ndim and all(
            a == b for i, (a, b) in enumerate(zip(t.shape, input.shape)) if i != d
        )
        if not same:
            raise RuntimeError(
                f"diff expects the shape of tensor to prepend or append to match that of "
                f"input except along the differencing dimension; input has shape "
                f"{list(input.shape)}, but got one of shape {list(t.shape)}"
            )
    x = S.cat(parts, d) if len(parts) > 1 else input
    lead = (slice(None),) * d
    for _ in range(n):
        later, earlier = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
        x = E.logical_xor(later, earlier) if x.dtype == bool_ else later - earlier
    return x


# ---------------------------------------------------------------- Tensor methods
Tensor.tensor_split = tensor_split
Tensor.hsplit = hsplit
Tensor.vsplit = vsplit
Tensor.dsplit = dsplit
Tensor.fliplr = fliplr
Tensor.flipud = flipud
Tensor.movedim = movedim
Tensor.moveaxis = movedim
Tensor.swapdims = S.transpose
Tensor.ravel = ravel
Tensor.narrow = narrow
Tensor.narrow_copy = narrow_copy
Tensor.select = select
Tensor.tile = lambda self, *dims: tile(self, dims[0] if len(dims) == 1 else dims)
Tensor.repeat_interleave = repeat_interleave
Tensor.roll = roll
Tensor.rot90 = rot90
Tensor.diff = diff
