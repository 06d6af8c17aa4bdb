"""The gamma and exponential distributions, and the standard-gamma sampler that the
Dirichlet and beta distributions share."""

import math
import numbers

import chainrule

from . import constraints
from ._special import digamma, gammainc, lgamma
from .distribution import Distribution
from .utils import batch_shape_of, broadcast_all

__all__ = ["Exponential", "Gamma"]


def standard_gamma(alpha):
    """Draws of Gamma(alpha, 1), one per element of ``alpha`` (not differentiable).

    Marsaglia and Tsang's method, vectorised: with ``d = a − 1/3``, ``c = 1/√(9d)``,
    ``z ~ N(0, 1)``, ``v = (1 + cz)³``, accept ``dv`` when ``ln u < z²/2 + d − dv + d ln v``;
    every element not yet accepted is redrawn in the next round (about 4% per round).  For
    ``alpha < 1`` a draw for ``alpha + 1`` is scaled by ``u^(1/alpha)``.
    """
    with chainrule.no_grad():
        boost = alpha < 1
        d = chainrule.where(boost, alpha + 1, alpha) - 1 / 3
        c = (9 * d).rsqrt()
        out = chainrule.zeros_like(alpha)
        done = chainrule.zeros_like(alpha).bool()
        tiny = chainrule.finfo(alpha.dtype).tiny
        while not bool(done.all()):
            z = chainrule.randn(alpha.shape, dtype=alpha.dtype)
            u = chainrule.rand(alpha.shape, dtype=alpha.dtype)
            v = (1 + c * z) ** 3
            log_v = v.clamp(min=tiny).log()
            accept = (v > 0) & (u.log() < 0.5 * z * z + d - d * v + d * log_v) & ~done
            out = chainrule.where(accept, d * v, out)
            done = done | accept
        u = chainrule.rand(alpha.shape, dtype=alpha.dtype)
        scale = chainrule.where(boost, u ** (1 / alpha), 1.0)
        return (out * scale).clamp(min=tiny)


def standard_gamma_grad(alpha, x):
    """``dx/dα`` for a draw ``x`` of Gamma(α, 1), by implicit differentiation of its CDF
    ``P(α, x) = u`` held fixed: ``dx/dα = −(∂P/∂α) / p(x; α)``.

    From the series ``P(α, x) = Σₙ x^(α+n) e^(−x) / Γ(α+n+1)``:
    ``dx/dα = Σₙ Rₙ (ψ(α+n+1) − ln x)`` with ``Rₙ = Πₖ₌₀ⁿ x / (α+k)`` and
    ``ψ(α+n+1) = ψ(α) + Σₖ₌₀ⁿ 1/(α+k)``, summed until the terms vanish (about
    ``x + 10√x + 40`` of them).
    """
    x_max = float(x.detach().max()) if x.numel() else 0.0
    terms = int(x_max + 10 * math.sqrt(x_max) + 40)
    a_k = alpha.unsqueeze(-1) + chainrule.arange(terms, dtype=alpha.dtype)
    log_x = x.log().unsqueeze(-1)
    r = (log_x - a_k.log()).cumsum(-1).exp()
    psi = digamma(alpha).unsqueeze(-1) + a_k.reciprocal().cumsum(-1)
    return (r * (psi - log_x)).sum(-1)


class _StandardGamma(chainrule.autograd.Function):
    """Draws of Gamma(α, 1) whose gradient w.r.t. α is the implicit one."""

    @staticmethod
    def forward(ctx, alpha):
        x = standard_gamma(alpha)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        with chainrule.no_grad():
            return g * standard_gamma_grad(alpha, x)


class Gamma(Distribution):
    """The gamma distribution with shape ``concentration`` (α) and ``rate`` (β).

    ``p(x) = βᵅ x^(α−1) e^(−βx) / Γ(α)`` for ``x ≥ 0``.  ``rsample`` divides a standard
    gamma draw by β; its gradient w.r.t. α is the implicit reparameterisation gradient
    (``standard_gamma_grad``).
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        batch_shape = batch_shape_of((concentration, rate), self.concentration)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        """``α / β²``."""
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return _StandardGamma.apply(self.concentration.expand(shape)) / self.rate.expand(shape)

    def log_prob(self, value):
        """``α ln β + (α − 1) ln x − βx − ln Γ(α)``."""
        if self._validate_args:
            self._validate_sample(value)
        return (
            chainrule.xlogy(self.concentration, self.rate)
            + chainrule.xlogy(self.concentration - 1, value)
            - self.rate * value
            - lgamma(self.concentration)
        )

    def cdf(self, value):
        """``P(α, βx)``, the regularised lower incomplete gamma function."""
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self):
        """``α − ln β + ln Γ(α) + (1 − α) ψ(α)``."""
        alpha = self.concentration
        return alpha - self.rate.log() + lgamma(alpha) + (1.0 - alpha) * digamma(alpha)


class Exponential(Distribution):
    """The exponential distribution with ``rate`` λ: ``p(x) = λ e^(−λx)`` for ``x ≥ 0``.

    ``rsample`` is ``−ln(1 − u) / λ``, ``u ~ U[0, 1)``.
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        shape = chainrule.Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return chainrule.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        u = chainrule.rand(self._extended_shape(sample_shape), dtype=self.rate.dtype)
        return -(-u).log1p() / self.rate

    def log_prob(self, value):
        """``ln λ − λx``."""
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        """``1 − e^(−λx)``."""
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate

    def entropy(self):
        """``1 − ln λ``."""
        return 1.0 - self.rate.log()
