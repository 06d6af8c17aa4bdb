"""``BatchedArray``: the array type behind ``vmap``, a backend whose arrays carry a batch.

Inside ``vmap(f)`` a mapped tensor's data is a ``BatchedArray``: the physical NumPy array
with the batch dimension first (``phys``), seen by everyone else with its logical shape
(the shape of one slice).  chainrule's rows reach their array library through the backend
seam (``xp``, chosen from the data, and NumPy's ``__array_ufunc__`` /
``__array_function__`` protocols when NumPy functions meet one), so every op, its backward
formulas and its forward-mode rule run once on the whole batch:

* elementwise ufuncs: the batched operands' logical dims are right-aligned against the
  others' by inserting singleton dims after the batch dim, and NumPy broadcasts;
* reductions, shape functions, matmul, indexing: the rules in ``_batching_rules`` shift
  axes by one and put the batch dim where NumPy expects it;
* anything else: a loop over the batch, stacking the results, with a warning (once per
  function) naming it.

Levels nest: an inner ``vmap``'s arrays wrap the outer's (``phys`` may itself be a
``BatchedArray`` of a lower level); an operation is handled at the highest level among
its operands, which treats everything of a lower level as unbatched and lets NumPy
dispatch the physical call to the next level down.  What cannot be vectorised (reading a
value into Python, writing a batched value into an unbatched array) raises
``Unbatchable``, and ``vmap`` then runs the whole function one slice at a time.
"""

import types
import warnings

import numpy as np

__all__ = ["BatchedArray", "Unbatchable", "level_of", "warn_once"]


class Unbatchable(Exception):
    """This computation cannot run on the batch at once (vmap falls back to a loop)."""


fallbacks = []  # every reason a loop over the batch was taken (tests read it)


def warn_once(what):
    """Warn that vmap loops over the batch.  Python shows a warning once per distinct
    message (its default filter), so each op's fallback is reported once."""
    fallbacks.append(what)
    warnings.warn(
        f"vmap: {what}; computing it one batch element at a time (a Python loop)",
        UserWarning,
        stacklevel=3,
    )


def _culprit():
    """The chainrule function that led here (the innermost public one below the batched
    array, and the outermost below the user's code), for messages."""
    import sys

    frame = sys._getframe(2)
    inner = outer = None
    while frame is not None:
        path = frame.f_code.co_filename.replace("\\", "/")
        name = frame.f_code.co_name
        if "/chainrule/" not in path:
            if outer is not None:
                break
        elif "/chainrule/func/" not in path:
            outer = name
            if inner is None and not name.startswith(("_", "<")) and name != "apply":
                inner = name
        frame = frame.f_back
    if inner is None:
        return "an operation"
    return f"chainrule op {inner!r}" + (f" (in {outer!r})" if outer != inner else "")


def level_of(x):
    return x.level if type(x) is BatchedArray else 0


class BatchedArray:
    """A batch of arrays: ``phys`` holds them stacked along axis 0; the logical array is
    one of them.  ``level`` is the vmap nesting level that owns the batch dim."""

    __slots__ = ("phys", "level")

    def __init__(self, phys, level):
        self.phys = phys
        self.level = level

    # ------------------------------------------------------------------ what it looks like
    @property
    def shape(self):
        return tuple(self.phys.shape[1:])

    @property
    def ndim(self):
        return self.phys.ndim - 1

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def dtype(self):
        return self.phys.dtype

    @property
    def itemsize(self):
        return self.phys.dtype.itemsize

    @property
    def batch_size(self):
        return self.phys.shape[0]

    @property
    def T(self):
        return np.permute_dims(self, tuple(range(self.ndim))[::-1])

    @property
    def mT(self):
        return np.swapaxes(self, -1, -2)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self):
        return f"BatchedArray(level={self.level}, batch={self.batch_size}, shape={self.shape})"

    # ------------------------------------------------------------------ the protocols
    def __array_namespace__(self, api_version=None):
        return NAMESPACE

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from ._batching_rules import ufunc_rule

        return ufunc_rule(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from ._batching_rules import function_rule

        return function_rule(func, args, kwargs)

    def __array__(self, dtype=None, copy=None):
        raise Unbatchable(f"{_culprit()} converts a batched value to a NumPy array")

    def __dlpack__(self, *args, **kwargs):
        raise Unbatchable(f"{_culprit()} exports a batched value (dlpack)")

    def _scalar(self, *args):
        raise Unbatchable(
            f"{_culprit()} reads a batched value into Python (item(), float(), bool(): "
            f"data-dependent control flow)"
        )

    __bool__ = __float__ = __int__ = __index__ = __complex__ = item = tolist = _scalar

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key):
        from ._batching_rules import getitem

        return getitem(self, key)

    def __setitem__(self, key, value):
        from ._batching_rules import setitem

        setitem(self, key, value)

    # ------------------------------------------------------------------ methods
    def astype(self, dtype, copy=True, **_):
        return BatchedArray(self.phys.astype(dtype, copy=copy), self.level)

    def copy(self, order="C"):
        return BatchedArray(self.phys.copy(), self.level)

    def reshape(self, *shape, **_):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return np.reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return np.transpose(self, axes or None)

    def swapaxes(self, a, b):
        return np.swapaxes(self, a, b)

    def squeeze(self, axis=None):
        return np.squeeze(self, axis)

    def ravel(self, order="C"):
        return np.reshape(self, (-1,))

    flatten = ravel

    def sum(self, axis=None, dtype=None, keepdims=False, **_):
        return np.sum(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False, **_):
        return np.mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False, **_):
        return np.prod(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def max(self, axis=None, keepdims=False, **_):
        return np.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False, **_):
        return np.min(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False, **_):
        return np.any(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False, **_):
        return np.all(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, **kw):
        return np.argmax(self, axis=axis, **kw)

    def argmin(self, axis=None, **kw):
        return np.argmin(self, axis=axis, **kw)

    def fill(self, value):
        self.phys[...] = value

    def view(self, *args, **kwargs):
        raise Unbatchable("a batched array was reinterpreted (view)")

    @property
    def flags(self):
        return self.phys.flags

    @property
    def strides(self):
        raise Unbatchable("a batched array's memory layout (strides) was read")


def _operator(ufunc, reflected=False):
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


for _name, _ufunc in [
    ("add", np.add),
    ("sub", np.subtract),
    ("mul", np.multiply),
    ("truediv", np.true_divide),
    ("floordiv", np.floor_divide),
    ("mod", np.remainder),
    ("pow", np.power),
    ("matmul", np.matmul),
    ("and", np.logical_and),
    ("or", np.logical_or),
    ("xor", np.logical_xor),
]:
    setattr(BatchedArray, f"__{_name}__", _operator(_ufunc))
    setattr(BatchedArray, f"__r{_name}__", _operator(_ufunc, reflected=True))
for _name, _ufunc in [
    ("eq", np.equal),
    ("ne", np.not_equal),
    ("lt", np.less),
    ("le", np.less_equal),
    ("gt", np.greater),
    ("ge", np.greater_equal),
]:
    setattr(BatchedArray, f"__{_name}__", _operator(_ufunc))
BatchedArray.__neg__ = lambda self: np.negative(self)
BatchedArray.__pos__ = lambda self: self
BatchedArray.__abs__ = lambda self: np.absolute(self)
BatchedArray.__invert__ = lambda self: np.invert(self)
BatchedArray.__hash__ = None


def _make_namespace():
    """NumPy's functions under NumPy's names: called with a ``BatchedArray`` they reach
    the batching rules through NumPy's dispatch protocols.  chainrule's backend seam adds
    its formula helpers on top (written against these names)."""
    ns = types.ModuleType("chainrule.func.batched_numpy")
    ns.__dict__.update({k: v for k, v in vars(np).items() if not k.startswith("_")})

    def asarray(x, dtype=None, copy=None, **_):
        if type(x) is BatchedArray:
            if dtype is not None and x.dtype != dtype:
                return x.astype(dtype)
            return x.copy() if copy else x
        return np.asarray(x, dtype=dtype, copy=copy)

    ns.asarray = asarray
    return ns


NAMESPACE = _make_namespace()


def _accept_batched_results():
    """NumPy functions called by the NumPy backend return a ``BatchedArray`` when one of
    their operands is batched (through NumPy's dispatch protocols), e.g. ``W @ x`` inside
    vmap.  The dispatcher keeps a result as is when it is of its backend's ``array_type``
    and converts it with ``asarray`` otherwise, which would read the batch into one
    array; so the NumPy backend declares that it may return batched arrays too.
    (A core-side alternative: keep any result that has its own ``__array_namespace__``.)"""
    from .._backend import numpy_backend

    kinds = numpy_backend.array_type
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if BatchedArray not in kinds:
        numpy_backend.array_type = kinds + (BatchedArray,)


_accept_batched_results()
