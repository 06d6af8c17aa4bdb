"""The distributions' API against torch.distributions: reprs, batch and event shapes, sample
shapes and dtypes, expand, enumerate_support, supports and constraints, and validate_args
(ValueError with PyTorch's message)."""

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.distributions as crd

from .dist_helpers import TOL, as_np

# each: code building a distribution from `m` (chainrule or torch) and `D` (its distributions)
BUILDS = [
    "D.Normal(0.0, 1.0)",
    "D.Normal(m.zeros(2, 3), 2.0)",
    "D.Normal(m.tensor([0.5]), m.tensor(1.5))",
    "D.LogNormal(m.zeros(2), 1.0)",
    "D.Bernoulli(probs=0.3)",
    "D.Bernoulli(logits=m.zeros(3))",
    "D.Categorical(m.ones(2, 4))",
    "D.Categorical(logits=m.tensor([0.1, 0.2, 0.3]))",
    "D.OneHotCategorical(m.ones(2, 4))",
    "D.Uniform(0.0, m.tensor([1.0, 2.0]))",
    "D.Uniform(-1.0, 1.0)",
    "D.MultivariateNormal(m.zeros(3), m.eye(3))",
    "D.MultivariateNormal(m.zeros(2, 3), scale_tril=m.eye(3))",
    "D.MultivariateNormal(m.zeros(3), precision_matrix=m.eye(3) * 2)",
    "D.Independent(D.Normal(m.zeros(2, 3), 1.0), 1)",
    "D.Independent(D.Normal(m.zeros(2, 3), 1.0), 2)",
    "D.Beta(1.0, 2.0)",
    "D.Beta(m.ones(3), 2.0)",
    "D.Gamma(2.0, m.ones(2))",
    "D.Exponential(m.tensor([1.0, 3.0]))",
    "D.Laplace(0.0, 1.0)",
    "D.Poisson(m.tensor([1.0, 4.0]))",
    "D.Binomial(10, probs=m.tensor([0.2, 0.7]))",
    "D.Binomial(m.tensor([3.0, 5.0]), logits=m.tensor(0.3))",
    "D.Dirichlet(m.ones(2, 3))",
]


def both(code):
    return (
        eval(code, {"m": cr, "D": crd}),
        eval(code, {"m": torch, "D": torch.distributions}),
    )


@pytest.mark.parametrize("code", BUILDS)
def test_repr_shapes_and_samples_as_torch(code):
    mine, ref = both(code)
    assert repr(mine) == repr(ref)
    assert mine.batch_shape == ref.batch_shape and mine.event_shape == ref.event_shape
    assert repr(mine.support) == repr(ref.support)
    assert {k: repr(v) for k, v in mine.arg_constraints.items()} == {
        k: repr(v) for k, v in ref.arg_constraints.items()
    }
    assert mine.has_rsample == ref.has_rsample
    assert mine.has_enumerate_support == ref.has_enumerate_support
    for shape in [(), (5,), (2, 1)]:
        x, y = mine.sample(shape), ref.sample(shape)
        assert x.shape == y.shape and str(x.dtype) == str(y.dtype), (shape, x.dtype, y.dtype)
        assert not x.requires_grad
        assert bool(mine.support.check(x).all())
        assert mine.log_prob(x).shape == ref.log_prob(torch.tensor(x.numpy())).shape
    expanded, ref_expanded = (
        mine.expand((4,) + mine.batch_shape),
        ref.expand((4,) + ref.batch_shape),
    )
    assert expanded.batch_shape == ref_expanded.batch_shape
    assert expanded.event_shape == ref_expanded.event_shape
    x = ref_expanded.sample()
    np.testing.assert_allclose(
        as_np(expanded.log_prob(cr.tensor(x.numpy()))), as_np(ref_expanded.log_prob(x)), rtol=1e-5
    )
    assert expanded.sample().shape == ref_expanded.sample().shape


def test_rsample_tracks_the_parameters_and_sample_does_not():
    loc = cr.zeros(3, requires_grad=True)
    d = crd.Normal(loc, 1.0)
    assert d.rsample((2,)).requires_grad and not d.sample((2,)).requires_grad
    with pytest.raises(NotImplementedError, match="Poisson has no reparameterised sampler"):
        crd.Poisson(1.0).rsample()


@pytest.mark.parametrize(
    "code",
    [
        "D.Bernoulli(probs=m.tensor([0.2, 0.7]))",
        "D.Categorical(m.ones(2, 3))",
        "D.OneHotCategorical(m.ones(2, 3))",
        "D.Binomial(3, probs=m.tensor([0.2, 0.7]))",
    ],
)
def test_enumerate_support(code):
    mine, ref = both(code)
    for expand in (True, False):
        x, y = mine.enumerate_support(expand), ref.enumerate_support(expand)
        assert x.shape == y.shape and str(x.dtype) == str(y.dtype)
        np.testing.assert_array_equal(x.numpy(), y.numpy())


def test_perplexity_mode_and_nan_moments():
    mine, ref = both("D.Categorical(m.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]))")
    np.testing.assert_allclose(as_np(mine.perplexity()), as_np(ref.perplexity()), rtol=1e-6)
    np.testing.assert_array_equal(mine.mode.numpy(), ref.mode.numpy())
    assert mine.mean.shape == ref.mean.shape and np.all(np.isnan(mine.variance.numpy()))
    mine, ref = both("D.Bernoulli(m.tensor([0.2, 0.5, 0.9]))")
    np.testing.assert_array_equal(mine.mode.numpy(), ref.mode.numpy())
    mine, ref = both("D.Dirichlet(m.tensor([2.0, 3.0, 4.0]))")
    np.testing.assert_allclose(as_np(mine.mode), as_np(ref.mode), **TOL)


# code that raises ValueError in both libraries (validation is on by default)
INVALID = [
    "D.Normal(0.0, -1.0)",
    "D.Bernoulli(probs=1.5)",
    "D.Bernoulli()",
    "D.Bernoulli(0.3, logits=0.2)",
    "D.Categorical(probs=m.tensor([-0.1, 1.1]))",
    "D.Categorical(probs=m.tensor(1.0))",
    "D.Uniform(1.0, 0.0)",
    "D.MultivariateNormal(m.zeros(2), m.tensor([[1.0, 2.0], [2.0, 1.0]]))",
    "D.MultivariateNormal(m.zeros(2), m.eye(2), scale_tril=m.eye(2))",
    "D.MultivariateNormal(m.zeros(2), scale_tril=m.tensor([[1.0, 1.0], [0.0, 1.0]]))",
    "D.Gamma(0.0, 1.0)",
    "D.Beta(1.0, -2.0)",
    "D.Dirichlet(m.tensor([1.0, 0.0]))",
    "D.Poisson(-1.0)",
    "D.Binomial(2.5, probs=m.tensor(0.3))",
    "D.Normal(0.0, 1.0).log_prob(0.5)",
    "D.Normal(m.zeros(2), 1.0).log_prob(m.zeros(3))",
    "D.Bernoulli(0.3).log_prob(m.tensor(0.5))",
    "D.Categorical(m.ones(3)).log_prob(m.tensor(3))",
    "D.Exponential(1.0).log_prob(m.tensor(-1.0))",
    "D.Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.6, 0.1]))",
    "D.MultivariateNormal(m.zeros(3), m.eye(3)).log_prob(m.zeros(2))",
    "D.Poisson(2.0).log_prob(m.tensor(1.5))",
]


@pytest.mark.parametrize("code", INVALID)
def test_validation_errors_as_torch(code):
    with pytest.raises(ValueError) as ref:
        eval(code, {"m": torch, "D": torch.distributions})
    with pytest.raises(ValueError) as mine:
        eval(code, {"m": cr, "D": crd})
    assert str(mine.value) == str(ref.value)


def test_validate_args_off():
    d = crd.Normal(0.0, -1.0, validate_args=False)
    assert np.isnan(d.log_prob(cr.tensor(0.0)).item())
    crd.Bernoulli(0.3, validate_args=False).log_prob(cr.tensor(0.5))
    try:
        crd.Distribution.set_default_validate_args(False)
        crd.Poisson(-1.0)
    finally:
        crd.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        crd.Poisson(-1.0)
