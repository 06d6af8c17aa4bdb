"""``chainrule.distributions``: probability distributions with PyTorch's torch.distributions
API (sample, rsample, log_prob, entropy, ...).

Every density, entropy and reparameterised sample is composed from chainrule's Tensor ops,
so gradients flow to the parameters (``rsample`` is the reparameterisation trick of VAEs,
``log_prob`` of ``sample()`` the score-function estimator of policy gradients).  Draws come
from chainrule's default generator (``chainrule.manual_seed``).
"""

from . import constraints
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical, OneHotCategorical
from .dirichlet import Beta, Dirichlet
from .distribution import Distribution
from .gamma import Exponential, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import LogNormal, Normal
from .poisson import Poisson
from .uniform import Uniform

__all__ = [
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Dirichlet",
    "Distribution",
    "Exponential",
    "Gamma",
    "Independent",
    "Laplace",
    "LogNormal",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "Poisson",
    "Uniform",
    "constraints",
    "kl_divergence",
    "register_kl",
]
