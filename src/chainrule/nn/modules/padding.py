"""Padding layers: constant (``ZeroPad``, ``ConstantPad``), ``ReflectionPad``,
``ReplicationPad`` and ``CircularPad``, in 1-D and 2-D; each ``forward`` is one ``F.pad``."""

from chainrule.nn import functional as F
from chainrule.nn.modules.module import Module


def _expand(padding, n):
    """An int pads every side; otherwise (left, right[, top, bottom]) as given."""
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"padding must be an int or a {2 * n}-tuple, got {padding}")
    return padding


class _Pad(Module):
    """Pad the last ``_dims`` dims with ``F.pad``'s ``_mode``; ``padding`` is an int (every
    side) or (left, right) for 1-D, (left, right, top, bottom) for 2-D."""

    _dims = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self._dims)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """Pad the last dim with ``value``."""


class ConstantPad2d(_ConstantPad):
    """Pad the last two dims with ``value``."""

    _dims = 2


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_Pad):
    """Pad the last dim with its reflection about the edge (the edge not repeated)."""

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad the last two dims with their reflection about the edges."""

    _dims = 2


class ReplicationPad1d(_Pad):
    """Pad the last dim by repeating its edge value."""

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad the last two dims by repeating their edge values."""

    _dims = 2


class CircularPad1d(_Pad):
    """Pad the last dim by wrapping around (periodic)."""

    _mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pad the last two dims by wrapping around (periodic)."""

    _dims = 2
