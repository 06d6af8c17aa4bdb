"""chainrule.autograd.gradcheck itself: it passes correct gradients and rejects a wrong one
as torch.autograd.gradcheck does. (The op table's gradchecks are in tests/ops/gradcheck.py.)"""

import pytest
from core_helpers import MODULES

import chainrule as cr


# --------------------------------------------------------------------------- gradcheck
def test_gradcheck_true_on_correct_ops():
    x = cr.tensor([0.3, 0.7], dtype=cr.float64, requires_grad=True)
    w = cr.tensor([[1.0, 2.0], [3.0, -4.0]], dtype=cr.float64, requires_grad=True)
    assert cr.autograd.gradcheck(lambda a, b: (b @ a).tanh() * a + a.exp().sum(), (x, w))
    assert cr.autograd.gradcheck(lambda a: a.sigmoid().log(), (x,))


def _wrong_sin(m):
    class WrongSin(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos() * 1.1  # 10 % off

    return WrongSin


@pytest.mark.parametrize("m", MODULES)
def test_gradcheck_rejects_a_wrong_backward(m):
    W = _wrong_sin(m)
    x = m.tensor([0.3, 0.7], dtype=m.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="(?i)jacobian mismatch"):
        m.autograd.gradcheck(W.apply, (x,))
    assert m.autograd.gradcheck(W.apply, (x,), raise_exception=False) is False


def test_gradcheck_perturbs_non_contiguous_inputs():
    # transposed leaves: the finite differences must reach the function (they once went
    # into a copy, giving a zero numerical Jacobian)
    a = cr.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=cr.float64).T.detach()
    b = cr.tensor([[1.0, 2.0, 3.0], [1.5, 2.5, 3.5]], dtype=cr.float64).T.detach()
    assert not a.numpy().flags.c_contiguous and not b.numpy().flags.c_contiguous
    a.requires_grad_()
    b.requires_grad_()
    assert cr.autograd.gradcheck(lambda x, y: (x * y).sin(), (a, b))
    W = _wrong_sin(cr)
    with pytest.raises(RuntimeError, match="(?i)jacobian mismatch"):
        cr.autograd.gradcheck(lambda x, y: W.apply(x) * y, (a, b))
