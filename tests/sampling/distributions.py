"""Random sampling: chainrule's numbers cannot equal PyTorch's stream, so these tests check
what must agree: shapes, dtypes, errors and grad_fn names against torch; the distributions
through sample means and variances (fixed seeds, within 4 standard errors); and that one
generator seed gives one stream."""

import math

import numpy as np
import pytest
import torch

import chainrule as cr

N = 40_000  # samples per moment check: a standard error of 0.5% of the spread
K = 4.0  # standard errors allowed


def gen(seed=0):
    return cr.Generator().manual_seed(seed)


def assert_mean(samples, mean, var):
    """The sample mean is within K standard errors of ``mean`` (variance ``var``)."""
    x = np.asarray(samples, dtype=np.float64)
    se = np.sqrt(np.asarray(var, dtype=np.float64) / x.shape[0])
    assert np.all(np.abs(x.mean(axis=0) - mean) <= K * se + 1e-12), (x.mean(axis=0), mean)


def assert_moments(samples, mean, var, kurtosis_excess=0.0):
    """Sample mean and variance within K standard errors (the variance's standard error
    from the fourth moment: var²·(2 + excess kurtosis)/n)."""
    x = np.asarray(samples, dtype=np.float64)
    n = x.shape[0]
    assert_mean(x, mean, var)
    var_se = np.sqrt(np.asarray(var) ** 2 * (2 + kurtosis_excess) / n)
    assert np.all(np.abs(x.var(axis=0, ddof=1) - var) <= K * var_se), (x.var(axis=0), var)


# --------------------------------------------------------------------------- distributions
def test_rand_randn_randint_randperm_distributions():
    g = gen(1)
    assert_moments(cr.rand(N, generator=g).numpy(), 0.5, 1 / 12, kurtosis_excess=-1.2)
    assert_moments(cr.randn(N, generator=g).numpy(), 0.0, 1.0)
    ints = cr.randint(-3, 7, (N,), generator=g).numpy()
    assert ints.min() == -3 and ints.max() == 6
    assert_moments(ints, 1.5, (10**2 - 1) / 12, kurtosis_excess=-6 * (100 + 1) / (5 * 99))
    perms = np.stack([cr.randperm(5, generator=g).numpy() for _ in range(4000)])
    assert np.all(np.sort(perms, axis=1) == np.arange(5))
    # each value lands in position 0 with probability 1/5
    assert_mean((perms[:, 0] == 2).astype(float), 0.2, 0.2 * 0.8)


def test_normal_all_overloads():
    g = gen(2)
    mean = cr.tensor([-1.0, 0.0, 3.0]).expand(N, 3)
    std = cr.tensor([0.5, 1.0, 2.0]).expand(N, 3)
    assert_moments(cr.normal(mean, std, generator=g).numpy(), [-1, 0, 3], [0.25, 1, 4])
    assert_moments(cr.normal(mean, 2.0, generator=g).numpy(), [-1, 0, 3], [4, 4, 4])
    assert_moments(cr.normal(1.5, std, generator=g).numpy(), [1.5] * 3, [0.25, 1, 4])
    assert_moments(cr.normal(-2.0, 3.0, (N,), generator=g).numpy(), -2.0, 9.0)
    # broadcasting: one mean per column, one std per row
    out = cr.normal(cr.zeros(N, 1), cr.tensor([[1.0, 3.0]]), generator=g)
    assert tuple(out.shape) == (N, 2)
    assert_moments(out.numpy(), [0, 0], [1, 9])


def test_bernoulli_and_poisson():
    g = gen(3)
    p = cr.tensor([0.0, 0.1, 0.5, 1.0]).expand(N, 4)
    draws = cr.bernoulli(p, generator=g).numpy()
    assert set(np.unique(draws)) <= {0.0, 1.0}
    assert_mean(draws, [0, 0.1, 0.5, 1], np.array([0, 0.09, 0.25, 0]) + 1e-12)
    assert_mean(cr.bernoulli(cr.zeros(N), 0.3, generator=g).numpy(), 0.3, 0.21)
    rate = cr.tensor([0.5, 4.0, 30.0]).expand(N, 3)
    counts = cr.poisson(rate, generator=g).numpy()
    assert np.all(counts == np.round(counts)) and counts.dtype == np.float32
    assert_moments(counts, [0.5, 4, 30], [0.5, 4, 30], kurtosis_excess=1 / 4.0)


def test_multinomial_with_replacement_frequencies():
    g = gen(4)
    w = cr.tensor([[1.0, 0.0, 3.0, 6.0], [5.0, 5.0, 0.0, 0.0]])  # unnormalised weights
    draws = cr.multinomial(w, N, replacement=True, generator=g).numpy()
    assert draws.shape == (2, N) and draws.dtype == np.int64
    for row, weights in zip(draws, w.numpy()):
        p = weights / weights.sum()
        freq = np.bincount(row, minlength=4) / N
        assert np.all(freq[p == 0] == 0)
        se = np.sqrt(p * (1 - p) / N)
        assert np.all(np.abs(freq - p) <= K * se + 1e-12), (freq, p)


def test_multinomial_without_replacement_is_successive_sampling():
    g = gen(5)
    w = np.array([1.0, 2.0, 3.0, 4.0])
    rows = cr.tensor(w).expand(N, 4).contiguous()
    draws = cr.multinomial(rows, 2, generator=g).numpy()
    assert np.all(draws[:, 0] != draws[:, 1])
    # P(first = i, second = j) = w_i/W · w_j/(W − w_i)
    total = w.sum()
    pairs = draws[:, 0] * 4 + draws[:, 1]
    freq = np.bincount(pairs, minlength=16) / N
    for i in range(4):
        for j in range(4):
            p = 0.0 if i == j else w[i] / total * w[j] / (total - w[i])
            se = math.sqrt(p * (1 - p) / N)
            assert abs(freq[i * 4 + j] - p) <= K * se + 1e-12, (i, j)
    # all categories: a permutation, weighted
    full = cr.multinomial(cr.tensor(w), 4, generator=g).numpy()
    assert sorted(full.tolist()) == [0, 1, 2, 3]


# --------------------------------------------------------------------------- determinism
SAMPLERS = {
    "rand": lambda m, g: m.rand(3, 2, generator=g),
    "randn": lambda m, g: m.randn(5, generator=g),
    "randint": lambda m, g: m.randint(0, 10, (6,), generator=g),
    "randperm": lambda m, g: m.randperm(7, generator=g),
    "normal_tensors": lambda m, g: m.normal(m.zeros(4), m.ones(4), generator=g),
    "normal_tensor_float": lambda m, g: m.normal(m.zeros(4), 2.0, generator=g),
    "normal_float_tensor": lambda m, g: m.normal(1.0, m.ones(4), generator=g),
    "normal_size": lambda m, g: m.normal(0.0, 1.0, (2, 3), generator=g),
    "multinomial": lambda m, g: m.multinomial(m.tensor([0.2, 0.3, 0.5]), 2, generator=g),
    "multinomial_repl": lambda m, g: m.multinomial(m.ones(2, 3), 5, True, generator=g),
    "bernoulli": lambda m, g: m.bernoulli(m.full((5,), 0.5), generator=g),
    "bernoulli_p": lambda m, g: m.bernoulli(m.zeros(5), 0.5, generator=g),
    "poisson": lambda m, g: m.poisson(m.full((5,), 3.0), generator=g),
    "rand_like": lambda m, g: m.rand_like(m.zeros(2, 2), generator=g),
    "randn_like": lambda m, g: m.randn_like(m.zeros(2, 2), generator=g),
    "randint_like": lambda m, g: m.randint_like(m.zeros(3), 2, 9, generator=g),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_same_seed_same_stream_and_shape_dtype_as_torch(name):
    draw = SAMPLERS[name]
    first = draw(cr, gen(7)).numpy()
    again = draw(cr, gen(7)).numpy()
    other = [draw(cr, gen(s)).numpy() for s in (8, 9, 10)]
    assert np.array_equal(first, again)
    assert any(not np.array_equal(first, o) for o in other)
    expected = draw(torch, torch.Generator().manual_seed(7))
    got = draw(cr, gen(7))
    assert str(got.dtype) == str(expected.dtype) and tuple(got.shape) == tuple(expected.shape)


def test_private_generator_leaves_the_default_stream_alone():
    cr.manual_seed(11)
    expected = cr.rand(4).numpy()
    cr.manual_seed(11)
    cr.rand(100, generator=gen(3))
    cr.normal(cr.zeros(3), 1.0, generator=gen(3))
    assert np.array_equal(cr.rand(4).numpy(), expected)


def test_generator_methods():
    g = cr.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed()
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    state = g.get_state()
    a = cr.rand(3, generator=g).numpy()
    g.set_state(state)
    assert np.array_equal(cr.rand(3, generator=g).numpy(), a)
    with pytest.raises(TypeError, match="Generator"):
        cr.rand(2, generator=5)


# --------------------------------------------------------------------------- dtypes, errors
DTYPED = {
    "rand_f16": lambda m: m.rand(2, dtype=m.float16),
    "rand_f64": lambda m: m.rand(2, dtype=m.float64),
    "randn_f16": lambda m: m.randn(2, dtype=m.float16),
    "randint_i8": lambda m: m.randint(5, (3,), dtype=m.int8),
    "randint_f32": lambda m: m.randint(0, 3, (2,), dtype=m.float32),
    "randperm_f32": lambda m: m.randperm(3, dtype=m.float32),
    "normal_size_f64": lambda m: m.normal(0.0, 1.0, (2,), dtype=m.float64),
    "normal_f16_mean": lambda m: m.normal(m.zeros(2, dtype=m.float16), m.ones(2)),
    "normal_f64_std": lambda m: m.normal(m.zeros(2), m.ones(2, dtype=m.float64)),
    "normal_0dim_mean": lambda m: m.normal(m.tensor(0.0), m.ones(2)),
    "normal_std_f64": lambda m: m.normal(0.0, m.ones(2, dtype=m.float64)),
    "bernoulli_f64": lambda m: m.bernoulli(m.ones(2, dtype=m.float64)),
    "poisson_f64": lambda m: m.poisson(m.ones(2, dtype=m.float64)),
    "randint_like_f32": lambda m: m.randint_like(m.ones(2), 5),
}


@pytest.mark.parametrize("name", list(DTYPED))
def test_dtypes_and_shapes_match_torch(name):
    got, expected = DTYPED[name](cr), DTYPED[name](torch)
    assert str(got.dtype) == str(expected.dtype)
    assert tuple(got.shape) == tuple(expected.shape)


ERRORS = {
    "normal negative std tensor": lambda m: m.normal(m.zeros(3), -m.ones(3)),
    "normal negative std float": lambda m: m.normal(0.0, -1.0, size=(3,)),
    "normal shapes": lambda m: m.normal(m.zeros(3), m.ones(2)),
    "normal int mean": lambda m: m.normal(m.zeros(3, dtype=m.int64), 1.0),
    "normal floats without size": lambda m: m.normal(0.0, 1.0),
    "multinomial too many": lambda m: m.multinomial(m.tensor([0.2, 0.8]), 3),
    "multinomial zero sum": lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
    "multinomial negative": lambda m: m.multinomial(m.tensor([-1.0, 2.0]), 1),
    "multinomial inf": lambda m: m.multinomial(m.tensor([float("inf"), 1.0]), 1),
    "multinomial no samples": lambda m: m.multinomial(m.tensor([1.0, 2.0]), 0),
    "multinomial integers": lambda m: m.multinomial(m.tensor([1, 2]), 1),
    "multinomial 0-d": lambda m: m.multinomial(m.tensor(1.0), 1),
    "multinomial 3-d": lambda m: m.multinomial(m.ones(2, 2, 2), 1),
    "bernoulli above one": lambda m: m.bernoulli(m.tensor([0.0, 1.5])),
    "bernoulli integers": lambda m: m.bernoulli(m.tensor([0, 1])),
    "poisson negative": lambda m: m.poisson(m.tensor([-1.0, 4.0])),
    "poisson integers": lambda m: m.poisson(m.tensor([1, 4])),
    "rand integer dtype": lambda m: m.rand(2, dtype=m.int64),
    "randint size not tuple": lambda m: m.randint(3, 5),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch_in_type(case):
    with pytest.raises(Exception) as expected:
        ERRORS[case](torch)
    with pytest.raises(Exception) as got:
        ERRORS[case](cr)
    assert type(got.value) is type(expected.value), (got.value, expected.value)


# --------------------------------------------------------------------------- autograd
GRAD_CASES = {
    "normal tensor mean": lambda m, a, b: m.normal(a, 1.0),
    "normal tensor std": lambda m, a, b: m.normal(0.0, b),
    "normal both": lambda m, a, b: m.normal(a, b),
    "bernoulli": lambda m, a, b: m.bernoulli(m.sigmoid(a)),
    "poisson": lambda m, a, b: m.poisson(b * 2),
}


@pytest.mark.parametrize("case", list(GRAD_CASES))
def test_grad_fn_names_and_zero_gradients_match_torch(case):
    results = []
    for m in (torch, cr):
        a = m.zeros(3, requires_grad=True)
        b = m.ones(3, requires_grad=True)
        y = GRAD_CASES[case](m, a, b)
        name = y.grad_fn.name()
        grads = m.autograd.grad(y.sum(), [a, b], allow_unused=True)
        results.append((name, [None if g is None else g.tolist() for g in grads]))
    assert results[1] == results[0]
