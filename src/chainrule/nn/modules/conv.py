"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``."""

import math

import chainrule
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.modules.module import Module
from chainrule.nn.parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value, n):
    if isinstance(value, (tuple, list)):
        value = tuple(value)
        return value * n if len(value) == 1 else value
    return (value,) * n


class _ConvNd(Module):
    """What every convolution layer holds: hyperparameters (as tuples), ``weight`` and
    optional ``bias``, PyTorch's initialisation and repr."""

    _dims = 2
    transposed = False

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride,
        padding,
        dilation,
        output_padding,
        groups,
        bias,
        padding_mode,
        dtype,
    ):
        super().__init__()
        n = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(s != 1 for s in _ntuple(stride, n)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                f"padding_mode={padding_mode!r}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        self.dilation = _ntuple(dilation, n)
        self.output_padding = _ntuple(output_padding, n)
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's (left, right, top, bottom) for the non-zero padding modes
        if isinstance(self.padding, str):
            pads = [0, 0] * n
            if padding == "same":
                for i, (d, k) in enumerate(zip(self.dilation, self.kernel_size)):
                    total = d * (k - 1)
                    at = 2 * (n - 1 - i)
                    pads[at], pads[at + 1] = total // 2, total - total // 2
            self._reversed_padding_repeated_twice = pads
        else:
            self._reversed_padding_repeated_twice = [
                p for p in reversed(self.padding) for _ in (0, 1)
            ]
        if self.transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(chainrule.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(chainrule.empty((out_channels,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: kaiming_uniform_(a=√5) for the weight, which bounds it by
        1/√fan_in, and the bias uniform in ±1/√fan_in."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        n = self._dims
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        padding_mode="zeros",
        device=None,
        dtype=None,
    ):
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            0,
            groups,
            bias,
            padding_mode,
            dtype,
        )

    def _conv_forward(self, input, weight, bias):
        conv = F.conv1d if self._dims == 1 else F.conv2d
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution layer over (N, C_in, L) inputs.

    .. math:: y[n, o, l] = b[o] + \\sum_{c, k} w[o, c, k]\\, x[n, c, l s + k d - p]

    Args:
        in_channels, out_channels: C_in and C_out.
        kernel_size, stride, padding, dilation: ints or 1-tuples; padding may be 'valid'
            or 'same'.
        groups: split the channels into this many independent convolutions.
        bias: learn an additive bias (default ``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input (N, C_in, L) or (C_in, L); weight (C_out, C_in/groups, k).
    """

    _dims = 1


class Conv2d(_Conv):
    """2-D convolution layer over (N, C_in, H, W) inputs.

    .. math::
        y[n, o, h, w] = b[o] + \\sum_{c, i, j} w[o, c, i, j]\\,
        x[n, c, h s_h + i d_h - p_h, w s_w + j d_w - p_w]

    ``weight`` (C_out, C_in/groups, kH, kW) and ``bias`` (C_out) start uniform in
    ±1/√fan_in, fan_in = C_in/groups · kH · kW, as in PyTorch.

    Args:
        in_channels, out_channels: C_in and C_out.
        kernel_size, stride, padding, dilation: ints or pairs; padding may be 'valid' or
            'same'.
        groups: split the channels into this many independent convolutions.
        bias: learn an additive bias (default ``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, H_out, W_out) with
        H_out = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1.

    Example:
        >>> conv = nn.Conv2d(1, 6, 5, padding=2)
        >>> conv(torch.randn(64, 1, 28, 28)).shape
        torch.Size([64, 6, 28, 28])
    """

    _dims = 2


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups=1,
        bias=True,
        dilation=1,
        padding_mode="zeros",
        device=None,
        dtype=None,
    ):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            output_padding,
            groups,
            bias,
            padding_mode,
            dtype,
        )

    def _output_padding(self, input, output_size):
        """output_padding that gives ``output_size`` (the sizes a strided conv maps to the
        same input size differ by less than the stride)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        output_size = [int(s) for s in output_size]
        if len(output_size) not in (n, n + 2):
            raise ValueError(
                f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have {n} or "
                f"{n + 2} elements (got {len(output_size)})"
            )
        output_size = output_size[-n:]
        out_pad = []
        for d in range(n):
            size_in = input.shape[input.ndim - n + d]
            smallest = (
                (size_in - 1) * self.stride[d]
                - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1)
                + 1
            )
            largest = smallest + self.stride[d] - 1
            if not smallest <= output_size[d] <= largest:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{smallest} to {largest} (for an input of {list(input.shape[2:])})"
                )
            out_pad.append(output_size[d] - smallest)
        return tuple(out_pad)

    def forward(self, input, output_size=None):
        conv = F.conv_transpose1d if self._dims == 1 else F.conv_transpose2d
        out_pad = self._output_padding(input, output_size)
        return conv(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            out_pad,
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution layer: the gradient of ``Conv1d`` as a layer.

    Shape:
        input (N, C_in, L); weight (C_in, C_out/groups, k); output length
        (L − 1)s − 2p + d(k − 1) + output_padding + 1.
    """

    _dims = 1


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution ("deconvolution") layer: the gradient of ``Conv2d`` with
    respect to its input, used to upsample.

    .. math:: y[n, o, h s + i d - p, w s + j d - p] \\mathrel{+}= w[c, o, i, j]\\, x[n, c, h, w]

    Args:
        in_channels, out_channels: C_in and C_out.
        kernel_size, stride, padding, dilation: ints or pairs.
        output_padding: extra rows/columns at the far side of the output (smaller than the
            stride or the dilation).
        groups, bias: as for ``Conv2d``.

    Shape:
        input (N, C_in, H, W); weight (C_in, C_out/groups, kH, kW); output
        H_out = (H − 1)s − 2p + d(kH − 1) + output_padding + 1.  ``forward(input,
        output_size)`` picks the output_padding that gives ``output_size``.
    """

    _dims = 2
