"""Pooling layers: max, average, adaptive average and adaptive max, in 1-D and 2-D."""

from chainrule.nn import functional as F
from chainrule.nn.modules.module import Module


class MaxPool2d(Module):
    """Maximum over each kH × kW window of (N, C, H, W) inputs.

    .. math:: y[n, c, h, w] = \\max_{i, j}\\, x[n, c, h s_h + i d_h - p_h, w s_w + j d_w - p_w]

    Args:
        kernel_size: window size, an int or a pair.
        stride: window step (default: ``kernel_size``).
        padding: implicit −∞ padding, at most half the window.
        dilation: spacing between window elements.
        return_indices: also return each maximum's flat index into its H × W plane.
        ceil_mode: round the output size up.
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices=False,
        ceil_mode=False,
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    _pool = staticmethod(F.max_pool2d)

    def forward(self, input):
        return self._pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """Mean over each kH × kW window of (N, C, H, W) inputs.

    Args:
        kernel_size: window size, an int or a pair.
        stride: window step (default: ``kernel_size``).
        padding: implicit zero padding, at most half the window.
        ceil_mode: round the output size up.
        count_include_pad: padding zeros count in the divisor (default ``True``).
        divisor_override: divide every window sum by this instead.
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode=False,
        count_include_pad=True,
        divisor_override=None,
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average over windows that split H and W into ``output_size`` nearly equal parts
    (window i of a dim of length L covers [⌊iL/out⌋, ⌈(i+1)L/out⌉)).

    Args:
        output_size: an int or an (H_out, W_out) pair; ``None`` keeps that dim.
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """``AdaptiveAvgPool2d`` over the last dim of (N, C, L) inputs."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


def _single(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class MaxPool1d(MaxPool2d):
    """Maximum over each window of (N, C, L) or (C, L) inputs (arguments as ``MaxPool2d``,
    one int each)."""

    _pool = staticmethod(F.max_pool1d)


class AvgPool1d(Module):
    """Mean over each window of (N, C, L) or (C, L) inputs.

    Args:
        kernel_size: window size.
        stride: window step (default: ``kernel_size``).
        padding: implicit zero padding, at most half the window.
        ceil_mode: round the output size up.
        count_include_pad: padding zeros count in the divisor (default ``True``).
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
    ):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if (stride is not None and stride != ()) else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveMaxPool1d(Module):
    """Maximum over windows that split L into ``output_size`` nearly equal parts.

    Args:
        output_size: L_out.
        return_indices: also return each maximum's position along L.
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(AdaptiveMaxPool1d):
    """Maximum over windows that split H and W into ``output_size`` nearly equal parts.

    Args:
        output_size: an int or an (H_out, W_out) pair; ``None`` keeps that dim.
        return_indices: also return each maximum's flat index into its H × W plane.
    """

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class LPPool1d(Module):
    """Power-average pooling :math:`(\\sum_{w} x^p)^{1/p}` over windows of (N, C, L) inputs.

    Args:
        norm_type: p.
        kernel_size: window size.
        stride: window step (default: ``kernel_size``).
        ceil_mode: round the output size up.
    """

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool2d(LPPool1d):
    """Power-average pooling :math:`(\\sum_{w} x^p)^{1/p}` over kh × kw windows."""

    def forward(self, input):
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


class MaxUnpool1d(Module):
    """The partial inverse of ``MaxPool1d``: ``forward(input, indices, output_size=None)``
    puts each value back at its index, zeros elsewhere."""

    _expand = staticmethod(_single)

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = self._expand(kernel_size)
        self.stride = self._expand(stride if (stride is not None and stride != ()) else kernel_size)
        self.padding = self._expand(padding)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(MaxUnpool1d):
    """The partial inverse of ``MaxPool2d``: each value back at its flat H × W index."""

    _expand = staticmethod(_pair)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )
