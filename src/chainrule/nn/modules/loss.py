"""Loss layers: each stores its options and calls one ``nn.functional`` loss."""

from chainrule.nn import functional as F
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
