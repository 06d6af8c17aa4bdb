"""Dropout layers: ``Dropout``, ``Dropout1d``, ``Dropout2d``, ``AlphaDropout`` and
``FeatureAlphaDropout``: randomly drop activations (or whole channels) while training."""

from chainrule.nn import functional as F
from chainrule.nn.modules.module import Module


class _DropoutNd(Module):
    """The probability ``p`` and the (ignored) ``inplace`` flag every dropout layer holds."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` in training, scaling the rest by :math:`1/(1-p)`.

    In evaluation mode (``model.eval()``) it is the identity.

    Args:
        p: probability of an element to be zeroed (default 0.5).
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability ``p`` in
    training, scaling the rest by :math:`1/(1-p)`; the identity in evaluation mode."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Zero whole channels (feature maps) of (N, C, H, W) inputs with probability ``p`` in
    training, scaling the rest by :math:`1/(1-p)`; the identity in evaluation mode.

    As in PyTorch, a 3-D input is taken as (N, C, L), with a warning.
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped elements go to SELU's saturation value and an
    affine map keeps the mean and variance; the identity in evaluation mode."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """``AlphaDropout`` of whole channels of (N, C, *) inputs."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
