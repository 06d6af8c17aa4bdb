"""Categorical distributions over K classes: class indices (Categorical) or one-hot vectors
(OneHotCategorical), parameterised by probabilities or by logits."""

import math

import chainrule

from . import constraints
from .distribution import Distribution
from .utils import broadcast_shapes, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical", "OneHotCategorical"]


class Categorical(Distribution):
    """Class ``k`` with probability ``p_k``; give ``probs`` (non-negative weights along the last
    dimension, normalised to sum to 1) or ``logits`` (unnormalised log-probabilities), not both.

    ``log p(k) = logits_k − logsumexp(logits)``; the last dimension indexes the classes, the
    others are the batch.

    Example:
        >>> Categorical(probs=chainrule.tensor([0.2, 0.3, 0.5])).sample((4,))
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        param = self._param
        self._num_events = param.shape[-1]
        batch_shape = param.shape[:-1] if param.dim() > 1 else chainrule.Size()
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def _param(self):
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.__dict__["logits"]

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        return chainrule.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return chainrule.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape=()):
        n = math.prod(sample_shape)
        with chainrule.no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            samples_2d = chainrule.multinomial(probs_2d, n, True).T
        return samples_2d.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        """``logits[value]``, the normalised log-probability of each class index."""
        if self._validate_args:
            self._validate_sample(value)
        shape = broadcast_shapes(value.shape, self._batch_shape)
        index = value.long().expand(shape).unsqueeze(-1)
        log_pmf = self.logits.expand(shape + (self._num_events,))
        return log_pmf.gather(-1, index).squeeze(-1)

    def entropy(self):
        """``−Σ_k p_k log p_k`` (a log-probability of −inf counts as 0 there)."""
        logits = self.logits.clamp(min=chainrule.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = chainrule.arange(self._num_events)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


def _one_hot(indices, num_classes, dtype):
    return (indices.unsqueeze(-1) == chainrule.arange(num_classes)).to(dtype)


class OneHotCategorical(Distribution):
    """A one-hot vector of length K whose hot entry is drawn from ``Categorical(probs,
    logits)``; the event shape is ``(K,)``."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return _one_hot(self.probs.argmax(-1), self._event_shape[0], self.probs.dtype)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        indices = self._categorical.sample(sample_shape)
        return _one_hot(indices, self._event_shape[0], self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self._event_shape[0]
        values = chainrule.eye(n, dtype=self._categorical._param.dtype)
        values = values.view((n,) + (1,) * len(self._batch_shape) + (n,))
        return values.expand((n,) + self._batch_shape + (n,)) if expand else values
