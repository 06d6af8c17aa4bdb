"""ops/statistics.py and ops/counting.py beyond the OP_DB entries: the names exported as
PyTorch's, errors (type and wording), dtypes, ties and NaN, in-place forms (self, version
counter, leaf refusal), reprs of the result types, and logcumsumexp on inputs whose
exponentials overflow. Each check runs the same call on chainrule and torch."""

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.ops import statistics

# the in-place methods PyTorch's Tensor has and this family adds
INPLACE_METHODS = [
    "absolute_",
    "sgn_",
    "sign_",
    "frac_",
    "deg2rad_",
    "rad2deg_",
    "true_divide_",
    "floor_divide_",
    "fmod_",
    "remainder_",
    "floor_",
    "log_",
    "addcmul_",
    "addcdiv_",
    "lerp_",
    "float_power_",
    "heaviside_",
    "xlogy_",
    "sinc_",
    "logit_",
    "nan_to_num_",
]


def both(fn, *arrays, dtype="float64"):
    """``fn(m, *tensors)`` on chainrule and on torch, with the same data."""
    out = []
    for m in (cr, torch):
        out.append(fn(m, *(m.tensor(np.asarray(a), dtype=getattr(m, dtype)) for a in arrays)))
    return out


def same(c, t):
    if isinstance(t, tuple):
        assert type(c).__name__ == type(t).__name__ and len(c) == len(t)
        for a, b in zip(c, t):
            same(a, b)
        return
    assert str(c.dtype) == str(t.dtype) and tuple(c.shape) == tuple(t.shape)
    np.testing.assert_array_equal(c.detach().numpy(), t.detach().numpy())


def raises_like(fn, *arrays, dtype="float64", match=None):
    """Both libraries raise the same exception type (chainrule's message matching)."""
    errors = []
    for m in (torch, cr):
        with pytest.raises(Exception) as info:
            fn(m, *(m.tensor(np.asarray(a), dtype=getattr(m, dtype)) for a in arrays))
        errors.append(info)
    assert errors[1].type is errors[0].type, (errors[1].value, errors[0].value)
    if match:
        assert match in str(errors[1].value)


def test_names_match_pytorchs():
    for name in statistics.__all__:
        assert hasattr(torch, name), name
        assert getattr(cr, name) is getattr(statistics, name)
    for name in INPLACE_METHODS:
        assert hasattr(torch.Tensor, name) and hasattr(cr.Tensor, name), name


@pytest.mark.parametrize(
    "call, data, dtype, match",
    [
        (lambda m, x: m.floor_divide(x, m.zeros_like(x)), [3, -2], "int64", "ZeroDivision"),
        (lambda m, x: x.clone().floor_divide_(0), [3, -2], "int64", "ZeroDivision"),
        (lambda m, x: m.kthvalue(x, 4), [1.0, 2.0, 3.0], "float64", "out of range"),
        (lambda m, x: m.kthvalue(x, 0), [1.0, 2.0, 3.0], "float64", "out of range"),
        (lambda m, x: m.median(x[:0], 0), [1.0], "float64", "non-zero size"),
        (lambda m, x: m.mode(x[:0]), [1.0], "float64", "non-zero size"),
        (lambda m, x: m.quantile(x, 1.5), [1.0, 2.0], "float64", "[0, 1]"),
        (lambda m, x: m.quantile(x, x * 2), [0.2, 0.6], "float64", "[0, 1]"),
        (lambda m, x: m.quantile(x, x.float()), [0.2], "float64", "same dtype"),
        (lambda m, x: m.quantile(x, x.reshape(1, 1)), [0.2], "float64", "1D"),
        (lambda m, x: m.quantile(x, 0.5, interpolation="mean"), [1.0], "float64", "nearest"),
        (lambda m, x: m.quantile(x, 0.5), [1, 2], "int64", "float or double"),
        (lambda m, x: m.nanquantile(x, 0.5), [1, 2], "int64", "float or double"),
        (lambda m, x: m.frac(x), [1, 2], "int64", "frac"),
        (lambda m, x: m.heaviside(x, x.float()), [1.0], "float64", "different dtypes"),
        (lambda m, x: m.addcdiv(x.float(), x, x), [1, 2], "int64", "Integer division"),
        (lambda m, x: m.nanmean(x), [1, 2], "int64", "floating point"),
        (lambda m, x: x.float().float_power_(2), [1.0], "float64", "float_power_"),
        (lambda m, x: m.bincount(x), [1.0], "float64", "bincount"),
        (lambda m, x: m.bincount(x), [-1, 2], "int64", "non-negative"),
        (lambda m, x: m.bincount(x.reshape(1, 2)), [1, 2], "int64", "1-d"),
        (lambda m, x: m.bucketize(x, x.reshape(1, 2)), [1.0, 2.0], "float64", "1 dimension"),
        (
            lambda m, x: m.searchsorted(x, x, side="left", right=True),
            [1.0, 2.0],
            "float64",
            "opposites",
        ),
        (lambda m, x: m.searchsorted(x.reshape(1, 2), x), [1.0, 2.0], "float64", "must match"),
        (lambda m, x: m.logcumsumexp(x, 0), [1, 2], "int64", "logcumsumexp"),
        (lambda m, x: m.cummax(x, 1), [1.0, 2.0], "float64", "out of range"),
    ],
)
def test_errors_as_pytorch(call, data, dtype, match):
    raises_like(call, data, dtype=dtype, match=match)


@pytest.mark.parametrize(
    "call, dtype",
    [
        (lambda m, x: m.float_power(x, 2), "int64"),
        (lambda m, x: m.float_power(x, 0.5), "float32"),
        (lambda m, x: m.float_power(2, x), "float32"),
        (lambda m, x: m.deg2rad(x), "int64"),
        (lambda m, x: m.xlogy(x, 3), "int64"),
        (lambda m, x: m.xlogy(2, x), "float32"),
        (lambda m, x: m.sinc(x), "int64"),
        (lambda m, x: m.logit(x), "int64"),
        (lambda m, x: m.nan_to_num(x), "int64"),
        (lambda m, x: m.nansum(x), "int64"),
        (lambda m, x: m.nansum(x, dtype=m.float64), "float32"),
        (lambda m, x: m.signbit(x), "int64"),
        (lambda m, x: m.floor_divide(x, 2), "int64"),
        (lambda m, x: m.bucketize(x, x.sort().values, out_int32=True), "float32"),
        (lambda m, x: m.bincount(x.abs(), weights=x.float()), "int64"),
        (lambda m, x: m.bincount(x.abs(), weights=x), "int64"),
        (lambda m, x: m.bincount(x.abs(), weights=x.double()), "int64"),
        (lambda m, x: m.median(x), "int64"),
        (lambda m, x: m.mode(x), "int64"),
        (lambda m, x: m.cummin(x, 0), "int64"),
        (lambda m, x: m.lgamma(x.abs() + 1), "int64"),
        (lambda m, x: m.digamma(x.abs() + 1), "int64"),
    ],
)
def test_dtypes_as_pytorch(call, dtype):
    data = [3, -1, 0, 2, -1, 5] if dtype == "int64" else [0.5, -1.25, 0.0, 2.0]
    c, t = both(call, data, dtype=dtype)
    for a, b in zip(c if isinstance(c, tuple) else (c,), t if isinstance(t, tuple) else (t,)):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_half_precision_rounds_once():
    data = np.array([0.3, 0.7, np.inf, -np.inf, np.nan], np.float16)
    for fn in (
        lambda m, x: m.sinc(x[:2]),
        lambda m, x: m.nan_to_num(x),
        lambda m, x: m.nan_to_num(x, nan=None, neginf=-1.0),
    ):
        c, t = (fn(m, m.tensor(data)) for m in (cr, torch))
        same(c, t)


def test_special_functions_at_poles_and_infinities():
    x = [0.0, -0.0, -1.0, -2.0, -3.5, 1.0, 2.0, np.inf, -np.inf, np.nan, 1e-300, 1e300]
    for dtype in ("float64", "float32"):
        for fn in (lambda m, x: m.lgamma(x), lambda m, x: m.digamma(x)):
            c, t = both(fn, x, dtype=dtype)
            np.testing.assert_allclose(c.numpy(), t.numpy(), rtol=1e-6, equal_nan=True)


def test_median_and_kthvalue_ties_pick_an_equal_element():
    # torch does not promise which of equal elements it reports along a dim: the index
    # must hold the value, and the gradient goes to that index alone
    x = np.array([[2.0, 1.0, 2.0, 2.0, 3.0], [0.0, 0.0, 1.0, 1.0, 5.0]])
    xc = cr.tensor(x, requires_grad=True)
    for values, indices in (cr.median(xc, 1), cr.kthvalue(xc, 3, 1)):
        np.testing.assert_array_equal(x[np.arange(2), indices.numpy()], values.detach().numpy())
        expected = np.zeros_like(x)
        expected[np.arange(2), indices.numpy()] = 1
        (grad,) = cr.autograd.grad(values.sum(), xc)
        np.testing.assert_array_equal(grad.numpy(), expected)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.median(x, 1),
        lambda m, x: m.nanmedian(x, 1).values,  # the index in a row of NaN only is arbitrary
        lambda m, x: m.nanmedian(x[[0, 2]], 1),
        lambda m, x: m.nanmedian(x),
        lambda m, x: m.median(x),
        lambda m, x: m.mode(x, 1),
        lambda m, x: m.kthvalue(x, 3, 1),
        lambda m, x: m.cummax(x, 1),
        lambda m, x: m.cummin(x, 0),
        lambda m, x: m.quantile(x, 0.5, dim=1),
        lambda m, x: m.nanquantile(x, 0.5, dim=1),
        lambda m, x: m.nansum(x, 1),
        lambda m, x: m.nanmean(x, 0),
    ],
)
def test_nan_handling_as_pytorch(call):
    nan = np.nan
    x = [[1.0, nan, 2.0, nan], [nan, nan, nan, nan], [3.0, 0.5, 0.5, -1.0]]
    c, t = both(call, x)
    for a, b in zip(c if isinstance(c, tuple) else (c,), t if isinstance(t, tuple) else (t,)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, equal_nan=True)


def test_result_types_print_as_pytorch():
    x = [[3.0, 1.0, 3.0], [2.0, 5.0, 4.0]]
    for call in (
        lambda m, x: m.median(x, 1),
        lambda m, x: x.mode(1),
        lambda m, x: x.kthvalue(2),
        lambda m, x: m.cummax(x, 0),
        lambda m, x: m.cummin(x, 1),
        lambda m, x: m.nanmedian(x, 0),
    ):
        c, t = both(call, x)
        assert repr(c) == repr(t)
        assert repr(c.values) == repr(t.values) and repr(c.indices) == repr(t.indices)


def test_unique_consecutive_and_isin_forms():
    x = [1, 1, 2, 2, 3, 1, 1, 2]
    for call in (
        lambda m, x: m.unique_consecutive(x),
        lambda m, x: m.unique_consecutive(x, return_counts=True),
        lambda m, x: m.unique_consecutive(x, return_inverse=True),
        lambda m, x: x.reshape(2, 4).unique_consecutive(dim=1, return_inverse=True),
        lambda m, x: m.isin(x, 2),
        lambda m, x: m.isin(2, x),
        lambda m, x: m.searchsorted(x.sort().values, 2),
        lambda m, x: m.searchsorted(x, 2, sorter=x.argsort(stable=True)),
        lambda m, x: m.bucketize(2, x.sort().values, right=True),
    ):
        c, t = both(call, x, dtype="int64")
        same(c, t)


@pytest.mark.parametrize(
    "method, args",
    [
        ("floor_divide_", (2.0,)),
        ("fmod_", (0.75,)),
        ("remainder_", (-0.75,)),
        ("floor_", ()),
        ("sign_", ()),
        ("sgn_", ()),
        ("absolute_", ()),
        ("frac_", ()),
        ("deg2rad_", ()),
        ("rad2deg_", ()),
        ("true_divide_", (4.0,)),
        ("heaviside_", ("values",)),
        ("xlogy_", (2.0,)),
        ("sinc_", ()),
        ("nan_to_num_", ()),
        ("float_power_", (2,)),
        ("lerp_", ("values", 0.25)),
        ("addcmul_", ("values", "values")),
        ("addcdiv_", ("values", "values")),
        ("log_", ()),
        ("logit_", (0.1,)),
    ],
)
def test_inplace_forms(method, args):
    data = np.array([0.25, 1.5, 0.75, 2.0])
    results = []
    for m in (cr, torch):
        x = m.tensor(data)
        real = [m.tensor(data + 1) if a == "values" else a for a in args]
        version = x._version
        assert getattr(x, method)(*real) is x
        assert x._version > version
        results.append(x)
        leaf = m.tensor(data, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(leaf, method)(*real)
        with m.no_grad():
            getattr(leaf, method)(*real)
        np.testing.assert_allclose(leaf.detach().numpy(), x.numpy())
    np.testing.assert_allclose(results[0].numpy(), results[1].numpy(), rtol=1e-14)


def test_inplace_refuses_a_wider_result():
    raises_like(lambda m, x: x.deg2rad_(), [1, 2], dtype="int64")
    raises_like(lambda m, x: x.sinc_(), [1, 2], dtype="int64")


def test_logcumsumexp_never_overflows():
    # exp(1000) overflows: the pairwise accumulation and the n×n backward stay finite
    x = np.array([[-1000.0, 1000.0, 999.0, -5.0], [700.0, -700.0, 710.0, 709.0]])
    g = np.array([[0.3, -1.0, 2.0, 0.5], [1.0, 1.0, -2.0, 0.25]])
    grads = []
    for m in (cr, torch):
        xt = m.tensor(x, requires_grad=True)
        out = m.logcumsumexp(xt, 1)
        out.backward(m.tensor(g))
        grads.append((out.detach().numpy(), xt.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-14)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12, atol=1e-300)
    # forward mode: torch's tangent underflows on such inputs, so the reference is its
    # reverse-mode Jacobian applied to the tangent
    t = np.array([[1.0, -2.0, 0.5, 3.0], [0.25, 1.0, -1.0, 2.0]])
    _, tangent = cr.func.jvp(lambda a: cr.logcumsumexp(a, 1), (cr.tensor(x),), (cr.tensor(t),))
    jac = torch.autograd.functional.jacobian(lambda a: torch.logcumsumexp(a, 1), torch.tensor(x))
    expected = np.einsum("ijkl,kl->ij", jac.numpy(), t)
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-12, atol=1e-300)
