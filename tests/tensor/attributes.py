"""Tensor attributes and conversions against PyTorch: shape, size, dtype, item, tolist, numpy,
to/float/double, clone, detach, requires_grad and is_leaf."""

import numpy as np
import pytest
import torch
from core_helpers import assert_same_tensor

import chainrule as cr


# --------------------------------------------------------------------------- attributes
def test_shape_and_size():
    t = cr.zeros(2, 3)
    assert repr(t.shape) == "torch.Size([2, 3])" == repr(torch.zeros(2, 3).shape)
    assert repr(t.size()) == "torch.Size([2, 3])"
    assert repr(cr.tensor(1.0).shape) == repr(torch.tensor(1.0).shape) == "torch.Size([])"
    assert t.shape == (2, 3) and t.size() == (2, 3) and isinstance(t.shape, tuple)
    assert t.shape[0] == 2 and t.shape[-1] == 3
    assert (t.size(0), t.size(1), t.size(-1), t.size(-2)) == (2, 3, 3, 2)
    assert t.shape.numel() == 6
    with pytest.raises(IndexError):
        t.size(2)


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 0, 3), (1, 2, 3, 4)])
def test_ndim_dim_numel_len_match_torch(shape):
    a, b = cr.zeros(shape), torch.zeros(shape)
    assert (a.ndim, a.dim(), a.numel()) == (b.ndim, b.dim(), b.numel())
    if shape:
        assert len(a) == len(b)
    else:
        with pytest.raises(TypeError):
            len(a)


def test_dtype_attribute_and_reprs():
    assert cr.tensor([1.0]).dtype is cr.float32
    assert cr.tensor([1]).dtype is cr.int64
    assert cr.tensor([True]).dtype is cr.bool
    assert cr.tensor([1.0], dtype=cr.float64).dtype is cr.float64
    for name in ["float32", "float64", "int64", "bool"]:
        assert repr(getattr(cr, name)) == repr(getattr(torch, name))
    assert (cr.float, cr.double, cr.long) == (cr.float32, cr.float64, cr.int64)


def test_item():
    assert cr.tensor(2.5).item() == 2.5 and isinstance(cr.tensor(2.5).item(), float)
    assert cr.tensor([3]).item() == 3 and isinstance(cr.tensor([3]).item(), int)
    assert cr.tensor([[True]]).item() is True
    assert cr.tensor(1.0, requires_grad=True).item() == 1.0
    assert float(cr.tensor(2.5)) == 2.5 and int(cr.tensor(3)) == 3


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([[1.0, 2.5], [3.0, 4.0]]),
        lambda m: m.tensor(2.0),
        lambda m: m.tensor([1, 2]),
        lambda m: m.tensor([[True, False]]),
        lambda m: m.zeros(0, 2),
        lambda m: m.tensor([0.1, 1e-8], dtype=m.float64),
    ],
)
def test_tolist_matches_torch(make):
    got, expected = make(cr).tolist(), make(torch).tolist()
    assert got == expected
    assert [type(x) for x in _flat(got)] == [type(x) for x in _flat(expected)]


def _flat(x):
    return [y for item in x for y in _flat(item)] if isinstance(x, list) else [x]


def test_numpy_and_array_protocol():
    t = cr.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = t.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (2, 2)
    a[0, 0] = 9.0  # numpy() shares memory, as in torch
    assert t[0, 0].item() == 9.0
    b = np.asarray(t)
    assert b.dtype == np.float32 and b.tolist() == [[9.0, 2.0], [3.0, 4.0]]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.asarray(cr.tensor([1, 2])).dtype == np.int64
    r = cr.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        r.numpy()
    assert r.detach().numpy().tolist() == [1.0]


CONVERSIONS = {
    "to float64": lambda m, t: t.to(m.float64),
    "to int64": lambda m, t: t.to(m.int64),
    "to bool": lambda m, t: t.to(m.bool),
    "to same dtype": lambda m, t: t.to(m.float32),
    "to dtype kw": lambda m, t: t.to(dtype=m.float64),
    "float": lambda m, t: t.float(),
    "double": lambda m, t: t.double(),
    "long": lambda m, t: t.long(),
    "int to float": lambda m, t: t.long().float(),
    "bool to long": lambda m, t: t.to(m.bool).long(),
}


@pytest.mark.parametrize("name", list(CONVERSIONS))
def test_conversions_match_torch(name):
    def make(m):
        return m.tensor([[1.7, -2.2, 0.0], [3.5, 0.25, -0.75]])

    assert_same_tensor(CONVERSIONS[name](cr, make(cr)), CONVERSIONS[name](torch, make(torch)))


def test_to_same_dtype_returns_self_and_other_dtype_copies():
    t = cr.tensor([1.0, 2.0])
    assert t.to(cr.float32) is t and t.float() is t
    d = t.double()
    d.add_(1)
    assert t.tolist() == [1.0, 2.0]


def test_conversion_gradients_flow_like_torch():
    def run(m):
        x = m.tensor([1.5, -2.0], requires_grad=True)
        y = x.double() * m.tensor([2.0, 3.0], dtype=m.float64)
        y.sum().backward()
        return y, x.grad

    for got, expected in zip(run(cr), run(torch)):
        assert_same_tensor(got, expected)


def test_clone_has_own_memory_and_grad_fn():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0" and not c.is_leaf
    plain = cr.tensor([1.0, 2.0])
    pc = plain.clone()
    pc.add_(1)
    assert plain.tolist() == [1.0, 2.0] and pc.tolist() == [2.0, 3.0]
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_detach_shares_memory_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        d = y.detach()
        d.add_(1)  # writes into y's memory
        dx = x.detach()
        return y, d.requires_grad, d.is_leaf, d.grad_fn, dx.requires_grad, dx._version

    got, expected = run(cr), run(torch)
    assert_same_tensor(got[0], expected[0])
    assert got[1:] == expected[1:]


def test_requires_grad_and_is_leaf_like_torch():
    def run(m):
        t = m.tensor([1.0, 2.0])
        flags = [t.requires_grad, t.is_leaf]
        assert t.requires_grad_() is t
        flags += [t.requires_grad, t.is_leaf]
        y = t * 2
        flags += [y.requires_grad, y.is_leaf]
        t.requires_grad_(False)
        flags += [t.requires_grad, (t * 2).requires_grad]
        t.requires_grad = True
        flags.append(t.requires_grad)
        return flags

    assert run(cr) == run(torch)


def test_zero_like_torch():
    def run(m):
        t = m.tensor([[1.0, 2.0], [3.0, 4.0]])
        r = t.zero_()
        return r is t, t.tolist(), t._version

    assert run(cr) == run(torch)


def test_zero_grad_pattern():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    x.grad.zero_()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_the_usual_device_preamble_runs_on_the_cpu():
    device = cr.device("cuda" if cr.cuda.is_available() else "cpu")
    model = cr.nn.Linear(2, 3)
    weight = model.weight
    assert model.to(device) is model and model.weight is weight  # nothing moved
    assert cr.ones(2).to(device).tolist() == [1.0, 1.0]
    assert str(device) == "cpu" and device == "cpu"
    with pytest.raises(RuntimeError, match="CPU only"):
        cr.device("cuda")
