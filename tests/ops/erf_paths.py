"""erf has two forwards: SciPy's vectorised one when SciPy is installed, ``math.erf`` per
element otherwise; both give torch's values."""

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.ops import elementwise


@pytest.mark.parametrize("vectorised", [True, False], ids=["scipy", "math.erf"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_both_erf_forwards_match_torch(monkeypatch, vectorised, dtype):
    if not vectorised:
        monkeypatch.setattr(elementwise, "_erf_vectorised", [None])
    x = np.linspace(-6, 6, 101)
    ours = cr.erf(cr.tensor(x, dtype=getattr(cr, dtype)))
    theirs = torch.erf(torch.tensor(x, dtype=getattr(torch, dtype)))
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(
        ours.numpy(), theirs.numpy(), rtol=1e-15 if dtype == "float64" else 1e-6, atol=1e-16
    )


@pytest.mark.parametrize("vectorised", [True, False], ids=["scipy", "newton"])
def test_both_erfinv_forwards_match_torch(monkeypatch, vectorised):
    from chainrule.ops import mathfn

    if not vectorised:
        monkeypatch.setattr(mathfn, "_erfinv_vectorised", [None])
    x = np.concatenate([[-1.0, 1.0, 1.5, -2.0], np.linspace(-0.999999, 0.999999, 41)])
    ours = cr.erfinv(cr.tensor(x, dtype=cr.float64)).numpy()
    theirs = torch.erfinv(torch.tensor(x, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)
    f32 = cr.erfinv(cr.tensor(x[4:], dtype=cr.float32))
    assert f32.dtype == cr.float32


def test_erfinv_in_place_as_in_a_truncated_normal_initialiser():
    # the idiom of many ViT codebases: uniform in [2l-1, 2u-1], erfinv_, scale, shift, clamp
    def init(L):
        t = L.tensor(np.linspace(-0.9, 0.9, 7), dtype=L.float64)
        with L.no_grad():
            t.erfinv_()
            t.mul_(0.02 * 2**0.5).add_(0.1).clamp_(min=-2.0, max=2.0)
        return t.numpy()

    np.testing.assert_allclose(init(cr), init(torch), rtol=1e-12)
