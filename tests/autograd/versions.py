"""Version counters: in-place changes to saved tensors raise naming the op, as in PyTorch;
in-place ops on unsaved tensors and on leaves behave as PyTorch's."""

import numpy as np
import pytest
import torch
from core_helpers import assert_close

import chainrule as cr


# --------------------------------------------------------------------------- version counters
def test_inplace_on_saved_output_raises_naming_the_op():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # ExpBackward0 saves its output y
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"(?s)inplace.*\bExp(Backward0)?\b"):
        y.sum().backward()


def test_inplace_on_saved_input_raises_naming_the_op():
    x = cr.tensor(2.0, requires_grad=True)
    a = x * 2
    b = a * a  # MulBackward0 saves a
    a.mul_(3)
    with pytest.raises(RuntimeError, match=r"(?s)inplace.*\bMul(Backward0)?\b"):
        b.backward()


def test_inplace_error_is_raised_before_any_leaf_grad_is_written():
    x = cr.tensor(2.0, requires_grad=True)
    a = x * 2
    b = a * a
    a.mul_(3)
    with pytest.raises(RuntimeError):
        b.backward()
    assert x.grad is None


def test_version_counter_values_match_torch():
    def run(m):
        x = m.zeros(3)
        versions = [x._version]
        x.add_(1)
        versions.append(x._version)
        x.mul_(2)
        versions.append(x._version)
        x[0] = 5.0
        versions.append(x._version)
        d = x.detach()  # shares the version counter
        d.zero_()
        versions.append(x._version)
        c = x.clone()  # does not
        c.add_(1)
        versions += [x._version, c._version]
        return versions, x

    assert_close(run(cr), run(torch))


INPLACE_SCENARIOS = {
    "add_sub_mul_div_chain": lambda m, x: (
        lambda y: (y.add_(1), y.sub_(0.5), y.mul_(x), y.div_(2), y)[-1]
    )(x * 2),
    "clamp_and_setitem": lambda m, x: (
        lambda y: (y.clamp_(0, 5), y.__setitem__(0, 10 * x[1]), y)[-1]
    )(x * 3 - 2),
    "slice_inplace": lambda m, x: (lambda y: (y[1:].mul_(2), y)[-1])(x * 1),
    "mul_by_tensor_not_saved": lambda m, x: (
        lambda y: (y.mul_(m.tensor([1.0, 2.0, 3.0])), y.add_(x), y)[-1]
    )(x.sin()),
    "fill_then_add": lambda m, x: (lambda y: (y.fill_(2.0), y.add_(x * x), y)[-1])(x * 1),
    "copy_then_mul": lambda m, x: (lambda y: (y.copy_(x.exp()), y.mul_(3), y)[-1])(m.zeros(3)),
    "zero_then_add": lambda m, x: (lambda y: (y.zero_(), y.add_(x, alpha=2), y)[-1])(x * 5),
}


@pytest.mark.parametrize("name", list(INPLACE_SCENARIOS))
def test_inplace_on_unsaved_tensors_matches_torch(name):
    def run(m):
        x = m.tensor([0.5, 1.5, 2.5], requires_grad=True)
        y = INPLACE_SCENARIOS[name](m, x)
        (y * y).sum().backward()
        return y, x.grad

    assert_close(run(cr), run(torch))


@pytest.mark.parametrize("op", ["add_", "setitem", "zero_"])
def test_inplace_on_leaf_requiring_grad_raises(op):
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        if op == "add_":
            x.add_(1)
        elif op == "setitem":
            x[0] = 3.0
        else:
            x.zero_()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])
    assert x._version == 0 and x.grad_fn is None


def test_inplace_on_leaf_under_no_grad_works_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with m.no_grad():
            x.add_(1)
            x.mul_(2)
            x[0] = 7.0
            x.sub_(m.tensor([1.0, 1.0]))
        y = (x * x).sum()
        y.backward()
        return x, x._version, x.is_leaf, x.requires_grad, x.grad

    assert_close(run(cr), run(torch))
