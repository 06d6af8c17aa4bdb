"""More activations as functions (re-exported by ``chainrule.nn.functional``).

Each is a composite of differentiable ops, so gradients of every order and forward-mode
tangents come from the engine. Where PyTorch's backward picks a side at a kink, the
``where`` conditions below are written so that the same side is picked.
"""

import chainrule
from chainrule.nn import functional as F

__all__ = [
    "celu",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "mish",
    "rrelu",
    "selu",
    "softshrink",
    "softsign",
    "tanhshrink",
]

# SELU's constants (Klambauer et al., 2017), as PyTorch spells them
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """Scaled ELU: :math:`\\lambda\\,x` for :math:`x > 0`, else
    :math:`\\lambda\\,\\alpha (e^x - 1)`, with :math:`\\alpha \\approx 1.6733`,
    :math:`\\lambda \\approx 1.0507`."""
    return _SELU_SCALE * F.elu(input, _SELU_ALPHA)


def celu(input, alpha=1.0, inplace=False):
    """Continuously differentiable ELU:
    :math:`\\max(0, x) + \\min(0, \\alpha(e^{x/\\alpha} - 1))`."""
    if alpha == 0:
        raise ZeroDivisionError("celu: alpha must not be 0 (the formula divides by it)")
    return alpha * F.elu(input / alpha)


def glu(input, dim=-1):
    """Gated linear unit: :math:`a \\otimes \\sigma(b)`, where ``input`` is split in halves
    :math:`a, b` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim % input.ndim} is size {size}"
        )
    a, b = chainrule.split(input, size // 2, dim)
    return a * chainrule.sigmoid(b)


def mish(input, inplace=False):
    """:math:`x \\tanh(\\text{softplus}(x))`."""
    return input * chainrule.tanh(F.softplus(input))


def hardsigmoid(input, inplace=False):
    """:math:`\\text{ReLU6}(x + 3) / 6`: 0 below -3, 1 above 3, linear between."""
    return F.hardtanh(input, -3.0, 3.0) / 6.0 + 0.5


def hardswish(input, inplace=False):
    """:math:`x \\cdot \\text{ReLU6}(x + 3) / 6`.

    As in PyTorch, the gradient at :math:`x = -3` is 0 and at :math:`x = 3` is 1 (the outer
    pieces').
    """
    middle = input * (input + 3.0) / 6.0
    return chainrule.where(input <= -3.0, 0.0, chainrule.where(input >= 3.0, input, middle))


def softsign(input):
    """:math:`x / (1 + |x|)`."""
    return input / (1.0 + input.abs())


def _check_lambd(lambd, fn):
    if lambd < 0:
        raise RuntimeError(f"{fn}: lambda must be greater or equal to 0, but found to be {lambd}.")


def softshrink(input, lambd=0.5):
    """:math:`x - \\lambda` above :math:`\\lambda`, :math:`x + \\lambda` below
    :math:`-\\lambda`, 0 between (gradient 0 on :math:`[-\\lambda, \\lambda]`)."""
    _check_lambd(lambd, "softshrink")
    return chainrule.where(
        input > lambd, input - lambd, chainrule.where(input < -lambd, input + lambd, 0.0)
    )


def hardshrink(input, lambd=0.5):
    """:math:`x` where :math:`|x| > \\lambda`, else 0."""
    _check_lambd(lambd, "hardshrink")
    return chainrule.where((input > lambd) | (input < -lambd), input, 0.0)


def tanhshrink(input):
    """:math:`x - \\tanh(x)`."""
    return input - chainrule.tanh(input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: :math:`x` for :math:`x > 0`, else :math:`a x`.

    In training each element draws its own slope :math:`a \\sim U(\\text{lower},
    \\text{upper})`; in evaluation :math:`a = (\\text{lower} + \\text{upper}) / 2`.
    """
    if lower > upper:
        raise ValueError(f"rrelu: lower bound ({lower}) must not exceed upper bound ({upper})")
    if not training:
        return F.leaky_relu(input, (lower + upper) / 2)
    with chainrule.no_grad():
        slope = chainrule.rand(tuple(input.shape), dtype=input.dtype) * (upper - lower) + lower
    return chainrule.where(input > 0, input, input * slope)
