"""chainrule.func's forward-mode transforms (jvp, jacfwd, forward over reverse) against
torch.func on the same functions (float64, 1e-10), and torch's errors."""

import numpy as np
import pytest
import torch
from func.func_helpers import assert_same, same_error

import chainrule as cr

RNG = np.random.default_rng(5)
X = RNG.normal(size=4)
Y = RNG.normal(size=4)
V = RNG.normal(size=4)


def t(lib, a):
    return lib.tensor(a, dtype=lib.float64)


def smooth(lib, x, y):
    """Ops whose backward formulas use only their inputs."""
    return (lib.sin(x) * lib.log1p(y**2)).sum() * (x @ y) + (x**3 * y).sum()


def saturating(lib, x, y):
    """Ops whose backward formulas use their output (tanh, exp, division)."""
    return (lib.tanh(x * y) + lib.exp(-(x**2)) / (1 + y**2)).sum()


def test_jvp_matches_torch_func():
    def run(lib):
        x, y = t(lib, X), t(lib, Y)
        f = lambda x, y: {"a": lib.tanh(x) * y, "b": (x.sum() * lib.exp(y),)}  # noqa: E731
        plain = lib.func.jvp(f, (x, y), (t(lib, V), t(lib, V) * 2))
        aux = lib.func.jvp(lambda x: (lib.sin(x) * x, x.sum()), (x,), (t(lib, V),), has_aux=True)
        independent = lib.func.jvp(lambda x, y: y * 2, (x, y), (t(lib, V), t(lib, Y) * 0))
        return plain, aux, independent

    ours = run(cr)
    assert_same(ours, run(torch))
    assert not ours[0][1]["a"].requires_grad and ours[0][1]["a"].grad_fn is None


@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_jacfwd_matches_torch_func(argnums):
    def run(lib):
        x, y = t(lib, X), t(lib, Y)
        f = lambda x, y: {"m": lib.outer(lib.sin(x), y), "s": (x * y).sum()}  # noqa: E731
        return lib.func.jacfwd(f, argnums=argnums)(x, y)

    assert_same(run(cr), run(torch))


def test_jacfwd_has_aux_and_equals_jacrev():
    def run(lib):
        x = t(lib, X)
        return lib.func.jacfwd(lambda x: (lib.exp(x) * x.sum(), x * 2), has_aux=True)(x)

    ours = run(cr)
    assert_same(ours, run(torch))
    rev = cr.func.jacrev(lambda x: cr.exp(x) * x.sum())(t(cr, X))
    np.testing.assert_allclose(ours[0].numpy(), rev.numpy(), rtol=1e-12)


def test_forward_over_reverse_hvp():
    """jvp(grad(f), x, v) = H v, computed forward over reverse, against torch.func."""

    def run(lib):
        x, y = t(lib, X), t(lib, Y)
        g = lib.func.grad(lambda x: smooth(lib, x, y))
        return lib.func.jvp(g, (x,), (t(lib, V),))

    ours = run(cr)
    assert_same(ours, run(torch))
    hessian = cr.func.hessian(lambda x: smooth(cr, x, t(cr, Y)))(t(cr, X)).numpy()
    np.testing.assert_allclose(ours[1].numpy(), hessian @ V, rtol=1e-10)


def test_jacfwd_of_jacrev_is_the_hessian():
    def run(lib):
        x, y = t(lib, X), t(lib, Y)
        return lib.func.jacfwd(lib.func.jacrev(lambda x: smooth(lib, x, y)))(x)

    assert_same(run(cr), run(torch))


def test_forward_over_reverse_through_ops_that_save_their_output():
    def run(lib):
        x, y = t(lib, X), t(lib, Y)
        return lib.func.jacfwd(lib.func.jacrev(lambda x: saturating(lib, x, y)))(x)

    assert_same(run(cr), run(torch))


def test_numpy_in_numpy_out():
    out, tangent = cr.func.jvp(lambda x: cr.sin(x) * 3, (X,), (V,))
    assert type(out) is np.ndarray and type(tangent) is np.ndarray
    np.testing.assert_allclose(tangent, 3 * np.cos(X) * V, rtol=1e-12)
    jac = cr.func.jacfwd(lambda x: cr.sin(x))(X)
    np.testing.assert_allclose(jac, np.diag(np.cos(X)), rtol=1e-12)


def _x(lib):
    return t(lib, X)


ERRORS = {
    "primals not a tuple": lambda lib: lib.func.jvp(lambda x: x, _x(lib), (_x(lib),)),
    "aux not a pair": lambda lib: lib.func.jvp(lambda x: x, (_x(lib),), (_x(lib),), has_aux=True),
    "output not a tensor": lambda lib: lib.func.jvp(lambda x: 3, (_x(lib),), (_x(lib),)),
    "strict independent": lambda lib: lib.func.jvp(
        lambda x: lib.ones(2, dtype=lib.float64), (_x(lib),), (_x(lib),), strict=True
    ),
    "tangent not a tensor": lambda lib: lib.func.jvp(lambda x: x, (_x(lib),), (1.0,)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name])


# ------------------------------------------------------------------ nested forward mode
def _curvy(L):
    def f(x):
        return (x.sin() * x).sum() + (x[0] * x[1]) ** 2 + x.exp().prod()

    return f


NESTED = {
    "jacfwd(jacfwd)": lambda L, f: L.func.jacfwd(L.func.jacfwd(f)),
    "jvp(jvp)": lambda L, f: (
        lambda x: L.func.jvp(lambda y: L.func.jvp(f, (y,), (y.cos(),))[1], (x,), (x * 2,))
    ),
    "jvp(jvp(jvp))": lambda L, f: (
        lambda x: L.func.jvp(
            lambda y: L.func.jvp(lambda z: L.func.jvp(f, (z,), (z,))[1], (y,), (y,))[1],
            (x,),
            (x + 1,),
        )
    ),
    "jacfwd(grad) under jvp": lambda L, f: (
        lambda x: L.func.jvp(L.func.jacfwd(L.func.grad(f)), (x,), (x.sin(),))
    ),
}


@pytest.mark.parametrize("name", list(NESTED))
def test_nested_forward_mode_matches_torch_func(name):
    x = np.array([0.3, 0.7, -0.4])

    def run(L):
        return NESTED[name](L, _curvy(L))(L.tensor(x, dtype=L.float64))

    assert_same(run(cr), run(torch))


def test_a_nested_jvp_keeps_has_aux_and_strict():
    def run(L):
        x = L.tensor([0.5, 1.5], dtype=L.float64)

        def outer(y):
            inner = L.func.jvp(lambda z: ((z**3).sum(), z * 2), (y,), (y.exp(),), has_aux=True)
            value, tangent, aux = inner
            return value * tangent + aux.sum()

        return L.func.jvp(outer, (x,), (x,))

    assert_same(run(cr), run(torch))
    x = cr.tensor([0.5, 1.5], dtype=cr.float64)
    with pytest.raises(RuntimeError, match="independent of the inputs"):
        cr.func.jvp(
            lambda y: cr.func.jvp(lambda z: cr.ones(2), (y,), (y,), strict=True)[1], (x,), (x,)
        )
