"""``chainrule.nn.functional``: layers, activations and losses as plain functions.

Every layer and loss class in ``chainrule.nn`` is a thin wrapper around one function
here, so each formula is written once. They are built from the core's differentiable
ops, so their gradients come from the engine; the losses PyTorch records as one node
(``nll_loss``, ``mse_loss`` and the binary cross-entropies) are one row each
(``chainrule.ops.loss``), for PyTorch's grad_fn, a stable value and an exact gradient.
"""

import math
import warnings

import chainrule
from chainrule._backend import namespace_of
from chainrule.ops._registry import apply
from chainrule.ops.conv import (  # noqa: F401  (re-exported: the convolution family)
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
)
from chainrule.ops.loss import (
    BINARY_CROSS_ENTROPY,
    BINARY_CROSS_ENTROPY_WITH_LOGITS,
    MSE_LOSS,
    NLL_LOSS,
    NLL_LOSS_2D,
)
from chainrule.ops.pooling import avg_pool2d, max_pool2d  # noqa: F401
from chainrule.ops.resample import (  # noqa: F401  (pad: every mode; constant from ops.shape)
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    interpolate,
    pad,
)

_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- helpers


def _is_float(tensor):
    return tensor.dtype in (chainrule.float32, chainrule.float64)


def _check_reduction(reduction, fn):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{fn}: reduction={reduction!r} is not valid; use 'mean', 'sum' or 'none'")


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


def _check_dropout_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(input, p, training, batched):
    """Zero whole channels: one draw per (sample, channel), broadcast over the rest."""
    if not training or p == 0.0:
        return input
    lead = 2 if batched else 1
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    with chainrule.no_grad():
        if p == 1.0:
            mask = chainrule.zeros(shape, dtype=input.dtype)
        else:
            keep = chainrule.rand(shape, dtype=input.dtype) >= p
            mask = keep.to(input.dtype) * (1.0 / (1.0 - p))
    return input * mask


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero each channel of (N, C, L) or (C, L) inputs with probability ``p``, scaling the
    kept ones by :math:`1/(1-p)`; the identity when ``training`` is false."""
    _check_dropout_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _feature_dropout(input, p, training, batched=input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero each channel of (N, C, H, W) or (C, H, W) inputs with probability ``p``
    (whole feature maps, one draw each), scaling the kept ones by :math:`1/(1-p)`.

    As in PyTorch, a 3-D input is taken as (N, C, L) (with a warning), and inputs of other
    dims are deprecated (a warning) and treated as (N, C, …).
    """
    _check_dropout_p(p)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    elif input.ndim != 4:
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior and "
            "silence this warning, please use dropout instead. Note that dropout2d exists to "
            "provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, batched=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dimensions of each sample.

    .. math::
        y = \\frac{x - \\mathrm{E}[x]}{\\sqrt{\\mathrm{Var}[x] + \\epsilon}} \\, \\gamma + \\beta

    with the biased variance (divided by n).
    """
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k :]) != normalized_shape or input.ndim < k:
        raise RuntimeError(
            f"layer_norm: input of shape {tuple(input.shape)} does not end in "
            f"normalized_shape {normalized_shape}"
        )
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    out = centered * chainrule.rsqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def batch_norm(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Normalise each channel (dimension 1) over the batch and any further dimensions.

    .. math:: y = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} \\, \\gamma + \\beta

    With ``training`` the batch's mean and biased variance are used, and the running
    statistics (when given) are updated in place:
    :math:`\\hat\\mu \\leftarrow (1 - m)\\hat\\mu + m\\,\\mu_B`,
    :math:`\\hat\\sigma^2 \\leftarrow (1 - m)\\hat\\sigma^2 + m\\,\\tfrac{n}{n-1}\\sigma_B^2`.
    Otherwise the running statistics are used.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected at least 2D input (got {input.ndim}D input)")
    shape = [1] * input.ndim
    shape[1] = input.shape[1]
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        n = input.numel() // input.shape[1]
        if n <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{tuple(input.shape)}"
            )
        mean = input.mean(dims, keepdim=True)
        centered = input - mean
        var = (centered * centered).mean(dims, keepdim=True)
        if running_mean is not None:
            with chainrule.no_grad():
                running_mean.mul_(1.0 - momentum).add_(mean.reshape(-1), alpha=momentum)
        if running_var is not None:
            with chainrule.no_grad():
                unbiased = var.reshape(-1) * (n / (n - 1))
                running_var.mul_(1.0 - momentum).add_(unbiased, alpha=momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed in evaluation")
        centered = input - running_mean.reshape(shape)
        var = running_var.reshape(shape)
    out = centered * chainrule.rsqrt(var + eps)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def embedding(input, weight, padding_idx=None):
    """Rows of ``weight`` picked by the integer ``input``: shape ``(*)`` to ``(*, D)``.

    Repeated indices add their gradients into the row; row ``padding_idx`` gets none.
    """
    if _is_float(input):
        raise TypeError(f"embedding: indices must be integers, got dtype {input.dtype}")
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += weight.shape[0]
        rows = chainrule.arange(weight.shape[0]).unsqueeze(1) != padding_idx
        weight = chainrule.where(rows, weight, weight.detach())
    return weight[input]


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
    """Gaussian error linear unit:
    :math:`x \\, \\Phi(x) = \\tfrac{x}{2}(1 + \\text{erf}(x/\\sqrt 2))`.

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
    return chainrule.softmax(input, dim, dtype)  # the core op handles dtype


def log_softmax(input, dim=None, dtype=None):
    """:math:`\\log \\text{softmax}(x)_i = x_i - \\log \\sum_j e^{x_j}` (stable) along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return chainrule.log_softmax(input, dim, dtype)  # the core op handles dtype


def softplus(input, beta=1.0, threshold=20.0):
    """:math:`\\tfrac{1}{\\beta} \\log(1 + e^{\\beta x})`."""
    return chainrule.softplus(input, beta, threshold)


def elu(input, alpha=1.0, inplace=False):
    """Exponential linear unit: :math:`x` for :math:`x > 0`, else :math:`\\alpha (e^x - 1)`."""
    negative = chainrule.where(input > 0, 0.0, input)  # exp never overflows on this branch
    return chainrule.where(input > 0, input, alpha * chainrule.expm1(negative))


def silu(input, inplace=False):
    """Sigmoid linear unit (swish): :math:`x \\, \\sigma(x)`."""
    return input * chainrule.sigmoid(input)


def logsigmoid(input):
    """:math:`\\log \\sigma(x) = -\\log(1 + e^{-x})`, computed stably on both sides of 0."""
    negative = input < 0
    x_neg = chainrule.where(negative, input, 0.0)
    x_pos = chainrule.where(negative, 0.0, input)
    # x < 0: x - log(1 + e^x) ; x >= 0: -log(1 + e^-x)
    return chainrule.where(
        negative,
        x_neg - chainrule.log1p(chainrule.exp(x_neg)),
        -chainrule.log1p(chainrule.exp(-x_pos)),
    )


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """:math:`\\min(\\max(x, \\text{min\\_val}), \\text{max\\_val})`.

    As in PyTorch, the gradient is 1 strictly inside the interval and 0 on and outside it.
    """
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})"
        )
    inside = (input > min_val) & (input < max_val)
    return chainrule.where(inside, input, chainrule.clamp(input.detach(), min_val, max_val))


def threshold(input, threshold, value, inplace=False):
    """:math:`x` where :math:`x > \\text{threshold}`, else ``value``."""
    return chainrule.where(input > threshold, input, value)


def relu6(input, inplace=False):
    """:math:`\\min(\\max(0, x), 6)`: ``hardtanh(x, 0, 6)``."""
    return hardtanh(input, 0.0, 6.0)


def softmin(input, dim=None, dtype=None):
    """:math:`\\text{softmin}(x)_i = e^{-x_i} / \\sum_j e^{-x_j}` along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmin")
    if dtype is not None:
        input = input.to(dtype)
    return chainrule.softmax(-input, dim)


def prelu(input, weight):
    """:math:`x` for :math:`x > 0`, else :math:`a x`; ``weight`` (:math:`a`) has 1 or C elements.

    With C elements, :math:`a_c` applies along dimension 1 (the channels).
    """
    if weight.numel() == 1:
        weight = weight.reshape(())
    else:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {weight.numel()} and channel size = {channels}."
            )
        shape = [1] * input.ndim
        shape[1] = channels
        weight = weight.reshape(shape)
    return chainrule.where(input > 0, input, input * weight)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """:math:`v / \\max(\\lVert v \\rVert_p, \\epsilon)` for each slice ``v`` along ``dim``."""
    denom = chainrule.clamp(input.norm(p, dim, keepdim=True), min=eps)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``.

    .. math:: \\frac{x_1 \\cdot x_2}{\\max(\\lVert x_1 \\rVert, \\epsilon)\\,
        \\max(\\lVert x_2 \\rVert, \\epsilon)}

    The inputs broadcast against each other.
    """
    n1 = chainrule.clamp(x1.norm(2, dim, keepdim=True), min=eps)
    n2 = chainrule.clamp(x2.norm(2, dim, keepdim=True), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def one_hot(tensor, num_classes=-1):
    """Class indices of shape ``(*)`` to an int64 tensor of shape ``(*, num_classes)``."""
    if _is_float(tensor):
        raise TypeError(f"one_hot is only applicable to index tensors, got dtype {tensor.dtype}")
    if num_classes < 0:
        num_classes = int(tensor.max().item()) + 1
    classes = chainrule.arange(num_classes)
    return (tensor.unsqueeze(-1) == classes).long()


# --------------------------------------------------------------------------- regression losses


def _warn_if_broadcast(input, target, name):
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"{name}: target shape {tuple(target.shape)} differs from input shape "
            f"{tuple(input.shape)}; they will be broadcast, which is rarely intended",
            stacklevel=3,
        )


def mse_loss(input, target, reduction="mean"):
    """Squared error :math:`\\ell_i = (x_i - y_i)^2`, averaged (``'mean'``), summed or not.

    One node, ``MseLossBackward0``, as in PyTorch.
    """
    _check_reduction(reduction, "mse_loss")
    _warn_if_broadcast(input, target, "mse_loss")
    return apply(MSE_LOSS, (input, target), (reduction,))


def l1_loss(input, target, reduction="mean"):
    """Absolute error :math:`\\ell_i = |x_i - y_i|`."""
    _check_reduction(reduction, "l1_loss")
    _warn_if_broadcast(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """Smooth L1: quadratic near 0, linear beyond ``beta``.

    .. math:: \\ell_i = \\begin{cases} 0.5\\,d_i^2 / \\beta & |d_i| < \\beta \\\\
        |d_i| - 0.5\\,\\beta & \\text{otherwise} \\end{cases}, \\qquad d = x - y

    ``beta = 0`` gives the L1 loss.
    """
    _check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    diff = input - target
    if beta == 0.0:
        return _reduce(diff.abs(), reduction)
    a = diff.abs()
    loss = chainrule.where(a < beta, (0.5 / beta) * diff * diff, a - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss: ``smooth_l1_loss`` scaled by ``delta``.

    .. math:: \\ell_i = \\begin{cases} 0.5\\,d_i^2 & |d_i| \\le \\delta \\\\
        \\delta (|d_i| - 0.5\\,\\delta) & \\text{otherwise} \\end{cases}, \\qquad d = x - y
    """
    _check_reduction(reduction, "huber_loss")
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    diff = input - target
    a = diff.abs()
    loss = chainrule.where(a <= delta, 0.5 * diff * diff, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction)


def kl_div(input, target, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of ``target`` from the distribution whose logs are ``input``.

    .. math:: \\ell_i = y_i (\\log y_i - x_i) \\quad (0 \\text{ where } y_i = 0)

    With ``log_target`` the target is given as :math:`\\log y`:
    :math:`\\ell_i = e^{y_i} (y_i - x_i)`. ``'batchmean'`` divides the sum by the batch size
    (``input.shape[0]``), which is the true KL divergence; ``'mean'`` divides by every element.
    """
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(
            f"kl_div: reduction={reduction!r} is not valid; "
            "use 'mean', 'batchmean', 'sum' or 'none'"
        )
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    if log_target:
        loss = chainrule.exp(target) * (target - input)
    else:
        positive = target > 0
        safe = chainrule.where(positive, target, 1.0)
        loss = chainrule.where(positive, target * chainrule.log(safe), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim > 0 else loss.sum()
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- binary cross-entropy


def _weight_array(weight, input, fn):
    """A loss weight as an array of ``input``'s dtype; it gets no gradient, as in PyTorch."""
    if weight is None:
        return None
    if not isinstance(weight, chainrule.Tensor):
        weight = chainrule.tensor(weight)
    if weight.requires_grad:
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument 'weight'. "
            "This input cannot have requires_grad True."
        )
    return weight.detach().numpy().astype(input.detach().numpy().dtype, copy=False)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy between probabilities ``input`` and targets in [0, 1].

    .. math:: \\ell_i = -w_i\\,[y_i \\log p_i + (1 - y_i) \\log(1 - p_i)]

    Each log is clamped at -100, as in PyTorch, so ``p = 0`` or ``1`` gives a finite loss;
    the gradient is :math:`w (p - y) / \\max(p(1-p), \\epsilon)`.  One node,
    ``BinaryCrossEntropyBackward0``.  Prefer :func:`binary_cross_entropy_with_logits` on
    raw scores: it is stable.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    _check_same_shape(input, target, "binary_cross_entropy")
    w = _weight_array(weight, input, "binary_cross_entropy")
    return apply(BINARY_CROSS_ENTROPY, (input, target), (w, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits: ``binary_cross_entropy(sigmoid(x), y)``, computed stably.

    .. math:: \\ell_i = w_i\\,[(1 - y_i)\\,x_i + (1 + (q - 1) y_i) \\log(1 + e^{-x_i})]

    ``pos_weight`` (``q``) weighs the positive class, broadcast along the last dimension.
    ``log(1 + e^{-x})`` is computed as :math:`\\log(1 + e^{-|x|}) + \\max(-x, 0)`, so the loss
    and its gradient :math:`(1 + (q-1)y)\\sigma(x) - q y` are exact for logits of any size.
    One node, ``BinaryCrossEntropyWithLogitsBackward0``.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    fn = "binary_cross_entropy_with_logits"
    w = _weight_array(weight, input, fn)
    q = _weight_array(pos_weight, input, fn)
    return apply(BINARY_CROSS_ENTROPY_WITH_LOGITS, (input, target), (w, q, reduction))


# --------------------------------------------------------------------------- classification losses


def _check_class_targets(input, target, fn):
    """Check an index target against ``input`` of shape (C), (N, C) or (N, C, d1, ...)."""
    if _is_float(target):
        raise TypeError(f"{fn}: class-index targets must be integers, got dtype {target.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have a class dimension, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    expected = tuple(input.shape[:class_dim]) + tuple(input.shape[class_dim + 1 :])
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
    labels = target._data  # any backend's array (a batch of them inside vmap)
    xp = namespace_of(labels)
    ignored = labels == ignore_index
    bad = ((labels < 0) | (labels >= n_classes)) & ~ignored
    value = xp.first_where(labels, bad)
    if value is not None:
        raise IndexError(
            f"nll_loss: target {value} is out of bounds for "
            f"{n_classes} classes (valid: 0 to {n_classes - 1}, or ignore_index={ignore_index})"
        )
    if input.ndim == 3 or input.ndim > 4:  # as PyTorch: the 2-d loss on a 4-d view
        n, c = input.shape[0], input.shape[1]
        loss = nll_loss(
            input.reshape(n, c, -1, 1) if input.ndim == 3 else input.reshape(n, c, 1, -1),
            target.reshape(n, -1, 1) if input.ndim == 3 else target.reshape(n, 1, -1),
            weight,
            ignore_index,
            reduction,
        )
        return loss.reshape(target.shape) if reduction == "none" else loss
    safe = xp.cast(xp.where(ignored, 0, labels), xp.int64)
    dtype = input._data.dtype
    if weight is None:
        w = xp.where(ignored, xp.zeros((), dtype=dtype), xp.ones((), dtype=dtype))
    else:
        # w_{yᵢ} as a select over the classes (indexing an array by a batched index
        # would leave vmap's batch; the select is elementwise)
        picked = xp.expand_dims(safe, -1) == xp.arange(n_classes)
        w = xp.sum(xp.where(picked, _weight_array(weight, input, "nll_loss"), 0), -1)
        w = xp.where(ignored, xp.zeros((), dtype=dtype), xp.cast(w, dtype))
    index = xp.expand_dims(safe, class_dim)
    total = xp.sum(w)  # Σ w_{yᵢ}, an array: per sample inside vmap
    params = (index, w, total, reduction, class_dim, tuple(input.shape))
    return apply(NLL_LOSS_2D if input.ndim == 4 else NLL_LOSS, (input,), params)


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


# --------------------------------------------------------------------------- more families
# (attention, more activations, more normalisations: defined in their own modules, which
# build on the functions above)
from chainrule.nn._activation import (  # noqa: E402, F401
    celu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    mish,
    rrelu,
    selu,
    softshrink,
    softsign,
    tanhshrink,
)
from chainrule.nn._attention import (  # noqa: E402, F401
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from chainrule.nn._distance import bilinear, pairwise_distance, pdist  # noqa: E402, F401
from chainrule.nn._dropout import alpha_dropout, feature_alpha_dropout  # noqa: E402, F401
from chainrule.nn._losses import (  # noqa: E402, F401
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from chainrule.nn._normalization import (  # noqa: E402, F401
    group_norm,
    instance_norm,
    local_response_norm,
    rms_norm,
)
from chainrule.nn._sparse import embedding_bag  # noqa: E402, F401
from chainrule.nn._spatial import (  # noqa: E402, F401
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices,
    avg_pool1d,
    channel_shuffle,
    fold,
    lp_pool1d,
    lp_pool2d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_unpool1d,
    max_unpool2d,
    pixel_shuffle,
    pixel_unshuffle,
    unfold,
)
