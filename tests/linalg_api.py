"""chainrule.linalg beyond the differential suite: errors for singular, non-square and
non-positive-definite inputs, result types, gradcheck of the decomposition rows and the
names PyTorch exposes (torch.linalg.*, torch.*, Tensor methods)."""

import warnings

import numpy as np
import pytest
import torch

import chainrule
from chainrule.autograd import gradcheck, gradgradcheck


def _both(arr):
    return chainrule.tensor(arr), torch.tensor(arr)


def _same_error(fn_c, fn_t):
    """Both raise; the same exception class name and a message naming the same op."""
    with pytest.raises(Exception) as t_err:
        fn_t()
    with pytest.raises(Exception) as c_err:
        fn_c()
    assert isinstance(c_err.value, RuntimeError) == isinstance(t_err.value, RuntimeError)
    t_linalg = isinstance(t_err.value, torch.linalg.LinAlgError)
    assert isinstance(c_err.value, chainrule.linalg.LinAlgError) == t_linalg
    assert str(t_err.value).split(":")[0] in str(c_err.value)
    return c_err.value


def test_linalg_error_is_a_runtime_error():
    assert issubclass(chainrule.linalg.LinAlgError, RuntimeError)


@pytest.mark.parametrize(
    "name, args",
    [
        ("inv", lambda m: (m.zeros(3, 3, dtype=m.float64),)),
        ("solve", lambda m: (m.zeros(3, 3, dtype=m.float64), m.ones(3, dtype=m.float64))),
        ("cholesky", lambda m: (-m.eye(3, dtype=m.float64),)),
    ],
)
def test_singular_or_not_positive_definite_raises_linalg_error(name, args):
    err = _same_error(
        lambda: getattr(chainrule.linalg, name)(*args(chainrule)),
        lambda: getattr(torch.linalg, name)(*args(torch)),
    )
    assert isinstance(err, chainrule.linalg.LinAlgError)


def test_cholesky_names_the_failing_minor():
    a = np.diag([1.0, -1.0, 2.0])
    c, t = _both(a)
    with pytest.raises(torch.linalg.LinAlgError) as t_err:
        torch.linalg.cholesky(t)
    with pytest.raises(chainrule.linalg.LinAlgError) as c_err:
        chainrule.linalg.cholesky(c)
    assert str(c_err.value) == str(t_err.value)


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "eigh"])
def test_non_square_and_integer_and_1d_inputs(name):
    integer = [] if name == "eigh" else [np.eye(3, dtype=np.int64)]  # torch: not implemented
    for arr in (np.zeros((2, 3)), np.zeros((3,)), *integer):
        c, t = _both(arr)
        err = _same_error(
            lambda c=c: getattr(chainrule.linalg, name)(c),
            lambda t=t: getattr(torch.linalg, name)(t),
        )
        assert type(err) is RuntimeError


def test_solve_dtype_mismatch():
    _same_error(
        lambda: chainrule.linalg.solve(
            chainrule.eye(2), chainrule.ones(2, dtype=chainrule.float64)
        ),
        lambda: torch.linalg.solve(torch.eye(2), torch.ones(2, dtype=torch.float64)),
    )


def test_cross_needs_length_three():
    _same_error(
        lambda: chainrule.linalg.cross(chainrule.ones(2, 2), chainrule.ones(2, 2)),
        lambda: torch.linalg.cross(torch.ones(2, 2), torch.ones(2, 2)),
    )


def test_qr_complete_tall_is_not_differentiable():
    a = chainrule.randn(4, 2, dtype=chainrule.float64, requires_grad=True)
    q, r = chainrule.linalg.qr(a, mode="complete")
    assert tuple(q.shape) == (4, 4) and tuple(r.shape) == (4, 2)
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        q.sum().backward()


def test_result_types_print_as_torch():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    c, t = _both(a)
    for name in ("slogdet", "qr", "svd"):
        got, want = getattr(chainrule.linalg, name)(c), getattr(torch.linalg, name)(t)
        assert repr(got) == repr(want)
        assert type(got).__name__ == type(want).__name__
    got, want = chainrule.linalg.eigh(c + c.mT), torch.linalg.eigh(t + t.mT)
    assert repr(got.eigenvalues) == repr(want.eigenvalues)
    lc, lt = chainrule.linalg.lstsq(c, c), torch.linalg.lstsq(t, t)
    assert lc._fields == ("solution", "residuals", "rank", "singular_values")
    assert repr(lc.rank) == repr(lt.rank) and tuple(lc.residuals.shape) == (0,)


def test_matrix_rank_and_pinv_of_rank_deficient_matrices():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 5, 4))
    a[1, :, 3] = a[1, :, 0] - a[1, :, 1]
    c, t = _both(a)
    assert chainrule.linalg.matrix_rank(c).tolist() == torch.linalg.matrix_rank(t).tolist()
    np.testing.assert_allclose(
        chainrule.linalg.pinv(c).numpy(), torch.linalg.pinv(t).numpy(), rtol=1e-9, atol=1e-12
    )


def test_logdet_of_negative_determinant_is_nan():
    c, t = _both(np.diag([1.0, -2.0]))
    assert np.isnan(chainrule.logdet(c).item()) and np.isnan(torch.logdet(t).item())


def test_deprecated_functions_warn_as_torch():
    a = chainrule.eye(2, dtype=chainrule.float64)
    for fn in (chainrule.cholesky, chainrule.qr):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn(a)
        assert any("is deprecated in favor of torch.linalg" in str(w.message) for w in caught)


def test_svd_compute_uv_false_gives_zero_factors():
    rng = np.random.default_rng(2)
    c, t = _both(rng.standard_normal((4, 3)))
    got, want = chainrule.svd(c, compute_uv=False), torch.svd(t, compute_uv=False)
    for x, y in zip(got, want):
        assert tuple(x.shape) == tuple(y.shape)
    np.testing.assert_allclose(got.S.numpy(), want.S.numpy(), rtol=1e-12)
    assert not got.U.numpy().any() and not got.V.numpy().any()


def _spd(rng, n):
    x = rng.standard_normal((n, n))
    return x @ x.T + n * np.eye(n)


@pytest.mark.parametrize(
    "fn, make",
    [
        (lambda a: chainrule.linalg.det(a), lambda r: r.standard_normal((3, 3)) + 2 * np.eye(3)),
        (lambda a: chainrule.linalg.inv(a), lambda r: r.standard_normal((3, 3)) + 2 * np.eye(3)),
        (lambda a: chainrule.linalg.cholesky(a + a.mT), lambda r: _spd(r, 3)),
        (lambda a: chainrule.linalg.qr(a)[0], lambda r: r.standard_normal((2, 4))),
        (lambda a: chainrule.linalg.qr(a)[1], lambda r: r.standard_normal((4, 3))),
        (lambda a: chainrule.linalg.eigvalsh(a + a.mT), lambda r: r.standard_normal((3, 3))),
        (lambda a: chainrule.linalg.svdvals(a), lambda r: r.standard_normal((3, 4))),
    ],
)
def test_finite_differences(fn, make):
    a = chainrule.tensor(make(np.random.default_rng(3)), requires_grad=True)
    assert gradcheck(fn, (a,))
    assert gradgradcheck(fn, (a,))


LINALG_NAMES = (
    "det slogdet inv solve cholesky qr eigh eigvalsh svd svdvals pinv matrix_rank lstsq "
    "solve_triangular vector_norm matrix_norm norm cross matrix_power multi_dot matrix_exp "
    "vecdot diagonal matmul"
).split()
TOP_NAMES = (
    "det slogdet logdet inverse cholesky qr svd pinverse cross cdist dist baddbmm matrix_exp "
    "matrix_power"
).split()


def test_names():
    for name in LINALG_NAMES:
        assert hasattr(torch.linalg, name) and hasattr(chainrule.linalg, name), name
    for name in TOP_NAMES:
        assert hasattr(torch, name) and hasattr(chainrule, name), name
        assert hasattr(torch.Tensor, name) == hasattr(chainrule.Tensor, name), name


def test_low_precision_is_refused_as_torch():
    _same_error(
        lambda: chainrule.linalg.inv(chainrule.eye(2, dtype=chainrule.float16)),
        lambda: torch.linalg.inv(torch.eye(2, dtype=torch.float16)),
    )
