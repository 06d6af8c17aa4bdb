"""``Dropout``: randomly zero activations while training."""

from chainrule.nn import functional as F
from chainrule.nn.modules.module import Module


class Dropout(Module):
    """Zero each element with probability ``p`` in training, scaling the rest by :math:`1/(1-p)`.

    In evaluation mode (``model.eval()``) it is the identity.

    Args:
        p: probability of an element to be zeroed (default 0.5).
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
