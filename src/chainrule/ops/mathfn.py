"""More elementwise maths: reciprocal, log2/log10/exp2, hyperbolic and inverse trigonometric
functions, atan2, hypot, logaddexp, erfc, one-sided clamps, remainder/fmod and lerp.

Each row: PyTorch's grad_fn name, the NumPy forward, then one formula per tensor input,
``formula(xp, g, *saved, [out], *params)``, with the derivative in a comment.
"""

import math

import numpy as np

from .._dtype import get_default_dtype
from .._tensor import Tensor
from ._registry import OpDef, apply, as_tensor_operand
from .elementwise import CLAMP_MAX_TENSOR, CLAMP_MIN_TENSOR, _erf, refuse_integer_zero_divisor

_LN2, _LN10 = math.log(2), math.log(10)

# ---------------------------------------------------------------- unary maths
RECIPROCAL = OpDef(
    "ReciprocalBackward0",
    lambda xp, a: xp.reciprocal(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * -(out * out)],
)  # ∂(1/a) = −1/a²
LOG2 = OpDef(
    "Log2Backward0",
    lambda xp, a: xp.log2(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g / (a * _LN2)],
)  # 1/(a ln 2)
LOG10 = OpDef(
    "Log10Backward0",
    lambda xp, a: xp.log10(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g / (a * _LN10)],
)  # 1/(a ln 10)
EXP2 = OpDef(
    "Exp2Backward0",
    lambda xp, a: xp.exp2(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * (out * _LN2)],
)  # 2ᵃ ln 2
SINH = OpDef(
    "SinhBackward0",
    lambda xp, a: xp.sinh(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * xp.cosh(a)],
)  # ∂sinh = cosh
COSH = OpDef(
    "CoshBackward0",
    lambda xp, a: xp.cosh(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * xp.sinh(a)],
)  # ∂cosh = sinh
ASIN = OpDef(
    "AsinBackward0",
    lambda xp, a: xp.asin(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * (1 - a * a) ** -0.5],
)  # 1/√(1−a²)
ACOS = OpDef(
    "AcosBackward0",
    lambda xp, a: xp.acos(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * -((1 - a * a) ** -0.5)],
)  # −1/√(1−a²)
ATAN = OpDef(
    "AtanBackward0",
    lambda xp, a: xp.atan(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g / (1 + a * a)],
)  # 1/(1+a²)
_erfc_scalar = np.frompyfunc(math.erfc, 1, 1)
ERFC = OpDef(
    "ErfcBackward0",
    lambda xp, a: np.asarray(_erfc_scalar(a), dtype=a.dtype),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * ((-2 / math.sqrt(math.pi)) * xp.exp(-(a * a)))],
)  # −2/√π e^(−a²)
_erfinv_vectorised = []  # SciPy's erfinv, looked up on first use


def _erfinv(a):
    """erf⁻¹ elementwise: SciPy's when installed, else Newton's method on erf from a
    starting point good to about 1e-3 (three steps reach the last bits); ±1 give ±inf
    and |a| > 1 gives nan, as in PyTorch."""
    if not _erfinv_vectorised:
        try:
            from scipy.special import erfinv
        except ImportError:
            erfinv = None
        _erfinv_vectorised.append(erfinv)
    erfinv = _erfinv_vectorised[0]
    if erfinv is not None and isinstance(a, np.ndarray):
        return erfinv(a)
    x = np.asarray(a, dtype=np.float64)
    inside = np.abs(x) < 1
    t = np.where(inside, x, 0.0)
    # start: erf⁻¹(t) ≈ sign(t)·√(√((2/(πk) + L/2)² − L/k) − (2/(πk) + L/2)), L = ln(1 − t²)
    k = 0.147
    log_term = np.log1p(-t * t)
    head = 2 / (math.pi * k) + log_term / 2
    y = np.sign(t) * np.sqrt(np.sqrt(head * head - log_term / k) - head)
    for _ in range(3):
        y = y - (_erf(y) - t) / ((2 / math.sqrt(math.pi)) * np.exp(-y * y))
    y = np.where(inside, y, np.where(np.abs(x) == 1, np.sign(x) * np.inf, np.nan))
    return y.astype(np.asarray(a).dtype)


ERFINV = OpDef(
    "ErfinvBackward0",
    lambda xp, a: _erfinv(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * ((math.sqrt(math.pi) / 2) * xp.exp(out * out))],
)  # √π/2 · e^(erf⁻¹(a)²)
CLAMP_MIN = OpDef(
    "ClampMinBackward0",
    lambda xp, a, lo: xp.maximum(a, lo),
    elementwise=True,
    saves=(0,),
    params=("min",),
    grads=[lambda xp, g, a, lo: xp.where(a >= lo, g, g * 0)],
)  # 1 where a ≥ min
CLAMP_MAX = OpDef(
    "ClampMaxBackward0",
    lambda xp, a, hi: xp.minimum(a, hi),
    elementwise=True,
    saves=(0,),
    params=("max",),
    grads=[lambda xp, g, a, hi: xp.where(a <= hi, g, g * 0)],
)  # 1 where a ≤ max

# ---------------------------------------------------------------- two-input maths
ATAN2 = OpDef(
    "Atan2Backward0",
    lambda xp, a, b: xp.atan2(a, b),
    elementwise=True,
    saves=(0, 1),
    to_float=True,
    grads=[
        lambda xp, g, a, b: g * b / (a * a + b * b),  # ∂/∂a = b/(a²+b²)
        lambda xp, g, a, b: g * -a / (a * a + b * b),  # ∂/∂b = −a/(a²+b²)
    ],
)
HYPOT = OpDef(
    "HypotBackward0",
    lambda xp, a, b: xp.hypot(a, b),
    elementwise=True,
    saves=(0, 1),
    saves_out=True,
    to_float=True,
    grads=[
        lambda xp, g, a, b, out: g * a / out,  # ∂/∂a = a/√(a²+b²)
        lambda xp, g, a, b, out: g * b / out,  # ∂/∂b = b/√(a²+b²)
    ],
)
LOGADDEXP = OpDef(
    "LogaddexpBackward0",
    lambda xp, a, b: xp.logaddexp(a, b),
    elementwise=True,
    saves=(0, 1),
    to_float=True,
    grads=[
        lambda xp, g, a, b: g * xp.sigmoid(a - b),  # eᵃ/(eᵃ+eᵇ)
        lambda xp, g, a, b: g * xp.sigmoid(b - a),  # eᵇ/(eᵃ+eᵇ)
    ],
)
REMAINDER = OpDef(
    "RemainderBackward0",
    lambda xp, a, b: xp.remainder(a, b),
    elementwise=True,
    saves=(0, 1),
    grads=[
        lambda xp, g, a, b: g,  # ∂/∂a = 1
        lambda xp, g, a, b: g * -xp.floor_div(a, b),  # ∂/∂b = −⌊a/b⌋
    ],
)
FMOD = OpDef(
    "FmodBackward0",
    lambda xp, a, b: xp.fmod(a, b),
    elementwise=True,
    saves=(0, 1),
    grads=[
        lambda xp, g, a, b: g,  # ∂/∂a = 1
        lambda xp, g, a, b: g * -xp.trunc_div(a, b),  # ∂/∂b = −trunc(a/b)
    ],
)
LERP = OpDef(
    "LerpBackward0",
    lambda xp, a, b, w: a + w * (b - a),
    elementwise=True,
    params=("weight",),
    grads=[
        lambda xp, g, w: g * (1 - w),  # ∂/∂start = 1 − w
        lambda xp, g, w: g * w,  # ∂/∂end = w
    ],
)
LERP_TENSOR = OpDef(
    "LerpBackward1",
    lambda xp, a, b, w: a + w * (b - a),
    elementwise=True,
    saves=(0, 1, 2),
    grads=[
        lambda xp, g, a, b, w: g * (1 - w),  # ∂/∂start = 1 − w
        lambda xp, g, a, b, w: g * w,  # ∂/∂end = w
        lambda xp, g, a, b, w: g * (b - a),  # ∂/∂w = end − start
    ],
)


def reciprocal(input):
    """1/input elementwise (integers give floats)."""
    return apply(RECIPROCAL, (input,))


def log2(input):
    """Base-2 logarithm."""
    return apply(LOG2, (input,))


def log10(input):
    """Base-10 logarithm."""
    return apply(LOG10, (input,))


def exp2(input):
    """2 ** input elementwise."""
    return apply(EXP2, (input,))


def sinh(input):
    """Hyperbolic sine."""
    return apply(SINH, (input,))


def cosh(input):
    """Hyperbolic cosine."""
    return apply(COSH, (input,))


def asin(input):
    """Inverse sine (NaN outside [−1, 1])."""
    return apply(ASIN, (input,))


def acos(input):
    """Inverse cosine (NaN outside [−1, 1])."""
    return apply(ACOS, (input,))


def atan(input):
    """Inverse tangent."""
    return apply(ATAN, (input,))


def erfc(input):
    """Complementary error function 1 − erf(input)."""
    return apply(ERFC, (input,))


def erfinv(input):
    """Inverse error function: the y with erf(y) = input, for input in [−1, 1]."""
    return apply(ERFINV, (input,))


def _erfinv_(self):
    from .inplace import inplace

    return inplace(self, erfinv)


Tensor.erfinv = erfinv
Tensor.erfinv_ = _erfinv_


def atan2(input, other):
    """The angle of the point (other, input): arctan(input/other) in the right quadrant."""
    return apply(ATAN2, (as_tensor_operand(input), as_tensor_operand(other)))


def hypot(input, other):
    """√(input² + other²) elementwise, broadcasting."""
    return apply(HYPOT, (as_tensor_operand(input), as_tensor_operand(other)))


def logaddexp(input, other):
    """log(exp(input) + exp(other)), computed without overflow."""
    return apply(LOGADDEXP, (as_tensor_operand(input), as_tensor_operand(other)))


def remainder(input, other):
    """Python's modulo: input − ⌊input/other⌋·other (the sign of ``other``)."""
    a, b = as_tensor_operand(input), as_tensor_operand(other)
    refuse_integer_zero_divisor(a, b, "remainder")
    return apply(REMAINDER, (a, b))


def fmod(input, other):
    """C's fmod: input − trunc(input/other)·other (the sign of ``input``)."""
    a, b = as_tensor_operand(input), as_tensor_operand(other)
    refuse_integer_zero_divisor(a, b, "fmod")
    return apply(FMOD, (a, b))


def clamp_min(input, min):
    """max(input, min) elementwise; ``min`` may be a number or a tensor."""
    if isinstance(min, Tensor):
        return apply(CLAMP_MIN_TENSOR, (input, min, math.inf))
    return apply(CLAMP_MIN, (_float_for(input, min),), (min,))


def clamp_max(input, max):
    """min(input, max) elementwise; ``max`` may be a number or a tensor."""
    if isinstance(max, Tensor):
        return apply(CLAMP_MAX_TENSOR, (input, -math.inf, max))
    return apply(CLAMP_MAX, (_float_for(input, max),), (max,))


def _float_for(input, bound):
    # an integer tensor clamped by a float bound computes in the default float, as PyTorch
    if isinstance(bound, float) and not input.dtype.is_floating_point:
        return input.to(get_default_dtype())
    return input


def lerp(input, end, weight):
    """input + weight·(end − input); ``weight`` may be a number or a tensor."""
    for name, t in (("input", input), ("end", end)):
        if not isinstance(t, Tensor) or not t.dtype.is_floating_point:
            raise TypeError(
                f"lerp: expected {name} to be a floating-point Tensor, got "
                f"{getattr(t, 'dtype', type(t).__name__)}"
            )
    if input._data.dtype != end._data.dtype:
        raise RuntimeError(
            f"lerp: expected dtype {input.dtype} for `end` but got dtype {end.dtype}"
        )
    if isinstance(weight, Tensor):
        return apply(LERP_TENSOR, (input, end, weight))
    return apply(LERP, (input, end), (weight,))


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
