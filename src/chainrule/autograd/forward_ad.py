"""Forward-mode AD: dual tensors whose tangents ride along the forward pass.

Inside ``dual_level()``, ``make_dual(x, t)`` gives ``x`` a tangent ``t``; every op applied
to a tensor with a tangent computes its output's tangent from its row's rule in the same
pass (``J t``, the Jacobian-vector product), and ``unpack_dual(y)`` reads it back.  The
tangents are ordinary chainrule tensors, computed with recording on, so reverse mode can
differentiate through them (forward-over-reverse Hessian-vector products).

Example:
    >>> with fwAD.dual_level():
    ...     x = fwAD.make_dual(primal, tangent)
    ...     jvp = fwAD.unpack_dual(f(x)).tangent
"""

import collections
import contextlib

from .._grad_mode import forward_level
from .._tensor import Tensor, wrap

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]

UnpackedDualTensor = collections.namedtuple("UnpackedDualTensor", ["primal", "tangent"])


def enter_dual_level():
    """Open a new forward-mode level (only one at a time, as in PyTorch)."""
    if forward_level[0]:
        raise RuntimeError(
            "Nested forward mode AD is not supported at the moment: exit the current "
            "dual_level() before entering a new one"
        )
    forward_level[0] = 1
    return 0


def exit_dual_level(*, level=None):
    forward_level[0] = 0


@contextlib.contextmanager
def dual_level():
    """The scope in which dual tensors exist; their tangents are dropped on exit."""
    level = enter_dual_level()
    try:
        yield level
    finally:
        for dual in _made:
            dual._fw_grad = None
        _made.clear()
        exit_dual_level(level=level)


_made = []  # the dual tensors of the open level, whose tangents are dropped on exit


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` that carries ``tangent`` (same shape) at the current level."""
    if not forward_level[0]:
        raise RuntimeError(
            "make_dual must be called inside a forward AD level: use "
            "`with chainrule.autograd.forward_ad.dual_level():`"
        )
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise TypeError("make_dual expects a primal Tensor and a tangent Tensor")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            f"Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size "
            f"{list(tensor.shape)} while the given forward gradient is of size "
            f"{list(tangent.shape)}."
        )
    if not tensor.is_floating_point():
        raise ValueError(f"Expected primal to be floating point, but got: {tensor.dtype}")
    dual = tensor.view_as(tensor) if tensor.requires_grad else wrap(tensor._data)
    if tangent.dtype != tensor.dtype:
        tangent = tangent.to(tensor.dtype)
    dual._fw_grad = tangent
    _made.append(dual)
    return dual


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of a dual tensor; the tangent is ``None`` if it has none."""
    if not isinstance(tensor, Tensor):
        return UnpackedDualTensor(tensor, None)
    tangent = getattr(tensor, "_fw_grad", None)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    primal = tensor.view_as(tensor) if tensor.requires_grad else wrap(tensor._data)
    return UnpackedDualTensor(primal, tangent)
