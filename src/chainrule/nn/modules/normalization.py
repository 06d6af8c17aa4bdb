"""``LayerNorm``: normalise each sample over its last dimensions."""

import numbers

import chainrule
from chainrule.nn import functional as F
from chainrule.nn import init
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
        if elementwise_affine:
            self.weight = Parameter(chainrule.empty(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(chainrule.empty(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` to 1, ``bias`` to 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )
