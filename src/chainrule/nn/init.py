"""``chainrule.nn.init``: fill a tensor in place with values from a distribution.

Every function runs under ``no_grad``, writes into the given tensor (its identity
and its place in a Module stay the same), and returns it. The random ones accept a
``generator`` for reproducible draws; without one they use the global generator
seeded by ``chainrule.manual_seed``.
"""

import math
import warnings

import chainrule


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (the std scale that keeps variance steady).

    ======================  ===================================
    nonlinearity            gain
    ======================  ===================================
    linear, sigmoid         1
    tanh                    5/3
    relu                    sqrt(2)
    leaky_relu              sqrt(2 / (1 + negative_slope^2))
    selu                    3/4
    ======================  ===================================
    """
    linear_fns = (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
    )
    if nonlinearity in linear_fns:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tuple(tensor.shape)})"
        )
    receptive = 1
    for size in tensor.shape[2:]:
        receptive *= size
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode!r} not supported, please use one of 'fan_in', 'fan_out'")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill_from(tensor, values):
    with chainrule.no_grad():
        tensor.copy_(values)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with draws from :math:`\\mathcal U(a, b)`."""
    if not a <= b:
        raise ValueError(f"uniform_ expects a <= b, got a={a}, b={b}")
    u = chainrule.rand(tuple(tensor.shape), generator=generator, dtype=tensor.dtype)
    return _fill_from(tensor, u * (b - a) + a)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with draws from :math:`\\mathcal N(\\text{mean}, \\text{std}^2)`."""
    if std < 0:
        raise ValueError(f"normal_ expects std >= 0, got std={std}")
    z = chainrule.randn(tuple(tensor.shape), generator=generator, dtype=tensor.dtype)
    return _fill_from(tensor, z * std + mean)


def constant_(tensor, val):
    """Fill with the value ``val``."""
    with chainrule.no_grad():
        tensor.fill_(val)
    return tensor


def zeros_(tensor):
    """Fill with zeros."""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill with ones."""
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: :math:`\\mathcal U(-a, a)`,
    :math:`a = \\text{gain}\\sqrt{6/(\\text{fan\\_in}+\\text{fan\\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: :math:`\\mathcal N(0, \\sigma^2)`,
    :math:`\\sigma = \\text{gain}\\sqrt{2/(\\text{fan\\_in}+\\text{fan\\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: :math:`\\mathcal U(-b, b)`, :math:`b = \\text{gain}\\sqrt{3/\\text{fan}}`.

    Args:
        a: negative slope of the rectifier that follows (for ``leaky_relu``).
        mode: ``'fan_in'`` keeps the forward variance, ``'fan_out'`` the backward one.
        nonlinearity: the function after this layer (see :func:`calculate_gain`).
    """
    fan = _fan(tensor, mode)
    if fan == 0:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: :math:`\\mathcal N(0, \\sigma^2)`,
    :math:`\\sigma = \\text{gain}/\\sqrt{\\text{fan}}`."""
    fan = _fan(tensor, mode)
    if fan == 0:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with draws from :math:`\\mathcal N(\\text{mean}, \\text{std}^2)` truncated to
    :math:`[a, b]`, by rejection as PyTorch does.

    With :math:`p = \\Phi(\\tfrac{b - \\mu}{\\sigma}) - \\Phi(\\tfrac{a - \\mu}{\\sigma})` the mass
    kept: if :math:`p > 0.3`, normal draws outside :math:`[a, b]` are drawn again; otherwise
    uniform proposals :math:`x \\sim \\mathcal U(a, b)` are accepted with probability
    :math:`\\exp(-\\tfrac12((x - \\mu)/\\sigma)^2) / \\text{peak}` (the density over its
    highest value on :math:`[a, b]`). It warns, as PyTorch, when the mean is more than two
    standard deviations outside :math:`[a, b]`.
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    shape, dtype = tuple(tensor.shape), tensor.dtype
    mass = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    with chainrule.no_grad():
        if mass > 0.3:
            lo, hi = (chainrule.tensor(bound, dtype=dtype).item() for bound in (a, b))
            result = chainrule.randn(shape, generator=generator, dtype=dtype) * std + mean
            outside = (result < lo) | (result > hi)
            while bool(outside.any()):
                again = chainrule.randn(shape, generator=generator, dtype=dtype) * std + mean
                result = chainrule.where(outside, again, result)
                outside = (result < lo) | (result > hi)
        else:
            mode = max(a, min(mean, b))
            log_peak = -0.5 * ((mode - mean) / std) ** 2
            result = chainrule.zeros(shape, dtype=dtype)
            pending = chainrule.ones(shape, dtype=chainrule.bool)
            while bool(pending.any()):
                x = chainrule.rand(shape, generator=generator, dtype=dtype) * (b - a) + a
                log_ratio = -0.5 * ((x - mean) / std) ** 2 - log_peak
                u = chainrule.rand(shape, generator=generator, dtype=dtype)
                result = chainrule.where(pending, x, result)
                pending = pending & (u.log() > log_ratio)
    return _fill_from(tensor, result)


def _norm_cdf(x):
    """The standard normal CDF :math:`\\Phi(x)`."""
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a (semi-)orthogonal matrix, uniformly distributed (Saxe et al., 2013).

    The tensor is seen as a ``(rows, numel / rows)`` matrix. From a standard normal matrix
    :math:`A = QR` (transposed first when it is wide),
    :math:`Q \\operatorname{diag}(\\operatorname{sign} R_{ii})` (Haar-distributed, Mezzadri
    2007), transposed back, times ``gain``.
    """
    if tensor.ndim < 2:
        raise ValueError(
            "Only tensors with 2 or more dimensions are supported "
            f"(orthogonal_ got shape {tuple(tensor.shape)})"
        )
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with chainrule.no_grad():
        a = chainrule.randn((rows, cols), generator=generator, dtype=tensor.dtype)
        if rows < cols:
            a = a.T
        q, r = chainrule.linalg.qr(a)
        q = q * chainrule.diagonal(r).sign()
        if rows < cols:
            q = q.T
    return _fill_from(tensor, q.reshape(tuple(tensor.shape)) * gain)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones where row = column)."""
    if tensor.ndim != 2:
        raise ValueError(
            f"Only tensors with 2 dimensions are supported (eye_ got shape {tuple(tensor.shape)})"
        )
    return _fill_from(tensor, chainrule.eye(*tensor.shape, dtype=tensor.dtype))


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta: output channel
    ``g * (out / groups) + d`` copies input channel ``d`` at the kernel's centre, for each
    group ``g`` and ``d < min(out / groups, in)``; everything else is 0."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(
            "Only tensors with 3, 4, or 5 dimensions are supported "
            f"(dirac_ got shape {tuple(tensor.shape)})"
        )
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError(f"dim 0 must be divisible by groups (got size {sizes[0]}, {groups=})")
    per_group = sizes[0] // groups
    n = min(per_group, sizes[1])
    out_channels = (chainrule.arange(groups)[:, None] * per_group + chainrule.arange(n)).flatten()
    in_channels = chainrule.arange(n).repeat(groups)
    centre = tuple(size // 2 for size in sizes[2:])
    with chainrule.no_grad():
        tensor.zero_()
        tensor[(out_channels, in_channels, *centre)] = 1
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-D tensor with :math:`\\mathcal N(0, \\text{std}^2)` draws, then zero
    :math:`\\lceil \\text{sparsity} \\cdot \\text{rows} \\rceil` random entries of each column
    (Martens, 2010)."""
    if tensor.ndim != 2:
        raise ValueError(
            "Only tensors with 2 dimensions are supported "
            f"(sparse_ got shape {tuple(tensor.shape)})"
        )
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    normal_(tensor, 0.0, std, generator)
    # each column's rows in a random order (the ranks of uniform keys); the first ones are zeroed
    keys = chainrule.rand((rows, cols), generator=generator, dtype=chainrule.float64)
    ranks = keys.argsort(dim=0).argsort(dim=0)
    with chainrule.no_grad():
        tensor.masked_fill_(ranks < num_zeros, 0.0)
    return tensor
