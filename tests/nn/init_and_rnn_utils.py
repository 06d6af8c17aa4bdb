"""nn.init's eye_, dirac_ (exactly torch's values), orthogonal_, trunc_normal_ and sparse_
(their properties and distributions, since the two libraries draw different random
numbers); nn.utils.rnn's padding and packing (exactly torch's tensors, and round trips)."""

import math

import numpy as np
import pytest
import torch

import chainrule
from chainrule import nn

# ------------------------------------------------------------------------ init: exact ones


@pytest.mark.parametrize("shape", [(3, 5), (4, 2), (3, 3)])
def test_eye_matches_torch(shape):
    ours = nn.Parameter(chainrule.randn(*shape))
    out = nn.init.eye_(ours)
    assert out is ours and ours.is_leaf and ours.requires_grad
    np.testing.assert_array_equal(ours.detach().numpy(), torch.nn.init.eye_(torch.empty(shape)))


@pytest.mark.parametrize(
    "shape,groups",
    [
        ((4, 3, 5), 1),
        ((6, 4, 3, 3), 2),
        ((4, 2, 3, 3, 3), 1),
        ((8, 2, 2, 3), 4),
        ((2, 5, 4), 1),
        ((6, 1, 5, 4), 3),
    ],  # fmt: skip
)
def test_dirac_matches_torch(shape, groups):
    ours = chainrule.randn(*shape)
    assert nn.init.dirac_(ours, groups=groups) is ours
    theirs = torch.nn.init.dirac_(torch.randn(shape), groups=groups)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_dirac_keeps_a_convolution_identity():
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    x = chainrule.randn(2, 3, 5, 5)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), atol=1e-6)


def test_init_shape_errors_match_torch():
    cases = [
        ("eye_", (3, 3, 3), {}),
        ("dirac_", (3, 3), {}),
        ("dirac_", (6, 2, 3), {"groups": 4}),
        ("orthogonal_", (3,), {}),
        ("sparse_", (3, 3, 3), {"sparsity": 0.5}),
    ]
    for name, shape, kwargs in cases:
        with pytest.raises(ValueError) as theirs:
            getattr(torch.nn.init, name)(torch.empty(shape), **kwargs)
        with pytest.raises(ValueError, match=str(theirs.value).split(" (")[0][:30]):
            getattr(nn.init, name)(chainrule.empty(*shape), **kwargs)


# ------------------------------------------------------------------------ init: random ones


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (6, 6)])
def test_orthogonal_is_orthogonal(shape):
    g = chainrule.Generator().manual_seed(0)
    w = nn.init.orthogonal_(chainrule.empty(*shape, dtype=chainrule.float64), gain=2.0, generator=g)
    m = w.numpy().reshape(shape[0], -1)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)
    again = nn.init.orthogonal_(
        chainrule.empty(*shape, dtype=chainrule.float64), 2.0, chainrule.Generator().manual_seed(0)
    )
    np.testing.assert_array_equal(again.numpy(), w.numpy())


def test_orthogonal_is_haar_distributed():
    """Each entry of a uniformly random orthogonal n x n matrix has mean 0 and variance 1/n;
    without the sign correction, QR's diagonal convention would bias them."""
    n, draws = 3, 3000
    g = chainrule.Generator().manual_seed(1)
    samples = np.stack(
        [nn.init.orthogonal_(chainrule.empty(n, n), generator=g).numpy() for _ in range(draws)]
    )
    se_mean = math.sqrt(1 / n / draws)
    assert np.abs(samples.mean(axis=0)).max() < 5 * se_mean
    np.testing.assert_allclose((samples**2).mean(axis=0), 1 / n, atol=0.03)


def _truncated_moments(mean, std, a, b):
    alpha, beta = (a - mean) / std, (b - mean) / std
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    m = (phi(alpha) - phi(beta)) / z
    var = 1 + (alpha * phi(alpha) - beta * phi(beta)) / z - m * m
    return mean + std * m, std * std * var


@pytest.mark.parametrize(
    "mean,std,a,b",
    [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.0, 3.0), (0.0, 1.0, 1.5, 4.0), (0.0, 2.0, -0.5, 0.1)],
)
def test_trunc_normal_distribution(mean, std, a, b):
    """Both of torch's samplers (rejection from the normal when the kept mass is > 0.3, else
    from the uniform): samples inside [a, b], with the truncated normal's mean and variance."""
    n = 40000
    g = chainrule.Generator().manual_seed(2)
    x = nn.init.trunc_normal_(chainrule.empty(n, dtype=chainrule.float64), mean, std, a, b, g)
    x = x.numpy()
    assert x.min() >= a and x.max() <= b
    m, var = _truncated_moments(mean, std, a, b)
    assert abs(x.mean() - m) < 5 * math.sqrt(var / n)
    assert abs(x.var() - var) < 0.05 * var
    theirs = torch.nn.init.trunc_normal_(torch.empty(n, dtype=torch.float64), mean, std, a, b)
    assert abs(x.mean() - theirs.mean().item()) < 7 * math.sqrt(var / n)


def test_trunc_normal_float32_bounds_and_warning():
    x = nn.init.trunc_normal_(chainrule.empty(500), std=0.02, a=-0.04, b=0.04)
    assert x.dtype == chainrule.float32
    assert x.min().item() >= np.float32(-0.04) and x.max().item() <= np.float32(0.04)
    for lib in (torch, chainrule):
        with pytest.warns(UserWarning, match="mean is more than 2 std from"):
            lib.nn.init.trunc_normal_(lib.empty(3), mean=5.0, a=-1.0, b=1.0)


@pytest.mark.parametrize("shape,sparsity", [((10, 6), 0.3), ((7, 4), 0.5), ((5, 3), 0.0)])
def test_sparse_zeroes_a_fixed_count_per_column(shape, sparsity):
    g = chainrule.Generator().manual_seed(3)
    w = nn.init.sparse_(chainrule.empty(*shape), sparsity, std=0.5, generator=g).numpy()
    theirs = torch.nn.init.sparse_(torch.empty(shape), sparsity, std=0.5).numpy()
    np.testing.assert_array_equal((w == 0).sum(axis=0), (theirs == 0).sum(axis=0))
    assert ((w == 0).sum(axis=0) == math.ceil(sparsity * shape[0])).all()
    big = nn.init.sparse_(chainrule.empty(400, 200), 0.25, std=0.5, generator=g).numpy()
    nonzero = big[big != 0]
    assert abs(nonzero.std() - 0.5) < 0.02 and abs(nonzero.mean()) < 0.02
    # the zeroed rows differ between columns (a fresh permutation for each)
    assert len({tuple(np.flatnonzero(col == 0)) for col in big.T}) > 150
