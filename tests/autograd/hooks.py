"""Tensor hooks and retain_grad: what leaves and non-leaves see, in PyTorch's order."""

import pytest
import torch
from core_helpers import assert_close

import chainrule as cr


# --------------------------------------------------------------------------- retain_grad
def test_nonleaf_grad_is_none_unless_retain_grad_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y * 3
        y.retain_grad()
        (z * z).sum().backward()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns on .grad of a non-leaf
            return [
                x.grad,
                y.grad,
                z.grad,
                y.is_leaf,
                y.retains_grad,
                z.retains_grad,
                x.retains_grad,
            ]

    assert_close(run(cr), run(torch))


def test_retain_grad_accumulates_over_two_backward_calls_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.retain_grad()
        s = (y * 3).sum()
        s.backward(retain_graph=True)
        s.backward()
        return y.grad

    assert_close(run(cr), run(torch))


def test_retain_grad_sees_the_gradient_after_hooks_like_torch():
    # since PyTorch 2.0 the retains_grad hook runs after all other tensor hooks
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        return y.grad, x.grad

    assert_close(run(cr), run(torch))


# --------------------------------------------------------------------------- hooks
def test_tensor_hooks_on_leaf_and_nonleaf_modify_grads_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        hx = x.register_hook(lambda g: g * 10)
        y = x * 2
        hy = y.register_hook(lambda g: g + 1)
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()))  # returns None: no change
        (y * y).sum().backward()
        first = x.grad.clone()
        x.grad = None
        hx.remove()
        hy.remove()
        y2 = x * 2
        (y2 * y2).sum().backward()
        return first, x.grad, seen

    assert_close(run(cr), run(torch))


def test_hooks_run_in_registration_order_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(("h1", g.tolist())) or g * 2)
        x.register_hook(lambda g: seen.append(("h2", g.tolist())))
        y = x * 3
        y.register_hook(lambda g: seen.append(("y", g.tolist())) or g + 1)
        (y * y).sum().backward()
        return seen, x.grad

    assert_close(run(cr), run(torch))


def test_hook_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require grad|does not require grad"):
        cr.tensor([1.0]).register_hook(lambda g: g)


def test_reading_grad_of_a_non_leaf_warns_as_in_pytorch():
    x = cr.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="not a leaf"):
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]
