"""The Tensor API outside autograd: creation functions, attributes and conversions,
``repr`` (compared character for character with PyTorch's) and NumPy interop."""

import math

import numpy as np
import pytest
import torch

import chainrule as cr

MODULES = [pytest.param(torch, id="torch"), pytest.param(cr, id="chainrule")]


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    yield
    torch.set_default_dtype(torch.float32)
    cr.set_default_dtype(cr.float32)


def assert_same_tensor(actual, expected, rtol=1e-6, atol=0):
    """chainrule tensor ``actual`` equals torch tensor ``expected`` in dtype, shape, values."""
    assert isinstance(actual, cr.Tensor), f"expected a chainrule Tensor, got {type(actual)}"
    assert str(actual.dtype) == str(expected.dtype)
    assert tuple(actual.shape) == tuple(expected.shape)
    np.testing.assert_allclose(
        np.asarray(actual.detach()), expected.detach().numpy(), rtol=rtol, atol=atol
    )


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


# --------------------------------------------------------------------------- repr
REPRS = {
    # scalars
    "scalar 2.": "m.tensor(2.)",
    "scalar 176.": "m.tensor(176.)",
    "scalar 0.5": "m.tensor(0.5)",
    "scalar 1e-5": "m.tensor(1e-5)",
    "scalar 123456789.": "m.tensor(123456789.0)",
    "scalar -3.": "m.tensor(-3.)",
    "scalar -0.5": "m.tensor(-0.5)",
    "scalar 0.": "m.tensor(0.)",
    "scalar 1/3": "m.tensor(1 / 3)",
    "scalar 1e10": "m.tensor(1e10)",
    "scalar int": "m.tensor(5)",
    "scalar negative int": "m.tensor(-12)",
    "scalar bool": "m.tensor(True)",
    "scalar float64": "m.tensor(2., dtype=m.float64)",
    "scalar float64 fraction": "m.tensor(0.1, dtype=m.float64)",
    # vectors
    "vector integers": "m.tensor([1., 2., 3.])",
    "vector fractions": "m.tensor([1.5, 2., -3.25])",
    "vector small and large": "m.tensor([1e-5, 1.])",
    "vector huge range": "m.tensor([1e10, 1.])",
    "vector 1 and 1000": "m.tensor([1., 1000.])",
    "vector 1 and 1001": "m.tensor([1., 1001.])",
    "vector 1e-4": "m.tensor([1e-4, 1.])",
    "vector 1e8": "m.tensor([1e8])",
    "vector 1e9": "m.tensor([1e9])",
    "vector zeros": "m.tensor([0., 0.])",
    "vector 123456.7": "m.tensor([123456.7])",
    "vector thirds": "m.arange(6.) / 3",
    "vector ints": "m.tensor([1, -20, 300])",
    "vector bools": "m.tensor([True, False, True])",
    "vector float64": "m.tensor([1., 2.], dtype=m.float64)",
    "vector float64 fractions": "m.tensor([0.125, -2.5], dtype=m.float64)",
    "vector negative zero": "m.tensor([-0., 1.])",
    # matrices and more dimensions
    "matrix": "m.tensor([[1., 2.], [3., 4.]])",
    "matrix mixed widths": "m.tensor([[0.1234567, 100.5], [3., 4.]])",
    "matrix ints": "m.tensor([[1, 2], [3, 40]])",
    "matrix bools": "m.tensor([[True], [False]])",
    "matrix float64": "m.tensor([[1.5, 2.], [3., 4.]], dtype=m.float64)",
    "row": "m.ones(1, 5)",
    "column": "m.ones(3, 1)",
    "3-D": "m.arange(24.).reshape(2, 3, 4)",
    "3-D ints": "m.arange(30).reshape(2, 3, 5)",
    "4-D": "m.ones(2, 2, 2, 2)",
    "3-D bool": "m.tensor([[[True]]])",
    # autograd suffixes
    "requires_grad": "m.tensor([1., 2.], requires_grad=True)",
    "requires_grad scalar": "m.tensor(2., requires_grad=True)",
    "requires_grad float64": "m.tensor([1., 2.], dtype=m.float64, requires_grad=True)",
    "grad_fn": "m.tensor([1., 2.], requires_grad=True) * 2",
    "grad_fn scalar": "m.tensor(1., requires_grad=True).exp()",
    "grad_fn matrix": "m.ones(2, 2, requires_grad=True) @ m.ones(2, 2)",
    # nan and inf
    "nan inf vector": "m.tensor([float('nan'), float('inf'), -float('inf'), 1.])",
    "nan with fraction": "m.tensor([float('nan'), 1.5])",
    "inf with large": "m.tensor([float('inf'), 1e10])",
    "nan scalar": "m.tensor(float('nan'))",
    "inf scalar": "m.tensor(float('-inf'))",
    "all nan": "m.tensor([float('nan'), float('nan')])",
    # empty
    "empty vector": "m.zeros(0)",
    "empty matrix": "m.zeros(0, 3)",
    "empty trailing": "m.zeros(2, 0)",
    "empty int64": "m.zeros(0, dtype=m.int64)",
    "empty float64": "m.zeros(0, dtype=m.float64)",
    "empty bool": "m.zeros(0, dtype=m.bool)",
    "empty list": "m.tensor([])",
    # line wrapping
    "long vector": "m.arange(100.)",
    "long vector fractions": "m.arange(100.) / 7",
    "long int vector": "m.arange(60) * 1001",
    "long vector float64": "m.arange(30., dtype=m.float64) / 7",
    "long vector requires_grad": "m.arange(40.).requires_grad_()",
    "float64 vector, suffix wraps": "m.arange(5., dtype=m.float64) * 1000.25 - 2000",
    "float64 matrix, suffix wraps": "m.arange(12., dtype=m.float64).reshape(2, 6) * 1000.25",
    "wide matrix": "m.arange(40.).reshape(2, 20) / 3",
    # summarised (> 1000 elements)
    "big vector": "m.arange(2000.)",
    "big int vector": "m.arange(5000)",
    "big fraction vector": "m.arange(1001.) / 1000",
    "big matrix": "m.arange(2000.).reshape(40, 50)",
    "big int matrix": "m.arange(1500).reshape(3, 500)",
    "big 3-D": "m.arange(3000.).reshape(10, 10, 30)",
    "big bool": "m.arange(1200) % 3 == 0",
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_matches_torch(name):
    expr = REPRS[name]
    got = repr(eval(expr, {"m": cr}))
    expected = repr(eval(expr, {"m": torch}))
    assert got == expected, f"\nchainrule:\n{got}\ntorch:\n{expected}"


@pytest.mark.parametrize("name", ["matrix", "grad_fn", "vector float64", "scalar 2."])
def test_str_is_repr(name):
    t = eval(REPRS[name], {"m": cr})
    assert str(t) == repr(t) == repr(eval(REPRS[name], {"m": torch}))


@pytest.mark.parametrize(
    "expr",
    [
        "m.tensor([1., 2.])",
        "m.tensor([1., 2.], dtype=m.float32)",
        "m.tensor([1., 2.], dtype=m.float64)",
        "m.tensor([1, 2])",
        "m.zeros(0)",
    ],
)
def test_repr_with_default_dtype_float64_matches_torch(expr):
    cr.set_default_dtype(cr.float64)
    torch.set_default_dtype(torch.float64)
    got = repr(eval(expr, {"m": cr}))
    expected = repr(eval(expr, {"m": torch}))
    assert got == expected


GRAD_FN_NAMES = {
    "a + b": "AddBackward0",
    "a + 3 * b": "AddBackward0",
    "3 * b": "MulBackward0",
    "c ** 2": "PowBackward0",
    "a * b": "MulBackward0",
    "a - b": "SubBackward0",
    "a / b": "DivBackward0",
    "-a": "NegBackward0",
    "a ** b": "PowBackward1",
    "2 ** a": "PowBackward2",
    "a + 1": "AddBackward0",
    "a / 2": "DivBackward0",
    "a.exp()": "ExpBackward0",
    "a.log()": "LogBackward0",
    "a.sin()": "SinBackward0",
    "a.tanh()": "TanhBackward0",
    "a.sigmoid()": "SigmoidBackward0",
    "a.relu()": "ReluBackward0",
    "a.sqrt()": "SqrtBackward0",
    "a.abs()": "AbsBackward0",
    "v.sum()": "SumBackward0",
    "v.sum(0)": "SumBackward1",
    "v.mean()": "MeanBackward0",
    "M @ M": "MmBackward0",
    "v @ v": "DotBackward0",
    "M.T": "PermuteBackward0",
    "M.transpose(0, 1)": "TransposeBackward0",
    "v[0]": "SelectBackward0",
    "v[1:]": "SliceBackward0",
    "v[[0, 1]]": "IndexBackward0",
    "M.view(4)": "ViewBackward0",
    "v.unsqueeze(0)": "UnsqueezeBackward0",
    "v.max()": "MaxBackward1",
    "m.cat([v, v])": "CatBackward0",
    "m.stack([v, v])": "StackBackward0",
    "v.clone()": "CloneBackward0",
    "v.double()": "ToCopyBackward0",
    "m.softmax(v, 0)": "SoftmaxBackward0",
    "v.clamp(0, 1)": "ClampBackward1",
    # PyTorch 2.13 names that chainrule spells differently (visible in repr)
    "M.t()": "TBackward0",
    "M.reshape(4)": "ViewBackward0",
    "M.flatten()": "ViewBackward0",
    "1 - a": "RsubBackward1",
    "v.prod()": "ProdBackward0",
    "M.squeeze()": "SqueezeBackward0",
    "v[None]": "UnsqueezeBackward0",
}


@pytest.mark.parametrize("expr", list(GRAD_FN_NAMES))
def test_grad_fn_names_match_torch(expr):
    def build(m):
        env = {
            "m": m,
            "a": m.tensor(2.0, requires_grad=True),
            "b": m.tensor(3.0, requires_grad=True),
            "c": m.tensor(4.0, requires_grad=True),
            "v": m.tensor([1.0, -2.0, 3.0, 4.0], requires_grad=True),
            "M": m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True),
        }
        return eval(expr, env)

    expected = build(torch)
    assert expected.grad_fn.name() == GRAD_FN_NAMES[expr]
    got = build(cr)
    assert got.grad_fn.name() == GRAD_FN_NAMES[expr]
    assert repr(got) == repr(expected)


# --------------------------------------------------------------------------- NumPy interop
INTEROP = {
    "array + t": lambda a, t: a + t,
    "t + array": lambda a, t: t + a,
    "array * t": lambda a, t: a * t,
    "t * array": lambda a, t: t * a,
    "array - t": lambda a, t: a - t,
    "t - array": lambda a, t: t - a,
    "array / t": lambda a, t: a / t,
    "t / array": lambda a, t: t / a,
    "array @ t": lambda a, t: a @ t,
    "t @ array": lambda a, t: t @ a,
    "array ** t": lambda a, t: a**t,
}


# torch's matmul does not promote mixed dtypes, so `@` is compared with a float32 array only
INTEROP_CASES = [
    pytest.param(name, dt, id=f"{name}-{dt}")
    for name in INTEROP
    for dt in (["float32"] if "@" in name else ["float32", "float64", "int64"])
]


@pytest.mark.parametrize("name, np_dtype", INTEROP_CASES)
def test_numpy_array_operands_give_tensors_with_values_and_gradients(name, np_dtype):
    op = INTEROP[name]
    arr = np.array([[1.5, 2.0, 3.0], [0.5, 4.0, 1.0]])
    if np_dtype == "int64":
        arr = np.array([[1, 2, 3], [2, 4, 1]])
    arr = arr.astype(np_dtype)
    if "@" in name:
        arr = arr[0] if name.startswith("t") else arr
    t_data = [2.0, 0.5, 1.25]
    t = cr.tensor(t_data, requires_grad=True)
    out = op(arr.copy(), t)
    assert isinstance(out, cr.Tensor), f"{name} returned {type(out).__name__}"
    out.sum().backward()
    # reference: PyTorch with the array turned into a tensor (torch itself refuses an
    # ndarray operand next to a tensor that requires grad)
    tt = torch.tensor(t_data, requires_grad=True)
    expected = op(torch.from_numpy(arr.copy()), tt)
    expected.sum().backward()
    assert_same_tensor(out, expected, rtol=1e-6)
    assert_same_tensor(t.grad, tt.grad, rtol=1e-6)


def test_numpy_zero_dim_array_and_scalars_do_not_upcast_like_torch():
    t = cr.ones(3)
    tt = torch.ones(3)
    assert str((t * np.array(2.0)).dtype) == str((tt * torch.from_numpy(np.array(2.0))).dtype)
    assert str((np.array(2.0) + t).dtype) == "torch.float32"
    assert isinstance(np.float32(2.0) * t, cr.Tensor)
    assert str((np.float32(2.0) * t).dtype) == str((np.float32(2.0) * tt).dtype)


def test_numpy_functions_accept_tensors_not_requiring_grad():
    t = cr.tensor([1.0, 4.0, 9.0])
    assert np.allclose(np.sqrt(np.asarray(t)), [1.0, 2.0, 3.0])
    assert math.isclose(float(np.sum(np.asarray(t))), 14.0)
    assert np.array_equal(np.stack([t.numpy(), t.numpy()]), [[1.0, 4.0, 9.0]] * 2)
