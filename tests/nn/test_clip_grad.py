"""nn.utils: gradient clipping and parameter/vector conversion against PyTorch."""

import math
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import as_np

import chainrule
from chainrule import nn


def _params_with_grads(lib, scale):
    rng = np.random.default_rng(0)
    params = []
    for shape in [(3, 4), (5,), (2, 2, 2)]:
        p = lib.tensor(rng.standard_normal(shape), dtype=lib.float64, requires_grad=True)
        p.grad = lib.tensor(rng.standard_normal(shape) * scale, dtype=lib.float64)
        params.append(p)
    params.append(lib.tensor(np.ones(3), dtype=lib.float64, requires_grad=True))  # no grad
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 0.5, 3.0, "inf"])
@pytest.mark.parametrize("scale", [0.01, 10.0])  # below and above max_norm
def test_clip_grad_norm_matches_torch(norm_type, scale):
    tp, cp = _params_with_grads(torch, scale), _params_with_grads(chainrule, scale)
    t_total = torch.nn.utils.clip_grad_norm_(tp, max_norm=1.5, norm_type=norm_type)
    c_total = nn.utils.clip_grad_norm_(cp, max_norm=1.5, norm_type=norm_type)
    np.testing.assert_allclose(as_np(c_total), as_np(t_total), rtol=1e-12)
    assert c_total.dtype == chainrule.float64 and c_total.grad_fn is None
    for c, t in zip(cp[:3], tp[:3]):
        np.testing.assert_allclose(as_np(c.grad), as_np(t.grad), rtol=1e-12)
    assert cp[3].grad is None


def test_clip_grad_norm_edge_cases():
    p = chainrule.tensor([3.0, 4.0], requires_grad=True)
    p.grad = chainrule.tensor([3.0, 4.0])
    total = nn.utils.clip_grad_norm_(p, 1.0)  # a single tensor is accepted
    assert float(total) == 5.0
    np.testing.assert_allclose(as_np(p.grad), [3 / (5 + 1e-6), 4 / (5 + 1e-6)], rtol=1e-6)
    assert float(nn.utils.clip_grad_norm_([chainrule.zeros(2, requires_grad=True)], 1.0)) == 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.utils.clip_grad_norm_((q for q in []), 1.0)
    assert "empty generator" in str(caught[0].message)
    p.grad = chainrule.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with pytest.warns(FutureWarning, match="deprecated"):
        nn.utils.clip_grad_norm([p], 1.0)


def test_clip_grad_value_matches_torch():
    tp, cp = _params_with_grads(torch, 2.0), _params_with_grads(chainrule, 2.0)
    assert torch.nn.utils.clip_grad_value_(tp, 0.7) is None
    assert nn.utils.clip_grad_value_(cp, 0.7) is None
    for c, t in zip(cp[:3], tp[:3]):
        np.testing.assert_array_equal(as_np(c.grad), as_np(t.grad))
    assert np.abs(as_np(cp[0].grad)).max() == 0.7


def test_get_total_norm_and_clip_with_norm():
    tp, cp = _params_with_grads(torch, 3.0), _params_with_grads(chainrule, 3.0)
    t_total = torch.nn.utils.get_total_norm([p.grad for p in tp[:3]], 3.0)
    c_total = nn.utils.get_total_norm([p.grad for p in cp[:3]], 3.0)
    np.testing.assert_allclose(as_np(c_total), as_np(t_total), rtol=1e-12)
    torch.nn.utils.clip_grads_with_norm_(tp, 2.0, t_total)
    nn.utils.clip_grads_with_norm_(cp, 2.0, c_total)
    np.testing.assert_allclose(as_np(cp[2].grad), as_np(tp[2].grad), rtol=1e-12)


def test_parameters_to_vector_round_trip():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert tuple(vec.shape) == (3 * 2 + 2 + 2 + 1,)
    nn.utils.vector_to_parameters(vec * 0 + 1, model.parameters())
    assert all(np.all(as_np(p) == 1) for p in model.parameters())
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters([1.0], model.parameters())
