"""``BatchNorm1d``, ``BatchNorm2d``: normalise each channel over the batch (and space), with
running statistics."""

import chainrule
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.modules.module import Module
from chainrule.nn.parameter import Parameter


def affine_parameters(module, shape, affine, bias, dtype):
    """A normalisation layer's learned ``weight`` (γ) and ``bias`` (β) of ``shape`` when
    ``affine`` (``bias`` only if asked); both names registered as absent otherwise."""

    def make():
        return Parameter(chainrule.empty(shape, dtype=dtype))

    module.register_parameter("weight", make() if affine else None)
    module.register_parameter("bias", make() if affine and bias else None)


def reset_affine(module):
    """``weight`` to 1 and ``bias`` to 0, those that exist."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(Module):
    """Batch normalisation per channel ``C`` (dim 1), over the batch and any further dims.

    .. math::
        y = \\frac{x - \\mathrm{E}[x]}{\\sqrt{\\mathrm{Var}[x] + \\epsilon}} \\, \\gamma + \\beta

    In training the batch statistics normalise (biased variance) and update the running
    ones: :math:`\\hat\\mu \\leftarrow (1 - m)\\hat\\mu + m\\,\\mu_B`, and likewise
    :math:`\\hat\\sigma^2` with the unbiased batch variance. ``momentum=None`` makes
    them cumulative averages. In evaluation the running statistics normalise.

    Buffers ``running_mean`` (0), ``running_var`` (1) and ``num_batches_tracked`` (int64)
    are saved in ``state_dict`` under PyTorch's names.

    Args:
        num_features: C.
        eps: added to the variance (default 1e-5).
        momentum: :math:`m` (default 0.1), or ``None`` for a cumulative average.
        affine: learn ``weight`` (:math:`\\gamma`, starts at 1) and ``bias`` (:math:`\\beta`, 0).
        track_running_stats: keep running statistics; if not, batch statistics are
            used in evaluation too.
        bias: with ``affine``, learn ``bias`` too (default ``True``).
    """

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
        *,
        bias=True,
    ):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        affine_parameters(self, (num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", chainrule.zeros((num_features,), dtype=dtype))
            self.register_buffer("running_var", chainrule.ones((num_features,), dtype=dtype))
            self.register_buffer("num_batches_tracked", chainrule.tensor(0, dtype=chainrule.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Running mean to 0, running variance to 1, batch count to 0."""
        if self.track_running_stats:
            with chainrule.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1.0)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Reset the running statistics; ``weight`` to 1, ``bias`` to 0."""
        self.reset_running_stats()
        reset_affine(self)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def forward(self, input):
        self._check_input_dim(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with chainrule.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or self.running_mean is None
        # In training without tracking, and whenever the buffers are None, batch statistics.
        return F.batch_norm(
            input,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight,
            self.bias,
            use_batch_stats,
            momentum,
            self.eps,
        )

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs, per feature ``C``
    (see ``_BatchNorm`` for the maths, the arguments and the buffers)."""

    def _check_input_dim(self, input):
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` inputs, per channel ``C`` over the batch and
    the spatial dims:

    .. math::
        y = \\frac{x - \\mathrm{E}[x]}{\\sqrt{\\mathrm{Var}[x] + \\epsilon}} \\, \\gamma + \\beta

    with E and Var over (N, H, W).  Arguments, buffers (``running_mean``, ``running_var``,
    ``num_batches_tracked``) and modes as ``BatchNorm1d``.
    """

    def _check_input_dim(self, input):
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")
