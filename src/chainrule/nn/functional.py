"""``chainrule.nn.functional``: layers, activations and losses as plain functions.

Every layer and loss class in ``chainrule.nn`` is a thin wrapper around one function
here, so each formula is written once. They are built from the core's differentiable
ops, so their gradients come from the engine; the two binary cross-entropies are fused
``autograd.Function``s, for a stable value and an exact gradient at every logit.
"""

import math
import warnings

import numpy as np

import chainrule
from chainrule.autograd import Function
from chainrule.ops import pad  # noqa: F401  (re-exported: chainrule.nn.functional.pad)

_REDUCTIONS = ("mean", "sum", "none")
# PyTorch's BCE gradient divides by max(p (1 - p), EPSILON), EPSILON = 1e-12 as a C float.
_BCE_EPSILON = 9.999999960041972e-13


# --------------------------------------------------------------------------- helpers


def _is_float(tensor):
    return tensor.dtype in (chainrule.float32, chainrule.float64)


def _check_reduction(reduction, fn):
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{fn}: reduction={reduction!r} is not valid; use 'mean', 'sum' or 'none'"
        )


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_same_shape(input, target, fn):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(
            f"{fn}: target shape {tuple(target.shape)} differs from input shape "
            f"{tuple(input.shape)}; reshape one of them (for example target.view(-1, 1)) "
            "so that they match"
        )


def _softmax_dim(ndim, fn):
    warnings.warn(
        f"Implicit dimension choice for {fn} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


# --------------------------------------------------------------------------- layers


def linear(input, weight, bias=None):
    """Affine map :math:`y = x W^T + b`.

    Args:
        input: tensor of shape ``(*, in_features)``.
        weight: tensor of shape ``(out_features, in_features)``.
        bias: optional tensor of shape ``(out_features)``.

    Shape:
        output ``(*, out_features)``.
    """
    return chainrule.ops.linear(input, weight, bias)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by :math:`1/(1-p)`.

    In evaluation (``training=False``) it returns ``input`` unchanged, so the
    expected value of every element is the same in both modes.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    with chainrule.no_grad():
        if p == 1.0:
            mask = chainrule.zeros(tuple(input.shape), dtype=input.dtype)
        else:
            keep = chainrule.rand(tuple(input.shape), dtype=input.dtype) >= p
            mask = keep.to(input.dtype) * (1.0 / (1.0 - p))
    return input * mask


# --------------------------------------------------------------------------- activations


def relu(input, inplace=False):
    """Rectified linear unit: :math:`\\max(0, x)`."""
    return chainrule.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """:math:`x` where :math:`x > 0`, else :math:`\\text{negative\\_slope} \\cdot x`."""
    return chainrule.where(input > 0, input, input * negative_slope)


def sigmoid(input):
    """Logistic function: :math:`1 / (1 + e^{-x})`."""
    return chainrule.sigmoid(input)


def tanh(input):
    """Hyperbolic tangent."""
    return chainrule.tanh(input)


def gelu(input, approximate="none"):
    """Gaussian error linear unit: :math:`x \\, \\Phi(x) = \\tfrac{x}{2}(1 + \\text{erf}(x/\\sqrt 2))`.

    With ``approximate='tanh'``:
    :math:`\\tfrac{x}{2}(1 + \\tanh(\\sqrt{2/\\pi}\\,(x + 0.044715 x^3)))`.
    """
    if approximate == "none":
        return 0.5 * input * (1.0 + chainrule.erf(input * (1.0 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1.0 + chainrule.tanh(inner))
    raise ValueError(f"gelu: approximate={approximate!r} is not valid; use 'none' or 'tanh'")


def softmax(input, dim=None, dtype=None):
    """:math:`\\text{softmax}(x)_i = e^{x_i} / \\sum_j e^{x_j}` along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return chainrule.softmax(input, dim)


def log_softmax(input, dim=None, dtype=None):
    """:math:`\\log \\text{softmax}(x)_i = x_i - \\log \\sum_j e^{x_j}` (stable) along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return chainrule.log_softmax(input, dim)


def softplus(input, beta=1.0, threshold=20.0):
    """:math:`\\tfrac{1}{\\beta} \\log(1 + e^{\\beta x})`."""
    return chainrule.softplus(input, beta, threshold)


def one_hot(tensor, num_classes=-1):
    """Class indices of shape ``(*)`` to an int64 tensor of shape ``(*, num_classes)``."""
    if _is_float(tensor):
        raise TypeError(f"one_hot is only applicable to index tensors, got dtype {tensor.dtype}")
    if num_classes < 0:
        num_classes = int(tensor.max().item()) + 1
    classes = chainrule.arange(num_classes)
    return (tensor.unsqueeze(-1) == classes).long()


# --------------------------------------------------------------------------- regression losses


def mse_loss(input, target, reduction="mean"):
    """Squared error :math:`\\ell_i = (x_i - y_i)^2`, averaged (``'mean'``), summed or not."""
    _check_reduction(reduction, "mse_loss")
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"mse_loss: target shape {tuple(target.shape)} differs from input shape "
            f"{tuple(input.shape)}; they will be broadcast, which is rarely intended",
            stacklevel=2,
        )
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, reduction="mean"):
    """Absolute error :math:`\\ell_i = |x_i - y_i|`."""
    _check_reduction(reduction, "l1_loss")
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"l1_loss: target shape {tuple(target.shape)} differs from input shape "
            f"{tuple(input.shape)}; they will be broadcast, which is rarely intended",
            stacklevel=2,
        )
    return _reduce((input - target).abs(), reduction)


# --------------------------------------------------------------------------- binary cross-entropy


class BinaryCrossEntropy(Function):
    """Elementwise :math:`\\ell = -w\\,[y \\log p + (1-y) \\log(1-p)]`, logs clamped at -100.

    The gradient is PyTorch's: :math:`\\partial\\ell/\\partial p = w (p - y) / \\max(p(1-p), \\epsilon)`.
    """

    @staticmethod
    def forward(ctx, p, y, weight):
        with np.errstate(divide="ignore"):  # log(0) = -inf is expected here: it is clamped
            log_p = chainrule.clamp(chainrule.log(p), min=-100.0)
            log_1mp = chainrule.clamp(chainrule.log1p(-p), min=-100.0)
        ctx.save_for_backward(p, y)
        ctx.weight = weight
        loss = (y - 1.0) * log_1mp - y * log_p
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.saved_tensors
        if ctx.weight is not None:
            g = g * ctx.weight
        # d/dp = (p - y) / (p (1 - p))
        grad_p = g * (p - y) / chainrule.clamp(p * (1.0 - p), min=_BCE_EPSILON)
        # d/dy = log(1 - p) - log(p)
        with np.errstate(divide="ignore"):
            grad_y = g * (
                chainrule.clamp(chainrule.log1p(-p), min=-100.0)
                - chainrule.clamp(chainrule.log(p), min=-100.0)
            )
        return grad_p, grad_y, None


class BinaryCrossEntropyWithLogits(Function):
    """Elementwise :math:`\\ell = w\\,[(1-y)\\,x + (1 + (q-1)y)\\,\\text{softplus}(-x)]`.

    ``q`` is ``pos_weight`` (1 when absent). ``softplus(-x)`` is computed as
    :math:`\\log(1 + e^{-|x|}) + \\max(-x, 0)`, which never overflows, so the loss is
    exact for logits of any size; the gradient :math:`(1 + (q-1)y)\\sigma(x) - q y` is
    exact at every logit, 0 included.
    """

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight):
        softplus_neg_x = chainrule.log1p(chainrule.exp(-x.abs())) + chainrule.relu(-x)
        ctx.save_for_backward(x, y)
        ctx.weight = weight
        ctx.pos_weight = pos_weight
        if pos_weight is None:
            loss = (1.0 - y) * x + softplus_neg_x
        else:
            loss = (1.0 - y) * x + (1.0 + (pos_weight - 1.0) * y) * softplus_neg_x
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        q = ctx.pos_weight
        if ctx.weight is not None:
            g = g * ctx.weight
        if q is None:
            # d/dx = sigmoid(x) - y ; d/dy = -x
            return g * (chainrule.sigmoid(x) - y), -g * x, None, None
        # d/dx = (1 + (q-1) y) sigmoid(x) - q y ; d/dy = -x + (q-1) softplus(-x)
        grad_x = g * ((1.0 + (q - 1.0) * y) * chainrule.sigmoid(x) - q * y)
        softplus_neg_x = chainrule.log1p(chainrule.exp(-x.abs())) + chainrule.relu(-x)
        grad_y = g * ((q - 1.0) * softplus_neg_x - x)
        return grad_x, grad_y, None, None


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy between probabilities ``input`` and targets in [0, 1].

    .. math:: \\ell_i = -w_i\\,[y_i \\log p_i + (1 - y_i) \\log(1 - p_i)]

    Each log is clamped at -100, as in PyTorch, so ``p = 0`` or ``1`` gives a finite loss.
    Prefer :func:`binary_cross_entropy_with_logits` on raw scores: it is stable.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    _check_same_shape(input, target, "binary_cross_entropy")
    return _reduce(BinaryCrossEntropy.apply(input, target, weight), reduction)


def binary_cross_entropy_with_logits(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    """Binary cross-entropy on logits: ``binary_cross_entropy(sigmoid(x), y)``, computed stably.

    .. math:: \\ell_i = w_i\\,[(1 - y_i)\\,x_i + (1 + (q - 1) y_i) \\log(1 + e^{-x_i})]

    ``pos_weight`` (``q``) weighs the positive class, broadcast along the last dimension.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    loss = BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight)
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- classification losses


def _check_class_targets(input, target, fn):
    """Check an index target against ``input`` of shape (C), (N, C) or (N, C, d1, ...)."""
    if _is_float(target):
        raise TypeError(f"{fn}: class-index targets must be integers, got dtype {target.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have a class dimension, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    expected = tuple(input.shape[:class_dim]) + tuple(input.shape[class_dim + 1:])
    if tuple(target.shape) != expected:
        raise ValueError(
            f"{fn}: expected target of shape {expected} for input of shape "
            f"{tuple(input.shape)} (classes along dim {class_dim}), got {tuple(target.shape)}"
        )
    return class_dim


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class indices given log-probabilities.

    .. math:: \\ell_i = -w_{y_i}\\, x_{i, y_i}

    ``'mean'`` divides by :math:`\\sum_i w_{y_i}` (by N when unweighted); targets equal to
    ``ignore_index`` contribute nothing to the loss or the divisor.

    Shape:
        input ``(N, C)``, ``(C)`` or ``(N, C, d1, ...)``; target ``(N)``, ``()`` or
        ``(N, d1, ...)`` with values in ``[0, C)``.
    """
    _check_reduction(reduction, "nll_loss")
    class_dim = _check_class_targets(input, target, "nll_loss")
    n_classes = input.shape[class_dim]
    labels = target.numpy()
    ignored = labels == ignore_index
    bad = ((labels < 0) | (labels >= n_classes)) & ~ignored
    if bad.any():
        raise IndexError(
            f"nll_loss: target {int(labels[bad].flat[0])} is out of bounds for "
            f"{n_classes} classes (valid: 0 to {n_classes - 1}, or ignore_index={ignore_index})"
        )
    any_ignored = bool(ignored.any())
    if any_ignored:
        keep = target != ignore_index
        target = chainrule.where(keep, target, 0)
    picked = input.gather(class_dim, target.unsqueeze(class_dim)).squeeze(class_dim)
    loss = -picked
    w = None
    if weight is not None:
        w = weight[target]
    if any_ignored:
        keep = keep.to(input.dtype)
        w = keep if w is None else w * keep
    if w is not None:
        loss = loss * w
    if reduction == "mean":
        return loss.sum() / w.sum() if w is not None else loss.mean()
    return _reduce(loss, reduction)


def cross_entropy(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Cross-entropy between logits and class indices or class probabilities.

    .. math:: \\ell_i = -\\sum_c w_c\\, y_{ic} \\log \\text{softmax}(x_i)_c

    With class indices this is ``nll_loss(log_softmax(x, dim=1), y)``, stable for any logits.

    Args:
        input: logits of shape ``(N, C)``, ``(C)`` or ``(N, C, d1, ...)``.
        target: class indices (int64, shape ``(N)``...) or probabilities (input's shape).
        weight: optional per-class weight of shape ``(C)``.
        ignore_index: index targets equal to it are left out.
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
        label_smoothing: mixes the target with the uniform distribution by this amount.
    """
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dimension, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    log_p = chainrule.log_softmax(input, class_dim)
    w_shape = [1] * input.ndim
    w_shape[class_dim] = n_classes
    if _is_float(target):
        return _cross_entropy_probabilities(
            log_p, target, weight, w_shape, class_dim, reduction, label_smoothing
        )
    nll = nll_loss(log_p, target, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return nll
    # Smoothing term: -sum_c w_c log p_c, normalised like the nll term.
    if weight is not None:
        smooth = -(log_p * weight.reshape(w_shape)).sum(class_dim)
    else:
        smooth = -log_p.sum(class_dim)
    keep = target != ignore_index
    smooth = smooth * keep.to(smooth.dtype)
    if reduction == "mean":
        if weight is not None:
            safe = chainrule.where(keep, target, 0)
            divisor = (weight[safe] * keep.to(weight.dtype)).sum()
        else:
            divisor = keep.sum()
        smooth = smooth.sum() / divisor
    else:
        smooth = _reduce(smooth, reduction)
    return (1.0 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _cross_entropy_probabilities(log_p, target, weight, w_shape, class_dim, reduction, eps):
    _check_same_shape(log_p, target, "cross_entropy")
    n_classes = log_p.shape[class_dim]
    if eps > 0.0:
        target = target * (1.0 - eps) + eps / n_classes
    terms = log_p * target
    if weight is not None:
        terms = terms * weight.reshape(w_shape)
    loss = -terms.sum(class_dim)
    if reduction == "mean":
        return loss.sum() / (log_p.numel() // n_classes)
    return _reduce(loss, reduction)
