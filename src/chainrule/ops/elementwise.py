"""Elementwise ops: arithmetic, unary maths, activations, comparisons, clamp and where.

Each row: PyTorch's grad_fn name, the forward ``forward(xp, *arrays, *params)``, then one
formula per tensor input, ``formula(xp, g, *saved, [out], *params)``, with the derivative
in a comment.  Every row here is ``elementwise``: its tangent rule is its backward formulas.
"""

import math

import numpy as np

from .._backend import dtype_kind, namespace_of, numpy_backend
from .._construct import tensor
from .._dtype import result_type
from .._tensor import Tensor, wrap
from ._registry import OpDef, _promote_pair, apply, as_tensor_operand

# ---------------------------------------------------------------- arithmetic
ADD = OpDef(
    "AddBackward0",
    lambda xp, a, b: xp.add(a, b),
    elementwise=True,
    grads=[
        lambda xp, g: g,  # ∂(a+b)/∂a = 1
        lambda xp, g: g,  # ∂(a+b)/∂b = 1
    ],
)
SUB = OpDef(
    "SubBackward0",
    lambda xp, a, b: xp.subtract(a, b),
    elementwise=True,
    grads=[
        lambda xp, g: g,  # ∂(a-b)/∂a = 1
        lambda xp, g: -g,  # ∂(a-b)/∂b = -1
    ],
)
RSUB = OpDef(
    "RsubBackward1",
    lambda xp, a, b: xp.subtract(b, a),
    elementwise=True,
    grads=[
        lambda xp, g: -g,  # number − a: ∂/∂a = −1
        lambda xp, g: g,
    ],
)
MUL = OpDef(
    "MulBackward0",
    lambda xp, a, b: xp.multiply(a, b),
    elementwise=True,
    saves=(0, 1),
    grads=[
        lambda xp, g, a, b: g * b,  # ∂(ab)/∂a = b
        lambda xp, g, a, b: g * a,  # ∂(ab)/∂b = a
    ],
)
DIV = OpDef(
    "DivBackward0",
    lambda xp, a, b: xp.divide(a, b),
    elementwise=True,
    saves=(0, 1),
    to_float=True,
    grads=[
        lambda xp, g, a, b: g / b,  # ∂(a/b)/∂a = 1/b
        lambda xp, g, a, b: -g * a / (b * b),  # ∂(a/b)/∂b = -a/b²
    ],
)


def _power(xp, a, p):
    # aᵖ; as PyTorch, the common exponents multiply, divide or take square roots (NumPy's
    # generic pow is ~50x slower) and give PyTorch's values bit for bit
    if p == 2:
        return a * a
    if p == 3:
        out = a * a
        out *= a  # (a·a)·a, into the fresh array
        return out
    if xp.isdtype(a.dtype, "real floating"):
        if p == -1:
            return 1 / a
        if p == -2:
            return 1 / (a * a)
        if p == 0.5:
            return xp.sqrt(a)
        if p == -0.5:
            return 1 / xp.sqrt(a)
    return xp.pow(a, p)


POW = OpDef(
    "PowBackward0",
    _power,
    elementwise=True,
    saves=(0,),
    params=("exponent",),
    grads=[
        # ∂(aᵖ)/∂a = p·aᵖ⁻¹ (zero for p = 0, also at a = 0)
        lambda xp, g, a, p: g * (p * a ** (p - 1)) if p != 0 else g * 0
    ],
)
POW_TENSOR = OpDef(
    "PowBackward1",
    lambda xp, a, b: xp.pow(a, b),
    elementwise=True,
    saves=(0, 1),
    saves_out=True,
    grads=[
        # ∂(aᵇ)/∂a = b·aᵇ⁻¹, taken as 0 where b = 0 (also at a = 0), as PyTorch does
        lambda xp, g, a, b, out: xp.where(b == 0, 0, g * (b * a ** (b - 1))),
        # ∂(aᵇ)/∂b = aᵇ ln a, taken as 0 where a = 0 and b ≥ 0
        lambda xp, g, a, b, out: xp.where((a == 0) & (b >= 0), 0, g * (out * xp.log(a))),
    ],
)
POW_SCALAR_BASE = OpDef(
    "PowBackward2",
    lambda xp, x, base: xp.pow(base, x),
    elementwise=True,
    saves_out=True,
    params=("base",),
    grads=[lambda xp, g, out, base: g * (out * math.log(base))],
)  # ∂(cˣ)/∂x = cˣ ln c


def add(input, other, *, alpha=1):
    """input + alpha·other, broadcasting."""
    if alpha != 1:
        other = as_tensor_operand(other) * alpha
    return apply(ADD, (input, other))


def sub(input, other, *, alpha=1):
    """input − alpha·other, broadcasting."""
    if alpha != 1:
        other = as_tensor_operand(other) * alpha
    return apply(SUB, (input, other))


def rsub(input, other, *, alpha=1):
    """other − alpha·input (what ``number - tensor`` computes)."""
    if alpha != 1:
        input = as_tensor_operand(input) * alpha
    return apply(RSUB, (input, other))


def mul(input, other):
    """input · other elementwise, broadcasting."""
    return apply(MUL, (input, other))


def div(input, other, *, rounding_mode=None):
    """input / other elementwise (true division; integers give floats)."""
    if rounding_mode is not None:
        return _floor_or_trunc_divide(input, other, rounding_mode)
    return apply(DIV, (input, other))


def pow(input, exponent):
    """inputᵉˣᵖᵒⁿᵉⁿᵗ; the exponent may be a number or a tensor (and so may the base)."""
    exponent = as_tensor_operand(exponent)
    if not isinstance(input, Tensor):
        if isinstance(input, (int, float)) and isinstance(exponent, Tensor):
            if not exponent.dtype.is_floating_point:
                if isinstance(input, int):  # int ** int tensor stays integer, as in PyTorch
                    return wrap(np.asarray(np.power(input, exponent._data)))
                exponent = exponent.float()
            return apply(POW_SCALAR_BASE, (exponent,), (input,))
        input = as_tensor_operand(input)
    if isinstance(exponent, Tensor):
        return apply(POW_TENSOR, (input, exponent))
    if not input.dtype.is_floating_point and (isinstance(exponent, float) or exponent < 0):
        input = input.float()
    return apply(POW, (input,), (exponent,))


def neg(input):
    """−input."""
    return apply(NEG, (input,))


def refuse_integer_zero_divisor(a, b, name):
    """PyTorch raises on an integer division by zero (NumPy would give 0 and a warning);
    ``a``, ``b``: the operands, tensors or Python numbers."""

    def is_integer(x):
        if isinstance(x, Tensor):
            return not x.dtype.is_floating_point and not x.dtype.is_complex
        return isinstance(x, (int, np.integer))

    if not (is_integer(a) and is_integer(b)):
        return
    if isinstance(b, Tensor):
        zero = namespace_of(b._data).first_where(b._data, b._data == 0) is not None
    else:
        zero = b == 0
    if zero:
        raise RuntimeError(
            f"ZeroDivisionError: integer {name} by zero (the divisor holds a 0); divide "
            f"floating-point tensors to get inf or nan instead"
        )


def _floor_or_trunc_divide(input, other, mode):
    a, b = as_tensor_operand(input), as_tensor_operand(other)
    if mode not in ("floor", "trunc"):
        raise ValueError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'"
        )
    refuse_integer_zero_divisor(a, b, "division")
    ad, bd, _ = _promote_pair(MUL, a, b)
    if mode == "floor":
        q = np.floor_divide(ad, bd)
    elif np.result_type(ad, bd).kind in "iu":  # exact: floor, one up where it rounded down
        q = np.floor_divide(ad, bd)
        q += (np.remainder(ad, bd) != 0) & ((ad < 0) != (bd < 0))
    else:
        q = np.trunc(np.true_divide(ad, bd))
    if isinstance(q, np.ndarray) and q.dtype != np.result_type(ad, bd):
        q = q.astype(np.result_type(ad, bd))
    return wrap(np.asarray(q))


# ---------------------------------------------------------------- unary maths
NEG = OpDef(
    "NegBackward0", lambda xp, a: xp.negative(a), elementwise=True, grads=[lambda xp, g: -g]
)  # ∂(−a) = −1
ABS = OpDef(
    "AbsBackward0",
    lambda xp, a: xp.abs(a),
    elementwise=True,
    saves=(0,),
    grads=[lambda xp, g, a: g * xp.sign(a)],
)  # ∂|a| = sign a
EXP = OpDef(
    "ExpBackward0",
    lambda xp, a: xp.exp(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * out],
)  # ∂eᵃ = eᵃ
LOG = OpDef(
    "LogBackward0",
    lambda xp, a: xp.log(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g / a],
)  # ∂ln a = 1/a
LOG1P = OpDef(
    "Log1PBackward0",
    lambda xp, a: xp.log1p(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g / (a + 1)],
)  # 1/(1+a)
EXPM1 = OpDef(
    "Expm1Backward0",
    lambda xp, a: xp.expm1(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * (out + 1)],
)  # eᵃ = out+1
SQRT = OpDef(
    "SqrtBackward0",
    lambda xp, a: xp.sqrt(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g / (2 * out)],
)  # 1/(2√a)
RSQRT = OpDef(
    "RsqrtBackward0",
    lambda xp, a: 1 / xp.sqrt(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * (-0.5 * out * out * out)],
)  # −½a^(−3/2)
SIN = OpDef(
    "SinBackward0",
    lambda xp, a: xp.sin(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * xp.cos(a)],
)  # ∂sin = cos
COS = OpDef(
    "CosBackward0",
    lambda xp, a: xp.cos(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * -xp.sin(a)],
)  # ∂cos = −sin
TAN = OpDef(
    "TanBackward0",
    lambda xp, a: xp.tan(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * (1 + out * out)],
)  # 1 + tan²
TANH = OpDef(
    "TanhBackward0",
    lambda xp, a: xp.tanh(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * (1 - out * out)],
)  # 1 − tanh²


SIGMOID = OpDef(
    "SigmoidBackward0",
    lambda xp, a: xp.sigmoid(a),
    elementwise=True,
    saves_out=True,
    to_float=True,
    grads=[lambda xp, g, out: g * (out * (1 - out))],
)  # σ(1−σ)
RELU = OpDef(
    "ReluBackward0",
    lambda xp, a: xp.maximum(a, 0),
    elementwise=True,
    saves_out=True,
    grads=[lambda xp, g, out: xp.threshold_backward(g, out)],
)  # 1 where a > 0
# relu's gradient g·[out > 0] as an op of its own, so that under create_graph it stays
# attached to `out` (with a zero derivative there), as PyTorch's ThresholdBackward is
THRESHOLD_BACKWARD = OpDef(
    "ThresholdBackwardBackward0",
    lambda xp, g, out: g * (out > 0),
    elementwise=True,
    saves=(0, 1),
    grads=[
        lambda xp, gg, g, out: xp.threshold_backward(gg, out),  # ∂/∂g = [out > 0]
        lambda xp, gg, g, out: gg * 0,  # ∂/∂out = 0
    ],
)


def _softplus(xp, a, beta, threshold):
    # log(1 + e^(βa))/β, linear above the threshold, as PyTorch
    z = a * beta
    return xp.astype(xp.where(z > threshold, a, xp.logaddexp(0, z) / beta), a.dtype, copy=False)


SOFTPLUS = OpDef(
    "SoftplusBackward0",
    _softplus,
    elementwise=True,
    saves=(0,),
    params=("beta", "threshold"),
    to_float=True,
    grads=[
        lambda xp, g, a, beta, threshold: (  # σ(βa)
            xp.where(a * beta > threshold, g, g * xp.sigmoid(a * beta))
        )
    ],
)
_erf_scalar = np.frompyfunc(math.erf, 1, 1)
_erf_vectorised = []  # SciPy's erf, looked up on first use


def _erf(a):
    """erf elementwise: SciPy's vectorised erf when SciPy is installed (about 10x faster,
    which GELU feels), else ``math.erf`` element by element; both to the last bit or so."""
    if not _erf_vectorised:
        try:
            from scipy.special import erf
        except ImportError:
            erf = None
        _erf_vectorised.append(erf)
    erf = _erf_vectorised[0]
    if erf is not None and isinstance(a, np.ndarray):
        return erf(a)
    return np.asarray(_erf_scalar(a), dtype=a.dtype)


ERF = OpDef(
    "ErfBackward0",
    lambda xp, a: _erf(a),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * ((2 / math.sqrt(math.pi)) * xp.exp(-(a * a)))],
)  # 2/√π e^(−a²)
SIGN = OpDef(
    "SignBackward0", lambda xp, a: xp.sign(a), elementwise=True, grads=[lambda xp, g: g * 0]
)  # 0 almost everywhere


def abs(input):
    return apply(ABS, (input,))


def exp(input):
    return apply(EXP, (input,))


def log(input):
    return apply(LOG, (input,))


def log1p(input):
    return apply(LOG1P, (input,))


def expm1(input):
    return apply(EXPM1, (input,))


def sqrt(input):
    return apply(SQRT, (input,))


def rsqrt(input):
    return apply(RSQRT, (input,))


def sin(input):
    return apply(SIN, (input,))


def cos(input):
    return apply(COS, (input,))


def tan(input):
    return apply(TAN, (input,))


def tanh(input):
    return apply(TANH, (input,))


def sigmoid(input):
    return apply(SIGMOID, (input,))


def relu(input):
    return apply(RELU, (input,))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(β·x))/β, reverting to x where β·x > threshold."""
    return apply(SOFTPLUS, (input,), (beta, threshold))


def erf(input):
    return apply(ERF, (input,))


def sign(input):
    return apply(SIGN, (input,))


def square(input):
    return pow(input, 2)


# ---------------------------------------------------------------- clamp, max/min, where
def _clamp_mask(a, lo, hi):
    if lo is None:
        return a <= hi
    if hi is None:
        return a >= lo
    return (a >= lo) & (a <= hi)


CLAMP = OpDef(
    "ClampBackward1",
    lambda xp, a, lo, hi: xp.clip(a, lo, hi),
    elementwise=True,
    saves=(0,),
    params=("min", "max"),
    grads=[lambda xp, g, a, lo, hi: xp.where(_clamp_mask(a, lo, hi), g, g * 0)],
)  # 1 inside [lo, hi]
MAXIMUM = OpDef(
    "MaximumBackward0",
    lambda xp, a, b: xp.maximum(a, b),
    elementwise=True,
    saves=(0, 1),
    grads=[
        lambda xp, g, a, b: xp.where(a > b, g, xp.where(a == b, g * 0.5, g * 0)),  # ties share
        lambda xp, g, a, b: xp.where(a < b, g, xp.where(a == b, g * 0.5, g * 0)),
    ],
)
MINIMUM = OpDef(
    "MinimumBackward0",
    lambda xp, a, b: xp.minimum(a, b),
    elementwise=True,
    saves=(0, 1),
    grads=[
        lambda xp, g, a, b: xp.where(a < b, g, xp.where(a == b, g * 0.5, g * 0)),
        lambda xp, g, a, b: xp.where(a > b, g, xp.where(a == b, g * 0.5, g * 0)),
    ],
)


def _clamp_tensor_row(name):
    # bounds given as tensors: the gradient goes to whichever of (a, lo, hi) is the output
    return OpDef(
        name,
        lambda xp, a, b, c: xp.clip(a, b, c),
        elementwise=True,
        saves=(0, 1, 2),
        grads=[
            lambda xp, g, a, lo, hi: xp.where((a >= lo) & (a <= hi), g, g * 0),
            lambda xp, g, a, lo, hi: xp.where(a < lo, g, g * 0),
            lambda xp, g, a, lo, hi: xp.where(a > hi, g, g * 0),
        ],
    )


CLAMP_TENSOR = _clamp_tensor_row("ClampBackward0")
CLAMP_MIN_TENSOR = _clamp_tensor_row("ClampMinBackward1")
CLAMP_MAX_TENSOR = _clamp_tensor_row("ClampMaxBackward1")


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; either bound may be None or a tensor."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        op = (
            CLAMP_TENSOR
            if min is not None and max is not None
            else CLAMP_MIN_TENSOR
            if min is not None
            else CLAMP_MAX_TENSOR
        )
        lo = as_tensor_operand(-math.inf if min is None else min)
        hi = as_tensor_operand(math.inf if max is None else max)
        return apply(op, (input, lo, hi))
    return apply(CLAMP, (input,), (min, max))


clip = clamp


def maximum(input, other):
    return apply(MAXIMUM, (input, other))


def minimum(input, other):
    return apply(MINIMUM, (input, other))


WHERE = OpDef(
    "WhereBackward0",
    lambda xp, cond, a, b: xp.where(cond, a, b),
    elementwise=True,
    promotes=(1, 2),
    saves=(0,),
    grads=[
        None,
        lambda xp, g, cond: xp.where(cond, g, 0),  # g where cond
        lambda xp, g, cond: xp.where(cond, 0, g),  # g elsewhere
    ],
)


def where(condition, input, other):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcasting)."""
    cond = condition if isinstance(condition, Tensor) else wrap(np.asarray(condition, bool))
    if dtype_kind(cond._data.dtype) != "b":
        cond = cond.bool()
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        # two numbers: PyTorch's result type (the default float dtype for floats)
        input = as_tensor_operand(input)
        if not isinstance(input, Tensor):
            input = tensor(input, dtype=result_type(input, other))
    return apply(WHERE, (cond, input, other))


# ---------------------------------------------------------------- comparisons and logic
def _compare(name, a, b):
    """The backend's elementwise predicate ``name`` (``less``, ``logical_and``, …): a bool
    tensor, not differentiable, in the operands' promoted dtype."""
    a, b = as_tensor_operand(a), as_tensor_operand(b)
    ad = a._data if isinstance(a, Tensor) else a
    bd = b._data if isinstance(b, Tensor) else b
    if isinstance(a, Tensor) and isinstance(b, Tensor) and ad.dtype != bd.dtype:
        ad, bd, _ = _promote_pair(MUL, a, b)
    xp = namespace_of(ad if isinstance(a, Tensor) else bd)
    if not isinstance(a, Tensor):  # a number on the left: the backend wants an array there
        ad = xp.asarray(ad, dtype=bd.dtype) if xp is not numpy_backend else ad
    return wrap(xp.asarray(getattr(xp, name)(ad, bd)))


def eq(input, other):
    return _compare("equal", input, other)


def ne(input, other):
    return _compare("not_equal", input, other)


def lt(input, other):
    return _compare("less", input, other)


def le(input, other):
    return _compare("less_equal", input, other)


def gt(input, other):
    return _compare("greater", input, other)


def ge(input, other):
    return _compare("greater_equal", input, other)


def logical_and(input, other):
    return _compare("logical_and", input, other)


def logical_or(input, other):
    return _compare("logical_or", input, other)


def logical_xor(input, other):
    return _compare("logical_xor", input, other)


def logical_not(input):
    return wrap(namespace_of(input._data).logical_not(input._data))


def bitwise_not(input):
    if input.dtype.is_floating_point:
        raise TypeError(
            f"bitwise_not (~) is only defined for bool and integer tensors, got {input.dtype}"
        )
    return wrap(np.asarray(np.invert(input._data)))


def isnan(input):
    return wrap(namespace_of(input._data).isnan(input._data))


def isfinite(input):
    return wrap(namespace_of(input._data).isfinite(input._data))


def isinf(input):
    return wrap(namespace_of(input._data).isinf(input._data))


def equal(input, other):
    """True if both tensors have the same shape and elements."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input − other| ≤ atol + rtol·|other| (a bool tensor)."""
    a = input._data
    b = other._data if isinstance(other, Tensor) else other
    return wrap(np.asarray(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


# ---------------------------------------------------------------- rounding (zero gradient)
def _rounding_row(name, fn):
    # piecewise constant: ∂ = 0
    return OpDef(name, fn, elementwise=True, grads=[lambda xp, g: g * 0])


FLOOR = _rounding_row("FloorBackward0", lambda xp, a: xp.floor(a))
CEIL = _rounding_row("CeilBackward0", lambda xp, a: xp.ceil(a))
ROUND = _rounding_row("RoundBackward0", lambda xp, a: xp.round(a))
TRUNC = _rounding_row("TruncBackward0", lambda xp, a: xp.trunc(a))


def floor(input):
    return apply(FLOOR, (input,))


def ceil(input):
    return apply(CEIL, (input,))


def round(input, decimals=0):
    """Round half to even, as PyTorch (and NumPy) do."""
    if decimals:
        scale = 10.0**decimals
        return apply(ROUND, (input * scale,)) / scale
    return apply(ROUND, (input,))


def trunc(input):
    return apply(TRUNC, (input,))
