"""``N[i, j] += 1`` and ``x[k] = v`` without a graph to record write straight into memory:
the same values, dtypes, version counters, shared views and errors as PyTorch."""

import numpy as np
import pytest
import torch

import chainrule as cr


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "float16", "float32"])
def test_counting_loop_matches_torch(dtype):
    pairs = np.random.default_rng(0).integers(0, 5, size=(300, 2))
    results = []
    for m in (torch, cr):
        n = m.zeros((5, 5), dtype=getattr(m, dtype))
        for i, j in pairs.tolist():
            n[i, j] += 1
        n[0] -= 1
        n[1] *= 2
        n[2, 3] = 7
        results.append((str(n.dtype), n.numpy().copy(), n._version))
    assert results[1][0] == results[0][0]
    np.testing.assert_array_equal(results[1][1], results[0][1])
    assert results[1][2] > 0


def test_version_counter_catches_a_changed_saved_tensor():
    for m in (torch, cr):
        x = m.ones(3)
        w = m.ones(3, requires_grad=True)
        y = (x * w).sum()
        x[0] = 2.0  # no graph to record here, but x was saved by the product
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_views_share_memory_both_ways():
    for m in (torch, cr):
        x = m.zeros(3, 4, dtype=m.int32)
        row = x[1]
        x[1, 2] = 5
        row += 1
        assert row.tolist() == [1, 1, 6, 1]
        assert x[1].tolist() == [1, 1, 6, 1]


def test_values_are_cast_as_torch():
    results = []
    for m in (torch, cr):
        x = m.zeros(4, dtype=m.int64)
        x[0] = 2.7
        x[1:3] = m.tensor([-1.9, 3.5])
        x[3] = True
        f = m.zeros(2, dtype=m.float16)
        f[0] = 1 / 3
        results.append((x.tolist(), f.tolist()))
    assert results[1] == results[0]


ERRORS = {
    "index out of range": lambda m: m.zeros(2, 3).__setitem__((2, 0), 1.0),
    "shape mismatch": lambda m: m.zeros(2, 3).__setitem__(0, m.ones(4)),
    "float added to int": lambda m: m.zeros(3, dtype=m.int64).__iadd__(1.5),
    "float tensor added to int": lambda m: m.zeros(3, dtype=m.int32).__iadd__(m.ones(3)),
    "read out of range": lambda m: m.zeros(2, 3)[5],
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch_in_type(case):
    with pytest.raises(Exception) as expected:
        ERRORS[case](torch)
    with pytest.raises(Exception) as got:
        ERRORS[case](cr)
    assert type(got.value) is type(expected.value), (got.value, expected.value)


def test_recording_still_goes_through_the_graph():
    names, grads = [], []
    for m in (torch, cr):
        w = m.ones(3, requires_grad=True)
        x = m.zeros(3)
        x[1] = w[0] * 3  # a value that requires grad: recorded
        x.sum().backward()
        names.append(x.grad_fn.name())
        grads.append(w.grad.tolist())
    assert names[1] == "CopySlices" and names[0] == "torch::autograd::CopySlices"
    assert grads[1] == grads[0]
