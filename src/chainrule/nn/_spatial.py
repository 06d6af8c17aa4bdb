"""Spatial rearrangements and more pooling as functions (re-exported by
``chainrule.nn.functional``): ``pixel_shuffle``, ``pixel_unshuffle``, ``max_pool1d``,
``avg_pool1d``, ``adaptive_max_pool1d``, ``adaptive_max_pool2d``, ``unfold`` and ``fold``.

Each is built from differentiable ops: reshapes and permutations, the 2-D pooling rows on
a (1, L) plane, indexing then ``max`` for adaptive windows, and a grouped convolution with
a one-hot kernel for im2col (``unfold``) and its adjoint, col2im (``fold``). So gradients
of every order come from the engine.
"""

import numpy as np

import chainrule
from chainrule.nn import functional as F

__all__ = [
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "avg_pool1d",
    "channel_shuffle",
    "fold",
    "lp_pool1d",
    "lp_pool2d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
]


def _single(value):
    return value[0] if isinstance(value, (tuple, list)) else value


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


# --------------------------------------------------------------------------- pixel shuffle


def pixel_shuffle(input, upscale_factor):
    """Rearrange ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)``:
    :math:`y[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]`."""
    r = upscale_factor
    if input.ndim < 3 or input.shape[-3] % (r * r):
        size = input.shape[-3] if input.ndim >= 3 else None
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={size} is not divisible by {r * r} "
            f"(input of shape {tuple(input.shape)})"
        )
    *lead, c, h, w = input.shape
    lead, nl = tuple(lead), len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(nl), nl, nl + 3, nl + 1, nl + 4, nl + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """The inverse of ``pixel_shuffle``: ``(*, C, H r, W r)`` into ``(*, C r^2, H, W)``."""
    r = downscale_factor
    if input.ndim < 3 or input.shape[-2] % r or input.shape[-1] % r:
        raise RuntimeError(
            "pixel_unshuffle expects height and width to be divisible by downscale_factor "
            f"{r}, got input of shape {tuple(input.shape)}"
        )
    *lead, c, h, w = input.shape
    lead, nl = tuple(lead), len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(nl), nl, nl + 2, nl + 4, nl + 1, nl + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """Interleave the channels of ``groups`` groups: (N, g·k, *) viewed as (N, g, k, *),
    the two channel axes swapped, and flattened back."""
    if input.ndim < 3 or input.shape[1] % groups:
        raise RuntimeError(
            f"channel_shuffle: expected an input of shape (N, C, *) with C divisible by "
            f"groups={groups}, got {tuple(input.shape)}"
        )
    n, c = input.shape[0], input.shape[1]
    rest = tuple(input.shape[2:])
    grouped = input.reshape(n, groups, c // groups, *rest)
    return grouped.transpose(1, 2).reshape(input.shape)


# --------------------------------------------------------------------------- 1-D pooling


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Maximum over each window of ``kernel_size`` along the last dim of (N, C, L) or (C, L)
    inputs: ``max_pool2d`` on the (1, L) plane (indices are positions along L)."""
    stride = None if stride is None or stride == () else (1, _single(stride))
    out = F.max_pool2d(
        input.unsqueeze(-2),
        (1, _single(kernel_size)),
        stride,
        (0, _single(padding)),
        (1, _single(dilation)),
        ceil_mode=ceil_mode,
        return_indices=return_indices,
    )
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    """``max_pool1d`` returning ``(values, indices)``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    """``max_pool2d`` returning ``(values, indices)``."""
    return F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over each window of ``kernel_size`` along the last dim of (N, C, L) or (C, L)
    inputs: ``avg_pool2d`` on the (1, L) plane."""
    stride = None if stride is None or stride == () else (1, _single(stride))
    out = F.avg_pool2d(
        input.unsqueeze(-2),
        (1, _single(kernel_size)),
        stride,
        (0, _single(padding)),
        ceil_mode,
        count_include_pad,
    )
    return out.squeeze(-2)


def _lp_root(means, window, norm_type):
    """:math:`(n \\cdot \\text{mean})^{1/p}`, negative means (odd p) sent to 0 as PyTorch."""
    return (chainrule.sign(means) * F.relu(means.abs()) * window) ** (1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling along the last dim: :math:`(\\sum_{w} x^p)^{1/p}` over each
    window (``p = norm_type``)."""
    k = _single(kernel_size)
    means = avg_pool1d(input**norm_type, k, stride, 0, ceil_mode)
    return _lp_root(means, k, norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over kh × kw windows: :math:`(\\sum_{w} x^p)^{1/p}`."""
    kh, kw = _pair(kernel_size)
    means = F.avg_pool2d(input**norm_type, (kh, kw), stride, 0, ceil_mode)
    return _lp_root(means, kh * kw, norm_type)


def _max_unpool(input, indices, kernel, stride, padding, output_size, spatial, fn):
    """Scatter each value to its flat position in a zero plane of the unpooled size."""
    if input.ndim not in (spatial + 1, spatial + 2) or tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"{fn}: expected a {spatial + 1}D or {spatial + 2}D input and indices of the "
            f"same shape, got {tuple(input.shape)} and {tuple(indices.shape)}"
        )
    sizes = tuple(input.shape[-spatial:])
    default = tuple((i - 1) * s - 2 * p + k for i, k, s, p in zip(sizes, kernel, stride, padding))
    if output_size is None:
        output_size = default
    output_size = tuple(output_size)[-spatial:]
    lead = tuple(input.shape[:-spatial])
    plane = int(np.prod(output_size))
    flat = indices.reshape(*lead, -1)
    if flat.numel() and (int(flat.min()) < 0 or int(flat.max()) >= plane):
        raise RuntimeError(
            f"{fn}: found an invalid max index {int(flat.max())} (output volumes are of size "
            f"{'x'.join(map(str, output_size))})"
        )
    zeros = chainrule.zeros(*lead, plane, dtype=input.dtype)
    out = zeros.scatter(-1, flat, input.reshape(*lead, -1))
    return out.reshape(*lead, *output_size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d``: each value back at its index, zeros elsewhere;
    output length :math:`(L - 1) s - 2p + k` unless ``output_size`` says otherwise."""
    k = _single(kernel_size)
    s = k if stride is None or stride == () else _single(stride)
    return _max_unpool(
        input, indices, (k,), (s,), (_single(padding),), output_size, 1, "max_unpool1d"
    )


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: each value back at its flat H × W index,
    zeros elsewhere."""
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == () else _pair(stride)
    return _max_unpool(
        input, indices, kernel, stride, _pair(padding), output_size, 2, "max_unpool2d"
    )


# --------------------------------------------------------------------------- adaptive max


def _adaptive_index(size_in, size_out):
    """(out, K) positions of each window [⌊iL/out⌋, ⌈(i+1)L/out⌉), the short windows padded
    by repeating their last position (a repeat leaves the maximum and its first index)."""
    i = np.arange(size_out)
    start = (i * size_in) // size_out
    end = -((-(i + 1) * size_in) // size_out)
    k = int((end - start).max())
    return np.minimum(start[:, None] + np.arange(k), end[:, None] - 1)


def _adaptive_max(input, output_size, return_indices, spatial, fn):
    if input.ndim not in (spatial + 1, spatial + 2) or 0 in tuple(input.shape[-spatial:]):
        raise RuntimeError(
            f"{fn}: expected a non-empty {spatial + 1}D or {spatial + 2}D input, "
            f"got shape {tuple(input.shape)}"
        )
    sizes = tuple(input.shape[-spatial:])
    outs = tuple(s if o is None else o for s, o in zip(sizes, output_size))
    index = [_adaptive_index(s, o) for s, o in zip(sizes, outs)]
    if spatial == 1:
        windows = input[..., chainrule.tensor(index[0])]  # (*, L_out, K)
        flat = index[0]
    else:
        rows = input[..., chainrule.tensor(index[0]), :]  # (*, H_out, KH, W)
        windows = rows[..., chainrule.tensor(index[1])]  # (*, H_out, KH, W_out, KW)
        nd = windows.ndim
        windows = windows.permute(*range(nd - 4), nd - 4, nd - 2, nd - 3, nd - 1)
        kh, kw = index[0].shape[1], index[1].shape[1]
        windows = windows.reshape(*windows.shape[:-2], kh * kw)
        # flat H × W position of window element (a // KW, a % KW) of output (i, j)
        flat = (index[0][:, None, :, None] * sizes[1] + index[1][None, :, None, :]).reshape(
            outs[0], outs[1], kh * kw
        )
    values, arg = windows.max(-1)
    if not return_indices:
        return values
    picked = np.take_along_axis(
        np.broadcast_to(flat, tuple(arg.shape) + flat.shape[-1:]), arg.numpy()[..., None], -1
    )
    return values, chainrule.tensor(picked[..., 0].astype(np.int64))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Maximum over windows that split L of (N, C, L) or (C, L) inputs into ``output_size``
    nearly equal parts (window i covers [⌊iL/out⌋, ⌈(i+1)L/out⌉))."""
    return _adaptive_max(input, (_single(output_size),), return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Maximum over windows that split H and W of (N, C, H, W) or (C, H, W) inputs into
    ``output_size`` nearly equal parts; ``None`` keeps that dim. Indices are flat positions
    in the H × W plane."""
    return _adaptive_max(input, _pair(output_size), return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool1d`` returning ``(values, indices)``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool2d`` returning ``(values, indices)``."""
    return adaptive_max_pool2d(input, output_size, True)


# --------------------------------------------------------------------------- im2col, col2im


def _one_hot_kernel(channels, kernel, dtype):
    """(C kh kw, 1, kh, kw): output channel c kh kw + i kw + j picks tap (i, j) of channel c
    in a convolution with ``groups=C``."""
    kh, kw = kernel
    taps = chainrule.eye(kh * kw, dtype=dtype).reshape(kh * kw, 1, kh, kw)
    return taps.repeat(channels, 1, 1, 1)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks (im2col): (N, C, H, W) to (N, C·kh·kw, L), L the number of
    block positions; row c·kh·kw + i·kw + j holds tap (i, j) of channel c.

    .. math:: y[n, (c, i, j), (h, w)] = x[n, c, h s_h + i d_h - p_h, w s_w + j d_w - p_w]
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"unfold: expected a 3D (unbatched) or 4D (batched) input, got shape "
            f"{tuple(input.shape)}; only 4-D inputs (images) are supported"
        )
    kernel = _pair(kernel_size)
    channels = input.shape[-3]
    weight = _one_hot_kernel(channels, kernel, input.dtype)
    cols = F.conv2d(input, weight, None, _pair(stride), _pair(padding), _pair(dilation), channels)
    return cols.reshape(*cols.shape[:-2], -1)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into an image (col2im), the adjoint of ``unfold``:
    (N, C·kh·kw, L) to (N, C, H, W), overlapping taps added.

    Shape:
        input ``(N, C·kh·kw, L)`` or ``(C·kh·kw, L)``; output ``(N, C, *output_size)``.
    """
    kernel, size = _pair(kernel_size), _pair(output_size)
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    taps = kernel[0] * kernel[1]
    blocks = [
        (o + 2 * p - d * (k - 1) - 1) // s + 1
        for o, k, s, p, d in zip(size, kernel, stride, padding, dilation)
    ]
    if input.ndim not in (2, 3) or input.shape[-2] % taps or input.shape[-1] != np.prod(blocks):
        raise RuntimeError(
            f"fold: expected input of shape (N, C * {taps}, {int(np.prod(blocks))}) or "
            f"(C * {taps}, {int(np.prod(blocks))}) for output_size={size}, "
            f"kernel_size={kernel}, dilation={dilation}, padding={padding}, stride={stride}; "
            f"got {tuple(input.shape)}"
        )
    channels = input.shape[-2] // taps
    natural = [
        (b - 1) * s - 2 * p + d * (k - 1) + 1
        for b, k, s, p, d in zip(blocks, kernel, stride, padding, dilation)
    ]
    weight = _one_hot_kernel(channels, kernel, input.dtype)
    return F.conv_transpose2d(
        input.reshape(*input.shape[:-1], *blocks),
        weight,
        None,
        stride,
        padding,
        tuple(o - n for o, n in zip(size, natural)),
        channels,
        dilation,
    )
