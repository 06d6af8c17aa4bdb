"""Creating tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled
(``zeros``, ``ones``, ``full``, ``empty``, ``eye``, ``arange``, ``linspace``) and random
(``rand``, ``randn``, ``randint``) from one seeded generator."""

import numpy as np

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


def _filled(fill, size, dtype, requires_grad, default=None):
    shape = normalize_shape(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    d = to_dtype(dtype) if dtype is not None else (default or get_default_dtype())
    return _finish(fill(shape, d.numpy), requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _filled(np.zeros, size, dtype, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _filled(np.ones, size, dtype, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _filled(np.zeros, size, dtype, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    default = (
        from_numpy_dtype(np.asarray(fill_value).dtype)
        if isinstance(fill_value, (bool, int))
        else None
    )
    return _filled(
        lambda s, d: np.full(s, fill_value, d), (tuple(size),), dtype, requires_grad, default
    )


def zeros_like(input, dtype=None, requires_grad=False, **_):
    return _filled(np.zeros, (input.shape,), dtype or input.dtype, requires_grad)


def ones_like(input, dtype=None, requires_grad=False, **_):
    return _filled(np.ones, (input.shape,), dtype or input.dtype, requires_grad)


def empty_like(input, dtype=None, requires_grad=False, **_):
    return _filled(np.zeros, (input.shape,), dtype or input.dtype, requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False, **_):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


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
class Generator:
    """A seedable source of random numbers (NumPy's PCG64 underneath)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self._rng = np.random.default_rng(self._seed)
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator: the same seed gives the same random numbers."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    return (generator or default_generator)._rng


def _float_dtype(dtype):
    d = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if not d.is_floating_point:
        raise RuntimeError(f"expected a floating point dtype for random floats, got {d}")
    return d


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    _check_device(device)
    d = _float_dtype(dtype)
    return _finish(_rng(generator).random(normalize_shape(size), dtype=d.numpy), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples."""
    _check_device(device)
    d = _float_dtype(dtype)
    return _finish(
        _rng(generator).standard_normal(normalize_shape(size), dtype=d.numpy), requires_grad
    )


def randint(
    low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False
):
    """Integers uniform in [low, high)."""
    _check_device(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    d = to_dtype(dtype) if dtype is not None else int64
    values = _rng(generator).integers(low, high, size=tuple(size))
    return _finish(values.astype(d.numpy), requires_grad)


def rand_like(input, dtype=None, requires_grad=False, **_):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False, **_):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low, high=None, dtype=None, **_):
    return randint(low, high, input.shape, dtype=dtype or input.dtype)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0 … n−1."""
    d = to_dtype(dtype) if dtype is not None else int64
    return _finish(_rng(generator).permutation(int(n)).astype(d.numpy), requires_grad)
