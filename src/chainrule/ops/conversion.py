"""Tensors meeting Python, NumPy and legacy PyTorch code: ``float(x)``, ``np.asarray(x)``,
``copy.copy(x)``, ``x.type(...)`` and the legacy tensor types (``FloatTensor``, ``LongTensor`` …).

Nothing here is differentiable; ``methods.py`` binds these functions to ``Tensor``.
"""

import warnings

import numpy as np

from .. import _dtype, _grad_mode
from .._tensor import Size, Tensor, version_box, wrap

__all__ = [
    "tensortype",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "BFloat16Tensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
]

# ---------------------------------------------------------------- scalar conversion

# PyTorch warns once per process (TORCH_WARN_ONCE) when float() or complex() -- not int() or
# .item() -- reads a tensor that requires grad while grad mode is on.  True once warned.
_scalar_warned = [False]
SCALAR_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)


def _warn_scalar(t):
    if t._requires_grad and _grad_mode.grad_enabled[0] and not _scalar_warned[0]:
        _scalar_warned[0] = True
        warnings.warn(SCALAR_WARNING, UserWarning, stacklevel=3)


def tensor_float(self):
    """``float(x)``: the value of a one-element tensor (warns once if it requires grad)."""
    _warn_scalar(self)
    return float(self.item())


def tensor_complex(self):
    """``complex(x)``: the value of a one-element tensor (warns once if it requires grad)."""
    _warn_scalar(self)
    return complex(self.item())


def tensor_array(self, dtype=None, copy=None):
    """``np.asarray(x)``: the tensor's memory, NumPy's ``__array__`` protocol.

    Shares memory unless ``dtype`` differs or ``copy=True``; ``copy=False`` with a dtype
    change raises ``ValueError``, as NumPy 2 asks.  A tensor that requires grad raises, as
    in PyTorch: plot or convert ``x.detach()``.
    """
    if self._requires_grad:
        raise RuntimeError(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
        )
    array = self._data
    if dtype is not None and np.dtype(dtype) != array.dtype:
        if copy is False:
            raise ValueError(
                f"Tensor.__array__: converting {self.dtype} to {np.dtype(dtype)} needs a copy, "
                "but copy=False was passed"
            )
        return array.astype(dtype)
    return array.copy() if copy else array


# ---------------------------------------------------------------- copy protocol


def tensor_copy(self):
    """``copy.copy(x)``: a new leaf that shares ``x``'s memory and version counter, keeps its
    class and ``requires_grad``, but not its ``grad`` (as PyTorch)."""
    t = wrap(self._data, cls=type(self))
    t._requires_grad = self._requires_grad
    t._vbox = version_box(self)
    return t


# ---------------------------------------------------------------- legacy type names

# dtype name -> PyTorch's legacy tensor type name
_LEGACY_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
}
_DTYPE_OF_LEGACY = {"torch." + legacy: name for name, legacy in _LEGACY_NAMES.items()}


def _dtype_named(name):
    d = getattr(_dtype, "bool_" if name == "bool" else name, None)
    if d is None:
        raise TypeError(f"chainrule does not support dtype torch.{name} yet")
    return d


class tensortype(type):
    """The type of the legacy tensor classes: ``FloatTensor(data)`` builds a float32 tensor,
    ``FloatTensor(2, 3)`` a zero-filled one of that shape, and ``isinstance(x, FloatTensor)``
    is true for any float32 tensor.  They are not subclasses of ``Tensor`` (as in PyTorch).
    """

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype.name == cls._dtype_name

    def __call__(cls, *args, device=None):
        from ..creation import _check_device, tensor, zeros

        _check_device(device)
        d = cls.dtype
        if not args:
            return zeros(0, dtype=d)
        first = args[0]
        if len(args) == 1 and isinstance(first, Tensor):
            if first.dtype is not d:
                raise TypeError(
                    f"{cls.__name__}(tensor) expects a tensor of dtype {d}, got {first.dtype}; "
                    f"convert it first with .to({d})"
                )
            return first
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return zeros(*args, dtype=d)
        if len(args) == 1 and isinstance(first, Size):
            return zeros(tuple(first), dtype=d)
        if len(args) > 1:
            raise TypeError(
                f"{cls.__name__}(*size) expects integer sizes, got "
                f"({', '.join(type(a).__name__ for a in args)})"
            )
        if not isinstance(first, (list, tuple, np.ndarray)):
            raise TypeError(
                f"{cls.__name__}(data): data must be a sequence (got {type(first).__name__})"
            )
        return tensor(first, dtype=d)

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"

    @property
    def dtype(cls):
        return _dtype_named(cls._dtype_name)

    @property
    def is_cuda(cls):
        return False


def _legacy(name):
    dtype_name = {legacy: d for d, legacy in _LEGACY_NAMES.items()}[name]
    return tensortype(name, (), {"_dtype_name": dtype_name, "__doc__": f"torch.{dtype_name}"})


FloatTensor = _legacy("FloatTensor")
DoubleTensor = _legacy("DoubleTensor")
HalfTensor = _legacy("HalfTensor")
BFloat16Tensor = _legacy("BFloat16Tensor")
LongTensor = _legacy("LongTensor")
IntTensor = _legacy("IntTensor")
ShortTensor = _legacy("ShortTensor")
CharTensor = _legacy("CharTensor")
ByteTensor = _legacy("ByteTensor")
BoolTensor = _legacy("BoolTensor")


def tensor_type(self, dtype=None, non_blocking=False, **kwargs):
    """``x.type()`` names the legacy type (``'torch.FloatTensor'``); ``x.type(t)`` converts to
    ``t``: a dtype, a legacy class or its name (``'torch.LongTensor'``).  Returns ``x`` itself
    when it already has that type."""
    if dtype is None:
        return "torch." + _LEGACY_NAMES[self.dtype.name]
    if isinstance(dtype, str):
        if dtype.startswith("torch.cuda."):
            raise RuntimeError(
                f"Tensor.type({dtype!r}): chainrule runs on the CPU only; use the CPU type "
                f"{dtype.replace('cuda.', '')!r}"
            )
        if dtype not in _DTYPE_OF_LEGACY:
            raise ValueError(f"invalid type: {dtype!r}")
        dtype = _dtype_named(_DTYPE_OF_LEGACY[dtype])
    elif isinstance(dtype, tensortype):
        dtype = dtype.dtype
    elif not isinstance(dtype, _dtype.dtype):
        raise ValueError(f"invalid type: {getattr(dtype, '__name__', dtype)!r}")
    return self if self.dtype is dtype else self.to(dtype)
