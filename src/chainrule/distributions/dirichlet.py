"""The Dirichlet distribution over the probability simplex, and the beta distribution (its
two-category case)."""

import numbers

import chainrule

from . import constraints
from ._special import digamma, lgamma
from .distribution import Distribution
from .gamma import _StandardGamma
from .utils import broadcast_all

__all__ = ["Beta", "Dirichlet"]


class Dirichlet(Distribution):
    """The Dirichlet distribution with ``concentration`` α (last dimension: the K categories).

    ``p(x) = Γ(Σα) / ΠΓ(αₖ) · Π xₖ^(αₖ−1)`` on the simplex; a draw normalises K gamma
    draws, and ``rsample``'s gradient flows through their implicit gradients.
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        """``(α − 1) / (Σα − K)`` where every ``αₖ > 1``."""
        alpha_m1 = (self.concentration - 1).clamp(min=0.0)
        return alpha_m1 / alpha_m1.sum(-1, keepdim=True)

    @property
    def variance(self):
        """``αₖ (α₀ − αₖ) / (α₀² (α₀ + 1))``, ``α₀ = Σα``."""
        a0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (a0 - self.concentration) / (a0.pow(2) * (a0 + 1))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        gammas = _StandardGamma.apply(self.concentration.expand(shape))
        return gammas / gammas.sum(-1, keepdim=True)

    def log_prob(self, value):
        """``Σ (αₖ − 1) ln xₖ + ln Γ(Σα) − Σ ln Γ(αₖ)``."""
        if self._validate_args:
            self._validate_sample(value)
        alpha = self.concentration
        return (
            chainrule.xlogy(alpha - 1.0, value).sum(-1)
            + lgamma(alpha.sum(-1))
            - lgamma(alpha).sum(-1)
        )

    def entropy(self):
        """``Σ ln Γ(αₖ) − ln Γ(α₀) − (K − α₀) ψ(α₀) − Σ (αₖ − 1) ψ(αₖ)``."""
        alpha = self.concentration
        k = alpha.shape[-1]
        a0 = alpha.sum(-1)
        return (
            lgamma(alpha).sum(-1)
            - lgamma(a0)
            - (k - a0) * digamma(a0)
            - ((alpha - 1.0) * digamma(alpha)).sum(-1)
        )


class Beta(Distribution):
    """The beta distribution on [0, 1]: ``p(x) ∝ x^(a−1) (1 − x)^(b−1)`` with
    ``a = concentration1``, ``b = concentration0``."""

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, numbers.Number) and isinstance(
            concentration0, numbers.Number
        ):
            both = chainrule.tensor(
                [float(concentration1), float(concentration0)],
                dtype=chainrule.get_default_dtype(),
            )
        else:
            c1, c0 = broadcast_all(concentration1, concentration0)
            both = chainrule.stack([c1, c0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new._dirichlet = self._dirichlet.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        """``ab / ((a + b)² (a + b + 1))``."""
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        return self._dirichlet.rsample(sample_shape)[..., 0]

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(chainrule.stack([value, 1.0 - value], -1))

    def entropy(self):
        return self._dirichlet.entropy()
