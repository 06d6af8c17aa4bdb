"""``chainrule.distributions``: probability distributions with PyTorch's torch.distributions
API (sample, rsample, log_prob, entropy, ...).

Every density, entropy and reparameterised sample is composed from chainrule's Tensor ops,
so gradients flow to the parameters (``rsample`` is the reparameterisation trick of VAEs,
``log_prob`` of ``sample()`` the score-function estimator of policy gradients).  Draws come
from chainrule's default generator (``chainrule.manual_seed``).
"""

from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .distribution import Distribution
from .independent import Independent
from .multivariate_normal import MultivariateNormal
from .normal import LogNormal, Normal
from .uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Independent",
    "LogNormal",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "Uniform",
    "constraints",
]
