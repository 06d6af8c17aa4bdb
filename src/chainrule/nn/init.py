"""``chainrule.nn.init``: fill a tensor in place with values from a distribution.

Every function runs under ``no_grad``, writes into the given tensor (its identity
and its place in a Module stay the same), and returns it. The random ones accept a
``generator`` for reproducible draws; without one they use the global generator
seeded by ``chainrule.manual_seed``.
"""

import math

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
