"""Ops beyond the engine issue's list that PyTorch programs use often (sorting, rounding,
cumsum, all/any, isclose, devices), each compared with PyTorch: values and gradients."""

import numpy as np
import pytest
import torch

import chainrule as cr

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 5))


def _both(fn, data=X):
    """Run ``fn(module, tensor)`` on chainrule and torch; compare values and gradients."""
    outs, grads = [], []
    for m in (cr, torch):
        x = m.tensor(data, dtype=m.float64, requires_grad=True)
        out = fn(m, x)
        value = out[0] if isinstance(out, tuple) else out
        outs.append([np.asarray(o.detach()) for o in (out if isinstance(out, tuple) else (out,))])
        if value.requires_grad:
            weights = m.tensor(np.arange(value.numel(), dtype=np.float64).reshape(value.shape))
            (value * weights).sum().backward()
            grads.append(np.asarray(x.grad))
    for got, want in zip(*outs):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    if grads:
        assert len(grads) == 2, "only one library recorded a graph"
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort(dim, descending):
    _both(lambda m, x: m.sort(x, dim=dim, descending=descending))
    _both(lambda m, x: x.argsort(dim=dim, descending=descending) * 1.0 + x.sum() * 0)


@pytest.mark.parametrize("largest", [True, False])
def test_topk(largest):
    _both(lambda m, x: x.topk(2, dim=1, largest=largest))
    _both(lambda m, x: m.topk(x, 3, dim=0, largest=largest))


def test_topk_rejects_k_larger_than_the_dim():
    with pytest.raises(RuntimeError, match="topk"):
        cr.topk(cr.ones(3), 4)


@pytest.mark.parametrize("fn", ["floor", "ceil", "round", "trunc"])
def test_rounding_has_zero_gradient(fn):
    _both(lambda m, x: getattr(m, fn)(x * 3) + x)


def test_round_half_to_even_and_decimals():
    data = np.array([0.5, 1.5, 2.5, -0.5, 1.2345])
    _both(lambda m, x: m.round(x), data)
    _both(lambda m, x: m.round(x, decimals=2), data)


@pytest.mark.parametrize("dim", [0, 1])
def test_cumsum_values_gradients_and_second_order(dim):
    _both(lambda m, x: m.cumsum(x, dim))
    _both(lambda m, x: x.cumsum(dim=dim) ** 2)
    x = cr.tensor(X, requires_grad=True)
    assert cr.autograd.gradgradcheck(lambda t: (t.cumsum(dim) ** 2).sum(), (x,))


def test_cumsum_of_integers_is_int64():
    assert str(cr.cumsum(cr.tensor([True, False, True]), 0).dtype) == "torch.int64"
    assert cr.cumsum(cr.tensor([1, 2, 3]), 0).tolist() == [1, 3, 6]


def test_all_any_isclose():
    data = np.array([[1.0, 0.0], [2.0, 3.0]])
    for name in ("all", "any"):
        for kwargs in ({}, {"dim": 0}, {"dim": 1, "keepdim": True}):
            got = getattr(cr.tensor(data), name)(**kwargs)
            want = getattr(torch.tensor(data), name)(**kwargs)
            assert got.tolist() == want.tolist() and str(got.dtype) == str(want.dtype)
    a, b = np.array([1.0, 1.0001, 2.0]), np.array([1.0, 1.0, 2.1])
    assert (
        cr.isclose(cr.tensor(a), cr.tensor(b), rtol=1e-3).tolist()
        == torch.isclose(torch.tensor(a), torch.tensor(b), rtol=1e-3).tolist()
    )


def test_the_usual_device_preamble_runs_on_the_cpu():
    device = cr.device("cuda" if cr.cuda.is_available() else "cpu")
    model = cr.nn.Linear(2, 3)
    weight = model.weight
    assert model.to(device) is model and model.weight is weight  # nothing moved
    assert cr.ones(2).to(device).tolist() == [1.0, 1.0]
    assert str(device) == "cpu" and device == "cpu"
    with pytest.raises(RuntimeError, match="CPU only"):
        cr.device("cuda")


def test_legacy_tensor_constructor_matches_pytorch():
    for args in (([1, 2],), ([[1.5, 2.0]],), (2, 3)):
        got, want = cr.Tensor(*args), torch.Tensor(*args)
        assert tuple(got.shape) == tuple(want.shape) and str(got.dtype) == str(want.dtype)
    assert cr.Tensor([1, 2]).tolist() == [1.0, 2.0]


def test_reading_grad_of_a_non_leaf_warns_as_in_pytorch():
    x = cr.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="not a leaf"):
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]


def test_values_and_indices_results_print_as_pytorch():
    for m_call in (
        lambda m, x: m.max(x, 1),
        lambda m, x: x.min(0),
        lambda m, x: m.sort(x[0]),
        lambda m, x: x.topk(1),
    ):
        got = m_call(cr, cr.tensor([[1.0, 2.0], [3.0, 0.5]]))
        want = m_call(torch, torch.tensor([[1.0, 2.0], [3.0, 0.5]]))
        assert repr(got) == repr(want)
        values, indices = got
        assert values is got.values and indices is got.indices


def test_numpy_ufuncs_on_a_tensor_give_a_tensor_as_in_pytorch():
    for fn in (np.exp, np.sqrt, np.negative):
        got = fn(cr.tensor([1.0, 4.0]))
        want = fn(torch.tensor([1.0, 4.0]))
        assert isinstance(got, cr.Tensor) and repr(got) == repr(want)
    assert isinstance(np.asarray(cr.ones(2)), np.ndarray)


def test_relu_gradient_stays_attached_under_create_graph_as_in_pytorch():
    results = []
    for m in (cr, torch):
        x = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        (g,) = m.autograd.grad(m.relu(x).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        results.append((g.requires_grad, g.grad_fn.name(), g.tolist(), gg.tolist()))
    assert results[0] == results[1]
