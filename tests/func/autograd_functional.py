"""chainrule.autograd.functional against torch.autograd.functional on the same functions
(float64, 1e-10): shapes of nested results, create_graph, strict and torch's errors."""

import numpy as np
import pytest
import torch
from func.func_helpers import assert_same, same_error

import chainrule as cr

RNG = np.random.default_rng(3)
A = RNG.normal(size=(3,))
B = RNG.normal(size=(2, 3))
V3 = RNG.normal(size=(3,))
V23 = RNG.normal(size=(2, 3))


def t(lib, array, requires_grad=False):
    return lib.tensor(array, dtype=lib.float64, requires_grad=requires_grad)


def scalar_fn(lib):
    return lambda a, b: (lib.sin(a) * (b**2).sum(0)).sum() + lib.exp(a @ b.T).sum()


def vector_fn(lib):
    return lambda a, b: (lib.tanh(b @ a), a * b.sum())


# --------------------------------------------------------------------------- jacobian
@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_shapes_and_values(vectorize):
    def run(lib):
        F = lib.autograd.functional
        a, b = t(lib, A), t(lib, B)
        single = F.jacobian(lambda a: lib.sin(a) * a.sum(), a, vectorize=vectorize)
        nested = F.jacobian(vector_fn(lib), (a, b), vectorize=vectorize)
        one_out = F.jacobian(lambda a, b: lib.tanh(b @ a), (a, b), vectorize=vectorize)
        one_in = F.jacobian(lambda a: (a * 2, a.sum()), a, vectorize=vectorize)
        return single, nested, one_out, one_in

    assert_same(run(cr), run(torch))


def test_jacobian_create_graph_is_differentiable():
    def run(lib):
        a = t(lib, A, requires_grad=True)
        jac = lib.autograd.functional.jacobian(lambda a: lib.sin(a) * a.sum(), a, create_graph=True)
        assert jac.requires_grad
        plain = lib.autograd.functional.jacobian(lambda a: lib.sin(a) * a.sum(), a)
        assert not plain.requires_grad
        return jac, lib.autograd.grad((jac * jac).sum(), a)[0]

    assert_same(run(cr), run(torch))


def test_jacobian_independent_output_is_zero_or_strict_error():
    def run(lib):
        a, b = t(lib, A), t(lib, B)
        return lib.autograd.functional.jacobian(lambda a, b: a * 2, (a, b))

    assert_same(run(cr), run(torch))
    same_error(
        lambda lib: lib.autograd.functional.jacobian(
            lambda a, b: a * 2, (t(lib, A), t(lib, B)), strict=True
        )
    )
    same_error(
        lambda lib: lib.autograd.functional.jacobian(
            lambda a: lib.ones(2, dtype=lib.float64), t(lib, A), strict=True
        )
    )
    same_error(
        lambda lib: lib.autograd.functional.jacobian(
            lambda a: a * 2, t(lib, A), strict=True, vectorize=True
        )
    )
    same_error(
        lambda lib: lib.autograd.functional.jacobian(
            lambda a: a * 2, t(lib, A), strategy="forward-mode", create_graph=True
        )
    )


# --------------------------------------------------------------------------- hessian
def test_hessian_single_and_tuple_inputs():
    def run(lib):
        F = lib.autograd.functional
        a, b = t(lib, A), t(lib, B)
        return F.hessian(lambda a: scalar_fn(lib)(a, b), a), F.hessian(scalar_fn(lib), (a, b))

    assert_same(run(cr), run(torch))


def test_hessian_create_graph_gives_third_derivatives():
    def run(lib):
        a = t(lib, A, requires_grad=True)
        h = lib.autograd.functional.hessian(lambda a: (lib.sin(a) ** 3).sum(), a, create_graph=True)
        return h, lib.autograd.grad(h.sum(), a)[0]

    assert_same(run(cr), run(torch))


def test_hessian_errors_match_torch():
    same_error(
        lambda lib: lib.autograd.functional.hessian(lambda a: a * 2, t(lib, A))
    )  # not a single element
    same_error(lambda lib: lib.autograd.functional.hessian(lambda a: (a, a), t(lib, A)))
    same_error(
        lambda lib: lib.autograd.functional.hessian(lambda a: a.sum() * 3, t(lib, A), strict=True)
    )


# --------------------------------------------------------------------------- products
@pytest.mark.parametrize("create_graph", [False, True])
def test_products_match_torch(create_graph):
    def run(lib):
        F = lib.autograd.functional
        a, b = t(lib, A, requires_grad=True), t(lib, B, requires_grad=True)
        va, vb = t(lib, V3), t(lib, V23)
        f = scalar_fn(lib)
        kw = dict(create_graph=create_graph)
        out = [
            F.vjp(vector_fn(lib), (a, b), (t(lib, V23[0, :2]), t(lib, V3)), **kw),
            F.vjp(f, (a, b), **kw),
            F.jvp(vector_fn(lib), (a, b), (va, vb), **kw),
            F.jvp(lambda a: lib.sin(a) * a.sum(), a, va, **kw),
            F.hvp(f, (a, b), (va, vb), **kw),
            F.vhp(f, (a, b), (va, vb), **kw),
            F.hvp(lambda a: f(a, b), a, va, **kw),
        ]
        leaves = [out[-1][1]]
        assert all(x.requires_grad == create_graph for x in leaves)
        if create_graph:  # differentiate a product once more
            out.append(lib.autograd.grad(out[-1][1].sum(), a)[0])
        return out

    assert_same(run(cr), run(torch))


def test_v_may_be_omitted_for_one_element():
    def run(lib):
        F = lib.autograd.functional
        x = t(lib, [0.3])
        return F.vjp(lambda x: x**3, x), F.jvp(lambda x: x**3, x), F.hvp(lambda x: x**3, x)

    assert_same(run(cr), run(torch))


PRODUCT_ERRORS = {
    "input not a tensor": lambda lib, F: F.vjp(lambda x: x, [t(lib, A)]),
    "tuple input not a tensor": lambda lib, F: F.jvp(lambda x, y: x, (t(lib, A), 3.0)),
    "v wrong length": lambda lib, F: F.vjp(lambda x, y: (x, y), (t(lib, A), t(lib, A)), t(lib, A)),
    "v wrong size": lambda lib, F: F.jvp(lambda x: x * 2, t(lib, A), t(lib, B)),
    "v missing": lambda lib, F: F.vjp(lambda x: x * 2, t(lib, A)),
    "v missing jvp": lambda lib, F: F.jvp(lambda x: x * 2, t(lib, A)),
    "output not tensor": lambda lib, F: F.vjp(lambda x: 3.0, t(lib, A)),
    "hvp vector output": lambda lib, F: F.hvp(lambda x: x * 2, t(lib, A), t(lib, A)),
    "vhp tuple output": lambda lib, F: F.vhp(lambda x: (x.sum(),), t(lib, A), t(lib, A)),
    "strict independent": lambda lib, F: F.vjp(
        lambda x, y: x.sum(), (t(lib, A), t(lib, A)), strict=True
    ),
    "strict linear hvp": lambda lib, F: F.hvp(lambda x: x.sum(), t(lib, A), t(lib, A), strict=True),
    "strict no grad output": lambda lib, F: F.jvp(
        lambda x: lib.ones(3, dtype=lib.float64), t(lib, A), t(lib, A), strict=True
    ),
}


@pytest.mark.parametrize("name", list(PRODUCT_ERRORS))
def test_product_errors_match_torch(name):
    same_error(lambda lib: PRODUCT_ERRORS[name](lib, lib.autograd.functional))
