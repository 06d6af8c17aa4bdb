"""Alpha dropout, SELU's companion, as functions (re-exported by
``chainrule.nn.functional``): ``alpha_dropout`` and ``feature_alpha_dropout``."""

import math

import chainrule
from chainrule.nn import functional as F

__all__ = ["alpha_dropout", "feature_alpha_dropout"]

# -λα of SELU: the value SELU saturates to, which dropped units are set to
_ALPHA = 1.7580993408473766


def _alpha_dropout(input, p, training, mask_shape):
    F._check_dropout_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    with chainrule.no_grad():
        keep = (chainrule.rand(mask_shape, dtype=input.dtype) >= p).to(input.dtype)
        shift = (keep - 1.0) * (_ALPHA * a) + _ALPHA * a * p
    return input * (keep * a) + shift


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Set each element with probability ``p`` to SELU's saturation value :math:`-\\alpha'`
    and apply the affine map :math:`a x + b` that keeps a zero mean and unit variance:
    :math:`a = ((1 - p)(1 + p \\alpha'^2))^{-1/2}`, :math:`b = a \\alpha' p`
    (the kept :math:`a x + b`, the dropped :math:`b - a \\alpha'`). The identity when not
    ``training``."""
    return _alpha_dropout(input, p, training, tuple(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """``alpha_dropout`` of whole channels: one draw per (sample, channel) of (N, C, *)
    inputs, shared by every position."""
    if input.ndim < 2:
        raise RuntimeError(
            f"feature_alpha_dropout: expected an input of shape (N, C, *), got {tuple(input.shape)}"
        )
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _alpha_dropout(input, p, training, shape)
