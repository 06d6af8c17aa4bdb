"""chainrule's dtypes and PyTorch's type-promotion rules.

Nine dtypes, each a NumPy dtype underneath: ``bool``; the integers ``uint8``, ``int8``,
``int16``, ``int32``, ``int64``; the floats ``float16``, ``float32`` (the default floating
type, as in PyTorch) and ``float64``.

Promotion follows PyTorch.  Two dtypes promote by category (bool < integer < floating) and
then by size; ``uint8`` with ``int8`` gives ``int16``.  Operands fall in three tiers
(tensors with dimensions, zero-dimensional tensors, Python scalars); each tier promotes
its own dtypes, and a lower tier only counts when its category is higher than the tiers
above it.  So a Python float does not upcast a float16 tensor, a float64 scalar tensor
does not upcast a float32 vector, and ``int8_vector + 1000`` stays ``int8``; but an
integer vector with a float scalar becomes floating (the default float for a Python float).
"""

import numpy as np

__all__ = [
    "dtype",
    "bool_",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
    "can_cast",
    "iinfo",
    "finfo",
]


class dtype:
    """A tensor element type; prints as PyTorch does (``torch.float32``)."""

    __slots__ = ("name", "numpy", "category", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name, numpy_dtype, category):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = self.numpy.kind in "if"
        self.itemsize = self.numpy.itemsize

    is_complex = False

    def to_real(self):
        return self

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

_ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NUMPY = {d.numpy: d for d in _ALL}
_default = [float32]


def _by_name(name):
    return {d.name: d for d in _ALL}[name]


def get_default_dtype():
    """The dtype of new floating tensors created from Python numbers (float32 at start)."""
    return _default[0]


def set_default_dtype(d):
    """Set the default floating dtype (``chainrule.float64``, ``float32`` or ``float16``)."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype only supports floating dtypes, got {d}")
    _default[0] = d


def _names():
    return ", ".join(d.name for d in _ALL)


def from_numpy_dtype(np_dtype):
    """Map a NumPy dtype to a chainrule dtype; others (uint16/32/64, complex) are refused."""
    if not isinstance(np_dtype, (np.dtype, type)):
        # another backend's dtype object (array_api_strict.float64): known by its name
        np_dtype = np.dtype(str(np_dtype).rsplit(".", 1)[-1])
    d = _FROM_NUMPY.get(np_dtype)
    if d is not None:
        return d
    raise TypeError(
        f"unsupported dtype {np.dtype(np_dtype)}: chainrule supports {_names()}; convert the "
        f"data first, e.g. with .astype(np.float32)"
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
        raise TypeError(f"unsupported dtype {d!r}: chainrule supports {_names()}") from None
    found = _FROM_NUMPY.get(np_dtype)
    if found is None:
        raise TypeError(f"unsupported dtype {np_dtype}: chainrule supports {_names()}")
    return found


def scalar_category(x):
    """Category of a Python scalar: 0 bool, 1 int, 2 float."""
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return 1
    return 2


def _promote(a, b):
    """PyTorch's promote_types on two chainrule dtypes (no tiers)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == 2:
        return a if a.itemsize >= b.itemsize else b
    if a.is_signed == b.is_signed:
        return a if a.itemsize >= b.itemsize else b
    signed, unsigned = (a, b) if a.is_signed else (b, a)
    if signed.itemsize > unsigned.itemsize:
        return signed
    return {1: int16, 2: int32, 4: int64}.get(unsigned.itemsize, int64)


_PROMOTED = {(a, b): _promote(a, b) for a in _ALL for b in _ALL}


def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing their
    category: ``promote_types(uint8, int8)`` is ``int16``."""
    return _PROMOTED[to_dtype(type1), to_dtype(type2)]


def _combine(higher, lower):
    """The result of a higher tier given a lower one: the lower tier only counts when it
    has a higher category (and then the two promote)."""
    if higher is None:
        return lower
    if lower is None or higher.category == 2:
        return higher
    if higher.category == 0 or lower.category == 2:
        return _PROMOTED[higher, lower]
    return higher


def _operand_dtype(x):
    """(dtype, tier) of a tensor, NumPy array or Python scalar; tier 0 has dimensions,
    1 is zero-dimensional, 2 a Python number."""
    data = getattr(x, "_data", None)
    if data is None:
        if isinstance(x, np.ndarray):
            data = x
        elif isinstance(x, np.generic):
            data = np.asarray(x)
        else:
            c = scalar_category(x)
            return (bool_ if c == 0 else int64 if c == 1 else get_default_dtype()), 2
    return from_numpy_dtype(data.dtype), (0 if data.ndim else 1)


def result_type(*operands):
    """PyTorch's result dtype for tensors (objects with ``_data``), NumPy arrays and Python
    scalars, e.g. ``result_type(int8_vector, 2.5)`` is the default float."""
    tiers = [None, None, None]
    for x in operands:
        d, tier = _operand_dtype(x)
        current = tiers[tier]
        tiers[tier] = d if current is None else _PROMOTED[current, d]
    return _combine(tiers[0], _combine(tiers[1], tiers[2]))


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow ``from_`` to ``to`` in an in-place op: never to
    a lower category (float to integer, integer to bool)."""
    return to_dtype(from_).category <= to_dtype(to).category


# ---------------------------------------------------------------- numeric limits
def _short(x):
    """A number as PyTorch prints it in iinfo/finfo (C's %g, 6 significant digits)."""
    return f"{x:g}"


class iinfo:
    """The limits of an integer dtype: ``bits``, ``min``, ``max``, ``dtype``."""

    def __init__(self, type):
        d = to_dtype(type)
        if d.category != 1:
            raise TypeError(
                f"torch.iinfo() requires an integer input type. Use torch.finfo to handle '{d}'"
            )
        info = np.iinfo(d.numpy)
        self.bits = info.bits
        self.min = int(info.min)
        self.max = int(info.max)
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={_short(self.min)}, max={_short(self.max)}, dtype={self.dtype})"


class finfo:
    """The limits of a floating dtype (the default one when called with no argument):
    ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (= ``smallest_normal``), ``resolution``."""

    def __init__(self, type=None):
        d = get_default_dtype() if type is None else to_dtype(type)
        if d.category != 2:
            raise TypeError(
                f"torch.finfo() requires a floating point input type. Use torch.iinfo to "
                f"handle '{d}'"
            )
        info = np.finfo(d.numpy)
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0**-info.precision  # a power of ten, as PyTorch gives it
        self.dtype = d.name

    def __repr__(self):
        return (
            f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, "
            f"max={_short(self.max)}, eps={_short(self.eps)}, "
            f"smallest_normal={_short(self.smallest_normal)}, tiny={_short(self.tiny)}, "
            f"dtype={self.dtype})"
        )
