"""Creating tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled
(``zeros``, ``ones``, ``full``, ``empty``, ``eye``, ``arange``, ``linspace``); the random
ones (``rand``, ``randn``, ``randint``, …) come from ``chainrule.random``."""

import numpy as np

from ._backend import namespace_of, numpy_backend
from ._dtype import from_numpy_dtype, get_default_dtype, int64, to_dtype
from ._tensor import Tensor, wrap
from .ops._dims import normalize_shape

__all__ = [
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "rand_like",
    "randn_like",
    "randint_like",
    "randperm",
    "normal",
    "multinomial",
    "bernoulli",
    "poisson",
    "manual_seed",
    "seed",
    "initial_seed",
    "Generator",
    "default_generator",
]


def _infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool, int64, or the default float."""
    flat = np.asarray(data)
    if flat.dtype == object:
        raise TypeError(
            "tensor(): could not infer a dtype from data of mixed or unsupported "
            "types; pass a (nested) list of numbers"
        )
    if flat.dtype.kind == "b":
        return np.bool_
    if flat.dtype.kind in "iu":
        return np.int64
    if flat.dtype.kind == "f":
        return get_default_dtype().numpy
    raise TypeError(f"tensor(): unsupported data type {flat.dtype}")


def _unwrap(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap(x) for x in data]
    return data


def _finish(array, requires_grad, name=None):
    t = wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    t.name = name
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False, name=None):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors).

    Python floats give the default dtype (float32), ints give int64, NumPy arrays keep
    their dtype.  ``name`` labels the tensor in pictures of the graph.
    """
    _check_device(device)
    if isinstance(data, np.ndarray) or isinstance(data, Tensor):
        array = np.array(data._data if isinstance(data, Tensor) else data, copy=True)
        np_dtype = (
            to_dtype(dtype).numpy if dtype is not None else from_numpy_dtype(array.dtype).numpy
        )
        array = array.astype(np_dtype, copy=False)
    else:
        data = _unwrap(data)
        np_dtype = to_dtype(dtype).numpy if dtype is not None else _infer_dtype(data)
        try:
            array = np.array(data, dtype=np_dtype)
        except ValueError as err:
            raise ValueError(
                f"tensor(): data is not a rectangular nested list of numbers ({err})"
            ) from None
    return _finish(array, requires_grad, name)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        d = to_dtype(dtype) if dtype is not None else from_numpy_dtype(data.dtype)
        return wrap(data if data.dtype == d.numpy else data.astype(d.numpy))
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (writes show in both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    d = from_numpy_dtype(array.dtype)
    return wrap(array if array.dtype == d.numpy else array.astype(d.numpy))


def _check_device(device):
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"chainrule runs on the CPU only; device '{device}' is not available")


def _filled(fill, size, dtype, requires_grad, default=None, like=None):
    """A tensor of ``size`` from ``fill(xp, shape, dtype)``, on NumPy or on the backend of
    tensor ``like``."""
    shape = normalize_shape(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    d = to_dtype(dtype) if dtype is not None else (default or get_default_dtype())
    xp = numpy_backend if like is None else namespace_of(like._data)
    return _finish(fill(xp, shape, xp.as_dtype(d.numpy)), requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _filled(_zeros, size, dtype, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _filled(_ones, size, dtype, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _filled(_zeros, size, dtype, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    default = (
        from_numpy_dtype(np.asarray(fill_value).dtype)
        if isinstance(fill_value, (bool, int))
        else None
    )
    return _filled(
        lambda xp, s, d: xp.full(s, fill_value, dtype=d),
        (tuple(size),),
        dtype,
        requires_grad,
        default,
    )


def zeros_like(input, dtype=None, requires_grad=False, **_):
    return _filled(_zeros, (input.shape,), dtype or input.dtype, requires_grad, like=input)


def ones_like(input, dtype=None, requires_grad=False, **_):
    return _filled(_ones, (input.shape,), dtype or input.dtype, requires_grad, like=input)


def empty_like(input, dtype=None, requires_grad=False, **_):
    return _filled(_zeros, (input.shape,), dtype or input.dtype, requires_grad, like=input)


def full_like(input, fill_value, dtype=None, requires_grad=False, **_):
    return _filled(
        lambda xp, s, d: xp.full(s, fill_value, dtype=d),
        (input.shape,),
        dtype or input.dtype,
        requires_grad,
        like=input,
    )


def _zeros(xp, shape, dtype):
    return xp.zeros(shape, dtype=dtype)


def _ones(xp, shape, dtype):
    return xp.ones(shape, dtype=dtype)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values start, start+step, … below end; int64 unless a bound or step is a float."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    values = [x.item() if isinstance(x, Tensor) else x for x in (start, end, step)]
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        dtype = get_default_dtype() if any(isinstance(v, float) for v in values) else int64
    d = to_dtype(dtype)
    return _finish(np.arange(*values).astype(d.numpy), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    d = to_dtype(dtype) if dtype is not None else get_default_dtype()
    return _finish(np.linspace(start, end, int(steps)).astype(d.numpy), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    d = to_dtype(dtype) if dtype is not None else get_default_dtype()
    return _finish(np.eye(n, m, dtype=d.numpy), requires_grad)


# ---------------------------------------------------------------- random numbers
# the random functions live in chainrule.random and are re-exported with the others
from .random import (  # noqa: E402
    Generator,
    _rng,  # noqa: F401 -- ops.inplace's random fills draw from it
    bernoulli,
    default_generator,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
)
