"""Special functions the distributions need, composed from public Tensor ops so they are
differentiable to any order: ``lgamma`` and ``digamma`` for positive arguments, the standard
normal quantile ``ndtri`` and the regularised incomplete gamma function ``gammainc``.

``ln Γ`` and ``ψ`` shift the argument up by ``SHIFT`` with the recurrence
``Γ(x) = Γ(x + N) / (x (x+1) … (x+N−1))`` and then use Stirling's asymptotic series, whose
first omitted term is below 1e-15 for ``x + N ≥ 10``.
"""

import math

import chainrule

SHIFT = 10
# Stirling's series: ln Γ(z) = (z − ½) ln z − z + ½ ln 2π + Σ_k B_2k / (2k (2k−1) z^(2k−1))
_LGAMMA_TERMS = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# its derivative: ψ(z) = ln z − 1/(2z) − Σ_k B_2k / (2k z^(2k))
_DIGAMMA_TERMS = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def _shifts(x):
    """``x + k`` for k = 0 … SHIFT−1, along a new last dimension."""
    return x.unsqueeze(-1) + chainrule.arange(SHIFT, dtype=x.dtype)


def _in_float64(fn):
    """Run ``fn`` in float64 and round back: the shift cancels about one digit in ten, which
    float32 cannot spare."""

    def wrapper(x):
        if x.dtype == chainrule.float64:
            return fn(x)
        return fn(x.to(chainrule.float64)).to(x.dtype)

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


@_in_float64
def lgamma(x):
    """``ln Γ(x)`` for ``x > 0`` (elementwise)."""
    z = x + SHIFT
    w = 1 / (z * z)
    series = 0.0
    for c in reversed(_LGAMMA_TERMS):  # Horner in 1/z²
        series = series * w + c
    stirling = (z - 0.5) * z.log() - z + 0.5 * math.log(2 * math.pi) + series / z
    return stirling - _shifts(x).log().sum(-1)


@_in_float64
def digamma(x):
    """``ψ(x) = d ln Γ(x) / dx`` for ``x > 0`` (elementwise)."""
    z = x + SHIFT
    w = 1 / (z * z)
    series = 0.0
    for c in reversed(_DIGAMMA_TERMS):
        series = series * w + c
    return z.log() - 0.5 / z - series * w - _shifts(x).reciprocal().sum(-1)


def ndtr(x):
    """The standard normal CDF ``Φ(x) = erfc(−x/√2) / 2`` (accurate in the lower tail)."""
    return 0.5 * chainrule.erfc(-x * math.sqrt(0.5))


def ndtri(p):
    """The standard normal quantile ``Φ⁻¹(p)`` for ``p`` in [0, 1] (elementwise).

    An initial guess (Abramowitz and Stegun 26.2.23, error below 5e-4) for the tail
    ``q = min(p, 1 − p)`` is refined by Newton's method on ``ln Φ(x) = ln q`` without
    recording.  A last step, the inverse's Taylor series to second order around that ``x``,
    ``x + δ + x δ²/2`` with ``δ = (p − Φ(x))/φ(x)``, is recorded, so the first and second
    derivatives are the exact quantile's: ``1/φ(x)`` and ``x/φ(x)²``.
    """
    with chainrule.no_grad():
        q = chainrule.minimum(p, 1 - p).clamp(min=chainrule.finfo(p.dtype).tiny)
        t = (-2 * q.log()).sqrt()
        num = 2.515517 + t * (0.802853 + t * 0.010328)
        den = 1 + t * (1.432788 + t * (0.189269 + t * 0.001308))
        x = num / den - t  # lower tail, x ≤ 0
        log_q = q.log()
        for _ in range(4):
            cdf = ndtr(x)
            x = x - (cdf.log() - log_q) * cdf / _pdf(x)
        x = chainrule.where(p > 0.5, -x, x)
    step = (p - ndtr(x)) / _pdf(x)
    x = x + step + 0.5 * x * step * step
    return chainrule.where(p == 0, -math.inf, chainrule.where(p == 1, math.inf, x))


def _pdf(x):
    return (-0.5 * x * x).exp() / math.sqrt(2 * math.pi)


def gammainc(a, x):
    """The regularised lower incomplete gamma function ``P(a, x)`` for ``a > 0``, ``x ≥ 0``.

    ``P(a, x) = x^a e^(−x) / Γ(a+1) · Σₙ Πₖ₌₁ⁿ x / (a+k)``, the terms summed in logs until
    they vanish (about ``x + 10√x + 40`` of them); differentiable in ``a`` and ``x``.
    """
    x_max = float(x.detach().max()) if x.numel() else 0.0
    terms = int(x_max + 10 * math.sqrt(x_max) + 40)
    a, x = a.unsqueeze(-1), x.unsqueeze(-1)
    safe_x = chainrule.where(x > 0, x, 1.0)
    log_terms = (safe_x.log() - (a + chainrule.arange(1, terms, dtype=a.dtype)).log()).cumsum(-1)
    log_sum = chainrule.cat([chainrule.zeros_like(log_terms[..., :1]), log_terms], -1)
    log_p = a * safe_x.log() - safe_x - lgamma(a + 1) + log_sum.logsumexp(-1, keepdim=True)
    return chainrule.where(x > 0, log_p.exp(), 0.0).squeeze(-1)
