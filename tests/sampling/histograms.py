"""histc and histogram, exact against PyTorch: counts, edges, weights and density, over
random data that includes values on the edges and outside the range."""

import numpy as np
import pytest
import torch

import chainrule as cr


def data(dtype, seed, n=500):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n) * 3
    x[:20] = np.round(x[:20])  # integers: many land exactly on edges
    x[20:25] = [-3.0, 3.0, 0.0, 1.5, -1.5]
    return x.astype(dtype)


def same(c, t):
    return (
        str(c.dtype) == str(t.dtype)
        and tuple(c.shape) == tuple(t.shape)
        and np.array_equal(c.numpy(), t.numpy())
    )


HISTC = [
    {},
    {"bins": 7},
    {"bins": 10, "min": -3, "max": 3},
    {"bins": 13, "min": -2.7, "max": 4.1},
    {"bins": 1, "min": 0, "max": 1},
    {"bins": 6, "min": 2, "max": 2},  # min == max: the data's range
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_histc_exact(dtype, seed):
    x = data(dtype, seed)
    for kwargs in HISTC:
        c = cr.histc(cr.from_numpy(x), **kwargs)
        t = torch.histc(torch.from_numpy(x), **kwargs)
        assert same(c, t), kwargs


def test_histc_constant_and_empty_input():
    for values in ([2.0, 2.0, 2.0], []):
        x = np.array(values, dtype=np.float32)
        assert same(cr.histc(cr.from_numpy(x), 4), torch.histc(torch.from_numpy(x), 4))


HISTOGRAM = [
    {"bins": 5},
    {"bins": 16, "range": (-3.0, 3.0)},
    {"bins": 9, "range": (-2.3, 1.7)},
    {"bins": 40},
    {"bins": 7, "density": True},
    {"bins": 6, "range": (-4.0, 4.0), "density": True},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_histogram_exact(dtype, seed):
    x = data(dtype, seed)
    w = np.random.default_rng(seed + 10).random(x.size).astype(dtype)
    for kwargs in HISTOGRAM:
        for weight in (None, w):
            extra = {} if weight is None else {"weight": cr.from_numpy(weight)}
            c = cr.histogram(cr.from_numpy(x), **kwargs, **extra)
            extra = {} if weight is None else {"weight": torch.from_numpy(weight)}
            t = torch.histogram(torch.from_numpy(x), **kwargs, **extra)
            assert same(c.bin_edges, t.bin_edges), kwargs
            if weight is None:
                assert same(c.hist, t.hist), kwargs
            else:  # weighted sums in the input's dtype: equal up to summation order
                assert str(c.hist.dtype) == str(t.hist.dtype)
                np.testing.assert_allclose(c.hist.numpy(), t.hist.numpy(), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histogram_with_edges(dtype):
    x = data(dtype, 3)
    for edges in ([-3.0, -1.0, 0.0, 0.5, 3.0], [0.0, 1.0], [-10.0, 10.0, 11.0]):
        c = cr.histogram(cr.from_numpy(x), cr.tensor(edges, dtype=cr.from_numpy(x).dtype))
        t = torch.histogram(
            torch.from_numpy(x), torch.tensor(edges, dtype=torch.from_numpy(x).dtype)
        )
        assert same(c.hist, t.hist) and same(c.bin_edges, t.bin_edges)


def test_histogram_result_prints_and_unpacks_as_torch():
    c = cr.histogram(cr.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0))
    t = torch.histogram(torch.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0))
    assert repr(c) == repr(t)
    hist, edges = c
    assert hist is c.hist and edges is c.bin_edges
    assert repr(cr.histc(cr.tensor([1.0, 2, 1]), bins=4, min=0, max=3)) == repr(
        torch.histc(torch.tensor([1.0, 2, 1]), bins=4, min=0, max=3)
    )


ERRORS = {
    "histc integers": lambda m: m.histc(m.tensor([1, 2])),
    "histc no bins": lambda m: m.histc(m.tensor([1.0]), bins=0),
    "histc max below min": lambda m: m.histc(m.tensor([1.0]), bins=3, min=2, max=1),
    "histc infinite range": lambda m: m.histc(m.tensor([1.0, float("inf")]), bins=3),
    "histogram integers": lambda m: m.histogram(m.tensor([1, 2]), 3),
    "histogram reversed range": lambda m: m.histogram(m.tensor([1.0]), 3, range=(2.0, 1.0)),
    "histogram weight shape": lambda m: m.histogram(m.ones(3), 3, weight=m.ones(2)),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch_in_type(case):
    with pytest.raises(Exception) as expected:
        ERRORS[case](torch)
    with pytest.raises(Exception) as got:
        ERRORS[case](cr)
    assert type(got.value) is type(expected.value), (got.value, expected.value)
