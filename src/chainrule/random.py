"""Random numbers: ``Generator`` and every sampling function, each taking ``generator=``.

One seeded ``default_generator`` serves calls without ``generator=``; a
``Generator().manual_seed(s)`` gives a private, reproducible stream.  Both draw from
NumPy's PCG64, so the numbers differ from PyTorch's stream but follow the same
distributions: uniform (``rand``), normal (``randn``, ``normal``), integer (``randint``,
``randperm``), categorical (``multinomial``), Bernoulli and Poisson.

The samplers that take tensors (``normal``, ``bernoulli``, ``poisson``) record a node as
PyTorch does (``NormalBackward1``, ``BernoulliBackward0``, …) whose gradient is zero: a
sample is not a differentiable function of its parameters.
"""

import numpy as np

from ._dtype import get_default_dtype, int64, to_dtype
from ._shape import normalize_shape
from ._tensor import Tensor, wrap
from .ops._registry import OpDef, apply

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
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
]


class Generator:
    """A seedable source of random numbers (NumPy's PCG64 underneath).

    Example:
        >>> g = chainrule.Generator().manual_seed(0)
        >>> chainrule.rand(2, generator=g)   # the same two numbers on every run
    """

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Restart the stream from ``seed``; returns the generator."""
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Reseed from the operating system's entropy; returns the new seed."""
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

    @property
    def device(self):
        return "cpu"


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator: the same seed gives the same random numbers."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be a chainrule.Generator, got {type(generator).__name__}; "
            f"create one with chainrule.Generator().manual_seed(seed)"
        )
    return generator._rng


def _check_device(device):
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"chainrule runs on the CPU only; device '{device}' is not available")


def _finish(array, requires_grad):
    t = wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype, name):
    d = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if not d.is_floating_point:
        raise NotImplementedError(f"{name}: random floats need a floating dtype, got {d}")
    return d


def _floats(draw, shape, d):
    """``draw(shape, dtype)`` in ``d``; NumPy draws only float32/float64, so float16 is
    drawn in float32 and rounded."""
    if d.numpy.itemsize >= 4:
        return draw(shape, dtype=d.numpy)
    return draw(shape, dtype=np.float32).astype(d.numpy)


# ---------------------------------------------------------------- uniform, normal, integers
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples uniform on [0, 1), of shape ``size``."""
    _check_device(device)
    d = _float_dtype(dtype, "rand")
    shape = normalize_shape(size)
    return _finish(_floats(_rng(generator).random, shape, d), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples of the standard normal distribution N(0, 1), of shape ``size``."""
    _check_device(device)
    d = _float_dtype(dtype, "randn")
    shape = normalize_shape(size)
    return _finish(_floats(_rng(generator).standard_normal, shape, d), requires_grad)


def randint(
    low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False
):
    """Integers uniform on [low, high) (``randint(high, size)``: on [0, high)), int64 unless
    ``dtype`` says otherwise."""
    _check_device(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if not isinstance(size, (tuple, list)) and not hasattr(size, "__len__"):
        raise TypeError(
            f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}"
        )
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    d = to_dtype(dtype) if dtype is not None else int64
    values = _rng(generator).integers(low, high, size=tuple(size))
    return _finish(values.astype(d.numpy), requires_grad)


def rand_like(input, *, generator=None, dtype=None, requires_grad=False, **_):
    return rand(
        input.shape, generator=generator, dtype=dtype or input.dtype, requires_grad=requires_grad
    )


def randn_like(input, *, generator=None, dtype=None, requires_grad=False, **_):
    return randn(
        input.shape, generator=generator, dtype=dtype or input.dtype, requires_grad=requires_grad
    )


def randint_like(input, low, high=None, *, generator=None, dtype=None, **_):
    if high is None:  # randint_like(input, high)
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0 … n−1 (int64 unless ``dtype`` says otherwise)."""
    _check_device(device)
    d = to_dtype(dtype) if dtype is not None else int64
    return _finish(_rng(generator).permutation(int(n)).astype(d.numpy), requires_grad)


# ---------------------------------------------------------------- samplers with parameters
def _zero(xp, g, *_):
    return g * 0  # a sample does not change smoothly with its parameters


def _normal_forward(xp, mean, std, rng):
    # mean + std·z, z ~ N(0, 1), in the result's dtype
    shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
    dt = (mean if isinstance(mean, np.ndarray) else std).dtype
    z = rng.standard_normal(shape, dtype=dt if dt.itemsize >= 4 else np.float32)
    return (mean + std * z).astype(dt, copy=False)


# PyTorch's three names: tensor mean with a float std, float mean with a tensor std, both
# tensors; the row's inputs are the tensors only, the float goes in as a parameter
NORMAL_TENSOR_FLOAT = OpDef(
    "NormalBackward1",
    lambda xp, mean, std, rng: _normal_forward(xp, mean, std, rng),
    params=("std", "generator"),
    grads=[_zero],
)
NORMAL_FLOAT_TENSOR = OpDef(
    "NormalBackward2",
    lambda xp, std, mean, rng: _normal_forward(xp, mean, std, rng),
    params=("mean", "generator"),
    grads=[_zero],
)
NORMAL_TENSOR_TENSOR = OpDef(
    "NormalBackward3",
    _normal_forward,
    params=("generator",),
    broadcasts=True,
    grads=[_zero, _zero],
)
BERNOULLI = OpDef(
    "BernoulliBackward0",
    lambda xp, p, rng: (rng.random(p.shape) < p).astype(p.dtype),  # 1 with probability p
    params=("generator",),
    grads=[_zero],
)
POISSON = OpDef(
    "PoissonBackward0",
    lambda xp, rate, rng: np.asarray(rng.poisson(rate), dtype=rate.dtype),
    params=("generator",),
    grads=[_zero],
)


def _floating_input(name, x, what):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): {what} must be a Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise NotImplementedError(
            f"{name}(): {what} must have a floating dtype, got {x.dtype}; convert it first, "
            f"e.g. with .float()"
        )


def _check_std(std):
    data = std._data if isinstance(std, Tensor) else std
    if isinstance(std, Tensor):
        if np.any(data < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def normal(
    mean,
    std=1.0,
    size=None,
    *,
    generator=None,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
):
    """Samples of N(mean, std²), elementwise.

    ``normal(mean_tensor, std_tensor)`` broadcasts the two; ``normal(mean_tensor, s)`` and
    ``normal(m, std_tensor)`` take one number; ``normal(m, s, size)`` fills a new tensor
    of shape ``size`` (the default float dtype unless ``dtype`` is given).  The result has
    the dtype of the mean tensor (of ``std`` when ``mean`` is a number).

    Example:
        >>> chainrule.normal(0.0, 2.0, (3,), generator=chainrule.Generator().manual_seed(0))
    """
    _check_device(device)
    if out is not None:
        raise NotImplementedError("normal(out=...) is not supported; use the returned tensor")
    rng = _rng(generator)
    m_is_t, s_is_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not m_is_t and not s_is_t:
        if size is None:
            raise TypeError(
                "normal(): with a float mean and std, give the output's size: "
                "normal(mean, std, size)"
            )
        _check_std(std)
        d = _float_dtype(dtype, "normal")
        z = _floats(rng.standard_normal, normalize_shape((size,)), d)
        return _finish((mean + std * z).astype(d.numpy, copy=False), requires_grad)
    if size is not None:
        raise TypeError("normal(): size is only accepted with a float mean and a float std")
    _check_std(std)
    if m_is_t and s_is_t:
        _floating_input("normal", mean, "mean")
        _floating_input("normal", std, "std")
        try:
            np.broadcast_shapes(mean._data.shape, std._data.shape)
        except ValueError:
            a, b = list(mean._data.shape), list(std._data.shape)
            raise RuntimeError(
                f"normal: the shapes of mean {a} and std {b} do not broadcast together"
            ) from None
        std = std if std._data.dtype == mean._data.dtype else std.to(mean.dtype)
        return apply(NORMAL_TENSOR_TENSOR, (mean, std), (rng,))
    if m_is_t:
        _floating_input("normal", mean, "mean")
        return apply(NORMAL_TENSOR_FLOAT, (mean,), (float(std), rng))
    _floating_input("normal", std, "std")
    return apply(NORMAL_FLOAT_TENSOR, (std,), (float(mean), rng))


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (elementwise, or the number ``p`` for every element),
    else 0, in ``input``'s dtype."""
    if out is not None:
        raise NotImplementedError("bernoulli(out=...) is not supported; use the returned tensor")
    _floating_input("bernoulli", input, "input")
    rng = _rng(generator)
    if p is not None:  # PyTorch ignores input's values then, and records no gradient
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        return wrap((rng.random(input._data.shape) < p).astype(input._data.dtype))
    data = input._data
    if np.any((data < 0) | (data > 1)) or np.any(np.isnan(data)):
        raise RuntimeError(
            "bernoulli: every probability in input must be in [0, 1], got values outside it"
        )
    return apply(BERNOULLI, (input,), (rng,))


def poisson(input, generator=None):
    """A sample of the Poisson distribution with rate ``input`` (elementwise), as floats."""
    _floating_input("poisson", input, "input")
    if np.any(input._data < 0) or np.any(np.isnan(input._data)):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return apply(POISSON, (input,), (_rng(generator),))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categorical distribution(s) with weights ``input``.

    ``input`` holds non-negative weights (not necessarily summing to 1), one distribution
    of shape ``(C,)`` or a batch ``(N, C)``; the result has shape ``(num_samples,)`` or
    ``(N, num_samples)`` (int64).  Without ``replacement`` each index appears at most once
    per row (the draws are successive, each renormalised over the indices left), so
    ``num_samples`` may not exceed the number of indices with positive weight.
    """
    if out is not None:
        raise NotImplementedError("multinomial(out=...) is not supported")
    if not isinstance(input, Tensor) or not input.is_floating_point():
        got = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {got}")
    w = input._data
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = w.shape[-1]
    if not replacement and n > categories:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    rows = w.reshape(-1, categories).astype(np.float64)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    if replacement:
        # inverse-CDF sampling, all rows in one search: row i's cumulative shares are
        # shifted into (i, i + 1], so one sorted array holds every row's
        # (from the last category of positive weight on, exactly 1, so rounding never
        # lands on a trailing zero weight)
        cdf = np.cumsum(rows / totals, axis=1)
        last = categories - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)
        cdf[np.arange(categories) >= last[:, None]] = 1.0
        shift = np.arange(rows.shape[0])[:, None]
        u = rng.random((rows.shape[0], n)) + shift
        flat = np.searchsorted((cdf + shift).ravel(), u.ravel(), side="right")
        out = flat.reshape(u.shape) - shift * categories
    else:
        if np.any((rows > 0).sum(axis=1) < n):
            raise RuntimeError(
                "invalid multinomial distribution (with replacement=False, not "
                "enough non-negative category to sample)"
            )
        # successive draws without replacement = the n largest of log(w) + Gumbel noise
        # (the Gumbel-top-k trick), in one vectorised step
        with np.errstate(divide="ignore"):
            keys = np.log(rows) - np.log(-np.log(rng.random(rows.shape)))
        out = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    out = out.astype(np.int64)
    return wrap(out.reshape(n) if w.ndim == 1 else out)
