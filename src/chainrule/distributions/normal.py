"""The normal and log-normal distributions."""

import math

import chainrule

from . import constraints
from ._special import ndtri
from .distribution import Distribution
from .utils import batch_shape_of, broadcast_all

__all__ = ["LogNormal", "Normal"]


class Normal(Distribution):
    """The normal distribution N(loc, scale²).

    ``p(x) = exp(−(x − μ)² / 2σ²) / (σ √(2π))``; ``rsample`` is ``μ + σ ε``, ``ε ~ N(0, 1)``.

    Args:
        loc (float or Tensor): the mean μ.
        scale (float or Tensor): the standard deviation σ > 0.

    Example:
        >>> Normal(0.0, 1.0)
        Normal(loc: 0.0, scale: 1.0)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = batch_shape_of((loc, scale), self.loc)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = chainrule.randn(shape, dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        """``−(x − μ)²/(2σ²) − ln σ − ½ ln 2π``."""
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale**2
        return (
            -((value - self.loc) ** 2) / (2 * var)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )

    def cdf(self, value):
        """``½ (1 + erf((x − μ) / (σ √2)))``."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (
            1 + chainrule.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2))
        )

    def icdf(self, value):
        """``μ + σ Φ⁻¹(p)``."""
        return self.loc + self.scale * ndtri(value)

    def entropy(self):
        """``½ + ½ ln 2π + ln σ``."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()


class LogNormal(Distribution):
    """The log-normal distribution: ``exp(X)`` with ``X ~ Normal(loc, scale)``.

    ``p(y) = N(ln y; μ, σ²) / y`` for ``y > 0``.

    Args:
        loc (float or Tensor): the mean μ of ln y.
        scale (float or Tensor): the standard deviation σ > 0 of ln y.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new.base_dist = self.base_dist.expand(batch_shape)
        Distribution.__init__(new, new.base_dist.batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        """``exp(μ + σ²/2)``."""
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        """``exp(μ − σ²)``."""
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self):
        """``(exp(σ²) − 1) exp(2μ + σ²)``."""
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        """``ln N(ln y; μ, σ²) − ln y``."""
        if self._validate_args:
            self._validate_sample(value)
        x = value.log()
        return self.base_dist.log_prob(x) - x

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.base_dist.cdf(value.log())

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        """``H[N(μ, σ²)] + μ``."""
        return self.base_dist.entropy() + self.loc
