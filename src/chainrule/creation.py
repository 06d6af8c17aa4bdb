"""Creating tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled
(``zeros``, ``ones``, ``full``, ``empty``, ``eye``, ``arange``, ``linspace``); the random
ones (``rand``, ``randn``, ``randint``, …) come from ``chainrule.random``."""

import numpy as np

from ._backend import namespace_of, numpy_backend
from ._construct import _check_device, _finish, as_tensor, from_numpy, tensor
from ._dtype import from_numpy_dtype, get_default_dtype, int64, to_dtype
from ._shape import normalize_shape
from ._tensor import Tensor

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
