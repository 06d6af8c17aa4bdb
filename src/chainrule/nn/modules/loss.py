"""Loss layers: each stores its options and calls one ``nn.functional`` loss."""

from chainrule.nn import functional as F
from chainrule.nn._losses import _legacy_reduction
from chainrule.nn.modules.distance import PairwiseDistance
from chainrule.nn.modules.module import Module


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        F._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error :math:`\\frac1n \\sum_i (x_i - y_i)^2` (the textbook's squared loss)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error :math:`\\frac1n \\sum_i |x_i - y_i|`."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities: :math:`-[y \\log p + (1-y) \\log(1-p)]`."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, stable for logits of any size.

    .. math:: \\ell = (1 - y)\\,x + (1 + (q-1)y) \\log(1 + e^{-x})
    """

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of class indices given log-probabilities."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy between logits and class indices (or probabilities).

    .. math:: \\ell_i = -\\log \\frac{e^{x_{i,y_i}}}{\\sum_c e^{x_{i,c}}}

    Example:
        >>> loss_fn = nn.CrossEntropyLoss()
        >>> loss = loss_fn(model(x), y)        # x: (N, features), y: (N,) int64
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class SmoothL1Loss(_Loss):
    """:math:`0.5 d^2 / \\beta` where :math:`|d| < \\beta`, else :math:`|d| - 0.5\\beta`.

    Here :math:`d = x - y`; ``beta = 0`` gives the L1 loss.
    """

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """:math:`0.5 d^2` where :math:`|d| \\le \\delta`, else :math:`\\delta(|d| - 0.5\\delta)`.

    Here :math:`d = x - y`.
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(Module):
    """Kullback-Leibler divergence :math:`y (\\log y - x)`, ``input`` given as log-probabilities.

    ``reduction='batchmean'`` gives the mathematical KL divergence per sample.
    """

    def __init__(self, reduction="mean", log_target=False):
        super().__init__()
        if reduction not in F._REDUCTIONS + ("batchmean",):
            raise ValueError(
                f"KLDivLoss: reduction={reduction!r} is not valid; "
                "use 'mean', 'batchmean', 'sum' or 'none'"
            )
        self.reduction = reduction
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class _LegacyLoss(_Loss):
    """A loss that also takes PyTorch's deprecated ``size_average`` / ``reduce`` flags."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(_legacy_reduction(size_average, reduce, reduction))


class MarginRankingLoss(_LegacyLoss):
    """:math:`\\max(0, -y (x_1 - x_2) + \\text{margin})`, ``y`` in {1, -1}."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class HingeEmbeddingLoss(_LegacyLoss):
    """:math:`x` where :math:`y = 1`, :math:`\\max(0, \\text{margin} - x)` where
    :math:`y = -1`."""

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_LegacyLoss):
    """Logistic loss :math:`\\log(1 + e^{-y x})`, ``y`` in {1, -1}."""

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_LegacyLoss):
    """One-versus-all logistic loss, averaged over the C classes, with optional class
    weights."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(
            input, target, weight=self.weight, reduction=self.reduction
        )


class CosineEmbeddingLoss(_LegacyLoss):
    """:math:`1 - \\cos(x_1, x_2)` where :math:`y = 1`,
    :math:`\\max(0, \\cos(x_1, x_2) - \\text{margin})` where :math:`y = -1`."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class TripletMarginLoss(_LegacyLoss):
    """:math:`\\max(d(a, p) - d(a, n) + \\text{margin}, 0)` with the p-norm distance
    :math:`d`; ``swap`` uses :math:`\\min(d(a, n), d(p, n))`."""

    def __init__(
        self,
        margin=1.0,
        p=2.0,
        eps=1e-6,
        swap=False,
        size_average=None,
        reduce=None,
        reduction="mean",
    ):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(
                f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead"
            )
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(
            anchor,
            positive,
            negative,
            margin=self.margin,
            p=self.p,
            eps=self.eps,
            swap=self.swap,
            reduction=self.reduction,
        )


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood :math:`\\tfrac12(\\log v + (x - y)^2 / v)`, the
    variance :math:`v` clamped at ``eps``; ``full`` adds :math:`\\tfrac12 \\log 2\\pi`."""

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(
            input, target, var, full=self.full, eps=self.eps, reduction=self.reduction
        )


class PoissonNLLLoss(_LegacyLoss):
    """Poisson negative log-likelihood :math:`\\lambda - y \\log \\lambda`, the input being
    :math:`\\log \\lambda` (``log_input``) or :math:`\\lambda`."""

    def __init__(
        self,
        log_input=True,
        full=False,
        size_average=None,
        eps=1e-8,
        reduce=None,
        reduction="mean",
    ):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(
            log_input,
            target,
            log_input=self.log_input,
            full=self.full,
            eps=self.eps,
            reduction=self.reduction,
        )


class MultiMarginLoss(_LegacyLoss):
    """Multi-class hinge loss :math:`\\frac1C \\sum_{j \\ne y} w_y \\max(0, \\text{margin}
    - x_y + x_j)^p`."""

    def __init__(
        self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"
    ):
        super().__init__(size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p = p
        self.margin = margin
        self.register_buffer("weight", weight)

    def forward(self, input, target):
        return F.multi_margin_loss(
            input,
            target,
            p=self.p,
            margin=self.margin,
            weight=self.weight,
            reduction=self.reduction,
        )


class MultiLabelMarginLoss(_LegacyLoss):
    """Multi-label hinge loss :math:`\\frac1C \\sum_{j \\in Y} \\sum_{k \\notin Y}
    \\max(0, 1 - (x_j - x_k))`, the target rows listing class indices ended by -1."""

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """:math:`\\max(d(a, p) - d(a, n) + \\text{margin}, 0)` for a distance function
    :math:`d` (default ``PairwiseDistance()``, kept as a submodule)."""

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(
                "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                f"{margin} instead"
            )
        self.distance_function = (
            distance_function if distance_function is not None else PairwiseDistance()
        )
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )
