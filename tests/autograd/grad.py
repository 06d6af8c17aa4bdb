"""autograd.grad and backward(create_graph=True): higher order, grad_outputs, allow_unused,
several outputs, ``inputs=``."""

import numpy as np
import pytest
import torch
from core_helpers import MODULES, assert_close

import chainrule as cr


# --------------------------------------------------------------------------- autograd.grad
def test_second_derivative_of_cube():
    x = cr.tensor(2.0, requires_grad=True)
    (g,) = cr.autograd.grad(x**3, x, create_graph=True)
    assert g.item() == 12.0 and g.requires_grad and g.grad_fn is not None
    (gg,) = cr.autograd.grad(g, x)
    assert gg.item() == 12.0
    assert x.grad is None  # autograd.grad returns, it does not accumulate


def test_backward_with_create_graph_gives_differentiable_grad_like_torch():
    def run(m):
        x = m.tensor([1.5, -2.0], dtype=m.float64, requires_grad=True)
        (x.sin() * x**2).sum().backward(create_graph=True)
        g = x.grad
        (gg,) = m.autograd.grad(g.sum(), x)
        return g.requires_grad, g.detach(), gg

    # PyTorch warns that .grad now holds a graph that refers back to the parameter
    with pytest.warns(UserWarning, match="create_graph=True will create a reference cycle"):
        expected = run(torch)
    assert_close(run(cr), expected, rtol=1e-12)


def _mlp_hvp(m):
    rng = np.random.default_rng(0)
    X = m.tensor(rng.standard_normal((8, 3)))
    Y = m.tensor(rng.standard_normal((8, 2)))
    params = [
        m.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 5), (5,), (5, 2), (2,)]
    ]
    vs = [m.tensor(rng.standard_normal(tuple(p.shape))) for p in params]
    W1, b1, W2, b2 = params
    loss = ((m.relu(X @ W1 + b1) @ W2 + b2 - Y) ** 2).mean()
    grads = m.autograd.grad(loss, params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vs))
    return [loss] + list(grads) + list(m.autograd.grad(dot, params))


def test_hessian_vector_product_of_mlp_loss_matches_torch():
    out, expected = _mlp_hvp(cr), _mlp_hvp(torch)
    assert all(str(t.dtype) == "torch.float64" for t in out)
    assert_close(out, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("m", MODULES)
def test_grad_allow_unused(m):
    x = m.tensor(1.0, requires_grad=True)
    z = m.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        m.autograd.grad(x * 2, [x, z])
    gx, gz = m.autograd.grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


def test_grad_outputs_and_backward_gradient_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (g,) = m.autograd.grad(x * x, x, grad_outputs=m.tensor([1.0, 0.5, 2.0]))
        grad_before = x.grad
        (x * x).backward(m.tensor([1.0, 0.5, 2.0]))
        return g, grad_before, x.grad

    assert_close(run(cr), run(torch))


def test_grad_of_several_outputs_and_wrt_nonleaf_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        a, b = (y * 3).sum(), (x * 3).sum()
        return m.autograd.grad([a, b], x, retain_graph=True), m.autograd.grad(a, y)

    assert_close(run(cr), run(torch))


def test_backward_inputs_only_accumulates_into_those_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        return x.grad, w.grad

    assert_close(run(cr), run(torch))


def test_relu_gradient_stays_attached_under_create_graph_as_in_pytorch():
    results = []
    for m in (cr, torch):
        x = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        (g,) = m.autograd.grad(m.relu(x).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        results.append((g.requires_grad, g.grad_fn.name(), g.tolist(), gg.tolist()))
    assert results[0] == results[1]


def _graph(lib):
    x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
    h = x.exp() * 2  # nodes below h: Mul, Exp
    y = (h.sin() * h).sum()
    return x, h, y


def test_grad_wrt_an_intermediate_leaves_the_graph_below_it_usable():
    def run(lib):
        x, h, y = _graph(lib)
        (gh,) = lib.autograd.grad(y, h)
        h.sum().backward()  # the graph below h was not run, so not freed
        return gh, x.grad

    ours, ref = run(cr), run(torch)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_grad_wrt_an_intermediate_and_a_leaf_below_it():
    def run(lib):
        x, h, y = _graph(lib)
        return lib.autograd.grad(y, (h, x))

    for a, b in zip(run(cr), run(torch)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_backward_with_inputs_runs_nothing_below_them():
    def run(lib):
        x, h, y = _graph(lib)
        reached = []
        x.register_hook(lambda g: reached.append(g))
        h.retain_grad()
        y.backward(inputs=[h])
        return h.grad, x.grad, reached

    (h_ours, x_ours, reached_ours), (h_ref, x_ref, reached_ref) = run(cr), run(torch)
    np.testing.assert_allclose(h_ours.numpy(), h_ref.numpy(), rtol=1e-12)
    assert x_ours is None and x_ref is None
    assert reached_ours == [] and reached_ref == []
