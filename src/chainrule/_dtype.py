"""chainrule's dtypes and PyTorch's type-promotion rules.

Four dtypes are supported: ``float32`` (the default floating type, as in PyTorch),
``float64``, ``int64`` and ``bool``.  Promotion follows PyTorch: operands fall in three
tiers (tensors with dimensions, zero-dimensional tensors, Python scalars); the result's
category (bool < integer < floating) is the highest of all operands, and its dtype comes
from the highest tier that holds an operand of that category.  So a Python float does not
upcast a float32 tensor, and a float64 scalar tensor does not upcast a float32 vector.
"""

import numpy as np

__all__ = [
    "dtype",
    "float32",
    "float64",
    "int64",
    "bool_",
    "get_default_dtype",
    "set_default_dtype",
    "result_type",
]


class dtype:
    """A tensor element type; prints as PyTorch does (``torch.float32``)."""

    __slots__ = ("name", "numpy", "category", "is_floating_point", "itemsize")

    def __init__(self, name, numpy_dtype, category):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
int64 = dtype("int64", np.int64, 1)
bool_ = dtype("bool", np.bool_, 0)

_ALL = (float32, float64, int64, bool_)
_FROM_NUMPY = {d.numpy: d for d in _ALL}
_default = [float32]


def _by_name(name):
    return {d.name: d for d in _ALL}[name]


def get_default_dtype():
    """The dtype of new floating tensors created from Python numbers (float32 at start)."""
    return _default[0]


def set_default_dtype(d):
    """Set the default floating dtype: ``chainrule.float32`` or ``chainrule.float64``."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype only supports floating dtypes, got {d}")
    _default[0] = d


def from_numpy_dtype(np_dtype):
    """Map a NumPy dtype to a chainrule dtype, widening other integers to int64."""
    d = _FROM_NUMPY.get(np_dtype)
    if d is not None:
        return d
    kind = np.dtype(np_dtype).kind
    if kind in "iu":
        return int64
    raise TypeError(
        f"unsupported dtype {np.dtype(np_dtype)}: chainrule supports float32, float64, "
        f"int64 and bool; convert the data first, e.g. with .astype(np.float32)"
    )


def to_dtype(d):
    """Accept a chainrule dtype, a NumPy dtype or type, or a Python type (float, int, bool)."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return get_default_dtype()
    if d is int:
        return int64
    if d is bool:
        return bool_
    try:
        np_dtype = np.dtype(d)
    except TypeError:
        raise TypeError(
            f"unsupported dtype {d!r}: chainrule supports float32, float64, int64 and bool"
        ) from None
    if np_dtype.kind in "iu" and np_dtype != np.int64:
        raise TypeError(
            f"unsupported dtype {np_dtype}: chainrule's only integer dtype is "
            f"int64 (chainrule.long)"
        )
    return from_numpy_dtype(np_dtype)


def scalar_category(x):
    """Category of a Python scalar: 0 bool, 1 int, 2 float."""
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return 1
    return 2


_DEFAULT_FOR_CATEGORY = {0: bool_, 1: int64}


def result_type(*operands):
    """PyTorch's result dtype for tensors (objects with ``_data``) and Python scalars."""
    best = [None, None, None]  # per tier: (category, dtype)
    for x in operands:
        data = getattr(x, "_data", None)
        if data is None:
            if isinstance(x, np.ndarray):
                d, tier = from_numpy_dtype(x.dtype), 0 if x.ndim else 1
            else:
                c = scalar_category(x)
                d = _DEFAULT_FOR_CATEGORY.get(c) or get_default_dtype()
                tier = 2
        else:
            d, tier = from_numpy_dtype(data.dtype), 0 if data.ndim else 1
        current = best[tier]
        if (
            current is None
            or d.category > current.category
            or (d.category == current.category and d.itemsize > current.itemsize)
        ):
            best[tier] = d
    category = max(d.category for d in best if d is not None)
    for tier, d in enumerate(best):
        if d is not None and d.category == category:
            if tier == 2:  # only a Python scalar has the top category
                return _DEFAULT_FOR_CATEGORY.get(category) or get_default_dtype()
            return d
    raise AssertionError("unreachable")
