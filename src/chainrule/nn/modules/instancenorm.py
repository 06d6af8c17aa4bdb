"""``InstanceNorm1d``, ``InstanceNorm2d``: normalise each channel of each sample over its
positions."""

from chainrule.nn import functional as F
from chainrule.nn.modules.batchnorm import _BatchNorm


class _InstanceNorm(_BatchNorm):
    """Instance normalisation: per sample and channel, over the positions.

    .. math::
        y_{nc} = \\frac{x_{nc} - \\mathrm{E}[x_{nc}]}{\\sqrt{\\mathrm{Var}[x_{nc}] + \\epsilon}}
        \\,\\gamma_c + \\beta_c

    Parameters and buffers as ``BatchNorm`` (same names in ``state_dict``), but by default
    without either (``affine=False``, ``track_running_stats=False``). With running
    statistics, training moves them towards the batch average of the per-instance
    statistics, and evaluation normalises with them. Unbatched inputs (no N) are accepted.
    """

    _spatial_dims = 1

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=False,
        track_running_stats=False,
        device=None,
        dtype=None,
    ):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype=dtype)

    def _check_input_dim(self, input):
        batched = self._spatial_dims + 2
        if input.ndim not in (batched - 1, batched):
            raise ValueError(
                f"expected {batched - 1}D or {batched}D input (got {input.ndim}D input)"
            )

    def forward(self, input):
        self._check_input_dim(input)
        if input.ndim == self._spatial_dims + 1:  # unbatched
            return self.forward(input.unsqueeze(0)).squeeze(0)
        return F.instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of ``(N, C, L)`` or ``(C, L)`` inputs (see ``_InstanceNorm``)."""


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of ``(N, C, H, W)`` or ``(C, H, W)`` inputs (see
    ``_InstanceNorm``)."""

    _spatial_dims = 2
