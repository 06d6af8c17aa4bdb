"""softmax and log_softmax over one dim, fused for numerical stability."""

from .._dtype import to_dtype
from .._shape import normalize_dim
from ._registry import OpDef, apply


def _log_softmax(xp, a, dim):
    shifted = a - xp.amax(a, (dim,), True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), (dim,), True))


def _softmax(xp, a, dim):
    e = xp.exp(a - xp.amax(a, (dim,), True))
    return e / xp.sum(e, (dim,), True)


SOFTMAX = OpDef(
    "SoftmaxBackward0",
    _softmax,
    saves_out=True,
    params=("dim",),
    grads=[lambda xp, g, out, dim: out * (g - xp.sum(g * out, (dim,), True))],  # s(g − Σ g s)
    jvp=lambda xp, t, a, out, dim: out * (t[0] - xp.sum(t[0] * out, (dim,), True)),
)
LOG_SOFTMAX = OpDef(
    "LogSoftmaxBackward0",
    _log_softmax,
    saves_out=True,
    params=("dim",),
    grads=[lambda xp, g, out, dim: g - xp.exp(out) * xp.sum(g, (dim,), True)],  # g − s Σg
    jvp=lambda xp, t, a, out, dim: t[0] - xp.sum(xp.exp(out) * t[0], (dim,), True),
)


def _prepare(input, dim, dtype, name):
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}: expected a floating point input, got {input.dtype}; "
            f"convert with .float() or pass dtype="
        )
    if dim is None:
        raise TypeError(f"{name}() missing the required argument 'dim'")
    return input, normalize_dim(dim, input._data.ndim, name)


def softmax(input, dim, dtype=None):
    """exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim``."""
    input, d = _prepare(input, dim, dtype, "softmax")
    return apply(SOFTMAX, (input,), (d,))


def log_softmax(input, dim, dtype=None):
    """xᵢ − log Σⱼ exp(xⱼ) along ``dim``, computed without overflow."""
    input, d = _prepare(input, dim, dtype, "log_softmax")
    return apply(LOG_SOFTMAX, (input,), (d,))
