"""The multivariate normal distribution, parameterised by a covariance matrix, a precision
matrix or a lower-triangular scale."""

import math

import chainrule

from . import constraints
from .distribution import Distribution
from .utils import broadcast_shapes, lazy_property

__all__ = ["MultivariateNormal"]


def solve_tril(lower, b):
    """``L⁻¹ b`` for lower-triangular ``L``."""
    return chainrule.linalg.solve_triangular(lower, b, upper=False)


def half_log_det_tril(lower):
    """``½ ln det(L Lᵀ) = Σᵢ ln Lᵢᵢ``."""
    return chainrule.linalg.diagonal(lower).log().sum(-1)


def _batch_mahalanobis(scale_tril, x):
    """``|L⁻¹ x|²`` along the last dimension (``xᵀ Σ⁻¹ x`` with ``Σ = L Lᵀ``)."""
    return solve_tril(scale_tril, x.unsqueeze(-1)).squeeze(-1).pow(2).sum(-1)


def _eye_like(matrix):
    return chainrule.eye(matrix.shape[-1], dtype=matrix.dtype)


def _inverse_tril(scale_tril):
    return solve_tril(scale_tril, _eye_like(scale_tril))


def _precision_to_scale_tril(precision):
    """``L`` with ``L Lᵀ = P⁻¹``: with ``P = M Mᵀ``, ``P⁻¹ = M⁻ᵀ M⁻¹``."""
    m_inv = _inverse_tril(chainrule.linalg.cholesky(precision))
    return chainrule.linalg.cholesky(m_inv.transpose(-1, -2) @ m_inv)


class MultivariateNormal(Distribution):
    """The multivariate normal distribution N(loc, Σ) over vectors of length n.

    Give exactly one of ``covariance_matrix`` (Σ), ``precision_matrix`` (Σ⁻¹) or
    ``scale_tril`` (the lower Cholesky factor L, Σ = L Lᵀ; the cheapest).
    ``log p(x) = −½ (n ln 2π + |L⁻¹(x − μ)|²) − Σᵢ ln Lᵢᵢ``; ``rsample`` is ``μ + L ε``.

    Args:
        loc (Tensor): the mean, ``(..., n)``.
        covariance_matrix, precision_matrix, scale_tril (Tensor): ``(..., n, n)``.
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc,
        covariance_matrix=None,
        precision_matrix=None,
        scale_tril=None,
        validate_args=None,
    ):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        matrix = given[0]
        if matrix.dim() < 2:
            raise ValueError(
                "scale_tril, covariance_matrix or precision_matrix must be at least "
                "two-dimensional, with optional leading batch dimensions"
            )
        batch_shape = broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        square = batch_shape + (-1, -1)
        if scale_tril is not None:
            self.scale_tril = scale_tril.expand(square)
        elif covariance_matrix is not None:
            self.covariance_matrix = covariance_matrix.expand(square)
        else:
            self.precision_matrix = precision_matrix.expand(square)
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = chainrule.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def _full_batch(self, matrix):
        return matrix.expand(self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def scale_tril(self):
        return self._full_batch(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        """``Σ = L Lᵀ``."""
        lower = self._unbroadcasted_scale_tril
        return self._full_batch(lower @ lower.transpose(-1, -2))

    @lazy_property
    def precision_matrix(self):
        """``Σ⁻¹ = L⁻ᵀ L⁻¹``."""
        inverse = _inverse_tril(self._unbroadcasted_scale_tril)
        return self._full_batch(inverse.transpose(-1, -2) @ inverse)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """The diagonal of Σ: the squared row norms of L."""
        variance = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return variance.expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = chainrule.randn(shape, dtype=self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        """``−½ (n ln 2π + |L⁻¹(x − μ)|²) − Σᵢ ln Lᵢᵢ``."""
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = half_log_det_tril(self._unbroadcasted_scale_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + m) - half_log_det

    def entropy(self):
        """``½ n (1 + ln 2π) + Σᵢ ln Lᵢᵢ``."""
        half_log_det = half_log_det_tril(self._unbroadcasted_scale_tril)
        h = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return h.expand(self._batch_shape) if len(self._batch_shape) else h
