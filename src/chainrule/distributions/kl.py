"""``kl_divergence(p, q)``: KL(p ‖ q) = E_p[ln p(x) − ln q(x)] in closed form, looked up in a
table of registered pairs of distribution types (``register_kl``)."""

import functools
import math

import chainrule

from ._special import digamma, lgamma
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical, OneHotCategorical
from .dirichlet import Beta, Dirichlet
from .gamma import Exponential, Gamma
from .independent import Independent
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal, solve_tril
from .normal import LogNormal, Normal
from .poisson import Poisson
from .uniform import Uniform
from .utils import log1pexp, sum_rightmost

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY = {}  # (type_p, type_q) -> function(p, q)


def register_kl(type_p, type_q):
    """Decorator that registers ``fn(p, q)`` as KL(p ‖ q) for ``p`` of ``type_p`` and ``q``
    of ``type_q`` (subclasses included; the most specific registered pair wins).

    Example:
        >>> @register_kl(Normal, Normal)
        ... def kl_normal_normal(p, q): ...
    """
    if not (isinstance(type_p, type) and isinstance(type_q, type)):
        raise TypeError(
            f"register_kl expects two Distribution subclasses, got {type_p!r} and {type_q!r}"
        )

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        _dispatch_kl.cache_clear()
        return fn

    return decorator


@functools.lru_cache
def _dispatch_kl(type_p, type_q):
    """The registered function for the closest pair of base classes (by MRO position)."""
    matches = [
        (super_p, super_q)
        for super_p, super_q in _KL_REGISTRY
        if issubclass(type_p, super_p) and issubclass(type_q, super_q)
    ]
    if not matches:
        return None
    best = min(matches, key=lambda m: (type_p.__mro__.index(m[0]), type_q.__mro__.index(m[1])))
    return _KL_REGISTRY[best]


def kl_divergence(p, q):
    """KL(p ‖ q) = ∫ p(x) ln(p(x) / q(x)) dx, batched over the distributions' batch shape.

    Raises:
        NotImplementedError: no formula is registered for the pair of types.
    """
    fn = _dispatch_kl(type(p), type(q))
    if fn is None:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p type {type(p).__name__} and q type "
            f"{type(q).__name__}; register one with @register_kl({type(p).__name__}, "
            f"{type(q).__name__})"
        )
    return fn(p, q)


def _infinite_where(condition, value):
    return chainrule.where(condition, math.inf, value)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    # ½ (σp²/σq² + (μp − μq)²/σq² − 1 − ln(σp²/σq²))
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(LogNormal, LogNormal)
def _kl_lognormal_lognormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)  # KL is invariant under exp


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    # p ln(p/q) + (1 − p) ln((1 − p)/(1 − q)), written with logits
    t1 = p.probs * (log1pexp(-q.logits) - log1pexp(-p.logits))
    t1 = chainrule.where(p.probs == 0, 0.0, _infinite_where(q.probs == 0, t1))
    t2 = (1 - p.probs) * (log1pexp(q.logits) - log1pexp(p.logits))
    t2 = chainrule.where(p.probs == 1, 0.0, _infinite_where(q.probs == 1, t2))
    return t1 + t2


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError(
            "KL between Binomials where q.total_count > p.total_count is not implemented"
        )
    # n (p (logit p − logit q) + ln(1 − p) − ln(1 − q))
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return _infinite_where(p.total_count > q.total_count, kl)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    # Σₖ pₖ (ln pₖ − ln qₖ)
    t = p.probs * (p.logits - q.logits)
    shape = t.shape
    t = _infinite_where((q.probs == 0).expand(shape), t)
    t = chainrule.where((p.probs == 0).expand(shape), 0.0, t)
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    # ln((bq − aq)/(bp − ap)) when [ap, bp] ⊆ [aq, bq], else ∞
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _infinite_where((q.low > p.low) | (q.high < p.high), result)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariatenormal_multivariatenormal(p, q):
    # ½ (tr(Σq⁻¹Σp) + (μq − μp)ᵀ Σq⁻¹ (μq − μp) − n + ln(det Σq / det Σp))
    if p.event_shape != q.event_shape:
        raise ValueError(
            "KL-divergence between two Multivariate Normals with different event shapes "
            "cannot be computed"
        )
    lower_p, lower_q = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_log_det = chainrule.linalg.diagonal(lower_q).log().sum(-1) - chainrule.linalg.diagonal(
        lower_p
    ).log().sum(-1)
    term2 = solve_tril(lower_q, lower_p).pow(2).sum((-2, -1))  # |Lq⁻¹ Lp|_F² = tr(Σq⁻¹ Σp)
    diff = (q.loc - p.loc).unsqueeze(-1)
    term3 = solve_tril(lower_q, diff).squeeze(-1).pow(2).sum(-1)
    return half_log_det + 0.5 * (term2 + term3 - p.event_shape[0])


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "KL between Independents with different reinterpreted_batch_ndims is not implemented"
        )
    result = kl_divergence(p.base_dist, q.base_dist)
    return sum_rightmost(result, p.reinterpreted_batch_ndims)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    # λq/λp − 1 − ln(λq/λp)
    rate_ratio = q.rate / p.rate
    return rate_ratio - 1 - rate_ratio.log()


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = lgamma(q.concentration) - lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    sum_p = p.concentration.sum(-1)
    sum_q = q.concentration.sum(-1)
    t1 = lgamma(sum_p) - lgamma(sum_q)
    t2 = (lgamma(p.concentration) - lgamma(q.concentration)).sum(-1)
    t3 = p.concentration - q.concentration
    t4 = digamma(p.concentration) - digamma(sum_p).unsqueeze(-1)
    return t1 - t2 + (t3 * t4).sum(-1)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    return _kl_dirichlet_dirichlet(p._dirichlet, q._dirichlet)


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    # −ln(bp/bq) + |μp − μq|/bq + (bp/bq) exp(−|μp − μq|/bp) − 1
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    t1 = -scale_ratio.log()
    t2 = loc_abs_diff / q.scale
    t3 = scale_ratio * (-loc_abs_diff / p.scale).exp()
    return t1 + t2 + t3 - 1


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    # λp ln(λp/λq) − (λp − λq)
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)
