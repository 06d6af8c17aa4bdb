"""The binomial distribution, parameterised by probabilities or by logits."""

import chainrule

from . import constraints
from ._special import lgamma
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, log1pexp, logits_to_probs, probs_to_logits

__all__ = ["Binomial"]


class Binomial(Distribution):
    """The number of successes in ``total_count`` independent trials of success probability
    ``p``; give either ``probs`` (p) or ``logits``, not both.

    ``log P(k) = ln C(n, k) + k·logit − n·softplus(logit)``.
    """

    arg_constraints = {
        "total_count": constraints.nonnegative_integer,
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = total_count.to(self.probs.dtype)
        else:
            total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = total_count.to(self.logits.dtype)
        super().__init__(self._param.size(), validate_args=validate_args)

    @property
    def _param(self):
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.__dict__["logits"]

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

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
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        """``n p (1 − p)``."""
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """Counts of successes among ``n`` uniform draws below ``p`` (memory grows with the
        largest ``total_count``)."""
        shape = self._extended_shape(sample_shape)
        with chainrule.no_grad():
            n = self.total_count.expand(shape)
            p = self.probs.expand(shape)
            n_max = int(n.max()) if n.numel() else 0
            u = chainrule.rand(tuple(shape) + (n_max,), dtype=p.dtype)
            trials = chainrule.arange(n_max).to(p.dtype)
            hits = (u < p.unsqueeze(-1)) & (trials < n.unsqueeze(-1))
            return hits.to(p.dtype).sum(-1)

    def log_prob(self, value):
        """``ln n! − ln k! − ln (n−k)! + k·logit − n·softplus(logit)``."""
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_binomial = lgamma(n + 1) - lgamma(value + 1) - lgamma(n - value + 1)
        return log_binomial + value * self.logits - n * log1pexp(self.logits)

    def entropy(self):
        """``−Σₖ P(k) ln P(k)`` over k = 0 … n (one ``total_count`` for the whole batch)."""
        total_count = int(self.total_count.max())
        if not int(self.total_count.min()) == total_count:
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        total_count = int(self.total_count.max())
        if not int(self.total_count.min()) == total_count:
            raise NotImplementedError(
                "Inhomogeneous total count not supported by `enumerate_support`."
            )
        values = chainrule.arange(1 + total_count, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values
