"""Shape ops: reshape/view, squeeze, transpose, permute, expand, repeat, flip, cat, stack,
split, chunk and pad.  Views share memory and the version counter with their input."""

import numpy as np

from .._shape import normalize_dim, normalize_dims, normalize_shape
from .._tensor import Tensor, version_box
from ._registry import OpDef, apply


def _view(op, input, params, rebuild=None):
    """Apply a view op: the result shares memory and version counter with ``input``;
    ``rebuild(base, changed_view)`` lets in-place ops on the view update ``input``'s graph."""
    out = apply(op, (input,), params)
    out._vbox = version_box(input)
    if input._requires_grad and rebuild is not None:
        out._base = (input, rebuild)
    return out


def _reshaped_back(base, view):
    return reshape(view, base._data.shape)


def _reshape_row(name):
    # every pure re-labelling of the same elements: ∂ = reshape back to the input's shape
    return OpDef(
        name,
        lambda xp, a, in_shape, shape: xp.reshape(a, shape),
        linear=True,
        params=("input_shape", "shape"),
        grads=[lambda xp, g, in_shape, shape: xp.reshape(g, in_shape)],
    )


VIEW = _reshape_row("ViewBackward0")  # also reshape and flatten, as PyTorch names them
SQUEEZE_ALL = _reshape_row("SqueezeBackward0")
SQUEEZE = _reshape_row("SqueezeBackward1")
SQUEEZE_DIMS = _reshape_row("SqueezeBackward2")
UNSQUEEZE = _reshape_row("UnsqueezeBackward0")


def _transpose_row(name):
    return OpDef(
        name,
        lambda xp, a, d0, d1: xp.swapaxes(a, d0, d1),
        linear=True,
        params=("dim0", "dim1"),
        grads=[lambda xp, g, d0, d1: xp.swapaxes(g, d0, d1)],
    )  # swap back


TRANSPOSE = _transpose_row("TransposeBackward0")
T = _transpose_row("TBackward0")
PERMUTE = OpDef(
    "PermuteBackward0",
    lambda xp, a, dims: xp.permute_dims(a, dims),
    linear=True,
    params=("dims",),
    grads=[lambda xp, g, dims: xp.permute(g, tuple(np.argsort(dims)))],
)
EXPAND = OpDef(
    "ExpandBackward0",
    lambda xp, a, in_shape, shape: xp.broadcast_to(a, shape),
    linear=True,
    params=("input_shape", "shape"),
    grads=[lambda xp, g, in_shape, shape: xp.sum_to(g, in_shape)],
)  # Σ over copies
FLIP = OpDef(
    "FlipBackward0",
    lambda xp, a, dims: xp.flip(a, dims),
    linear=True,
    params=("dims",),
    grads=[lambda xp, g, dims: xp.flip(g, dims)],
)


def _repeat_grad(xp, g, in_shape, reps):
    # split every dim into (repetition, original) and sum the repetitions away
    lead = len(reps) - len(in_shape)
    shape = (1,) * lead + tuple(in_shape)
    split = []
    for r, s in zip(reps, shape):
        split += [r, s]
    summed = xp.sum(xp.reshape(g, tuple(split)), tuple(range(0, 2 * len(reps), 2)), False)
    return xp.reshape(summed, in_shape)


REPEAT = OpDef(
    "RepeatBackward0",
    lambda xp, a, in_shape, reps: xp.tile(a, reps),
    linear=True,
    params=("input_shape", "repeats"),
    grads=[_repeat_grad],
)


def _cat_grads(xp, g, dim, sizes):
    grads, start = [], 0
    for size in sizes:
        index = (slice(None),) * dim + (slice(start, start + size), ...)
        grads.append(g[index])
        start += size
    return grads


# any number of inputs: one formula returns all the gradients (slices of g)
CAT = OpDef(
    "CatBackward0",
    lambda xp, *arrays_dim_sizes: xp.concat(arrays_dim_sizes[:-2], axis=arrays_dim_sizes[-2]),
    params=("dim", "sizes"),
    multi=True,
    promotes=True,
    linear=True,
    grads=[_cat_grads],
)
STACK = OpDef(
    "StackBackward0",
    lambda xp, *arrays_dim_count: xp.stack(arrays_dim_count[:-2], axis=arrays_dim_count[-2]),
    params=("dim", "count"),
    multi=True,
    promotes=True,
    linear=True,
    grads=[lambda xp, g, dim, count: [g[(slice(None),) * dim + (i, ...)] for i in range(count)]],
)


def _pad_grad(xp, g, slices):
    return g[slices]  # crop the border


PAD = OpDef(
    "ConstantPadNdBackward0",
    lambda xp, a, widths, slices, value: xp.pad(a, widths, constant_values=value),
    # affine: the tangent is padded with zeros
    jvp=lambda xp, t, a, out, widths, slices, value: apply(PAD, (t[0],), (widths, slices, 0.0)),
    params=("widths", "slices", "value"),
    grads=[lambda xp, g, widths, slices, value: _pad_grad(xp, g, slices)],
)


def reshape(input, *shape):
    """The same elements in a new shape; one entry may be -1 (inferred)."""
    shape = _infer_shape(input, normalize_shape(shape), "reshape")
    return _view(VIEW, input, (input._data.shape, shape), _reshaped_back)


def view(input, *shape):
    """Like reshape (chainrule tensors are always viewable)."""
    shape = _infer_shape(input, normalize_shape(shape), "view")
    return _view(VIEW, input, (input._data.shape, shape), _reshaped_back)


def _infer_shape(input, shape, name):
    n = input._data.size
    if shape.count(-1) > 1:
        raise RuntimeError(f"{name}: only one dimension can be inferred, got shape {list(shape)}")
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or n % known:
            raise RuntimeError(f"{name}: shape '{list(shape)}' is invalid for input of size {n}")
        shape = tuple(n // known if s == -1 else s for s in shape)
    total = 1
    for s in shape:
        total *= s
    if total != n or any(s < 0 for s in shape):
        raise RuntimeError(
            f"{name}: shape '{list(shape)}' is invalid for input of size {n} "
            f"(shape {list(input._data.shape)})"
        )
    return shape


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim`` … ``end_dim`` into one."""
    shape = input._data.shape
    if not shape:
        return _view(VIEW, input, (shape, (1,)), _reshaped_back)
    s = normalize_dim(start_dim, len(shape), "flatten")
    e = normalize_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = 1
    for d in shape[s : e + 1]:
        merged *= d
    return _view(VIEW, input, (shape, shape[:s] + (merged,) + shape[e + 1 :]), _reshaped_back)


def squeeze(input, dim=None):
    """Remove dims of size 1 (all of them, or those in ``dim``)."""
    shape = input._data.shape
    dims = normalize_dims(dim, len(shape), "squeeze")
    new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    op = SQUEEZE_ALL if dim is None else SQUEEZE if isinstance(dim, int) else SQUEEZE_DIMS
    return _view(op, input, (shape, new), _reshaped_back)


def unsqueeze(input, dim):
    """Insert a dim of size 1 at ``dim``."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape) + 1, "unsqueeze")
    return _view(UNSQUEEZE, input, (shape, shape[:d] + (1,) + shape[d:]), _reshaped_back)


def transpose(input, dim0, dim1):
    """Swap two dims."""
    n = input._data.ndim
    if n == 0:
        return input.view(())
    d0 = normalize_dim(dim0, n, "transpose")
    d1 = normalize_dim(dim1, n, "transpose")
    return _view(TRANSPOSE, input, (d0, d1), lambda base, v: transpose(v, d0, d1))


swapaxes = transpose


def t(input):
    """Transpose a tensor of at most 2 dims."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D"
        )
    if input._data.ndim < 2:
        return input
    return _view(T, input, (0, 1), lambda base, v: transpose(v, 0, 1))


def permute(input, *dims):
    """Reorder dims: output dim i is input dim ``dims[i]``."""
    dims = normalize_shape(dims)
    n = input._data.ndim
    norm = tuple(normalize_dim(d, n, "permute") for d in dims)
    if sorted(norm) != list(range(n)):
        raise RuntimeError(
            f"permute(): dims {list(dims)} must be a permutation of the "
            f"{n} dims of a tensor of shape {list(input._data.shape)}"
        )
    inverse = tuple(int(i) for i in np.argsort(norm))
    return _view(PERMUTE, input, (norm,), lambda base, v: permute(v, inverse))


def expand(input, *sizes):
    """Broadcast to a larger shape without copying; -1 keeps a dim."""
    sizes = normalize_shape(sizes)
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater "
            f"or equal to the number of dimensions in the tensor ({len(shape)})"
        )
    new = tuple(shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, s in enumerate(shape):
        if s != 1 and s != new[i + lead]:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({new[i + lead]}) must "
                f"match the existing size ({s}) at non-singleton dimension "
                f"{i + lead}. Target sizes: {list(sizes)}. Tensor sizes: "
                f"{list(shape)}"
            )
    return _view(EXPAND, input, (shape, new))


def broadcast_to(input, shape):
    return expand(input, tuple(shape))


def expand_as(input, other):
    return expand(input, other.shape)


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dim."""
    sizes = normalize_shape(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number "
            "of dimensions of tensor"
        )
    return apply(REPEAT, (input,), (input._data.shape, sizes))


def flip(input, dims):
    """Reverse the order of elements along ``dims``."""
    return apply(FLIP, (input,), (normalize_dims(dims, input._data.ndim, "flip"),))


def _check_tensor_list(tensors, name):
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): expected a sequence of Tensors, got {type(t).__name__}")


def cat(tensors, dim=0):
    """Concatenate tensors along an existing dim."""
    tensors = list(tensors)
    _check_tensor_list(tensors, "cat")
    ndim = tensors[0]._data.ndim
    d = normalize_dim(dim, ndim, "cat")
    shapes = [t._data.shape for t in tensors]
    if any(
        len(s) != ndim or s[:d] + s[d + 1 :] != shapes[0][:d] + shapes[0][d + 1 :] for s in shapes
    ):
        raise RuntimeError(
            f"cat(): sizes of tensors must match except in dimension {d}; got "
            f"shapes {[list(s) for s in shapes]}"
        )
    return apply(CAT, tensors, (d, tuple(s[d] for s in shapes)))


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join tensors of equal shape along a new dim."""
    tensors = list(tensors)
    _check_tensor_list(tensors, "stack")
    d = normalize_dim(dim, tensors[0]._data.ndim + 1, "stack")
    if len({t._data.shape for t in tensors}) > 1:
        raise RuntimeError(
            f"stack expects each tensor to be equal size, but got shapes "
            f"{[list(t._data.shape) for t in tensors]}"
        )
    return apply(STACK, tensors, (d, len(tensors)))


def split(input, split_size_or_sections, dim=0):
    """Split into chunks of a given size, or of the given list of sizes, along ``dim``."""
    d = normalize_dim(dim, input._data.ndim, "split")
    n = input._data.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n:
            raise RuntimeError(f"split expects split_size be non-negative, but got {size}")
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} "
                f"(input tensor's size at dimension {d}), but got split_sizes="
                f"{sizes}"
            )
    pieces, start = [], 0
    for size in sizes:
        pieces.append(input[(slice(None),) * d + (slice(start, start + size),)])
        start += size
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of (nearly) equal size along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[normalize_dim(dim, input._data.ndim, "chunk")]
    size = -(-n // chunks) if n else 1
    return split(input, size, dim)


def unbind(input, dim=0):
    d = normalize_dim(dim, input._data.ndim, "unbind")
    return tuple(input[(slice(None),) * d + (i,)] for i in range(input._data.shape[d]))


def pad(input, pad, mode="constant", value=0.0):
    """Pad the last dims: ``pad = (left_last, right_last, left_prev, right_prev, …)``;
    negative widths crop instead."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode '{mode}' is not supported; only 'constant'")
    pad = tuple(int(p) for p in pad)
    ndim = input._data.ndim
    if len(pad) % 2 or len(pad) // 2 > ndim:
        raise RuntimeError(
            f"pad: padding length {len(pad)} must be even and at most twice the "
            f"number of dimensions ({ndim})"
        )
    if any(p < 0 for p in pad):
        crop = [slice(None)] * ndim
        for i in range(len(pad) // 2):
            lo, hi = -min(pad[2 * i], 0), -min(pad[2 * i + 1], 0)
            crop[ndim - 1 - i] = slice(lo, input._data.shape[ndim - 1 - i] - hi)
        input = input[tuple(crop)]
        pad = tuple(max(p, 0) for p in pad)
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    slices = tuple(slice(lo, lo + s) for (lo, _), s in zip(widths, input._data.shape))
    return apply(PAD, (input,), (tuple(widths), slices, value))
