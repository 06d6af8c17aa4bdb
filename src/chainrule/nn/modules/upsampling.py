"""``Upsample`` (and its fixed-mode forms): ``F.interpolate`` as a layer."""

from chainrule.nn import functional as F
from chainrule.nn.modules.module import Module


class Upsample(Module):
    """Resize the spatial dims to ``size`` or by ``scale_factor`` (see ``F.interpolate``).

    Args:
        size: output size (an int or a tuple).
        scale_factor: multiplier of the spatial size (a number or a tuple).
        mode: ``'nearest'`` (default), ``'nearest-exact'``, ``'linear'``, ``'bilinear'``
            or ``'area'``.
        align_corners: for the linear modes, line up the corner pixels' centres.
    """

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode="nearest",
        align_corners=None,
        recompute_scale_factor=None,
    ):
        super().__init__()
        self.size = size
        if isinstance(scale_factor, tuple):  # kept as floats, as PyTorch prints them
            scale_factor = tuple(map(float, scale_factor))
        elif scale_factor:
            scale_factor = float(scale_factor)
        self.scale_factor = scale_factor or None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample`` with ``mode='nearest'``."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample`` with ``mode='bilinear'`` and ``align_corners=True``."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
