"""Resampling along the trailing dims: pad (reflect, replicate, circular), interpolate
(nearest, nearest-exact, linear, bilinear, area) and adaptive_avg_pool1d/2d.

Each of these maps reads, for output position j along an axis, a few input positions
idx[t, j] with weights w[t, j] ("taps"), one axis after the other:

    y[…, j] = Σ_t w[t, j] · x[…, idx[t, j]]

(1 tap of weight 1 for padding and nearest, 2 for linear, up to the longest window for
adaptive pooling).  The map is linear in x, so its gradient is its transpose, which adds
w[t, j]·g[…, j] back at idx[t, j] (a sort and ``np.add.reduceat`` per tap, no loop over
elements).  Each op is a pair of rows (map, transpose), each the other's gradient, named
as PyTorch names them (``UpsampleBilinear2DBackward0``, …).
"""

import math

import numpy as np

from .._tensor import Tensor
from . import reduce as R
from . import shape as S
from ._registry import apply
from .pooling import linear_pair

__all__ = ["pad", "interpolate", "adaptive_avg_pool1d", "adaptive_avg_pool2d"]


# --------------------------------------------------------------------------- the taps map
# A plan is one entry per resampled axis: (axis, idx (T, L_out) int64, weights (T, L_out)
# or None for a single tap of weight 1, input length L_in), applied in order.


def _weight_shape(weights_t, axis, ndim):
    """Weights of one tap, shaped to broadcast along ``axis`` (a negative axis)."""
    return weights_t.reshape((-1,) + (1,) * (-axis - 1))


def _taps(xp, x, plan):
    """y = Σ_t w_t · x[idx_t] along each planned axis in turn."""
    for axis, idx, weights, _ in plan:
        idx = xp.asarray(idx)
        if weights is None:
            x = xp.take(x, idx[0], axis=axis)
            continue
        acc = xp.take(x, idx[0], axis=axis)
        acc *= _weight_shape(weights[0], axis, x.ndim)
        for t in range(1, len(idx)):
            part = xp.take(x, idx[t], axis=axis)
            part *= _weight_shape(weights[t], axis, x.ndim)
            acc += part
        x = acc
    return x


def _taps_transpose(xp, g, plan):
    """gᵀ: each w_t · g[…, j] added back at idx_t[j], axes in reverse order."""
    for axis, idx, weights, size in reversed(plan):
        out = None
        for t in range(len(idx)):
            part = g if weights is None else g * _weight_shape(weights[t], axis, g.ndim)
            back = _add_at(xp, part, idx[t], size, axis)
            out = back if out is None else xp.add(out, back, out=out)
        g = out
    return g


def _add_at(xp, g, idx, size, axis):
    """out[…, i] = Σ_{j: idx[j] = i} g[…, j] along ``axis`` (zeros where no j reads i)."""
    idx = xp.asarray(idx)
    order = xp.argsort(idx, kind="stable")
    ordered = idx[order]
    starts = xp.flatnonzero(xp.diff(ordered, prepend=-1))
    if not xp.array_equal(order, xp.arange(len(idx))):
        g = xp.take(g, order, axis=axis)
    summed = xp.add.reduceat(g, starts, axis=axis)
    targets = ordered[starts]
    if len(targets) == size:  # every input position is read (targets is then 0..size−1)
        return summed
    shape = list(g.shape)
    shape[axis] = size
    out = xp.zeros(shape, g.dtype)
    out[(slice(None),) * (axis % g.ndim) + (targets,)] = summed
    return out


def _tap_pair(name):
    return linear_pair(name, _taps, _taps_transpose, ("plan",), family="resample")


_ROWS = {}


def _row(name):
    """The forward row of the taps op PyTorch calls ``{name}Backward0`` (made once)."""
    if name not in _ROWS:
        _ROWS[name] = _tap_pair(name)[0]
    return _ROWS[name]


for _name in (
    "ReflectionPad1D",
    "ReflectionPad2D",
    "ReflectionPad3D",
    "ReplicationPad1D",
    "ReplicationPad2D",
    "ReplicationPad3D",
    "UpsampleNearest1D",
    "UpsampleNearest2D",
    "UpsampleNearestExact1D",
    "UpsampleNearestExact2D",
    "UpsampleLinear1D",
    "UpsampleBilinear2D",
    "AdaptiveAvgPool2D",
):
    _row(_name)


def _resample(input, name, plan):
    return apply(_row(name), (input,), (tuple(plan),))


# --------------------------------------------------------------------------- pad
_PAD_NAMES = {"reflect": "ReflectionPad", "replicate": "ReplicationPad"}


def _pad_index(length, lo, hi, mode):
    j = np.arange(-lo, length + hi)
    if mode == "replicate":
        return np.clip(j, 0, length - 1)
    j = np.abs(j)  # reflect about the first element …
    return np.where(j >= length, 2 * (length - 1) - j, j)  # … and about the last


def pad(input, pad, mode="constant", value=None):
    """Pad the last dims: ``pad = (left, right)`` for the last dim, then
    ``(top, bottom)`` for the one before, and so on.  Negative widths crop.

    Modes:
        ``'constant'``: fill with ``value`` (default 0), any number of dims;
        ``'reflect'``: mirror without repeating the edge (d c b | a b c d | c b a);
        ``'replicate'``: repeat the edge (a a | a b c d | d d);
        ``'circular'``: wrap around (c d | a b c d | a b).
    The other modes pad the last 1, 2 or 3 dims of a (batched or unbatched) input.
    """
    if mode == "constant":
        return S.pad(input, pad, "constant", 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    dims, ndim = len(pad) // 2, input.ndim
    if dims not in (1, 2, 3) or ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    shape = input._data.shape
    for k in range(dims):
        lo, hi = pad[2 * k], pad[2 * k + 1]
        length = shape[ndim - 1 - k]
        if length + lo + hi <= 0:
            raise RuntimeError(
                f"pad: input of size {list(shape)} with padding {list(pad)} would have "
                f"an empty or negative size at dimension {ndim - 1 - k}"
            )
        if mode == "reflect" and (lo >= length or hi >= length):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {ndim - 1 - k} of "
                f"input {list(shape)}"
            )
        if mode == "circular" and (lo > length or hi > length):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode == "circular":
        return _pad_circular(input, pad, dims)
    plan = []
    for k in range(dims):
        length = shape[-1 - k]
        idx = _pad_index(length, pad[2 * k], pad[2 * k + 1], mode)
        plan.append((-1 - k, idx[None], None, length))
    return _resample(input, f"{_PAD_NAMES[mode]}{dims}D", plan)


def _pad_circular(input, pad, dims):
    """Circular padding as PyTorch writes it: the input copied into the middle of a new
    tensor, then each border copied from the opposite side (so it records CopySlices)."""
    from ..creation import zeros

    shape = list(input.shape)
    out_shape = list(shape)
    for k in range(dims):
        out_shape[-1 - k] += pad[2 * k] + pad[2 * k + 1]
    out = zeros(tuple(out_shape), dtype=input.dtype)
    into = [slice(None)] * len(shape)
    source = [slice(None)] * len(shape)
    for k in range(dims):
        lo, hi, axis = pad[2 * k], pad[2 * k + 1], len(shape) - 1 - k
        into[axis] = slice(max(lo, 0), out_shape[axis] - max(hi, 0))
        source[axis] = slice(max(-lo, 0), shape[axis] - max(-hi, 0))
    out[tuple(into)] = input[tuple(source)]
    for k in range(dims):
        lo, hi, axis = pad[2 * k], pad[2 * k + 1], len(shape) - 1 - k
        size, right = out_shape[axis], max(hi, 0)
        if lo > 0:
            index = [slice(None)] * len(shape)
            index[axis] = slice(0, lo)
            source = list(index)
            source[axis] = slice(size - lo - right, size - right)
            out[tuple(index)] = out[tuple(source)]
        if hi > 0:
            index = [slice(None)] * len(shape)
            index[axis] = slice(size - hi, size)
            source = list(index)
            source[axis] = slice(max(lo, 0), max(lo, 0) + hi)
            out[tuple(index)] = out[tuple(source)]
    return out


# --------------------------------------------------------------------------- interpolate
def _nearest_index(size_in, size_out, scale, exact):
    """PyTorch's nearest source index, computed in float32 as its kernels do."""
    if scale is not None and scale > 0:
        ratio = np.float32(1.0 / scale)
    else:
        ratio = np.float32(size_in) / np.float32(size_out)
    j = np.arange(size_out)
    if exact:
        src = np.floor(((j + 0.5) * np.float64(ratio)).astype(np.float32))
    elif size_out == size_in:
        src = j
    elif size_out == 2 * size_in:
        src = j >> 1
    else:
        src = np.floor(j.astype(np.float32) * ratio)
    return np.minimum(src.astype(np.int64), size_in - 1)[None]


def _linear_taps(size_in, size_out, scale, align_corners, dtype):
    """Two taps (i₀, i₁) and weights (1 − λ, λ) of linear interpolation, in the data's
    precision (PyTorch's area_pixel_compute_source_index and guard_index_and_lambda)."""
    real = np.dtype(dtype).type
    j = np.arange(size_out).astype(dtype)
    if align_corners:
        ratio = real(size_in - 1) / real(size_out - 1) if size_out > 1 else real(0)
        src = ratio * j
    else:
        if scale is not None and scale > 0:
            ratio = real(1.0 / scale)
        else:
            ratio = real(size_in) / real(size_out)
        src = np.maximum(ratio * (j + real(0.5)) - real(0.5), real(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), size_in - 1)
    lam = np.clip(src - i0.astype(dtype), real(0), real(1))
    i1 = i0 + (i0 < size_in - 1)
    return np.stack([i0, i1]), np.stack([real(1) - lam, lam])


def _sizes(input, size, scale_factor, recompute):
    """Output sizes and the scales handed to the kernels (None: use in/out)."""
    spatial = list(input.shape[2:])
    n = len(spatial)
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = [int(size)] * n if isinstance(size, (int, np.integer)) else list(size)
        if len(sizes) != n:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and output size of {tuple(sizes)}"
                f". Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                f"size in (o1, o2, ...,oK) format."
            )
        sizes = [int(s) for s in sizes]
        scales = [None] * n
    elif scale_factor is not None:
        if isinstance(scale_factor, (tuple, list)):
            if len(scale_factor) != n:
                raise ValueError(
                    f"Input and scale_factor must have the same number of spatial dimensions,"
                    f" but got input with spatial dimensions of {spatial} and scale_factor of "
                    f"shape {tuple(scale_factor)}. Please provide input tensor in (N, C, d1, "
                    f"d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            factors = [float(f) for f in scale_factor]
        else:
            factors = [float(scale_factor)] * n
        sizes = [math.floor(s * f) for s, f in zip(spatial, factors)]
        scales = [None] * n if recompute else factors
    else:
        raise ValueError("either size or scale_factor should be defined")
    if min(sizes + spatial) <= 0:
        names = "HW" if n == 2 else "W"
        given = ", ".join(f"{c}: {s}" for c, s in zip(names, spatial))
        wanted = ", ".join(f"{c}: {s}" for c, s in zip(names, sizes))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({given}) "
            f"output ({wanted})"
        )
    return spatial, sizes, scales


_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "area", "bicubic", "trilinear")


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize the spatial dims of (N, C, L) or (N, C, H, W) inputs.

    Output size ``size``, or ⌊in · scale_factor⌋.  For output index j:

    * ``'nearest'``: x[⌊j · in/out⌋]; ``'nearest-exact'``: x[⌊(j + ½) · in/out⌋];
    * ``'linear'`` / ``'bilinear'``: (1 − λ) x[i] + λ x[i + 1] along each dim, at source
      position s = (j + ½)·in/out − ½ (clamped at 0), or s = j·(in − 1)/(out − 1) with
      ``align_corners=True`` (the corner pixels' centres line up);
    * ``'area'``: adaptive average pooling.

    With ``scale_factor`` (and ``recompute_scale_factor`` not set) the source positions
    use 1/scale_factor instead of in/out, as PyTorch does.
    """
    if mode not in _MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
            f"for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | "
            f"area | nearest-exact (got {mode})"
        )
    linear_modes = ("linear", "bilinear", "bicubic", "trilinear")
    if mode in linear_modes:
        align_corners = bool(align_corners)
    elif align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if antialias:
        raise NotImplementedError(
            "interpolate: antialias=True is not supported; resize without it, or smooth "
            "first (for example with avg_pool2d) when downsampling"
        )
    if input.ndim not in (3, 4):
        raise NotImplementedError(
            f"interpolate: only 3-D (N, C, L) and 4-D (N, C, H, W) inputs are supported, "
            f"got {input.ndim}-D input of size {list(input.shape)}"
        )
    if mode in ("bicubic", "trilinear"):
        raise NotImplementedError(
            f"interpolate: mode '{mode}' is not supported; use 'bilinear', 'linear', "
            "'nearest', 'nearest-exact' or 'area'"
        )
    want = {"linear": 3, "bilinear": 4}.get(mode)
    if want is not None and input.ndim != want:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {want}D input")
    spatial, sizes, scales = _sizes(input, size, scale_factor, recompute_scale_factor)
    if mode == "area":
        pool = adaptive_avg_pool1d if input.ndim == 3 else adaptive_avg_pool2d
        return pool(input, tuple(sizes))
    dims = len(spatial)
    dtype = input._data.dtype
    if mode in ("nearest", "nearest-exact") and dtype.kind not in "fc":
        raise NotImplementedError(f'"upsample_{mode}" not implemented for {input.dtype}')
    plan = []
    for k in range(dims):  # the last dim first, as PyTorch's kernels combine them
        axis = -1 - k
        a, b, s = spatial[axis], sizes[axis], scales[axis]
        if mode in ("linear", "bilinear"):
            idx, weights = _linear_taps(a, b, s, align_corners, dtype)
            plan.append((axis, idx, weights, a))
        else:
            plan.append((axis, _nearest_index(a, b, s, mode == "nearest-exact"), None, a))
    stem = {
        "nearest": "UpsampleNearest",
        "nearest-exact": "UpsampleNearestExact",
        "linear": "UpsampleLinear",
        "bilinear": "UpsampleBilinear",
    }[mode]
    return _resample(input, f"{stem}{dims}D", plan)


# --------------------------------------------------------------------------- adaptive pool
def _adaptive_taps(size_in, size_out, dtype):
    """Window i is [⌊i·in/out⌋, ⌈(i+1)·in/out⌉): taps over its length, weights 1/length
    (0 on the taps past the end of a shorter window)."""
    i = np.arange(size_out)
    start = (i * size_in) // size_out
    end = -((-(i + 1) * size_in) // size_out)
    length = end - start
    t = np.arange(length.max())[:, None]
    inside = start + t < end
    idx = np.where(inside, start + t, end - 1)
    weights = np.where(inside, 1 / length, 0).astype(dtype)
    return idx, weights


def adaptive_avg_pool2d(input, output_size):
    """Average over windows that split H and W into ``output_size`` nearly equal parts:
    window i of a dim of length L covers [⌊iL/out⌋, ⌈(i+1)L/out⌉).

    Args:
        input: (N, C, H, W) or (C, H, W).
        output_size: an int or an (H_out, W_out) pair; ``None`` keeps that dim.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"adaptive_avg_pool2d(): expected a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4) or 0 in input.shape[-3:]:
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    if isinstance(output_size, (int, np.integer)):
        output_size = (output_size, output_size)
    sizes = [s if o is None else int(o) for s, o in zip(input.shape[-2:], output_size)]
    if len(output_size) != 2 or min(sizes) < 0:
        raise RuntimeError(
            f"adaptive_avg_pool2d: output_size must be 2 non-negative sizes, got {output_size}"
        )
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f'"adaptive_avg_pool2d" not implemented for {input.dtype}: convert with .float()'
        )
    if sizes == [1, 1]:  # PyTorch's shortcut: a mean (MeanBackward1)
        return R.mean(input, (-1, -2), True)
    if 0 in sizes:
        from ..creation import zeros

        return zeros(tuple(input.shape[:-2]) + tuple(sizes), dtype=input.dtype)
    plan = []
    for k in (1, 0):
        axis = k - 2
        idx, weights = _adaptive_taps(input.shape[axis], sizes[k], input._data.dtype)
        plan.append((axis, idx, weights, input.shape[axis]))
    return _resample(input, "AdaptiveAvgPool2D", plan)


def adaptive_avg_pool1d(input, output_size):
    """adaptive_avg_pool2d over the last dim of (N, C, L) or (C, L) inputs."""
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(
                f"adaptive_avg_pool1d: output_size must be 1 size, got {output_size}"
            )
        output_size = output_size[0]
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got {list(input.shape)}"
        )
    out = adaptive_avg_pool2d(S.unsqueeze(input, -2), (1, int(output_size)))
    return S.squeeze(out, -2)
