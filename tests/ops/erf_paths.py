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
