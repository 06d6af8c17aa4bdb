"""Special functions NumPy lacks: lgamma and digamma, vectorised, from NumPy's functions.

* log Γ(x): Lanczos' approximation (g = 7, nine terms; relative error near 1e-15) for
  x ≥ 1/2, and the reflection Γ(x)Γ(1 − x) = π / sin(πx) below.
* ψ(x) = d log Γ / dx: ten steps of the recurrence ψ(x) = ψ(x + 1) − 1/x lift x to
  x + 10 ≥ 10.5, where the asymptotic series (Bernoulli numbers) is accurate to about
  1e-17; below 1/2, the reflection ψ(1 − x) − ψ(x) = π cot(πx). ψ' (digamma's gradient)
  the same way, with PyTorch's shorter series.

ψ and ψ' are written against the array namespace ``xp``, so the same code is the forward,
the gradient formula and, under ``create_graph``, a recorded composite whose own gradient
is the next derivative (the series differentiated term by term stays asymptotic).
"""

import math

from .._tensor import Tensor
from . import inplace as P
from ._registry import OpDef, apply

_LANCZOS = (
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
)
_SHIFT = 10  # recurrence steps before the asymptotic series
# ψ(y) ~ ln y − 1/(2y) − Σ B₂ₖ/(2k y²ᵏ)
_PSI_SERIES = (-1 / 12, 1 / 120, -1 / 252, 1 / 240, -1 / 132, 691 / 32760, -1 / 12)


def _lgamma(xp, x):
    reflect = x < 0.5
    z = xp.where(reflect, 1 - x, x) - 1  # ≥ −1/2: Lanczos' sum for Γ(z + 1)
    series = _LANCZOS[0] + sum(c / (z + k) for k, c in enumerate(_LANCZOS[1:], 1))
    t = z + 7.5
    out = 0.5 * math.log(2 * math.pi) + (z + 0.5) * xp.log(t) - t + xp.log(series)
    sine = xp.abs(xp.sin(math.pi * xp.where(reflect, x, 0.5)))
    out = xp.where(reflect, math.log(math.pi) - xp.log(sine) - out, out)
    pole = reflect & (x % 1 == 0)  # 0, −1, −2, … (sin(πx) is not exactly 0 there)
    return xp.where(pole | xp.isinf(x), math.inf, out)


def _reflected(xp, x):
    """(x lifted to ≥ 1/2, where x was below 1/2, x below 1/2 or 1/4 elsewhere): the
    second keeps the reflection terms finite where they are not used."""
    reflect = x < 0.5
    return xp.where(reflect, 1 - x, x), reflect, xp.where(reflect, x, 0.25)


def _digamma(xp, x):
    y, reflect, xs = _reflected(xp, x)
    shifted = sum(1 / (y + k) for k in range(_SHIFT))
    y = y + _SHIFT
    inv2 = 1 / (y * y)
    series, power = 0, inv2
    for c in _PSI_SERIES:
        series = series + c * power
        power = power * inv2
    psi = xp.log(y) - 0.5 / y + series - shifted
    cot = xp.cos(math.pi * xs) / xp.sin(math.pi * xs)
    pole = reflect & (x % 1 == 0) & (x < 0)  # Γ has poles at 0, −1, −2, …: NaN there
    out = xp.where(reflect, psi - math.pi * cot, psi)
    return xp.where(pole, math.nan, out)


def _trigamma(xp, x):
    # PyTorch's ψ' (so gradients agree with its to 1e-15): 6 recurrence steps and the
    # series to 1/(42y⁷), whose truncation error is about 1e-9 relative near y = 6.5
    y, reflect, xs = _reflected(xp, x)
    shifted = sum(1 / ((y + k) * (y + k)) for k in range(6))
    y = y + 6
    inv2 = 1 / (y * y)
    psi1 = (1 + 0.5 / y + inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 / 42))) / y + shifted
    sine = xp.sin(math.pi * xs)
    return xp.where(reflect, math.pi**2 / (sine * sine) - psi1, psi1)


def _psi(xp, a):
    # recorded (create_graph): the DIGAMMA row, whose gradient is PyTorch's ψ', as its
    # lgamma's second derivative is; arrays: the same function computed directly
    return digamma(a) if isinstance(a, Tensor) else _digamma(xp, a)


def _in_double(fn):
    # float32 computed in float64 and rounded once (exact 0 at 1 and 2, as PyTorch)
    return lambda xp, a: xp.cast(fn(xp, xp.cast(a, "float64")), a.dtype)


LGAMMA = OpDef(
    "LgammaBackward0",
    _in_double(_lgamma),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * _psi(xp, a)],  # ∂ log Γ = ψ
)
DIGAMMA = OpDef(
    "DigammaBackward0",
    _in_double(_digamma),
    elementwise=True,
    saves=(0,),
    to_float=True,
    grads=[lambda xp, g, a: g * _trigamma(xp, a)],  # ∂ψ = ψ'
)


def lgamma(input):
    """log |Γ(input)| (inf at 0, −1, −2, …)."""
    return apply(LGAMMA, (input,))


def digamma(input):
    """ψ(input) = d log Γ(input) / d input (−inf at 0, NaN at −1, −2, …)."""
    return apply(DIGAMMA, (input,))


Tensor.lgamma = lgamma
Tensor.digamma = digamma
Tensor.lgamma_ = lambda self: P.inplace(self, lgamma)
Tensor.digamma_ = lambda self: P.inplace(self, digamma)
