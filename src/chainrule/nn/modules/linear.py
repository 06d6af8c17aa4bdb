"""``Linear`` (the affine layer :math:`xW^T + b`) and ``Identity``."""

import math

import chainrule
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.modules.module import Module
from chainrule.nn.parameter import Parameter


class Identity(Module):
    """Returns its input unchanged; accepts and ignores any constructor arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """Affine layer :math:`y = x W^T + b`.

    ``W`` has shape ``(out_features, in_features)``. Both ``W`` and ``b`` start
    uniform in :math:`[-1/\\sqrt{\\text{in\\_features}},\\ 1/\\sqrt{\\text{in\\_features}}]`,
    PyTorch's default.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: whether to learn the additive bias ``b`` (default ``True``).
        dtype: parameter dtype (default: ``chainrule.get_default_dtype()``).

    Shape:
        input ``(*, in_features)``, output ``(*, out_features)``.

    Example:
        >>> layer = nn.Linear(20, 30)
        >>> layer(chainrule.randn(128, 20)).shape
        (128, 30)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {value!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(chainrule.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(chainrule.empty((out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new weights and bias from PyTorch's default distribution."""
        # kaiming_uniform_ with a = sqrt(5) gives the bound 1 / sqrt(fan_in).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Bilinear(Module):
    """Bilinear layer :math:`y_k = x_1^T W_k x_2 + b_k`.

    ``weight`` (out, in1, in2) and ``bias`` (out) start uniform in
    :math:`\\pm 1/\\sqrt{\\text{in1\\_features}}`.
    """

    def __init__(
        self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None
    ):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(chainrule.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(chainrule.empty((out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` and ``bias`` uniform in :math:`\\pm 1/\\sqrt{\\text{in1\\_features}}`."""
        bound = 1.0 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
