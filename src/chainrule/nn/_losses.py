"""More losses as functions (re-exported by ``chainrule.nn.functional``): margin, hinge,
soft-margin, cosine-embedding, Gaussian and Poisson likelihood losses.

Each is a composite of differentiable ops written after PyTorch's definition, so
gradients of every order come from the engine. ``reduction`` is ``'mean'`` (average over
the per-sample losses), ``'sum'`` or ``'none'``; the legacy ``size_average`` / ``reduce``
flags are translated as PyTorch does, with its warning.
"""

import math
import warnings

import numpy as np

import chainrule
from chainrule.nn import functional as F

__all__ = [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's translation of the deprecated ``size_average`` / ``reduce`` flags."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        stacklevel=3,
    )
    return reduction


def _reduced(loss, reduction, fn):
    F._check_reduction(reduction, fn)
    return F._reduce(loss, reduction)


def margin_ranking_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """:math:`\\ell = \\max(0, -y (x_1 - x_2) + \\text{margin})`, ``y`` in {1, -1}."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _reduced(loss, reduction, "margin_ranking_loss")


def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """:math:`\\ell = x` where :math:`y = 1`, :math:`\\max(0, \\text{margin} - x)` where
    :math:`y = -1`."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    hinge = chainrule.where(target != 1, (margin - input).clamp(min=0), 0.0)
    loss = hinge + chainrule.where(target != -1, input, 0.0)
    return _reduced(loss, reduction, "hinge_embedding_loss")


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Logistic loss :math:`\\ell = \\log(1 + e^{-y x})`, ``y`` in {1, -1} (computed stably)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    z = -input * target
    loss = chainrule.logaddexp(z, chainrule.zeros_like(z))
    return _reduced(loss, reduction, "soft_margin_loss")


def multilabel_soft_margin_loss(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """One-versus-all logistic loss over C classes, averaged over the classes:

    .. math:: \\ell_n = -\\frac{1}{C} \\sum_c w_c [y_c \\log \\sigma(x_c)
        + (1 - y_c) \\log \\sigma(-x_c)]
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * F.logsigmoid(input) + (1 - target) * F.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(-1) / input.shape[-1]
    return _reduced(loss, reduction, "multilabel_soft_margin_loss")


def cosine_embedding_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """:math:`\\ell = 1 - \\cos(x_1, x_2)` where :math:`y = 1`,
    :math:`\\max(0, \\cos(x_1, x_2) - \\text{margin})` where :math:`y = -1`.

    The cosine is :math:`x_1 \\cdot x_2 / \\sqrt{(\\lVert x_1 \\rVert^2 + \\epsilon)
    (\\lVert x_2 \\rVert^2 + \\epsilon)}` with :math:`\\epsilon = 10^{-12}`, as in PyTorch.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(
            "cosine_embedding_loss: expected two 1D or 2D inputs of the same shape, got "
            f"{tuple(input1.shape)} and {tuple(input2.shape)}"
        )
    dim = input1.ndim - 1
    eps = 1e-12
    dot = (input1 * input2).sum(dim)
    square1 = (input1 * input1).sum(dim) + eps
    square2 = (input2 * input2).sum(dim) + eps
    cos = dot / (square1 * square2).sqrt()
    loss = chainrule.where(target == 1, 1 - cos, 0.0) + chainrule.where(
        target == -1, (cos - margin).clamp(min=0), 0.0
    )
    return _reduced(loss, reduction, "cosine_embedding_loss")


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    margin=1.0,
    p=2,
    eps=1e-6,
    swap=False,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """:math:`\\ell = \\max(d(a, p) - d(a, n) + \\text{margin}, 0)`, :math:`d` the
    ``pairwise_distance``; with ``swap``, :math:`d(a, n)` becomes
    :math:`\\min(d(a, n), d(p, n))`."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d_pos = F.pairwise_distance(anchor, positive, p, eps)
    d_neg = F.pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = chainrule.minimum(d_neg, F.pairwise_distance(positive, negative, p, eps))
    loss = (margin + d_pos - d_neg).clamp(min=0)
    return _reduced(loss, reduction, "triplet_margin_loss")


def triplet_margin_with_distance_loss(
    anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction="mean"
):
    """:math:`\\max(d(a, p) - d(a, n) + \\text{margin}, 0)` for any distance :math:`d`
    (default ``pairwise_distance``); with ``swap``, :math:`d(a, n)` becomes
    :math:`\\min(d(a, n), d(p, n))`."""
    if margin <= 0:
        raise ValueError(
            "triplet_margin_with_distance_loss: expected margin to be greater than 0, "
            f"got {margin} instead"
        )
    distance = F.pairwise_distance if distance_function is None else distance_function
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = chainrule.minimum(d_neg, distance(positive, negative))
    loss = (margin + d_pos - d_neg).clamp(min=0)
    return _reduced(loss, reduction, "triplet_margin_with_distance_loss")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log-likelihood of ``target`` under :math:`\\mathcal N(\\text{input},
    \\text{var})`:

    .. math:: \\ell = \\tfrac12 \\big(\\log \\max(v, \\epsilon) + (x - y)^2 / \\max(v, \\epsilon)
        \\big) \\;[+\\, \\tfrac12 \\log 2\\pi \\text{ with } \\texttt{full}]

    ``var`` has the input's shape, or one dim fewer or one dim of size 1 (one variance
    shared along it). As in PyTorch, the clamp at ``eps`` is invisible to the gradient.
    """
    if not isinstance(var, chainrule.Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * chainrule.ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim != var.ndim or (
            sum(v for i, v in zip(input.shape, var.shape) if i != v) != 1
        ):
            raise ValueError(
                f"var is of incorrect size: {tuple(var.shape)} for input of shape "
                f"{tuple(input.shape)} (use the input's shape, or one dim fewer or of size 1)"
            )
    F._check_reduction(reduction, "gaussian_nll_loss")
    floor = var.detach()
    var = var + (floor.clamp(min=eps) - floor)  # the value clamped, the gradient straight
    loss = 0.5 * (chainrule.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return F._reduce(loss, reduction)


def poisson_nll_loss(
    input,
    target,
    log_input=True,
    full=False,
    size_average=None,
    eps=1e-8,
    reduce=None,
    reduction="mean",
):
    """Negative log-likelihood of ``target`` under a Poisson distribution of rate
    :math:`\\lambda`:

    .. math:: \\ell = \\lambda - y \\log \\lambda

    with ``input`` :math:`= \\log \\lambda` (``log_input``, :math:`\\ell = e^x - y x`) or
    :math:`= \\lambda` (:math:`\\ell = x - y \\log(x + \\epsilon)`). ``full`` adds Stirling's
    :math:`y \\log y - y + \\tfrac12 \\log(2\\pi y)` where :math:`y > 1`.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    F._check_reduction(reduction, "poisson_nll_loss")
    if log_input:
        loss = chainrule.exp(input) - target * input
    else:
        loss = input - target * chainrule.log(input + eps)
    if full:
        big = target > 1
        y = chainrule.where(big, target, 1.0)
        stirling = y * chainrule.log(y) - y + 0.5 * chainrule.log(2 * math.pi * y)
        loss = loss + chainrule.where(big, stirling, 0.0)
    return F._reduce(loss, reduction)


def _as_batch(input, target, fn):
    """(N, C) input and (N, ...) target, unsqueezing a single sample."""
    if input.ndim not in (1, 2):
        raise RuntimeError(f"{fn}: expected a 1D or 2D input, got shape {tuple(input.shape)}")
    if input.ndim == 1:
        return input.unsqueeze(0), target.reshape(1, -1), True
    return input, target, False


def multi_margin_loss(
    input,
    target,
    p=1,
    margin=1.0,
    weight=None,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """Multi-class hinge loss of class-index targets:

    .. math:: \\ell_n = \\frac{1}{C} \\sum_{j \\ne y_n} w_{y_n}
        \\max(0, \\text{margin} - x_{n, y_n} + x_{n, j})^p, \\qquad p \\in \\{1, 2\\}
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    x, y, single = _as_batch(input, target, "multi_margin_loss")
    y = y.reshape(-1, 1)
    n_classes = x.shape[1]
    hinge = (margin - x.gather(1, y) + x).clamp(min=0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[y]
    others = y != chainrule.arange(n_classes)
    loss = chainrule.where(others, hinge, 0.0).sum(1) / n_classes
    return _reduced(loss[0] if single else loss, reduction, "multi_margin_loss")


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss; each row of ``target`` lists class indices, ended by -1:

    .. math:: \\ell_n = \\frac{1}{C} \\sum_{j \\in Y_n} \\sum_{k \\notin Y_n}
        \\max(0, 1 - (x_{n, j} - x_{n, k}))
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    x, y, single = _as_batch(input, target, "multilabel_margin_loss")
    labels = y.numpy()
    if labels.shape != tuple(x.shape):
        raise RuntimeError(
            f"multilabel_margin_loss: target of shape {tuple(target.shape)} does not match "
            f"input of shape {tuple(input.shape)}"
        )
    n, n_classes = labels.shape
    valid = np.cumprod(labels >= 0, axis=1).astype(bool)  # the slots before the first -1
    safe = np.where(valid, labels, 0)
    is_target = np.zeros((n, n_classes), dtype=bool)
    rows = np.broadcast_to(np.arange(n)[:, None], labels.shape)
    is_target[rows[valid], safe[valid]] = True
    picked = x.gather(1, chainrule.tensor(safe))  # x_{n, j} for each target slot j
    hinge = (1 - picked.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)  # (N, slot, k)
    pairs = chainrule.tensor(valid[:, :, None] & ~is_target[:, None, :])
    loss = chainrule.where(pairs, hinge, 0.0).sum((1, 2)) / n_classes
    return _reduced(loss[0] if single else loss, reduction, "multilabel_margin_loss")
