"""Custom autograd.Function: values, needs_input_grad, gradcheck and double backward, and
saved tensors modified in place, against PyTorch."""

import gc
import weakref

import pytest
import torch
from core_helpers import assert_close

import chainrule as cr


# --------------------------------------------------------------------------- custom Function
def _cube_function(m):
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x**3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g * ctx.k, None

    return Cube


def test_custom_function_matches_torch():
    def run(m):
        Cube = _cube_function(m)
        x = m.tensor([1.0, 2.0, -1.5], dtype=m.float64, requires_grad=True)
        y = Cube.apply(x, 2.0)
        (y * m.tensor([1.0, -1.0, 0.5], dtype=m.float64)).sum().backward()
        return y, x.grad, y.grad_fn.name(), y.requires_grad, y.is_leaf

    assert_close(run(cr), run(torch), rtol=1e-12)


def test_custom_function_needs_input_grad_like_torch():
    def run(m):
        seen = []

        class Mul(m.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b

            @staticmethod
            def backward(ctx, g):
                a, b = ctx.saved_tensors
                seen.append(tuple(ctx.needs_input_grad))
                return (
                    g * b if ctx.needs_input_grad[0] else None,
                    g * a if ctx.needs_input_grad[1] else None,
                )

        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0])
        Mul.apply(a, b).sum().backward()
        return a.grad, b.grad, seen

    assert_close(run(cr), run(torch))


def test_custom_function_passes_gradcheck_and_double_backward_like_torch():
    Cube = _cube_function(cr)
    x = cr.tensor([0.3, -1.2, 2.0], dtype=cr.float64, requires_grad=True)
    assert cr.autograd.gradcheck(lambda t: Cube.apply(t, 2.0), (x,))

    def run(m):
        C = _cube_function(m)
        x = m.tensor([2.0, -1.0], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(C.apply(x, 1.0).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        return g.detach(), gg

    assert_close(run(cr), run(torch))


def test_custom_function_saved_tensor_modified_in_place_raises():
    Cube = _cube_function(cr)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h, 1.0)
    h.add_(1)
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_graph_after_backward_and_custom_function_is_freed_by_reference_counting():
    gc.disable()
    try:
        Cube = _cube_function(cr)
        x = cr.tensor([1.0, 2.0], requires_grad=True)
        y = Cube.apply(x * 3, 2.0).sum()
        y.backward()
        refs = [weakref.ref(y.grad_fn), weakref.ref(y.grad_fn.next_functions[0][0])]
        del y
        assert [r() is None for r in refs] == [True, True]
    finally:
        gc.enable()
