"""Normalisation layers: ``LayerNorm``, ``GroupNorm``, ``RMSNorm``, ``LocalResponseNorm``."""

import numbers

import chainrule
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.modules.batchnorm import affine_parameters, reset_affine
from chainrule.nn.modules.module import Module
from chainrule.nn.parameter import Parameter


class LayerNorm(Module):
    """Layer normalisation over the last ``len(normalized_shape)`` dimensions.

    .. math::
        y = \\frac{x - \\mathrm{E}[x]}{\\sqrt{\\mathrm{Var}[x] + \\epsilon}} \\, \\gamma + \\beta

    The variance is the biased one (divided by n). ``gamma`` (``weight``) starts at 1 and
    ``beta`` (``bias``) at 0; both have shape ``normalized_shape``.

    Args:
        normalized_shape: int or shape of the trailing dimensions to normalise over.
        eps: added to the variance (default 1e-5).
        elementwise_affine: learn ``weight`` and ``bias`` (default ``True``).
        bias: learn ``bias`` too (default ``True``).
    """

    def __init__(
        self,
        normalized_shape,
        eps=1e-5,
        elementwise_affine=True,
        bias=True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        affine_parameters(self, self.normalized_shape, elementwise_affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` to 1, ``bias`` to 0."""
        reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Group normalisation: each sample's C channels in ``num_groups`` groups, each group
    normalised over its channels and positions.

    .. math::
        y = \\frac{x - \\mathrm{E}_g[x]}{\\sqrt{\\mathrm{Var}_g[x] + \\epsilon}}\\,\\gamma + \\beta

    Args:
        num_groups: G, which must divide ``num_channels``.
        num_channels: C.
        eps: added to the variance (default 1e-5).
        affine: learn per-channel ``weight`` (starts at 1) and ``bias`` (0).
        bias: with ``affine``, learn ``bias`` too (default ``True``).
    """

    def __init__(
        self, num_groups, num_channels, eps=1e-5, affine=True, bias=True, device=None, dtype=None
    ):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        affine_parameters(self, (num_channels,), affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` to 1, ``bias`` to 0."""
        reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square normalisation over the last ``len(normalized_shape)`` dims.

    .. math:: y = \\frac{x}{\\sqrt{\\mathrm{E}[x^2] + \\epsilon}}\\,\\gamma

    Args:
        normalized_shape: int or shape of the trailing dimensions.
        eps: added to the mean square; ``None`` (default) is the dtype's machine epsilon.
        elementwise_affine: learn ``weight`` (:math:`\\gamma`, starts at 1).
    """

    def __init__(
        self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None
    ):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(chainrule.empty(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` to 1."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class LocalResponseNorm(Module):
    """:math:`y_c = x_c / (k + \\frac{\\alpha}{n}\\sum_{c'} x_{c'}^2)^{\\beta}` over the
    ``size`` (:math:`n`) channels around :math:`c`."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
