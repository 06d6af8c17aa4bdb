"""The Bernoulli distribution, parameterised by probabilities or by logits."""

import numbers

import chainrule

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, log1pexp, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """1 with probability ``p``, else 0; give either ``probs`` (p) or ``logits``
    (``ln p − ln(1 − p)``), not both.

    ``log p(x) = x·logit − softplus(logit)``.

    Example:
        >>> Bernoulli(probs=chainrule.tensor(0.3)).sample()
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        shape = chainrule.Size() if isinstance(given, numbers.Number) else self._param.size()
        super().__init__(shape, validate_args=validate_args)

    @property
    def _param(self):
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.__dict__["logits"]

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return chainrule.where(self.probs == 0.5, float("nan"), mode)

    @property
    def variance(self):
        """``p (1 − p)``."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with chainrule.no_grad():
            return chainrule.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        """``x·logit − softplus(logit)`` (the negative binary cross-entropy with logits)."""
        if self._validate_args:
            self._validate_sample(value)
        logits = self.logits
        return value * logits - log1pexp(logits)

    def entropy(self):
        """``softplus(logit) − p·logit``."""
        return log1pexp(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand=True):
        values = chainrule.arange(2, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values
