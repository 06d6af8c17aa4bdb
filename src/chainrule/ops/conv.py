"""Convolutions: conv1d, conv2d and their transposes, as im2col + GEMM on NumPy.

For input x (N, C, H, W) and weight w (O, C/G, kh, kw) in G groups, with stride s,
padding p and dilation d,

    y[n, o, h, w] = b[o] + Σ_{c ∈ group(o), i, j} w[o, c, i, j] · x_pad[n, c, h·s + i·d, w·s + j·d]

which is one GEMM per sample and group once the windows are laid out as columns
("im2col": a strided view of the padded input, copied once).  The chain rule gives two
more maps of the same kind, and each is the others' gradient:

* the input gradient is a *transposed* convolution of g with w (GEMM wᵀ g, then each
  kernel offset's column block added back into the padded input: a loop over the kh·kw
  offsets, never over pixels);
* the weight gradient is Σₙ g · colsᵀ, a GEMM against the same columns;
* the bias gradient is Σ of g over the batch and space.

A transposed convolution is the input-gradient map used as a forward, so all of conv,
conv_transpose and their derivatives of every order are these three rows.  conv1d runs as
conv2d on a height-1 image (inside the array functions, so the graph shows one node).
"""

import numpy as np

from .._tensor import Tensor
from ._im2col import (
    conv_forward,
    conv_input_grad,
    conv_weight_grad,
    transposed_shape,
)
from ._registry import OpDef, apply
from .linalg import bilinear_tangent

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


def _convolution(
    xp, x, w, stride, padding, dilation, transposed, output_padding, groups, bias=None
):
    if not transposed:
        return conv_forward(xp, x, w, stride, padding, dilation, groups, bias)
    shape = transposed_shape(x.shape, w.shape, stride, padding, dilation, output_padding)
    shape = (shape[0], shape[1] * groups) + shape[2:]
    y = conv_input_grad(xp, x, w, shape, stride, padding, dilation, groups)
    if bias is not None:
        y += bias.reshape((-1,) + (1,) * (y.ndim - 2))
    return y


def _convolution_bias(xp, x, w, b, *params):
    return _convolution(xp, x, w, *params, bias=b)


# --------------------------------------------------------------------------- the rows
def run(xp, op, inputs, params):
    """Run row ``op`` inside a gradient formula: its forward on the backend's arrays in a
    plain backward pass, a recorded op on Tensors under ``create_graph`` (so that it has a
    gradient of its own)."""
    if isinstance(inputs[0], Tensor):
        return apply(op, inputs, params)
    return op.forward(xp, *inputs, *params)


_NO_OUTPUT_PADDING = (0, 0)


def _grad_x(xp, g, x, w, stride, padding, dilation, transposed, output_padding, groups):
    if transposed:  # the gradient of the transposed map is the convolution itself
        return _conv_like(xp, g, w, x, stride, padding, dilation, groups)
    params = (tuple(x.shape), stride, padding, dilation, groups)
    return run(xp, CONV_INPUT_GRAD, (g, w), params)


def _grad_w(xp, g, x, w, stride, padding, dilation, transposed, output_padding, groups):
    # roles of input and output swap for the transposed map
    pair = (g, x) if transposed else (x, g)
    return run(xp, CONV_WEIGHT_GRAD, pair, (tuple(w.shape), stride, padding, dilation, groups))


def _grad_b(xp, g, x, w, *params):
    return xp.sum(g, (0,) + tuple(range(2, g.ndim)), False)  # Σ over batch and space


def _conv_tangent(xp, t, x, w, *rest):
    # d(w ⋆ x + b) = w ⋆ dx + dw ⋆ x + db
    bias = len(t) == 3
    params = rest[2:] if bias else rest[1:]
    out = bilinear_tangent(lambda a, b: apply(CONVOLUTION_NO_BIAS, (a, b), params), t[:2], x, w)
    if bias and t[2] is not None:
        tb = xp.reshape(t[2], (-1,) + (1,) * (x.ndim - 2))
        out = tb if out is None else out + tb
    return out


_CONV_PARAMS = ("stride", "padding", "dilation", "transposed", "output_padding", "groups")
CONVOLUTION = OpDef(
    "ConvolutionBackward0",
    _convolution_bias,
    saves=(0, 1),
    params=_CONV_PARAMS,
    grads=[_grad_x, _grad_w, _grad_b],
    jvp=_conv_tangent,
)
CONVOLUTION_NO_BIAS = OpDef(
    "ConvolutionBackward0",
    _convolution,
    saves=(0, 1),
    params=_CONV_PARAMS,
    grads=[_grad_x, _grad_w],
    jvp=_conv_tangent,
)


def _conv_like(xp, x, w, like, stride, padding, dilation, groups):
    """The convolution of x with w, cut to the size of ``like``: where convᵀ had an
    output_padding of at least the stride, the convolution has extra trailing outputs."""
    params = (stride, padding, dilation, False, _NO_OUTPUT_PADDING, groups)
    y = run(xp, CONVOLUTION_NO_BIAS, (x, w), params)
    if tuple(y.shape[2:]) != tuple(like.shape[2:]):
        y = y[(Ellipsis,) + tuple(slice(0, s) for s in like.shape[2:])]
    return y


def _input_grad_wrt_g(xp, gg, g, w, input_shape, stride, padding, dilation, groups):
    # x̄ = convᵀ(g, w) is linear in g: its gradient is the convolution of gg with w
    return _conv_like(xp, gg, w, g, stride, padding, dilation, groups)


def _input_grad_wrt_w(xp, gg, g, w, input_shape, stride, padding, dilation, groups):
    # … and in w: Σ gg-windows · g, the weight gradient with gg as the input
    params = (tuple(w.shape), stride, padding, dilation, groups)
    return run(xp, CONV_WEIGHT_GRAD, (gg, g), params)


def _weight_grad_wrt_x(xp, gw, x, g, weight_shape, stride, padding, dilation, groups):
    # w̄ = Σ g · windows(x) is linear in x: its gradient spreads g · gw back (convᵀ)
    params = (tuple(x.shape), stride, padding, dilation, groups)
    return run(xp, CONV_INPUT_GRAD, (g, gw), params)


def _weight_grad_wrt_g(xp, gw, x, g, weight_shape, stride, padding, dilation, groups):
    # … and in g: the convolution of x with gw
    return _conv_like(xp, x, gw, g, stride, padding, dilation, groups)


def _self_bilinear_tangent(op):
    # a map linear in each of its two inputs: d f(a, b) = f(da, b) + f(a, db)
    return lambda xp, t, a, b, out, *params: bilinear_tangent(
        lambda u, v: apply(op, (u, v), params), t, a, b
    )


# the two halves of convolution_backward, each differentiable (PyTorch's
# ConvolutionBackwardBackward0): inputs (g, w) → x̄ and (x, g) → w̄
CONV_INPUT_GRAD = OpDef(
    "ConvolutionBackwardBackward0",
    conv_input_grad,
    saves=(0, 1),
    params=("input_shape", "stride", "padding", "dilation", "groups"),
    grads=[_input_grad_wrt_g, _input_grad_wrt_w],
)
CONV_INPUT_GRAD.jvp = _self_bilinear_tangent(CONV_INPUT_GRAD)
CONV_WEIGHT_GRAD = OpDef(
    "ConvolutionBackwardBackward0",
    conv_weight_grad,
    saves=(0, 1),
    params=("weight_shape", "stride", "padding", "dilation", "groups"),
    grads=[_weight_grad_wrt_x, _weight_grad_wrt_g],
)
CONV_WEIGHT_GRAD.jvp = _self_bilinear_tangent(CONV_WEIGHT_GRAD)


# --------------------------------------------------------------------------- arguments
def _tuple(value, n, name):
    """An int or a sequence of 1 or n ints → a tuple of n ints (PyTorch's message)."""
    if isinstance(value, Tensor):
        value = value.tolist()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values to "
            f"match the convolution dimensions, but got {name}={list(value)}"
        )
    return value


def _same_padding(kernel, dilation):
    """'same': total d(k−1) per dim, the extra one (for even kernels) on the far side."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _check_args(input, weight, bias, dims, transposed, groups, name):
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(
            f"{name}(): expected Tensor input and weight, got "
            f"{type(input).__name__} and {type(weight).__name__}"
        )
    x, w = input._data, weight._data
    if w.ndim != dims + 2:
        raise RuntimeError(
            f"{name}: expected a {dims + 2}-D weight (out_channels, in_channels/groups, "
            f"{'kH, kW' if dims == 2 else 'kW'}), got weight of size {list(w.shape)}"
        )
    if x.ndim != dims + 2:
        raise RuntimeError(
            f"Expected {dims + 2}-dimensional input for {dims + 2}-dimensional weight "
            f"{list(w.shape)}, but got {x.ndim}-dimensional input of size "
            f"{list(x.shape)} instead"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if x.dtype.kind != "f" or w.dtype.kind != "f":
        raise RuntimeError(
            f"{name}: expected floating point input and weight, got {input.dtype} and "
            f"{weight.dtype}; convert them with .float() or .double()"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"expected scalar type {_type_name(x.dtype)} but found {_type_name(w.dtype)} "
            f"({name}: input is {input.dtype}, weight is {weight.dtype}; convert one of them)"
        )
    out_channels = w.shape[1] * groups if transposed else w.shape[0]
    if not transposed and w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size [{list(w.shape)}] instead"
        )
    expected_in = w.shape[0] if transposed else w.shape[1] * groups
    if x.shape[1] != expected_in or (transposed and w.shape[0] % groups):
        what = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(
            f"Given {what}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {expected_in} channels, but got {x.shape[1]} "
            f"channels instead"
        )
    if bias is not None:
        b = bias._data
        if b.ndim != 1 or b.shape[0] != out_channels:
            raise RuntimeError(
                f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional "
                f"with {out_channels} elements, but got bias of size {list(b.shape)} instead"
            )
        if b.dtype != x.dtype:
            raise RuntimeError(
                f"Input type ({_type_name(x.dtype).lower()}) and bias type "
                f"({_type_name(b.dtype).lower()}) should be the same"
            )


def _type_name(np_dtype):
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(
        np_dtype.name, np_dtype.name
    )


def _geometry(dims, kernel, stride, padding, dilation, name):
    """Normalised 2-D (stride, padding pairs, dilation) for a ``dims``-D convolution."""
    stride = _tuple(stride, dims, "stride")
    dilation = _tuple(dilation, dims, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * dims
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_padding(kernel, dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _tuple(padding, dims, "padding")
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((p, p) for p in padding)
    if dims == 1:
        return (1,) + stride, ((0, 0),) + pads, (1,) + dilation
    return stride, pads, dilation


def _check_size(x_shape, kernel, padding, dilation):
    padded = [s + p[0] + p[1] for s, p in zip(x_shape[2:], padding[-len(kernel) :])]
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation[-len(kernel) :])]
    if any(e > p for e, p in zip(extent, padded)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, extent))}). Kernel size can't be greater "
            f"than actual input size"
        )


def _batched(input, dims, name):
    """(input with a batch dim, whether one was added): unbatched inputs get one."""
    if input.ndim == dims + 1:
        return input.unsqueeze(0), True
    if input.ndim != dims + 2:
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, "
            f"but got input of size: {list(input.shape)}"
        )
    return input, False


def _convolve(input, weight, bias, dims, stride, padding, dilation, groups, transposed, out_pad):
    name = f"conv_transpose{dims}d" if transposed else f"conv{dims}d"
    input, unbatched = _batched(input, dims, name)
    _check_args(input, weight, bias, dims, transposed, groups, name)
    kernel = weight._data.shape[2:]
    stride, pads, dilation = _geometry(dims, kernel, stride, padding, dilation, name)
    if transposed:
        out_pad = _tuple(out_pad, dims, "output_padding")
        out_pad = (0,) + out_pad if dims == 1 else out_pad
        for op_, s, d in zip(out_pad, stride, dilation):
            if op_ >= s and op_ >= d:
                raise RuntimeError(
                    f"output padding must be smaller than either stride or dilation, but got "
                    f"output_padding={list(out_pad[-dims:])}, stride={list(stride[-dims:])}, "
                    f"dilation={list(dilation[-dims:])}"
                )
        shape = transposed_shape(
            input._data.shape, weight._data.shape, stride, pads, dilation, out_pad
        )
        if any(s <= 0 for s in shape[2:]):
            raise RuntimeError(
                f"{name}: the output size {list(shape[2:])} is not positive for input "
                f"{list(input.shape)}, weight {list(weight.shape)}, stride "
                f"{list(stride[-dims:])} and padding {[p[0] for p in pads]}"
            )
    else:
        out_pad = _NO_OUTPUT_PADDING
        _check_size(input._data.shape, kernel, pads[-dims:], dilation[-dims:])
    params = (stride, pads, dilation, transposed, out_pad, groups)
    if bias is None:
        out = apply(CONVOLUTION_NO_BIAS, (input, weight), params)
    else:
        out = apply(CONVOLUTION, (input, weight, bias), params)
    return out.squeeze(0) if unbatched else out


# --------------------------------------------------------------------------- public
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over (N, C, L) inputs.

    .. math:: y[n, o, l] = b[o] + \\sum_{c, k} w[o, c, k]\\, x[n, c, l s + k d - p]

    Args:
        input: (N, C_in, L) or unbatched (C_in, L).
        weight: (C_out, C_in / groups, kW).
        bias: optional (C_out,).
        stride, padding, dilation: ints or 1-tuples; padding may be 'valid' or 'same'.
        groups: split the channels into this many independent convolutions.

    Shape:
        output (N, C_out, ⌊(L + 2p − d(kW − 1) − 1)/s⌋ + 1).
    """
    return _convolve(input, weight, bias, 1, stride, padding, dilation, groups, False, 0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over (N, C, H, W) inputs.

    .. math::
        y[n, o, h, w] = b[o] + \\sum_{c, i, j} w[o, c, i, j]\\,
        x[n, c, h s_h + i d_h - p_h, w s_w + j d_w - p_w]

    Args:
        input: (N, C_in, H, W) or unbatched (C_in, H, W).
        weight: (C_out, C_in / groups, kH, kW).
        bias: optional (C_out,).
        stride, padding, dilation: ints or pairs; padding may be 'valid' or 'same'
            ('same' puts the odd extra row/column of an even kernel at the far side).
        groups: split the channels into this many independent convolutions.

    Shape:
        output (N, C_out, H_out, W_out), H_out = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1.

    Example:
        >>> y = conv2d(torch.randn(8, 3, 32, 32), torch.randn(16, 3, 3, 3), padding=1)
        >>> y.shape
        torch.Size([8, 16, 32, 32])
    """
    return _convolve(input, weight, bias, 2, stride, padding, dilation, groups, False, 0)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-D transposed convolution: the gradient of conv1d with respect to its input.

    Args:
        input: (N, C_in, L) or unbatched (C_in, L).
        weight: (C_in, C_out / groups, kW).

    Shape:
        output (N, C_out, (L − 1)s − 2p + d(kW − 1) + output_padding + 1).
    """
    return _convolve(
        input, weight, bias, 1, stride, padding, dilation, groups, True, output_padding
    )


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-D transposed convolution ("deconvolution"): the gradient of conv2d with respect to
    its input, used as a layer that upsamples.

    .. math:: y[n, o, h s + i d - p, w s + j d - p] \\mathrel{+}= w[c, o, i, j]\\, x[n, c, h, w]

    Args:
        input: (N, C_in, H, W) or unbatched (C_in, H, W).
        weight: (C_in, C_out / groups, kH, kW).
        bias: optional (C_out,).
        output_padding: extra rows/columns on the far side of the output (smaller than
            the stride or the dilation), to pick among the input sizes a strided conv maps
            to the same output size.

    Shape:
        output (N, C_out, (H − 1)s − 2p + d(kH − 1) + output_padding + 1, …).
    """
    return _convolve(
        input, weight, bias, 2, stride, padding, dilation, groups, True, output_padding
    )
