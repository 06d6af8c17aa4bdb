"""fill_diagonal_, index_fill_, index_copy_, index_put_ (and their out-of-place forms),
new_full and the CPU answers of cuda/pin_memory/conj/H against torch: values, gradients to
the tensor written into and to what is written, version counters and errors."""

import numpy as np
import pytest
import torch

import chainrule as cr

WRITES = {
    "fill_diagonal_": lambda L, y, v: y.fill_diagonal_(2.5),
    "fill_diagonal_ wrap": lambda L, y, v: y.reshape(6, 2).fill_diagonal_(-1.0, wrap=True),
    "index_fill_": lambda L, y, v: y.index_fill_(1, L.tensor([0, 3]), -1.5),
    "index_fill_ tensor value": lambda L, y, v: y.index_fill_(0, L.tensor([2]), v.sum()),
    "index_copy_": lambda L, y, v: y.index_copy_(1, L.tensor([3, 0]), v[:, :2] * 3),
    "index_put_": lambda L, y, v: y.index_put_((L.tensor([0, 2]), L.tensor([1, 1])), v[0, :2]),
    "index_put_ accumulate": lambda L, y, v: y.index_put_(
        (L.tensor([0, 0, 2]), L.tensor([1, 1, 3])), v[1, :3], accumulate=True
    ),
    "index_put_ broadcast": lambda L, y, v: y.index_put_((L.tensor([1]),), v[2], accumulate=True),
    "index_fill": lambda L, y, v: y.index_fill(0, L.tensor([1]), 9.0) * 2,
    "index_copy": lambda L, y, v: y.index_copy(0, L.tensor([0]), v[:1]),
    "index_put": lambda L, y, v: y.index_put((L.tensor([0]),), v[0], accumulate=True),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_index_writes_match_torch_with_gradients(name):
    rng = np.random.default_rng(4)
    x_np, v_np = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))

    def run(L):
        x = L.tensor(x_np, requires_grad=True)
        v = L.tensor(v_np, requires_grad=True)
        y = x * 1.0  # a non-leaf: in-place writes are recorded
        out = WRITES[name](L, y, v)
        loss = (out * out.sin()).sum()
        gx, gv = L.autograd.grad(loss, (x, v), allow_unused=True)
        return out, gx, gv

    for a, b in zip(run(cr), run(torch)):
        if b is None:
            assert a is None or not a.numpy().any()
            continue
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


def test_in_place_writes_return_self_bump_the_version_and_refuse_leaves():
    y = cr.zeros(3, 3)
    version = y._version
    assert y.index_fill_(0, cr.tensor([1]), 1.0) is y and y._version > version
    leaf = cr.zeros(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.fill_diagonal_(1.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda L: L.zeros(3).fill_diagonal_(1.0),
        lambda L: L.zeros(2, 3, 3).fill_diagonal_(1.0),
        lambda L: L.zeros(3, 3).index_fill_(0, L.tensor([3]), 1.0),
        lambda L: L.zeros(3, 3).index_fill_(0, L.tensor([0.5]), 1.0),
    ],
)
def test_errors_have_torch_types(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)):
        call(cr)


def test_new_full_and_the_cpu_answers():
    x = cr.ones(2, 3, dtype=cr.float64)
    full = x.new_full((2, 2), 7.0)
    assert full.dtype == cr.float64 and full.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert x.conj() is x and tuple(x.H.shape) == (3, 2) and tuple(x.mH.shape) == (3, 2)
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        x.cuda()
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        torch.ones(1).cuda()
    with pytest.raises(RuntimeError, match="tensor.H is only supported on matrices"):
        _ = cr.ones(2, 2, 2).H
