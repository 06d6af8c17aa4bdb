"""chainrule.func's reverse-mode transforms against torch.func on the same functions
(float64, 1e-10): grad, grad_and_value, vjp, jacrev, hessian; argnums, has_aux, pytrees,
nesting, third derivatives, NumPy in and out, finite differences, and torch's errors."""

import numpy as np
import pytest
import torch
from func.func_helpers import assert_same, both, same_error

import chainrule as cr

RNG = np.random.default_rng(0)
X = RNG.normal(size=4)
Y = RNG.normal(size=4)
W = RNG.normal(size=(3, 4))


def composite(lib, x, y):
    """A scalar of two vectors using several op families."""
    z = lib.sin(x) * y + lib.exp(-(x**2)) / (1 + y**2)
    return (lib.tanh(z) * lib.log1p(x**2)).sum() + (x @ y) ** 2


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1])
def test_grad_matches_torch_func(argnums):
    (cx, tx), (cy, ty) = both(X), both(Y)
    ours = cr.func.grad(lambda x, y: composite(cr, x, y), argnums=argnums)(cx, cy)
    theirs = torch.func.grad(lambda x, y: composite(torch, x, y), argnums=argnums)(tx, ty)
    assert_same(ours, theirs)
    leaves = ours if isinstance(ours, tuple) else (ours,)
    assert all(g.grad_fn is None and not g.requires_grad for g in leaves)


def test_grad_and_value_with_aux():
    def f(lib, x, y):
        loss = composite(lib, x, y)
        return loss, {"double": 2 * loss, "x": [x * 3]}

    def run(lib):
        x, y = lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)
        g = lib.func.grad(lambda x, y: f(lib, x, y), has_aux=True)(x, y)
        gv = lib.func.grad_and_value(lambda x, y: f(lib, x, y), argnums=(0, 1), has_aux=True)(x, y)
        plain = lib.func.grad_and_value(lambda x, y: composite(lib, x, y))(x, y)
        return g, gv, plain

    ours = run(cr)
    assert_same(ours, run(torch))
    aux = ours[0][1]
    assert not aux["double"].requires_grad and not aux["x"][0].requires_grad


def test_pytree_inputs_keep_their_structure():
    data = np.random.default_rng(7).normal(size=(5, 4))

    def loss(lib, params, x):
        return (lib.tanh(x @ params["w"].T + params["b"][0]) * params["b"][1]).sum()

    def run(lib):
        params = {
            "w": lib.tensor(W, dtype=lib.float64),
            "b": [lib.tensor(X[:3], dtype=lib.float64), lib.tensor(Y[:3], dtype=lib.float64)],
        }
        x = lib.tensor(data, dtype=lib.float64)
        return lib.func.grad(lambda p, x: loss(lib, p, x))(params, x)

    assert_same(run(cr), run(torch))


def test_vjp_of_pytree_outputs_called_twice():
    def f(lib, x, y):
        return {"a": lib.sin(x) * y, "b": (x.sum() * y, lib.exp(x[:2]))}

    def run(lib):
        x, y = lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)
        out, vjp_fn = lib.func.vjp(lambda x, y: f(lib, x, y), x, y)
        ones = lib.ones(4, dtype=lib.float64)
        cotangents = {"a": ones, "b": (ones * 2, lib.ones(2, dtype=lib.float64) * 3)}
        return out, vjp_fn(cotangents), vjp_fn(cotangents)

    assert_same(run(cr), run(torch))


def test_vjp_has_aux():
    def run(lib):
        x = lib.tensor(X, dtype=lib.float64)
        out, fn, aux = lib.func.vjp(lambda x: (x**2, x.sum()), x, has_aux=True)
        return out, fn(lib.ones(4, dtype=lib.float64)), aux

    assert_same(run(cr), run(torch))


@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_jacrev_matches_torch_func(argnums):
    def f(lib, x, y):
        return {"m": lib.outer(lib.sin(x), y), "s": ((x * y).sum(), lib.tanh(x))}

    def run(lib):
        x, y = lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)
        return lib.func.jacrev(lambda x, y: f(lib, x, y), argnums=argnums)(x, y)

    assert_same(run(cr), run(torch))


def test_jacrev_has_aux_and_chunks():
    def run(lib):
        x = lib.tensor(W, dtype=lib.float64)
        j1 = lib.func.jacrev(lambda x: (lib.sin(x) @ x.T, x.sum()), has_aux=True)(x)
        j2 = lib.func.jacrev(lambda x: lib.sin(x) @ x.T, chunk_size=2)(x)
        return j1, j2

    assert_same(run(cr), run(torch))


def test_hessian_matches_torch_func():
    def run(lib):
        x, y = lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)
        f = lambda x, y: composite(lib, x, y)  # noqa: E731
        return lib.func.hessian(f)(x, y), lib.func.hessian(f, argnums=(0, 1))(x, y)

    assert_same(run(cr), run(torch))


def test_third_derivatives_of_a_composite():
    """∂³f/∂x³ three ways: jacrev∘jacrev∘jacrev, grad of a grad of a grad (a scalar), and
    torch.func's jacfwd∘jacrev∘jacrev."""

    def run(lib, outer):
        x, y = lib.tensor(X, dtype=lib.float64), lib.tensor(Y, dtype=lib.float64)
        f = lambda x: composite(lib, x, y)  # noqa: E731
        g = lambda t: composite(lib, x * t, y)  # noqa: E731
        third = outer(lib.func.jacrev(lib.func.jacrev(f)))(x)
        return third, lib.func.grad(lib.func.grad(lib.func.grad(g)))(lib.tensor(0.7).double())

    # the outer jacrev's vmap differentiates the graph the inner one's vmap recorded: it
    # runs per element (and says so)
    with pytest.warns(UserWarning, match="recorded inside an earlier vmap"):
        ours = run(cr, cr.func.jacrev)
    assert_same(ours, run(torch, torch.func.jacfwd), rtol=1e-9, atol=1e-10)
    assert_same(ours, run(torch, torch.func.jacrev), rtol=1e-9, atol=1e-10)


def test_nested_grads_do_not_confuse_perturbations():
    # d/dx [d/dy (x·y) at y = x] = d/dx x = 1, not 2
    def run(lib):
        x = lib.tensor(3.0, dtype=lib.float64)
        return lib.func.grad(lambda x: lib.func.grad(lambda y: x * y)(x))(x).item()

    assert run(cr) == run(torch) == 1.0


def test_grad_composes_with_autograd_and_ignores_no_grad():
    def run(lib):
        x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(Y, dtype=lib.float64, requires_grad=True)
        f = lambda x: (lib.sin(x) * w).sum() ** 2  # noqa: E731
        with lib.no_grad():
            assert not lib.func.grad(f)(x).requires_grad
        g = lib.func.grad(f)(x)
        assert g.requires_grad  # x and the closed-over w require grad: g is differentiable
        return (g,) + lib.autograd.grad(g.sum(), (x, w))

    assert_same(run(cr), run(torch))


def test_unused_input_gives_zeros_and_constant_output_too():
    def run(lib):
        x = lib.tensor(X, dtype=lib.float64)
        unused = lib.func.grad(lambda x, y: (x**2).sum(), argnums=(0, 1))(x, x)[1]
        constant = lib.func.grad(lambda x: lib.ones((), dtype=lib.float64))(x)
        return unused, constant

    ours = run(cr)
    assert_same(ours, run(torch))
    assert not ours[0].numpy().any() and not ours[1].numpy().any()


def test_numpy_in_numpy_out():
    f = lambda x, y: composite(cr, x, y)  # noqa: E731
    g = cr.func.grad(f, argnums=(0, 1))(X, Y)
    assert all(type(a) is np.ndarray and a.dtype == np.float64 for a in g)
    theirs = torch.func.grad(lambda x, y: composite(torch, x, y), argnums=(0, 1))(
        torch.tensor(X), torch.tensor(Y)
    )
    assert_same(g, tuple(t.numpy() for t in theirs))
    j = cr.func.jacrev(lambda x: cr.sin(x) * 2)(X)
    np.testing.assert_allclose(j, np.diag(2 * np.cos(X)), rtol=1e-12)
    out, fn = cr.func.vjp(lambda x: x**2, X)
    assert type(out) is np.ndarray and type(fn(np.ones(4))[0]) is np.ndarray
    value = cr.func.grad_and_value(lambda x: (x**2).sum())(X)[1]
    assert type(value) is np.ndarray and value == (X**2).sum()


def test_second_derivatives_against_finite_differences():
    """gradcheck differentiates grad(f) (through its create_graph) and compares with
    central differences: the Hessian, by finite differences."""
    y = cr.tensor(Y)
    x = cr.tensor(X, requires_grad=True)
    assert cr.autograd.gradcheck(cr.func.grad(lambda x: composite(cr, x, y)), (x,))
    jac = cr.func.jacrev(lambda x: cr.tanh(x) * x.sum())(x.detach())
    eps, numeric = 1e-6, np.zeros((4, 4))
    for j in range(4):
        e = np.eye(4)[j] * eps
        numeric[:, j] = (np.tanh(X + e) * (X + e).sum() - np.tanh(X - e) * (X - e).sum()) / (
            2 * eps
        )
    np.testing.assert_allclose(jac.numpy(), numeric, rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------- errors
def _x(lib):
    return lib.tensor(X, dtype=lib.float64)


ERRORS = {
    "vector output": lambda lib: lib.func.grad(lambda x: x * 2)(_x(lib)),
    "float output": lambda lib: lib.func.grad(lambda x: 3.0)(_x(lib)),
    "tuple output": lambda lib: lib.func.grad(lambda x: (x.sum(),))(_x(lib)),
    "aux not a pair": lambda lib: lib.func.grad(lambda x: x.sum(), has_aux=True)(_x(lib)),
    "argnum too big": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=2)(_x(lib)),
    "argnums repeat": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=(0, 0))(_x(lib)),
    "argnums float": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=1.0)(_x(lib)),
    "argnums empty": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=())(_x(lib)),
    "no inputs": lambda lib: lib.func.grad(lambda: 1.0)(),
    "float input": lambda lib: lib.func.grad(lambda x: x)(3.0),
    "list leaf not tensor": lambda lib: lib.func.grad(lambda x, y: y[0].sum(), argnums=1)(
        _x(lib), [_x(lib), 3]
    ),
    "vjp int output": lambda lib: lib.func.vjp(lambda x: (x, 2), _x(lib)),
    "vjp aux not a pair": lambda lib: lib.func.vjp(lambda x: x * 2, _x(lib), has_aux=True),
    "jacrev int output": lambda lib: lib.func.jacrev(lambda x: 2)(_x(lib)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name])


def test_vjp_cotangent_shape_error_matches_torch():
    same_error(lambda lib: lib.func.vjp(lambda x: x * 2, _x(lib))[1](lib.ones(2)))
