"""Loss rows: each loss PyTorch records as one node (``MseLossBackward0``, …) is one row.

A row computes the elementwise loss ``ℓ`` and its reduction (``'mean'``, ``'sum'`` or
``'none'``, a parameter) in its forward.  Its formulas are ``g̃ · ∂ℓ/∂input``, where ``g̃``
is the incoming gradient spread back over the elements (``g/n`` for a mean), written against
``xp`` so that ``create_graph=True`` differentiates them again.  Class weights, targets of
``nll_loss`` and ``pos_weight`` are parameters, as in PyTorch, where they get no gradient.
"""

import math

import numpy as np

from .._tensor import Tensor
from . import elementwise as E
from ._registry import OpDef

# PyTorch's BCE gradient divides by max(p (1 - p), EPSILON), EPSILON = 1e-12 as a C float
BCE_EPSILON = 9.999999960041972e-13


def _reduce(xp, loss, reduction):
    if reduction == "mean":
        return xp.mean(loss, None, False)
    if reduction == "sum":
        return xp.sum(loss, None, False)
    return loss


def _spread(g, reduction, n):
    """The incoming gradient per element of the unreduced loss (n elements)."""
    return g / n if reduction == "mean" else g


def _numel(*arrays):
    return math.prod(np.broadcast_shapes(*(tuple(a.shape) for a in arrays)))


def _log1p(xp, x):
    # log(1 + x), exact for small x; under create_graph it is the recorded op
    return E.log1p(x) if isinstance(x, Tensor) else xp.log1p(x)


def _tangent(xp, tangents, locals_, reduction):
    """Forward mode: the reduction of Σᵢ ∂ℓ/∂inputᵢ · tᵢ over the inputs with a tangent."""
    total = None
    for t, d in zip(tangents, locals_):
        if t is not None:
            total = d * t if total is None else total + d * t
    return _reduce(xp, total, reduction)


# ---------------------------------------------------------------- mean squared error
def _mse(xp, a, b, reduction):
    d = a - b
    return _reduce(xp, d * d, reduction)  # ℓ = (a − b)²


MSE_LOSS = OpDef(
    "MseLossBackward0",
    _mse,
    saves=(0, 1),
    params=("reduction",),
    broadcasts=True,
    promotes=(0, 1),
    grads=[
        # ∂ℓ/∂a = 2(a − b), ∂ℓ/∂b = −2(a − b)
        lambda xp, g, a, b, r: _spread(g, r, _numel(a, b)) * (2 * (a - b)),
        lambda xp, g, a, b, r: _spread(g, r, _numel(a, b)) * (-2 * (a - b)),
    ],
    jvp=lambda xp, ts, a, b, out, r: _tangent(xp, ts, (2 * (a - b), -2 * (a - b)), r),
)


# ---------------------------------------------------------------- negative log-likelihood
def _nll(xp, a, index, weight, total, reduction, class_dim):
    # ℓᵢ = −w_{yᵢ} a_{i, yᵢ}; the mean divides by Σ w_{yᵢ}
    picked = xp.squeeze(xp.gather(a, class_dim, index), class_dim)
    loss = -(picked * weight)
    if reduction == "mean":
        return xp.sum(loss, None, False) / total
    return _reduce(xp, loss, reduction)


def _nll_grad(xp, g, index, weight, total, reduction, class_dim, shape):
    # ∂ℓ/∂a: −w_{yᵢ} at (i, yᵢ), 0 elsewhere
    per_sample = -(g / total if reduction == "mean" else g) * weight
    return xp.scatter_zeros(xp.unsqueeze(per_sample, class_dim), shape, class_dim, index)


def _nll_row(name):
    return OpDef(
        name,
        lambda xp, a, index, weight, total, reduction, class_dim, shape: _nll(
            xp, a, index, weight, total, reduction, class_dim
        ),
        params=("index", "weight", "total_weight", "reduction", "class_dim", "shape"),
        linear=True,  # linear in its input: the tangent is the forward of the tangent
        grads=[_nll_grad],
    )


# PyTorch names the loss over (N, C) and the one over images (N, C, H, W) differently
NLL_LOSS = _nll_row("NllLossBackward0")
NLL_LOSS_2D = _nll_row("NllLoss2DBackward0")


# ---------------------------------------------------------------- binary cross-entropy
def _clamped_logs(xp, p):
    # log p and log(1 − p), each at least −100 as in PyTorch, so p = 0 or 1 stays finite
    log_p, log_q = xp.log(p), _log1p(xp, -p)
    return xp.where(log_p > -100, log_p, -100.0), xp.where(log_q > -100, log_q, -100.0)


def _bce(xp, p, y, weight, reduction):
    log_p, log_q = _clamped_logs(xp, p)
    loss = (y - 1) * log_q - y * log_p  # ℓ = −[y log p + (1 − y) log(1 − p)]
    return _reduce(xp, loss if weight is None else loss * weight, reduction)


def _bce_locals(xp, p, y, weight):
    # ∂ℓ/∂p = (p − y)/max(p(1 − p), ε); ∂ℓ/∂y = log(1 − p) − log p (clamped), times w
    v = p * (1 - p)
    dp = (p - y) / xp.where(v > BCE_EPSILON, v, BCE_EPSILON)
    log_p, log_q = _clamped_logs(xp, p)
    dy = log_q - log_p
    return (dp, dy) if weight is None else (dp * weight, dy * weight)


BINARY_CROSS_ENTROPY = OpDef(
    "BinaryCrossEntropyBackward0",
    _bce,
    saves=(0, 1),
    params=("weight", "reduction"),
    broadcasts=True,
    promotes=(0, 1),
    grads=[
        lambda xp, g, p, y, w, r: _spread(g, r, _numel(p, y)) * _bce_locals(xp, p, y, w)[0],
        lambda xp, g, p, y, w, r: _spread(g, r, _numel(p, y)) * _bce_locals(xp, p, y, w)[1],
    ],
    jvp=lambda xp, ts, p, y, out, w, r: _tangent(xp, ts, _bce_locals(xp, p, y, w), r),
)


def _softplus_neg(xp, x):
    # softplus(−x) = log(1 + e^(−|x|)) + max(−x, 0), never overflowing
    neg = -x
    return _log1p(xp, xp.exp(xp.where(x > 0, neg, x))) + xp.where(x < 0, neg, 0.0)


def _bce_logits(xp, x, y, weight, pos_weight, reduction):
    # ℓ = (1 − y) x + (1 + (q − 1) y) softplus(−x), q = pos_weight
    sp = _softplus_neg(xp, x)
    if pos_weight is None:
        loss = (1 - y) * x + sp
    else:
        loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * sp
    return _reduce(xp, loss if weight is None else loss * weight, reduction)


def _bce_logits_locals(xp, x, y, weight, pos_weight):
    # ∂ℓ/∂x = (1 + (q − 1) y) σ(x) − q y; ∂ℓ/∂y = (q − 1) softplus(−x) − x; times w
    if pos_weight is None:
        dx, dy = xp.sigmoid(x) - y, -x
    else:
        dx = (1 + (pos_weight - 1) * y) * xp.sigmoid(x) - pos_weight * y
        dy = (pos_weight - 1) * _softplus_neg(xp, x) - x
    return (dx, dy) if weight is None else (dx * weight, dy * weight)


BINARY_CROSS_ENTROPY_WITH_LOGITS = OpDef(
    "BinaryCrossEntropyWithLogitsBackward0",
    _bce_logits,
    saves=(0, 1),
    params=("weight", "pos_weight", "reduction"),
    broadcasts=True,
    promotes=(0, 1),
    grads=[
        lambda xp, g, x, y, w, q, r: (
            _spread(g, r, _numel(x, y)) * _bce_logits_locals(xp, x, y, w, q)[0]
        ),
        lambda xp, g, x, y, w, q, r: (
            _spread(g, r, _numel(x, y)) * _bce_logits_locals(xp, x, y, w, q)[1]
        ),
    ],
    jvp=lambda xp, ts, x, y, out, w, q, r: _tangent(xp, ts, _bce_logits_locals(xp, x, y, w, q), r),
)
