"""Window pooling over (N, C, H, W) or unbatched (C, H, W) inputs: max_pool2d, avg_pool2d.

Both are linear maps once the window arithmetic is fixed (max pooling: once the argmax
of every window is known), so each is a pair of rows, a map F and its transpose Fᵀ, each
the other's gradient: the backward of F is Fᵀ, the backward of Fᵀ is F, and gradients of
every order stay two rows.  Windows are strided views of the padded input and every loop
runs over the kh·kw kernel offsets, never over pixels.
"""

import numpy as np

from .._backend import namespace_of
from .._tensor import Tensor, wrap
from ._pool import give, take
from ._registry import OPS, OpDef, apply
from .conv import run

__all__ = ["max_pool2d", "avg_pool2d", "linear_pair"]


def linear_pair(name, forward, transpose, params, family=None):
    """Rows ``{name}Backward0`` (forward F) and ``{name}BackwardBackward0`` (Fᵀ) of a map
    that is linear in its one tensor input: ∂/∂x of F is Fᵀ(g) and of Fᵀ is F(g); the
    tangent of each is itself applied to the tangent.  ``family``: the family file the
    rows belong to in ``OPS``, when it is not this one."""
    pair = []
    grads_f = [lambda xp, g, *p: run(xp, pair[1], (g,), p)]  # ∂F(x)/∂x applied to g: Fᵀ g
    grads_t = [lambda xp, g, *p: run(xp, pair[0], (g,), p)]  # ∂Fᵀ(g)/∂g applied to gg: F gg
    for row_name, fn, grads in (
        (f"{name}Backward0", forward, grads_f),
        (f"{name}BackwardBackward0", transpose, grads_t),
    ):
        pair.append(OpDef(row_name, fn, params=params, grads=grads, linear=True))
        if family is not None:
            OPS[pair[-1]] = family
    return pair[0], pair[1]


# --------------------------------------------------------------------------- geometry
def _out_size(size, k, s, p, d, ceil_mode):
    """⌊ or ⌈ (size + 2p − d(k−1) − 1) / s ⌉ + 1, less one if the last window would start
    in the right padding (PyTorch's pooling_output_shape)."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _planes(x):
    """x as (N, C, H, W): an unbatched (C, H, W) array gets a batch of one."""
    return x[None] if x.ndim == 3 else x


def _offsets(kernel, stride, dilation, out_hw):
    """For every kernel offset (i, j): the strided slices of the padded input it reads."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
        for j in range(kw):
            yield i, j, rows, slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)


def _padded_extent(size, k, s, p, d, out):
    """Padded length that holds every window: size + 2p, longer in ceil mode."""
    return max(size + 2 * p, (out - 1) * s + d * (k - 1) + 1)


# --------------------------------------------------------------------------- max pooling
def _window_argmax(xp, x, kernel, stride, padding, dilation, out_hw):
    """Flat index into H·W of each window's maximum: the first one in row-major order, or
    the last NaN (as PyTorch's kernel picks).

    The kh·kw window elements are first copied out as contiguous planes (one strided copy
    of the padded input), so the running maximum is a few contiguous passes per offset.
    """
    x4 = _planes(x)
    n, c, h, w = x4.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = kernel, stride, padding, dilation, out_hw
    hp = _padded_extent(h, kh, sh, ph, dh, ho)
    wp = _padded_extent(w, kw, sw, pw, dw, wo)
    padded, low = x4, None
    if (hp, wp) != (h, w):
        low = -xp.inf if x4.dtype.kind == "f" else xp.iinfo(x4.dtype).min
        padded = take(xp, (n, c, hp, wp), x4.dtype)
        padded.fill(low)
        padded[:, :, ph : ph + h, pw : pw + w] = x4
    s_n, s_c, s_h, s_w = padded.strides
    shape = (kh, kw, n, c, ho, wo)
    windows = take(xp, shape, x4.dtype)  # pooled: page faults would cost more than the copy
    xp.copyto(
        windows,
        xp.lib.stride_tricks.as_strided(
            padded, shape, (dh * s_h, dw * s_w, s_n, s_c, sh * s_h, sw * s_w)
        ),
    )
    planes = windows.reshape(kh * kw, n, c, ho, wo)
    arg, best = _running_argmax(xp, planes, nan_aware=False)
    if x4.dtype.kind == "f" and xp.isnan(best).any():
        arg, best = _running_argmax(xp, planes, nan_aware=True)
    give(xp, windows)
    if padded is not x4:
        give(xp, padded)
    # flat index = the window's top-left position + the offset of element `arg` in it
    offsets = xp.asarray([i * dh * w + j * dw for i in range(kh) for j in range(kw)])
    corner = (xp.arange(ho) * sh - ph)[:, None] * w + (xp.arange(wo) * sw - pw)
    index = corner + offsets[arg]
    if (hp, wp) != (h, w) and (best == low).any():
        index = _clip_to_input(xp, arg, kernel, stride, padding, dilation, (h, w), out_hw)
    return index.reshape(x.shape[:-2] + (ho, wo))


def _clip_to_input(xp, arg, kernel, stride, padding, dilation, in_hw, out_hw):
    """The flat index with each coordinate clipped into the input: for windows whose
    elements inside the input are all −∞, the maximum may sit in the padding."""
    (_, kw), (sh, sw), (ph, pw), (dh, dw), (h, w), (ho, wo) = (
        kernel,
        stride,
        padding,
        dilation,
        in_hw,
        out_hw,
    )
    arg = arg.astype(xp.int64)
    ih = (xp.arange(ho) * sh - ph)[:, None] + (arg // kw) * dh
    iw = xp.arange(wo) * sw - pw + (arg % kw) * dw
    return xp.clip(ih, 0, h - 1) * w + xp.clip(iw, 0, w - 1)


def _running_argmax(xp, planes, nan_aware):
    """Position of the first maximum across ``planes`` (and the maximum); with
    ``nan_aware`` a NaN always wins, the last one counting."""
    best = planes[0].copy()
    small = len(planes) < 128
    arg = xp.zeros(best.shape, xp.int8 if small else xp.int64)
    for k in range(1, len(planes)):
        v = planes[k]
        take = v > best
        if nan_aware:
            take |= xp.isnan(v)
            xp.copyto(best, v, where=take)
        else:
            xp.maximum(best, v, out=best)
        # k exceeds every earlier position, so "k where taken" is a maximum; plain
        # arithmetic, as NumPy's masked copies are an order of magnitude slower
        xp.maximum(arg, take * (xp.int8(k) if small else k), out=arg)
    return arg, best


def _max_gather(xp, x, input_shape, kernel, stride, padding, dilation, ceil_mode, index):
    """F: each window's element at ``index`` (its maximum)."""
    x4, i4 = _planes(x), _planes(xp.asarray(index))
    n, c, h, w = x4.shape
    plane_start = (xp.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    out = xp.take(xp.ascontiguousarray(x4).reshape(-1), plane_start + i4)
    return out.reshape(index.shape)


def _max_scatter(xp, g, input_shape, kernel, stride, padding, dilation, ceil_mode, index):
    """Fᵀ: g added at ``index`` into zeros of the input's shape."""
    g4, i4 = _planes(g), _planes(index)
    n, c = g4.shape[:2]
    plane = input_shape[-2] * input_shape[-1]
    overlap = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
    i4 = xp.asarray(i4)
    if overlap:  # one input can be the maximum of several windows: sum them
        flat = (xp.arange(n * c)[:, None] * plane + i4.reshape(n * c, -1)).ravel()
        out = xp.bincount(flat, weights=g4.ravel(), minlength=n * c * plane)
        return out.astype(g.dtype, copy=False).reshape(input_shape)
    # each input is the maximum of one window at most: a plain store at flat positions
    # (2.5x faster than put_along_axis, which broadcasts an index per axis)
    flat = (xp.arange(n * c) * plane).reshape(n, c, 1) + i4.reshape(n, c, -1)
    out = xp.zeros(n * c * plane, g.dtype)
    out[flat.reshape(-1)] = g4.reshape(-1)
    return out.reshape(input_shape)


MAX_POOL2D, MAX_POOL2D_BACKWARD = linear_pair(
    "MaxPool2DWithIndices",
    _max_gather,
    _max_scatter,
    ("input_shape", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "indices"),
)


# --------------------------------------------------------------------------- avg pooling
def _axis_divisor(size, k, s, p, out, include_pad):
    """Per output position along one axis: the window length counted by the average."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def _avg_geometry(shape, kernel, stride, padding, ceil_mode, include_pad, divisor, dtype):
    h, w = shape[-2:]
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho = _out_size(h, kh, sh, ph, 1, ceil_mode)
    wo = _out_size(w, kw, sw, pw, 1, ceil_mode)
    if divisor is not None:
        div = np.full((ho, wo), divisor, dtype)
    else:
        div_h = _axis_divisor(h, kh, sh, ph, ho, include_pad)
        div_w = _axis_divisor(w, kw, sw, pw, wo, include_pad)
        div = np.outer(div_h, div_w).astype(dtype)
    extent = (_padded_extent(h, kh, sh, ph, 1, ho), _padded_extent(w, kw, sw, pw, 1, wo))
    return (ho, wo), div, extent


def _avg_pool(xp, x, input_shape, kernel, stride, padding, ceil_mode, include_pad, divisor):
    """F: Σ of each window of the zero-padded input / its divisor."""
    x4 = _planes(x)
    n, c, h, w = x4.shape
    out_hw, div, (hp, wp) = _avg_geometry(
        input_shape, kernel, stride, padding, ceil_mode, include_pad, divisor, x.dtype
    )
    (ph, pw) = padding
    if (hp, wp) != (h, w):
        padded = xp.zeros((n, c, hp, wp), x.dtype)
        padded[:, :, ph : ph + h, pw : pw + w] = x4
    else:
        padded = x4
    acc = None
    for _, _, rows, cols in _offsets(kernel, stride, (1, 1), out_hw):
        window = padded[:, :, rows, cols]
        acc = window.copy() if acc is None else xp.add(acc, window, out=acc)
    acc /= xp.asarray(div)
    return acc.reshape(x.shape[:-2] + out_hw)


def _avg_pool_transpose(
    xp, g, input_shape, kernel, stride, padding, ceil_mode, include_pad, divisor
):
    """Fᵀ: g / divisor spread over each window, the padding cut off."""
    g4 = _planes(g)
    n, c = g4.shape[:2]
    out_hw, div, (hp, wp) = _avg_geometry(
        input_shape, kernel, stride, padding, ceil_mode, include_pad, divisor, g.dtype
    )
    share = g4 / xp.asarray(div)
    padded = xp.zeros((n, c, hp, wp), g.dtype)
    for _, _, rows, cols in _offsets(kernel, stride, (1, 1), out_hw):
        padded[:, :, rows, cols] += share
    (ph, pw), (h, w) = padding, input_shape[-2:]
    out = xp.ascontiguousarray(padded[:, :, ph : ph + h, pw : pw + w])
    return out.reshape(input_shape)


AVG_POOL2D, AVG_POOL2D_BACKWARD = linear_pair(
    "AvgPool2D",
    _avg_pool,
    _avg_pool_transpose,
    (
        "input_shape",
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ),
)


# --------------------------------------------------------------------------- arguments
def _pair(value, name, fn, default=None):
    if value is None or (isinstance(value, (tuple, list)) and len(value) == 0):
        return default
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * 2
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * 2
    if len(value) != 2:
        raise RuntimeError(
            f"{fn}: {name} must either be a single int, or a tuple of two ints, got {list(value)}"
        )
    return value


def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): expected a Tensor input, got {type(input).__name__}")
    shape = input._data.shape
    if input._data.ndim not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(
            f"{fn}: non-empty 3D or 4D (batch mode) tensor expected for input, got a "
            f"tensor of size {list(shape)}"
        )
    kernel = _pair(kernel_size, "kernel_size", fn)
    stride = _pair(stride, "stride", fn, default=kernel)
    padding = _pair(padding, "padding", fn)
    dilation = _pair(dilation, "dilation", fn)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{fn}: kernel size should be greater than zero, but got {kernel}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{fn}: stride should be greater than zero, but got {stride}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{fn}: dilation should be greater than zero, but got {dilation}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    out = tuple(
        _out_size(size, k, s, p, d, ceil_mode)
        for size, k, s, p, d in zip(shape[-2:], kernel, stride, padding, dilation)
    )
    if min(out) < 1:
        c, h, w = shape[-3:]
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: "
            f"({c}x{out[0]}x{out[1]}). Output size is too small"
        )
    return kernel, stride, padding, dilation, out


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Maximum over each kH × kW window (padding counts as −∞).

    .. math:: y[n, c, h, w] = \\max_{i, j}\\, x[n, c, h s_h + i d_h - p_h, w s_w + j d_w - p_w]

    The gradient goes to the (first) maximal element of each window.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size: window size, an int or a pair.
        stride: window step (default: ``kernel_size``).
        padding: implicit −∞ padding on both sides, at most half the window.
        dilation: spacing between window elements.
        ceil_mode: round the output size up, so that a last partial window counts.
        return_indices: also return each maximum's flat index into its H × W plane.

    Shape:
        output (N, C, ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1, …).
    """
    kernel, stride, padding, dilation, out_hw = _pool_args(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d"
    )
    data = input._data
    index = _window_argmax(namespace_of(data), data, kernel, stride, padding, dilation, out_hw)
    params = (input._data.shape, kernel, stride, padding, dilation, bool(ceil_mode), index)
    out = apply(MAX_POOL2D, (input,), params)
    return (out, wrap(index)) if return_indices else out


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Mean over each kH × kW window.

    .. math:: y[n, c, h, w] = \\frac{1}{D} \\sum_{i, j} x[n, c, h s_h + i - p_h, w s_w + j - p_w]

    with D the window size (``count_include_pad``: padding zeros count; otherwise only
    elements of the input do), or ``divisor_override``.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size: window size, an int or a pair.
        stride: window step (default: ``kernel_size``).
        padding: implicit zero padding on both sides, at most half the window.
        ceil_mode: round the output size up, so that a last partial window counts.
    """
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    kernel, stride, padding, _, _ = _pool_args(
        input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d"
    )
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f'"avg_pool2d" not implemented for {input.dtype}: convert the input with .float()'
        )
    params = (
        input._data.shape,
        kernel,
        stride,
        padding,
        bool(ceil_mode),
        bool(count_include_pad),
        None if divisor_override is None else int(divisor_override),
    )
    return apply(AVG_POOL2D, (input,), params)
