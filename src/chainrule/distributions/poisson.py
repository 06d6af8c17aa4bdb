"""The Poisson distribution."""

import numbers

import chainrule

from . import constraints
from ._special import lgamma
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(Distribution):
    """The Poisson distribution with ``rate`` λ: ``P(k) = λᵏ e^(−λ) / k!``, k = 0, 1, …"""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        shape = chainrule.Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with chainrule.no_grad():
            return chainrule.poisson(self.rate.expand(shape))

    def log_prob(self, value):
        """``k ln λ − λ − ln k!``."""
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return chainrule.xlogy(value, rate) - rate - lgamma(value + 1)
