"""More maths ops (mathfn.py and later families), each compared with PyTorch: values,
dtypes, gradients, and second derivatives by gradgradcheck for the smooth ones."""

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import gradgradcheck

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}


def _domain(rng, shape, domain):
    if domain == "real":
        return rng.standard_normal(shape) * 2
    if domain == "pos":
        return rng.uniform(0.2, 3.0, shape)
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "nonzero":
        return rng.uniform(0.3, 2.0, shape) * rng.choice([-1, 1], shape)
    raise ValueError(domain)


def check(fn, arrays, dtype="float64", grad=True, gradgrad=False, tol=None):
    """Run ``fn(module, *tensors)`` in both libraries; compare values, dtypes and grads."""
    outs, grads = [], []
    for m in (cr, torch):
        ts = [m.tensor(a, dtype=getattr(m, dtype), requires_grad=grad) for a in arrays]
        out = fn(m, *ts)
        outs.append(out)
        if grad:
            w = m.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
            (out * w).sum().backward()
            grads.append([np.asarray(t.grad) if t.grad is not None else None for t in ts])
    tol = tol or TOL.get(dtype, TOL["float64"])
    got, want = outs
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(np.asarray(got.detach()), want.detach().numpy(), **tol)
    if grad:
        for a, b in zip(*grads):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, **tol)
    if gradgrad and dtype == "float64":
        ts = [cr.tensor(a, dtype=cr.float64, requires_grad=True) for a in arrays]
        assert gradgradcheck(lambda *xs: fn(cr, *xs), tuple(ts))


UNARY = [  # name, domain
    ("reciprocal", "nonzero"),
    ("log2", "pos"),
    ("log10", "pos"),
    ("exp2", "real"),
    ("sinh", "real"),
    ("cosh", "real"),
    ("asin", "unit"),
    ("acos", "unit"),
    ("atan", "real"),
    ("erfc", "real"),
    ("arcsin", "unit"),
    ("arccos", "unit"),
    ("arctan", "real"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,domain", UNARY)
def test_unary(name, domain, dtype):
    rng = np.random.default_rng(len(name))
    a = _domain(rng, (3, 4), domain)
    check(lambda m, x: getattr(m, name)(x), [a], dtype, gradgrad=True)
    check(lambda m, x: getattr(x, name)(), [a], dtype)


@pytest.mark.parametrize("name", ["reciprocal", "log2", "exp2", "sinh", "atan"])
def test_unary_integer_input_gives_default_float(name):
    a = np.array([1, 2, 3])
    check(lambda m, x: getattr(m, name)(x), [a], "int64", grad=False)


BINARY = [  # name, domain of a, domain of b, smooth
    ("atan2", "real", "nonzero", True),
    ("hypot", "nonzero", "nonzero", True),
    ("logaddexp", "real", "real", True),
    ("remainder", "real", "nonzero", False),
    ("fmod", "real", "nonzero", False),
    ("arctan2", "real", "nonzero", True),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,da,db,smooth", BINARY)
def test_binary(name, da, db, smooth, dtype):
    rng = np.random.default_rng(len(name) + 1)
    a, b = _domain(rng, (3, 4), da), _domain(rng, (4,), db)
    check(lambda m, x, y: getattr(m, name)(x, y), [a, b], dtype, gradgrad=smooth)
    check(lambda m, x, y: getattr(x, name)(y), [a, b], dtype)
    if name in ("remainder", "fmod"):  # torch takes a Python number only for these
        check(lambda m, x: getattr(m, name)(x, 1.3), [a], dtype)
        check(lambda m, x: getattr(m, name)(x, -0.7), [a], dtype)


@pytest.mark.parametrize("name", ["remainder", "fmod"])
def test_remainder_fmod_integers(name):
    a, b = np.array([-7, -3, 0, 5, 9]), np.array([2, -4, 3, 3, -2])
    check(lambda m, x, y: getattr(m, name)(x, y), [a, b], "int64", grad=False)


def test_logaddexp_large_values():
    a = np.array([1000.0, -1000.0, 5.0])
    b = np.array([999.0, -1001.0, 5.0])
    check(lambda m, x, y: m.logaddexp(x, y), [a, b], gradgrad=True)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_clamp_min_max(dtype):
    a = np.random.default_rng(3).standard_normal((4, 5))
    check(lambda m, x: m.clamp_min(x, 0.1), [a], dtype)
    check(lambda m, x: m.clamp_max(x, -0.2), [a], dtype)
    check(lambda m, x: x.clamp_min(-0.5).clamp_max(0.5), [a], dtype)
    lo = np.random.default_rng(4).standard_normal(5)
    check(lambda m, x, y: m.clamp_min(x, y), [a, lo], dtype)
    check(lambda m, x, y: m.clamp_max(x, y), [a, lo], dtype)


def test_clamp_min_grad_fn_name():
    x = cr.ones(2, requires_grad=True)
    assert type(cr.clamp_min(x, 0).grad_fn).__name__ == "ClampMinBackward0"
    assert type(cr.clamp_max(x, 0).grad_fn).__name__ == "ClampMaxBackward0"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_lerp(dtype):
    rng = np.random.default_rng(5)
    a, b, w = rng.standard_normal((3, 4)), rng.standard_normal((4,)), rng.uniform(0, 1, (3, 1))
    check(lambda m, x, y: m.lerp(x, y, 0.3), [a, b], dtype, gradgrad=True)
    check(lambda m, x, y, z: m.lerp(x, y, z), [a, b, w], dtype, gradgrad=True)
    check(lambda m, x, y, z: x.lerp(y, z), [a, b, w], dtype)


def test_lerp_rejects_mixed_dtypes():
    with pytest.raises(RuntimeError, match="lerp: expected dtype"):
        cr.lerp(cr.zeros(2, dtype=cr.float32), cr.zeros(2, dtype=cr.float64), 0.5)


def test_lerp_rejects_integer_input():
    with pytest.raises(TypeError, match="lerp: expected input to be a floating-point"):
        cr.lerp(cr.tensor([1, 2]), cr.zeros(2), 0.5)


@pytest.mark.parametrize(
    "name,args",
    [
        ("abs_", ()),
        ("sigmoid_", ()),
        ("tanh_", ()),
        ("clamp_min_", (0.1,)),
        ("clamp_max_", (-0.1,)),
    ],
)
def test_inplace(name, args):
    a = np.random.default_rng(6).standard_normal((3, 4))
    check(lambda m, x: getattr(x * 1, name)(*args), [a])
    for m in (cr, torch):
        t = m.tensor(a.copy())
        assert getattr(t, name)(*args) is t
    got, want = cr.tensor(a.copy()), torch.tensor(a.copy())
    getattr(got, name)(*args)
    getattr(want, name)(*args)
    np.testing.assert_allclose(np.asarray(got), want.numpy(), rtol=1e-12)


def test_inplace_on_leaf_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="leaf Variable"):
        cr.ones(2, requires_grad=True).tanh_()


def test_new_names_are_public():
    for name in (
        [n for n, _ in UNARY] + [n for n, *_ in BINARY] + ["clamp_min", "clamp_max", "lerp"]
    ):
        assert name in cr.ops.__all__
        assert callable(getattr(cr, name))


# ---------------------------------------------------------------- scatter, index_add, fills
IDX = np.array([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_scatter_add(dtype):
    rng = np.random.default_rng(8)
    a, s = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    check(lambda m, x, y: m.scatter_add(x, 0, m.tensor(IDX), y), [a, s], dtype, gradgrad=True)
    check(
        lambda m, x, y: (x * 1).scatter_add_(1, m.tensor(IDX[:, :3] % 3), y), [a, s[:, :3]], dtype
    )
    big = rng.standard_normal((3, 6))  # src may be larger than index: only a block is read
    check(lambda m, x, y: x.scatter_add(0, m.tensor(IDX), y), [a, big], dtype, grad=False)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_scatter(dtype):
    rng = np.random.default_rng(9)
    a, s = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    idx = np.array([[0, 1, 2, 0, 1], [2, 0, 1, 1, 2]])  # no repeats within a column
    check(lambda m, x, y: m.scatter(x, 0, m.tensor(idx), y), [a, s], dtype, gradgrad=True)
    check(lambda m, x, y: (x * 1).scatter_(0, m.tensor(idx), y), [a, s], dtype)
    check(lambda m, x: x.scatter(0, m.tensor(idx), 2.5), [a], dtype)
    check(lambda m, x: m.scatter(x, 1, m.tensor(idx[:, :2]), value=-1.0), [a], dtype)
    check(lambda m, x: (x * 1).scatter_(1, m.tensor(idx[:, :2]), 7.0), [a], dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("dim,alpha", [(0, 1), (1, 2.5), (-1, -1)])
def test_index_add(dim, alpha, dtype):
    rng = np.random.default_rng(10)
    a = rng.standard_normal((3, 4))
    idx = np.array([0, 2, 0])
    src_shape = (3, 4) if dim == 0 else (3, 3)
    s = rng.standard_normal(src_shape)
    check(
        lambda m, x, y: m.index_add(x, dim, m.tensor(idx), y, alpha=alpha),
        [a, s],
        dtype,
        gradgrad=True,
    )
    check(lambda m, x, y: (x * 1).index_add_(dim, m.tensor(idx), y, alpha=alpha), [a, s], dtype)


def test_masked_fill_inplace():
    a = np.random.default_rng(11).standard_normal((3, 4))
    mask = a > 0.3
    check(lambda m, x: (x * 1).masked_fill_(m.tensor(mask), -2.0), [a])
    t = cr.tensor(a.copy())
    assert t.masked_fill_(cr.tensor(mask), 0.0) is t
    np.testing.assert_array_equal(np.asarray(t), np.where(mask, 0.0, a))


def test_scatter_errors():
    x = cr.zeros(3, 4)
    with pytest.raises(RuntimeError, match="scatter_add\\(\\): Expected dtype int64"):
        cr.scatter_add(x, 0, cr.tensor([[0.0]]), cr.ones(1, 1))
    with pytest.raises(RuntimeError, match="scatter\\(\\): Index tensor must have the same"):
        cr.scatter(x, 0, cr.tensor([0]), cr.ones(1))
    with pytest.raises(RuntimeError, match="scatter\\(\\): Expected index \\[1, 5\\]"):
        cr.scatter(x, 0, cr.tensor([[0, 0, 0, 0, 0]]), cr.ones(1, 5))
    with pytest.raises(RuntimeError, match="scatter_add\\(\\): index out of range"):
        cr.scatter_add(x, 0, cr.tensor([[3]]), cr.ones(1, 1))
    with pytest.raises(NotImplementedError, match="scatter: the reduce argument"):
        cr.scatter(x, 0, cr.tensor([[0]]), cr.ones(1, 1), reduce="multiply")
    with pytest.raises(TypeError, match="scatter\\(\\) missing"):
        cr.scatter(x, 0, cr.tensor([[0]]))
    with pytest.raises(IndexError, match="index_add_\\(\\): Index is supposed to be a vector"):
        cr.index_add(x, 0, cr.tensor([[0]]), cr.ones(1, 4))
    with pytest.raises(RuntimeError, match="index_add_\\(\\): source of shape \\[2, 4\\]"):
        cr.index_add(x, 0, cr.tensor([0]), cr.ones(2, 4))
    with pytest.raises(IndexError, match="index_add_\\(\\): index out of range"):
        cr.index_add(x, 0, cr.tensor([5]), cr.ones(1, 4))


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


def test_random_fill_errors():
    x = cr.empty(3)
    with pytest.raises(RuntimeError, match="uniform_ expects"):
        x.uniform_(2, 1)
    with pytest.raises(RuntimeError, match="normal_ expects std >= 0.0"):
        x.normal_(0, -1)
    with pytest.raises(RuntimeError, match="bernoulli_ expects p"):
        x.bernoulli_(1.5)
    with pytest.raises(RuntimeError, match="random_ expects 'from'"):
        x.random_(5, 2)


def test_scatter_names_are_public():
    for name in ["index_add", "scatter", "scatter_add"]:
        assert name in cr.ops.__all__ and callable(getattr(cr, name))


# ---------------------------------------------------------------- tril, diag, einsum, ...
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("k", [0, 1, -2])
def test_tril_triu(name, k, dtype):
    a = np.random.default_rng(12).standard_normal((2, 3, 4))
    check(lambda m, x: getattr(m, name)(x, k), [a], dtype, gradgrad=True)
    check(lambda m, x: getattr(x, name)(diagonal=k), [a], dtype)
    check(lambda m, x: getattr(x * 1, name + "_")(k), [a], dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("k", [0, 1, -1, 2])
def test_diag(k, dtype):
    rng = np.random.default_rng(13)
    check(lambda m, x: m.diag(x, k), [rng.standard_normal(3)], dtype, gradgrad=True)
    check(lambda m, x: m.diag(x, k), [rng.standard_normal((3, 5))], dtype, gradgrad=True)
    check(lambda m, x: x.diag(k), [rng.standard_normal((4, 2))], dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_trace(dtype):
    rng = np.random.default_rng(14)
    check(lambda m, x: m.trace(x), [rng.standard_normal((3, 5))], dtype, gradgrad=True)
    check(lambda m, x: x.trace(), [rng.standard_normal((4, 2))], dtype)
    check(lambda m, x: m.trace(x), [np.arange(9).reshape(3, 3)], "int64", grad=False)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_without_zeros(dim, dtype):
    a = _domain(np.random.default_rng(15), (3, 4), "nonzero")
    check(lambda m, x: m.cumprod(x, dim), [a], dtype, gradgrad=True)
    check(lambda m, x: x.cumprod(dim=dim), [a], dtype)


def test_cumprod_integers():
    check(lambda m, x: m.cumprod(x, 0), [np.array([1, 2, 3, -4])], "int64", grad=False)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("cshape", [(3, 5), (5,), (1, 5), (3, 1), ()])
def test_addmm(cshape, dtype):
    rng = np.random.default_rng(16)
    c, a, b = rng.standard_normal(cshape), rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    check(lambda m, x, y, z: m.addmm(x, y, z), [c, a, b], dtype, gradgrad=True)
    check(lambda m, x, y, z: x.addmm(y, z, beta=0.5, alpha=-2.0), [c, a, b], dtype, gradgrad=True)


EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij->ji", [(3, 4)]),
    ("ij->i", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,kl->", [(2, 3), (4, 5)]),
    ("ik,jk", [(3, 4), (2, 4)]),
    ("i,i", [(4,), (4,)]),
    ("abc,cd,a->bd", [(2, 3, 4), (4, 5), (2,)]),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("eq,shapes", EINSUMS)
def test_einsum(eq, shapes, dtype):
    rng = np.random.default_rng(len(eq))
    arrays = [rng.standard_normal(s) for s in shapes]
    check(lambda m, *xs: m.einsum(eq, *xs), arrays, dtype, gradgrad=True)


def test_einsum_list_form():
    rng = np.random.default_rng(17)
    check(
        lambda m, x, y: m.einsum("ij,jk->ik", [x, y]),
        [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))],
    )


def test_matrix_errors():
    with pytest.raises(NotImplementedError, match="einsum: ellipsis"):
        cr.einsum("...ij->...ji", cr.zeros(2, 3))
    with pytest.raises(NotImplementedError, match="einsum: an index repeated"):
        cr.einsum("ii->i", cr.zeros(3, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): 'ij,jk->ik' names 2 operands"):
        cr.einsum("ij,jk->ik", cr.zeros(2, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): the subscript 'ij' names 2 dims"):
        cr.einsum("ij->i", cr.zeros(3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): subscript 'j' has size 4"):
        cr.einsum("ij,jk->ik", cr.zeros(2, 3), cr.zeros(4, 2))
    with pytest.raises(RuntimeError, match="einsum\\(\\): invalid output subscripts 'z'"):
        cr.einsum("ij->z", cr.zeros(2, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): invalid subscript '1j'"):
        cr.einsum("1j->j", cr.zeros(2, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): must provide at least one"):
        cr.einsum("ij->i")
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2"):
        cr.tril(cr.zeros(3))
    with pytest.raises(RuntimeError, match="triu: input tensor must have at least 2"):
        cr.triu(cr.zeros(3))
    with pytest.raises(RuntimeError, match="diag: expected a 1-D or 2-D tensor"):
        cr.diag(cr.zeros(2, 2, 2))
    with pytest.raises(TypeError, match="trace\\(\\): expected a Tensor"):
        cr.trace([[1, 2]])
    with pytest.raises(RuntimeError, match="addmm: mat1 and mat2 shapes cannot be multiplied"):
        cr.addmm(cr.zeros(2, 2), cr.zeros(2, 3), cr.zeros(2, 2))
    with pytest.raises(RuntimeError, match="addmm: mat2 must be a matrix"):
        cr.addmm(cr.zeros(2, 2), cr.zeros(2, 3), cr.zeros(3))
    with pytest.raises(RuntimeError, match="addmm: input of shape \\[3\\] cannot be broadcast"):
        cr.addmm(cr.zeros(3), cr.zeros(2, 2), cr.zeros(2, 2))


def test_matrix_names_are_public():
    for name in ["addmm", "cumprod", "diag", "einsum", "trace", "tril", "triu"]:
        assert name in cr.ops.__all__ and callable(getattr(cr, name))


# ---------------------------------------------------------------- nonzero, unique, ...
def _same(got, want):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(np.asarray(got.detach()), want.detach().numpy(), rtol=1e-12)


Q = np.array([[0.0, 1.5, 0.0, -2.0], [3.0, 0.0, 0.0, 1.5], [0.0, 1.5, 0.0, 0.0]])


@pytest.mark.parametrize("data", [Q, Q.astype(np.int64), Q[0], np.array(2.0), Q > 0])
def test_nonzero_and_count(data):
    a, b = cr.tensor(data), torch.tensor(data)
    _same(cr.nonzero(a), torch.nonzero(b))
    _same(a.nonzero(), b.nonzero())
    _same(cr.nonzero(a, as_tuple=True), torch.nonzero(b, as_tuple=True))
    _same(cr.count_nonzero(a), torch.count_nonzero(b))
    if data.ndim == 2:
        for dim in (0, 1, -1, (0, 1)):
            _same(cr.count_nonzero(a, dim=dim), torch.count_nonzero(b, dim=dim))
        _same(a.count_nonzero(1), b.count_nonzero(1))


@pytest.mark.parametrize("data", [Q, Q.astype(np.int64), np.array([3, 1, 3, 2, 1, 1])])
@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("counts", [False, True])
def test_unique(data, inverse, counts):
    a, b = cr.tensor(data), torch.tensor(data)
    kw = dict(return_inverse=inverse, return_counts=counts)
    _same(cr.unique(a, **kw), torch.unique(b, **kw))
    _same(a.unique(sorted=True, **kw), b.unique(sorted=True, **kw))


def test_unique_dim():
    data = np.array([[1, 2], [3, 4], [1, 2], [0, 9]])
    a, b = cr.tensor(data), torch.tensor(data)
    _same(
        cr.unique(a, dim=0, return_inverse=True, return_counts=True),
        torch.unique(b, dim=0, return_inverse=True, return_counts=True),
    )


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(2, 3), (2, 3, 4), (3,)])
def test_meshgrid(sizes, indexing):
    rng = np.random.default_rng(18)
    arrays = [rng.standard_normal(n) for n in sizes]
    outs, grads = [], []
    for m in (cr, torch):
        ts = [m.tensor(a, requires_grad=True) for a in arrays]
        grids = m.meshgrid(*ts, indexing=indexing)
        outs.append(grids)
        sum((g * (i + 1.0)).sum() * (i + 1.0) for i, g in enumerate(grids)).backward()
        grads.append([np.asarray(t.grad) for t in ts])
    _same(*outs)
    for g, w in zip(*grads):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    _same(
        cr.meshgrid([cr.tensor(a) for a in arrays], indexing=indexing),
        torch.meshgrid([torch.tensor(a) for a in arrays], indexing=indexing),
    )


@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(dim=0),
        dict(dim=1, keepdim=True),
        dict(dim=(0, 1), correction=0),
        dict(unbiased=False),
    ],
)
def test_var_mean_std_mean(name, kw):
    a = np.random.default_rng(19).standard_normal((3, 4))
    outs, grads = [], []
    for m in (cr, torch):
        x = m.tensor(a, requires_grad=True)
        pair = getattr(m, name)(x, **kw)
        outs.append(pair)
        (pair[0].sum() * 2 + pair[1].sum() * 3).backward()
        grads.append(np.asarray(x.grad))
    _same(tuple(outs[0]), tuple(outs[1]))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)


def test_query_errors():
    with pytest.raises(TypeError, match="nonzero\\(\\): argument 'input' must be Tensor"):
        cr.nonzero([1, 0])
    with pytest.raises(TypeError, match="count_nonzero\\(\\): argument 'input'"):
        cr.count_nonzero([1, 0])
    with pytest.raises(TypeError, match="unique\\(\\): argument 'input'"):
        cr.unique([1, 0])
    with pytest.raises(TypeError, match="meshgrid\\(\\): argument 'input'"):
        cr.meshgrid([1, 0])
    with pytest.raises(ValueError, match="meshgrid: indexing must be one of"):
        cr.meshgrid(cr.zeros(2), indexing="xx")
    with pytest.raises(RuntimeError, match="meshgrid: expected 0-D or 1-D tensors"):
        cr.meshgrid(cr.zeros(2, 2))
    with pytest.raises(RuntimeError, match="meshgrid expects a non-empty TensorList"):
        cr.meshgrid()
    with pytest.raises(RuntimeError, match="meshgrid expects all tensors to have the same"):
        cr.meshgrid(cr.zeros(2), cr.zeros(2, dtype=cr.float64))


def test_query_names_are_public():
    for name in ["count_nonzero", "meshgrid", "nonzero", "std_mean", "unique", "var_mean"]:
        assert name in cr.ops.__all__ and callable(getattr(cr, name))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_with_zeros(dim, dtype):
    a = _domain(np.random.default_rng(20), (4, 5), "nonzero")
    a[1, 2] = a[2, 3] = a[3, 0] = a[0, 4] = 0.0
    a[2, 0] = 0.0  # two zeros in one row and in one column
    check(lambda m, x: m.cumprod(x, dim), [a], dtype, gradgrad=True)
    check(lambda m, x: x.cumprod(dim).sin(), [a], dtype, gradgrad=True)


def test_mod_operator_is_remainder():
    rng = np.random.default_rng(21)
    a, b = rng.standard_normal((3, 4)) * 3, _domain(rng, (4,), "nonzero")
    check(lambda m, x, y: x % y, [a, b])
    check(lambda m, x: x % 0.7, [a])
    check(lambda m, x: 2.5 % x, [b], grad=False)  # torch has no derivative here
    check(lambda m, x, y: x % y, [np.array([-7, 5, 9]), np.array([2, -3, 4])], "int64", grad=False)
    assert type((cr.ones(2, requires_grad=True) % 2).grad_fn).__name__ == "RemainderBackward0"


@pytest.mark.parametrize("name", ["clamp_min", "clamp_max"])
@pytest.mark.parametrize("bound", [2, 2.5])
def test_clamp_min_max_integer_input(name, bound):
    check(lambda m, x: getattr(m, name)(x, bound), [np.array([1, 2, 3])], "int64", grad=False)
