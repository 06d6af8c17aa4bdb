"""Activation layers; each ``forward`` is one ``nn.functional`` call."""

import chainrule
from chainrule.nn import functional as F
from chainrule.nn import init as nn_init
from chainrule.nn.modules.module import Module
from chainrule.nn.parameter import Parameter


class ReLU(Module):
    """:math:`\\text{ReLU}(x) = \\max(0, x)`."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """:math:`x` for :math:`x > 0`, else :math:`\\text{negative\\_slope} \\cdot x`."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """:math:`\\sigma(x) = 1 / (1 + e^{-x})`."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """:math:`\\tanh(x)`."""

    def forward(self, input):
        return F.tanh(input)


class GELU(Module):
    """:math:`x\\,\\Phi(x)`, exact (``approximate='none'``) or with the tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """:math:`e^{x_i} / \\sum_j e^{x_j}` along ``dim``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """:math:`\\log(e^{x_i} / \\sum_j e^{x_j})` along ``dim``, computed stably."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class ELU(Module):
    """:math:`x` for :math:`x > 0`, else :math:`\\alpha (e^x - 1)`."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SiLU(Module):
    """:math:`x \\, \\sigma(x)` (also called swish)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Softplus(Module):
    """:math:`\\tfrac{1}{\\beta} \\log(1 + e^{\\beta x})`; linear where :math:`\\beta x > t`.

    ``threshold`` is :math:`t`.
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    """:math:`\\log \\sigma(x) = -\\log(1 + e^{-x})`."""

    def forward(self, input):
        return F.logsigmoid(input)


class Hardtanh(Module):
    """:math:`x` clamped to ``[min_val, max_val]``."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError(
                f"Hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})"
            )
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else ""
        )


class ReLU6(Hardtanh):
    """:math:`\\min(\\max(0, x), 6)`."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def forward(self, input):
        return F.relu6(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Softmin(Module):
    """:math:`e^{-x_i} / \\sum_j e^{-x_j}` along ``dim``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class PReLU(Module):
    """:math:`x` for :math:`x > 0`, else :math:`a x`, with a learned slope :math:`a`.

    Args:
        num_parameters: 1 (one slope shared by all channels) or the number of channels.
        init: initial value of :math:`a` (default 0.25).
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(chainrule.empty((num_parameters,), dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        """Set every slope back to ``init``."""
        nn_init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class _Inplace(Module):
    """An activation whose only option is ``inplace`` (shown in the repr when set)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class SELU(_Inplace):
    """:math:`\\lambda\\,x` for :math:`x > 0`, else :math:`\\lambda\\,\\alpha(e^x - 1)`."""

    def forward(self, input):
        return F.selu(input)


class CELU(Module):
    """:math:`\\max(0, x) + \\min(0, \\alpha(e^{x/\\alpha} - 1))`."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """:math:`a \\otimes \\sigma(b)` for the two halves :math:`a, b` of the input along ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Mish(_Inplace):
    """:math:`x \\tanh(\\text{softplus}(x))`."""

    def forward(self, input):
        return F.mish(input)


class Hardsigmoid(_Inplace):
    """:math:`\\text{ReLU6}(x + 3) / 6`."""

    def forward(self, input):
        return F.hardsigmoid(input)


class Hardswish(_Inplace):
    """:math:`x \\cdot \\text{ReLU6}(x + 3) / 6`."""

    def forward(self, input):
        return F.hardswish(input)


class Softsign(Module):
    """:math:`x / (1 + |x|)`."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """:math:`x - \\tanh(x)`."""

    def forward(self, input):
        return F.tanhshrink(input)


class Softshrink(Module):
    """:math:`x \\mp \\lambda` outside :math:`[-\\lambda, \\lambda]`, 0 inside."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Softshrink):
    """:math:`x` outside :math:`[-\\lambda, \\lambda]`, 0 inside."""

    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class Threshold(Module):
    """:math:`x` where :math:`x > \\text{threshold}`, else ``value``."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self):
        inplace = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{inplace}"


class Softmax2d(Module):
    """Softmax over the channels (dim -3) at each position of (N, C, H, W) or (C, H, W) inputs."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input with 3 or 4 dimensions, got {input.ndim}D input "
                f"of shape {tuple(input.shape)}"
            )
        return F.softmax(input, -3)


class RReLU(Module):
    """:math:`x` for :math:`x > 0`, else :math:`a x`: :math:`a \\sim U(\\text{lower},
    \\text{upper})` per element in training, their mean in evaluation."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training)

    def extra_repr(self):
        inplace = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace}"
