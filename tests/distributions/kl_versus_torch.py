"""kl_divergence against torch.distributions.kl_divergence in float64 (values and gradients
w.r.t. both distributions' parameters, 1e-10), the infinite cases, and register_kl's
dispatch to the most specific registered pair."""

import math

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.distributions as crd

from .dist_helpers import assert_same, leaves

rng = np.random.default_rng(1)
R = rng.standard_normal
U = rng.uniform


def _spd(batch, n=3):
    a = R(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + np.eye(n)


# name, p's parameters, q's parameters (q's may broadcast against p's)
PAIRS = [
    ("Normal", dict(loc=R((2, 3)), scale=U(0.5, 2, (2, 3))), dict(loc=R(3), scale=U(0.5, 2, 3))),
    ("LogNormal", dict(loc=R(3), scale=U(0.5, 2, 3)), dict(loc=R(3), scale=U(0.5, 2, 3))),
    ("Bernoulli", dict(probs=U(0.05, 0.95, (2, 3))), dict(probs=U(0.05, 0.95, (2, 3)))),
    ("Bernoulli", dict(logits=R(4) * 3), dict(logits=R(4) * 3)),
    ("Categorical", dict(probs=U(0.1, 1, (2, 4))), dict(logits=R((2, 4)))),
    ("OneHotCategorical", dict(logits=R((2, 4))), dict(probs=U(0.1, 1, 4))),
    (
        "Uniform",
        dict(low=np.zeros(2), high=np.array([1.0, 2.0])),
        dict(low=np.array([-1.0, -0.5]), high=np.array([3.0, 2.5])),
    ),
    (
        "MultivariateNormal",
        dict(loc=R((2, 3)), covariance_matrix=_spd((2,))),
        dict(loc=R(3), scale_tril=np.linalg.cholesky(_spd(()))),
    ),
    ("Exponential", dict(rate=U(0.5, 2, 3)), dict(rate=U(0.5, 2, 3))),
    (
        "Gamma",
        dict(concentration=U(0.5, 4, 3), rate=U(0.5, 2, 3)),
        dict(concentration=U(0.5, 4, 3), rate=U(0.5, 2, 3)),
    ),
    (
        "Beta",
        dict(concentration1=U(0.5, 4, 3), concentration0=U(0.5, 4, 3)),
        dict(concentration1=U(0.5, 4, 3), concentration0=U(0.5, 4, 3)),
    ),
    ("Dirichlet", dict(concentration=U(0.5, 4, (2, 3))), dict(concentration=U(0.5, 4, 3))),
    ("Laplace", dict(loc=R(3), scale=U(0.5, 2, 3)), dict(loc=R(3), scale=U(0.5, 2, 3))),
    ("Poisson", dict(rate=U(0.5, 5, 3)), dict(rate=U(0.5, 5, 3))),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
def test_kl_against_torch(pair):
    name, p_params, q_params = pair
    p_ours, p_theirs = leaves(p_params)
    q_ours, q_theirs = leaves(q_params)
    mine = crd.kl_divergence(getattr(crd, name)(**p_ours), getattr(crd, name)(**q_ours))
    ref = torch.distributions.kl_divergence(
        getattr(torch.distributions, name)(**p_theirs),
        getattr(torch.distributions, name)(**q_theirs),
    )
    ours = {f"p_{k}": v for k, v in p_ours.items()} | {f"q_{k}": v for k, v in q_ours.items()}
    theirs = {f"p_{k}": v for k, v in p_theirs.items()} | {f"q_{k}": v for k, v in q_theirs.items()}
    assert_same(mine, ref, ours, theirs)


def test_kl_binomial_and_independent():
    ours, theirs = leaves(dict(pp=U(0.1, 0.9, 3), qp=U(0.1, 0.9, 3)))
    mine = crd.kl_divergence(crd.Binomial(5, ours["pp"]), crd.Binomial(5, ours["qp"]))
    ref = torch.distributions.kl_divergence(
        torch.distributions.Binomial(5, theirs["pp"]), torch.distributions.Binomial(5, theirs["qp"])
    )
    assert_same(mine, ref, ours, theirs)
    ours, theirs = leaves(dict(mu=R((2, 3)), sigma=U(0.5, 2, (2, 3))))
    mine = crd.kl_divergence(
        crd.Independent(crd.Normal(ours["mu"], ours["sigma"]), 1),
        crd.Independent(crd.Normal(cr.zeros(3, dtype=cr.float64), 1.0), 1),
    )
    tn = torch.distributions
    ref = tn.kl_divergence(
        tn.Independent(tn.Normal(theirs["mu"], theirs["sigma"]), 1),
        tn.Independent(tn.Normal(torch.zeros(3, dtype=torch.float64), 1.0), 1),
    )
    assert_same(mine, ref, ours, theirs)  # the VAE's KL term, shape (2,)


def test_kl_infinite_where_support_is_not_covered():
    p = crd.Uniform(cr.tensor([0.0, 0.0]), cr.tensor([1.0, 3.0]))
    q = crd.Uniform(cr.tensor([-1.0, 0.0]), cr.tensor([2.0, 2.0]))
    got = crd.kl_divergence(p, q).numpy()
    assert got[0] == pytest.approx(math.log(3.0)) and got[1] == math.inf
    p = crd.Categorical(probs=cr.tensor([0.5, 0.5, 0.0]))
    q = crd.Categorical(probs=cr.tensor([0.5, 0.0, 0.5]))
    assert crd.kl_divergence(p, q).item() == math.inf
    assert crd.kl_divergence(q, q).item() == 0.0
    b = crd.Bernoulli(probs=cr.tensor([0.0, 1.0, 0.3]))
    c = crd.Bernoulli(probs=cr.tensor([0.0, 0.5, 1.0]))
    ref = torch.distributions.kl_divergence(
        torch.distributions.Bernoulli(torch.tensor([0.0, 1.0, 0.3])),
        torch.distributions.Bernoulli(torch.tensor([0.0, 0.5, 1.0])),
    )
    np.testing.assert_allclose(crd.kl_divergence(b, c).numpy(), ref.numpy(), rtol=1e-6)


def test_register_kl_picks_the_most_specific_pair():
    class MyNormal(crd.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), crd.Normal(1.0, 2.0)
    assert crd.kl_divergence(p, q).item() == pytest.approx(
        crd.kl_divergence(crd.Normal(0.0, 1.0), q).item()
    )

    @crd.register_kl(MyNormal, crd.Normal)
    def _kl_mine(p, q):
        return cr.tensor(-1.0)

    assert crd.kl_divergence(p, q).item() == -1.0
    assert crd.kl_divergence(q, p).item() != -1.0  # (Normal, MyNormal) falls back
    with pytest.raises(NotImplementedError, match="Normal and q type Laplace"):
        crd.kl_divergence(crd.Normal(0.0, 1.0), crd.Laplace(0.0, 1.0))
