"""Creation functions and random numbers, against PyTorch: values, dtypes, shapes, seeds."""

import numpy as np
import pytest
import torch
from core_helpers import assert_same_tensor

import chainrule as cr

# --------------------------------------------------------------------------- creation
CREATION = {
    "tensor scalar float": lambda m: m.tensor(2.5),
    "tensor scalar int": lambda m: m.tensor(3),
    "tensor scalar bool": lambda m: m.tensor(True),
    "tensor nested floats": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "tensor nested ints": lambda m: m.tensor([[1, 2], [3, 4]]),
    "tensor mixed int float": lambda m: m.tensor([1, 2.5]),
    "tensor bools": lambda m: m.tensor([True, False]),
    "tensor dtype float64": lambda m: m.tensor([1, 2], dtype=m.float64),
    "tensor dtype int64 from floats": lambda m: m.tensor([1.7, -2.2], dtype=m.int64),
    "tensor from float64 array": lambda m: m.tensor(np.array([1.0, 2.0])),
    "tensor from float32 array": lambda m: m.tensor(np.array([1.0, 2.0], dtype=np.float32)),
    "tensor from int64 array": lambda m: m.tensor(np.arange(4).reshape(2, 2)),
    "tensor from bool array": lambda m: m.tensor(np.array([True, False])),
    "tensor from array with dtype": lambda m: m.tensor(np.array([1.0, 2.0]), dtype=m.float32),
    "tensor from tensor": lambda m: m.tensor([1.0, 2.0]).clone(),
    "tensor empty list": lambda m: m.tensor([]),
    "as_tensor list": lambda m: m.as_tensor([1, 2]),
    "as_tensor array": lambda m: m.as_tensor(np.array([1.0, 2.0])),
    "as_tensor array dtype": lambda m: m.as_tensor(np.array([1.0, 2.0]), dtype=m.float32),
    "from_numpy float32": lambda m: m.from_numpy(np.ones((2, 3), dtype=np.float32)),
    "from_numpy int64": lambda m: m.from_numpy(np.arange(3)),
    "zeros varargs": lambda m: m.zeros(2, 3),
    "zeros tuple": lambda m: m.zeros((2, 3)),
    "zeros list": lambda m: m.zeros([2, 3]),
    "zeros scalar": lambda m: m.zeros(()),
    "zeros empty dim": lambda m: m.zeros(0, 3),
    "zeros int64": lambda m: m.zeros(2, dtype=m.int64),
    "ones varargs": lambda m: m.ones(2, 1, 3),
    "ones tuple": lambda m: m.ones((4,)),
    "ones bool": lambda m: m.ones(2, dtype=m.bool),
    "ones float64": lambda m: m.ones(2, dtype=m.float64),
    "full float": lambda m: m.full((2, 2), 3.5),
    "full int": lambda m: m.full((3,), 7),
    "full bool": lambda m: m.full((2,), True),
    "full int with float dtype": lambda m: m.full([2], 2, dtype=m.float32),
    "full float64": lambda m: m.full((2,), 1.5, dtype=m.float64),
    "zeros_like": lambda m: m.zeros_like(m.ones(2, 3, dtype=m.float64)),
    "zeros_like dtype": lambda m: m.zeros_like(m.ones(2, 3), dtype=m.int64),
    "ones_like int": lambda m: m.ones_like(m.tensor([1, 2])),
    "ones_like bool": lambda m: m.ones_like(m.tensor([True])),
    "full_like": lambda m: m.full_like(m.ones(2, 2), 7.0),
    "full_like int": lambda m: m.full_like(m.tensor([1, 2]), 3),
    "arange int": lambda m: m.arange(5),
    "arange start end": lambda m: m.arange(1, 4),
    "arange step": lambda m: m.arange(2, 10, 3),
    "arange negative step": lambda m: m.arange(10, 0, -3),
    "arange float end": lambda m: m.arange(5.0),
    "arange float step": lambda m: m.arange(0, 1, 0.25),
    "arange float tenths": lambda m: m.arange(0.0, 1.0, 0.1),
    "arange dtype": lambda m: m.arange(4, dtype=m.float64),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace negative": lambda m: m.linspace(-1, 1, 3),
    "linspace one step": lambda m: m.linspace(0, 1, 1),
    "linspace float64": lambda m: m.linspace(0, 1, 7, dtype=m.float64),
    "eye": lambda m: m.eye(3),
    "eye rectangular": lambda m: m.eye(2, 3),
    "eye int64": lambda m: m.eye(2, dtype=m.int64),
}


@pytest.mark.parametrize("name", list(CREATION))
def test_creation_matches_torch(name):
    got, expected = CREATION[name](cr), CREATION[name](torch)
    assert_same_tensor(got, expected)
    assert got.is_leaf and not got.requires_grad


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_take_tuple_and_varargs_sizes(factory):
    f = getattr(cr, factory)
    for args in [(2, 3), ((2, 3),), ([2, 3],)]:
        t = f(*args)
        assert t.shape == (2, 3) and t.dtype is cr.float32
    assert f(()).shape == ()
    assert f(2, 3, dtype=cr.float64).dtype is cr.float64
    assert f(2, requires_grad=True).requires_grad


def test_empty_and_empty_like_have_shape_and_dtype():
    assert (cr.empty(2, 3).shape, cr.empty(2, dtype=cr.int64).dtype) == ((2, 3), cr.int64)
    e = cr.empty_like(cr.ones(4, 1, dtype=cr.float64))
    assert (tuple(e.shape), e.dtype) == ((4, 1), cr.float64)


def test_creation_requires_grad():
    for t in [
        cr.tensor([1.0, 2.0], requires_grad=True),
        cr.zeros(2, requires_grad=True),
        cr.ones(2, 2, requires_grad=True),
        cr.full((2,), 1.0, requires_grad=True),
        cr.randn(3, requires_grad=True),
        cr.linspace(0, 1, 3, requires_grad=True),
        cr.arange(3.0, requires_grad=True),
        cr.eye(2, requires_grad=True),
    ]:
        assert t.requires_grad and t.is_leaf and t.grad_fn is None and t.grad is None


def test_tensor_copies_data():
    a = np.array([1.0, 2.0])
    t = cr.tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    src = cr.tensor([1.0, 2.0])
    t2 = cr.tensor(src)
    src.add_(1)
    assert t2.tolist() == [1.0, 2.0]


def test_from_numpy_and_as_tensor_share_memory():
    a = np.array([1.0, 2.0, 3.0])
    t = cr.from_numpy(a)
    a[0] = 9.0
    assert t.tolist() == [9.0, 2.0, 3.0]
    t.mul_(2)
    assert a.tolist() == [18.0, 4.0, 6.0]
    b = np.array([1.0, 2.0])
    cr.as_tensor(b).add_(1)
    assert b.tolist() == [2.0, 3.0]
    t3 = cr.tensor([1.0, 2.0])
    assert cr.as_tensor(t3) is t3


def test_from_numpy_rejects_non_arrays():
    with pytest.raises(TypeError):
        cr.from_numpy([1.0, 2.0])


# --------------------------------------------------------------------------- random
RANDOM = {
    "rand": lambda m: m.rand(3, 4),
    "rand tuple float64": lambda m: m.rand((2, 2), dtype=m.float64),
    "randn": lambda m: m.randn(5),
    "randn float64": lambda m: m.randn(2, 3, dtype=m.float64),
    "randint low high": lambda m: m.randint(3, 7, (4, 2)),
    "randint high": lambda m: m.randint(5, (3,)),
    "randn_like": lambda m: m.randn_like(m.ones(2, 3, dtype=m.float64)),
    "rand_like": lambda m: m.rand_like(m.ones(4)),
}


@pytest.mark.parametrize("name", list(RANDOM))
def test_random_shapes_and_dtypes_match_torch(name):
    got, expected = RANDOM[name](cr), RANDOM[name](torch)
    assert isinstance(got, cr.Tensor)
    assert (str(got.dtype), tuple(got.shape)) == (str(expected.dtype), tuple(expected.shape))


@pytest.mark.parametrize("name", list(RANDOM))
def test_manual_seed_reproduces_random_numbers(name):
    cr.manual_seed(1234)
    first = RANDOM[name](cr).tolist()
    second = RANDOM[name](cr).tolist()
    cr.manual_seed(1234)
    again = RANDOM[name](cr).tolist()
    cr.manual_seed(4321)
    other = RANDOM[name](cr).tolist()
    assert first == again
    assert first != second
    assert first != other


def test_manual_seed_reproduces_an_interleaved_sequence():
    def draw():
        return [
            cr.rand(3).tolist(),
            cr.randn(2, 2).tolist(),
            cr.randint(0, 100, (5,)).tolist(),
            cr.randn_like(cr.zeros(3)).tolist(),
        ]

    cr.manual_seed(0)
    a = draw()
    cr.manual_seed(0)
    assert draw() == a


def test_random_distributions():
    cr.manual_seed(7)
    u = cr.rand(20000).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    n = cr.randn(20000, dtype=cr.float64).numpy()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    k = cr.randint(3, 7, (5000,)).numpy()
    assert set(np.unique(k).tolist()) == {3, 4, 5, 6}


@pytest.mark.parametrize("dtype", [cr.float32, cr.float64])
def test_random_fills(dtype):
    cr.manual_seed(0)
    x = cr.empty(20000, dtype=dtype)
    assert x.uniform_(-2, 3) is x and x.dtype == dtype
    d = np.asarray(x)
    assert d.min() >= -2 and d.max() < 3 and abs(d.mean() - 0.5) < 0.05
    x.normal_(1.5, 0.5)
    d = np.asarray(x)
    assert abs(d.mean() - 1.5) < 0.02 and abs(d.std() - 0.5) < 0.02
    x.bernoulli_(0.25)
    d = np.asarray(x)
    assert set(np.unique(d)) <= {0.0, 1.0} and abs(d.mean() - 0.25) < 0.02
    x.random_(3, 7)
    assert set(np.unique(np.asarray(x))) == {3.0, 4.0, 5.0, 6.0}
    x.random_(2)
    assert set(np.unique(np.asarray(x))) == {0.0, 1.0}
    p = cr.tensor([0.0, 1.0], dtype=dtype)
    np.testing.assert_array_equal(
        np.asarray(cr.empty(3, 2, dtype=dtype).bernoulli_(p)), np.tile([0.0, 1.0], (3, 1))
    )


def test_random_fills_follow_the_seed():
    cr.manual_seed(5)
    a = np.asarray(cr.empty(5).uniform_()).copy()
    cr.manual_seed(5)
    np.testing.assert_array_equal(np.asarray(cr.empty(5).uniform_()), a)
    g = cr.Generator().manual_seed(3) if hasattr(cr, "Generator") else None
    if g is not None:
        b = np.asarray(cr.empty(5).normal_(generator=g)).copy()
        np.testing.assert_array_equal(
            np.asarray(cr.empty(5).normal_(generator=cr.Generator().manual_seed(3))), b
        )


def test_random_fills_cut_the_gradient_and_refuse_leaves():
    x = cr.ones(4, requires_grad=True)
    y = x * 2
    y.normal_()
    y.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), np.zeros(4))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        cr.ones(2, requires_grad=True).uniform_()
    with cr.no_grad():
        w = cr.ones(2, requires_grad=True)
        w.uniform_()
    assert w.requires_grad and w.grad_fn is None


def test_legacy_tensor_constructor_matches_pytorch():
    for args in (([1, 2],), ([[1.5, 2.0]],), (2, 3)):
        got, want = cr.Tensor(*args), torch.Tensor(*args)
        assert tuple(got.shape) == tuple(want.shape) and str(got.dtype) == str(want.dtype)
    assert cr.Tensor([1, 2]).tolist() == [1.0, 2.0]
