"""vmap's batching rules: op families run on the whole batch at once (no per-element
fallback) and give torch.func.vmap's values and per-sample gradients (float64, 1e-10)."""

import numpy as np
import pytest
import torch
from func.func_helpers import assert_same

import chainrule as cr
from chainrule.func import _batched

RNG = np.random.default_rng(13)
X = RNG.normal(size=(4, 3, 5))  # a batch of 4 (3, 5) matrices
V = RNG.normal(size=(4, 5))
M = RNG.normal(size=(5, 2))
IDX = np.array([2, 0, 1, 2])

CASES = {
    "elementwise": lambda L, x, v: L.sigmoid(x) * v - L.exp(-x) / (1 + x**2) + L.clamp(x, -1, 1),
    "broadcast unbatched": lambda L, x, v: x + L.tensor(M.T[0], dtype=L.float64) * 2,
    "where/maximum": lambda L, x, v: L.where(x > 0, x, v) + L.maximum(x, v.sin()),
    "matmul mat-vec": lambda L, x, v: x @ v,
    "matmul unbatched left": lambda L, x, v: L.tensor(M.T, dtype=L.float64) @ x.T,
    "matmul vec-mat": lambda L, x, v: v @ L.tensor(M, dtype=L.float64),
    "linear": lambda L, x, v: L.nn.functional.linear(x, L.tensor(M.T, dtype=L.float64), v[:2]),
    "reductions": lambda L, x, v: (
        x.sum(0),
        x.mean(-1, keepdim=True),
        x.amax(1),
        x.var(0),
        x.std(),
        x.logsumexp(-1),
        x.prod(1),
        x.norm(),
    ),
    "softmax": lambda L, x, v: (L.softmax(x, -1), L.log_softmax(x, 0)),
    "shape": lambda L, x, v: (
        x.reshape(5, 3),
        x.view(-1),
        x.transpose(0, 1),
        x.permute(1, 0).flatten(),
        x.unsqueeze(0).squeeze(0),
        x[None].expand(2, 3, 5),
        L.cat([x, x * 2], 1),
        L.stack([x, v.expand(3, 5)], 0),
        x.flip(1),
        x.split(2, 1)[1],
    ),
    "indexing": lambda L, x, v: (
        x[1],
        x[:, 1:4],
        x[..., 0],
        x[L.tensor([2, 0])],
        x[:, L.tensor([4, 1, 1])],
        x.index_select(1, L.tensor([0, 3])),
        x.gather(1, L.tensor([[0, 1, 2, 3, 4]] * 3)),
        x.masked_fill(x > 0.5, 0.0),
    ),
}


def run(L, name):
    x, v = L.tensor(X, dtype=L.float64), L.tensor(V, dtype=L.float64)
    return L.func.vmap(lambda x, v: CASES[name](L, x, v))(x, v)


def per_sample_grad(L, name):
    def loss(x, v):
        out = CASES[name](L, x, v)
        outs = out if isinstance(out, tuple) else (out,)
        return sum((o.sin() * (1 + o)).sum() for o in outs)

    x, v = L.tensor(X, dtype=L.float64), L.tensor(V, dtype=L.float64)
    return L.func.vmap(L.func.grad(loss, argnums=(0, 1)))(x, v)


@pytest.mark.parametrize("name", list(CASES))
def test_values_batched_without_fallback(name):
    before = len(_batched.fallbacks)
    ours = run(cr, name)
    assert _batched.fallbacks[before:] == []
    assert_same(ours, run(torch, name))


@pytest.mark.parametrize("name", list(CASES))
def test_per_sample_gradients_batched_without_fallback(name):
    before = len(_batched.fallbacks)
    ours = per_sample_grad(cr, name)
    assert _batched.fallbacks[before:] == []
    assert_same(ours, per_sample_grad(torch, name))


def test_batched_index_into_unbatched_tensor():
    table = RNG.normal(size=(3, 5))

    def f(L, i):
        return L.tensor(table, dtype=L.float64)[i] * 2

    # the core indexes a tensor that needs no graph straight in NumPy, which cannot take
    # a batched index: vmap runs this one per element (and says so)
    with pytest.warns(UserWarning, match="vmap: chainrule op 'getitem'"):
        ours = cr.func.vmap(lambda i: f(cr, i))(cr.tensor(IDX))
    assert_same(ours, torch.func.vmap(lambda i: f(torch, i))(torch.tensor(IDX)))


def test_hessian_by_jacrev_of_jacrev_is_batched():
    def logp(L, w):
        a = L.tensor(RNG_A, dtype=L.float64)
        return -(L.nn.functional.softplus(a @ w)).sum() - (w * w).sum() / 2

    before = len(_batched.fallbacks)
    ours = cr.func.hessian(lambda w: logp(cr, w))(cr.tensor(V[0]))
    assert _batched.fallbacks[before:] == []
    assert_same(ours, torch.func.hessian(lambda w: logp(torch, w))(torch.tensor(V[0])))


RNG_A = np.random.default_rng(14).normal(size=(7, 5))


def test_fallback_loop_is_correct_and_named():
    # float() of a batched value is data-dependent: the whole function runs per element
    def f(L, x):
        return x * float(x.sum() > 0)

    before = len(_batched.fallbacks)
    with pytest.warns(UserWarning, match="reads a batched value into Python"):
        ours = cr.func.vmap(lambda x: f(cr, x))(cr.tensor(V))
    assert any("reads a batched value" in r for r in _batched.fallbacks[before:])
    np.testing.assert_allclose(ours.numpy(), V * (V.sum(1, keepdims=True) > 0))


# class-index losses: the targets are batched too, and their check covers the whole batch
TARGETS = np.array([[2, 0, 1], [1, -100, 4], [0, 3, 3], [4, 4, -100]])  # 4 samples of 3


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"ignore_index": -100}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": True}],
)
def test_class_index_losses_with_batched_targets(kwargs):
    logits = RNG.normal(size=(4, 3, 5))
    class_weight = RNG.random(5) + 0.5

    def run(L):
        kw = dict(kwargs)
        if kw.pop("weight", False):
            kw["weight"] = L.tensor(class_weight, dtype=L.float64)

        def loss(x, y):
            return L.nn.functional.cross_entropy(x, y, **kw)

        x = L.tensor(logits, dtype=L.float64)
        y = L.tensor(np.where(TARGETS == -100, -100 if kwargs else 0, TARGETS))
        values = L.func.vmap(loss)(x, y)
        grads = L.func.vmap(L.func.grad(lambda x, y: loss(x, y).sum()))(x, y)
        return values, grads

    before = len(_batched.fallbacks)
    ours = run(cr)
    assert _batched.fallbacks[before:] == []
    assert_same(ours, run(torch))


def test_nested_vmap_of_nll_loss_over_targets_and_inputs():
    logp = np.log(RNG.dirichlet(np.ones(5), size=(2, 3)))  # 2 x 3 distributions
    targets = np.array([[1, 4], [0, 2], [3, 3]])  # 3 x 2 targets

    def run(L):
        def loss(x, y):  # one distribution, one target
            return L.nn.functional.nll_loss(x.unsqueeze(0), y.unsqueeze(0))

        inner = L.func.vmap(loss, in_dims=(None, 0))  # over the 2 targets of a row
        outer = L.func.vmap(inner, in_dims=(0, 0))  # over the 3 rows
        return L.func.vmap(outer, in_dims=(0, None))(
            L.tensor(logp, dtype=L.float64), L.tensor(targets)
        )

    before = len(_batched.fallbacks)
    ours = run(cr)
    assert _batched.fallbacks[before:] == []
    assert_same(ours, run(torch))


def test_a_bad_target_in_any_sample_raises_as_without_vmap():
    x = cr.tensor(RNG.normal(size=(4, 1, 5)))
    y = cr.tensor(np.array([[1], [7], [0], [2]]))  # sample 1's target is out of range
    with pytest.raises(IndexError, match="target 7 is out of bounds for 5 classes"):
        cr.func.vmap(cr.nn.functional.cross_entropy)(x, y)
    # torch raises too, a RuntimeError from its gather under vmap (IndexError without)
    with pytest.raises(RuntimeError, match="index 7 is out of bounds"):
        torch.func.vmap(torch.nn.functional.cross_entropy)(
            torch.tensor(x.numpy()), torch.tensor(y.numpy())
        )


# linear algebra: NumPy's linalg functions broadcast over leading dims, the batch included
_SPD = RNG.normal(size=(4, 3, 3))
_SPD = _SPD @ _SPD.transpose(0, 2, 1) + 3 * np.eye(3)
_RHS = RNG.normal(size=(4, 3))
_RHS_MATRIX = RNG.normal(size=(4, 3, 2))
LINALG = {
    "det": lambda L, a, b, m: L.linalg.det(a),
    "slogdet": lambda L, a, b, m: L.linalg.slogdet(a)[1],
    "inv": lambda L, a, b, m: L.linalg.inv(a),
    "cholesky": lambda L, a, b, m: L.linalg.cholesky(a),
    "eigvalsh": lambda L, a, b, m: L.linalg.eigh(a)[0],
    "svdvals": lambda L, a, b, m: L.linalg.svd(a)[1],
    "qr": lambda L, a, b, m: L.linalg.qr(a)[1].abs(),
    "solve vector": lambda L, a, b, m: L.linalg.solve(a, b),
    "solve matrix": lambda L, a, b, m: L.linalg.solve(a, m),
}


@pytest.mark.parametrize("name", list(LINALG))
def test_linalg_values_and_gradients_batched_without_fallback(name):
    def run(L):
        a, b, m = (L.tensor(v, dtype=L.float64) for v in (_SPD, _RHS, _RHS_MATRIX))
        values = L.func.vmap(lambda a, b, m: LINALG[name](L, a, b, m))(a, b, m)
        grads = L.func.vmap(
            L.func.grad(lambda a, b, m: LINALG[name](L, a, b, m).sum(), argnums=(0, 1, 2))
        )(a, b, m)
        return values, grads

    before = len(_batched.fallbacks)
    ours = run(cr)
    assert _batched.fallbacks[before:] == []
    assert_same(ours, run(torch))


def test_solve_with_one_operand_batched():
    def run(L):
        a, b = L.tensor(_SPD, dtype=L.float64), L.tensor(_RHS, dtype=L.float64)
        return (
            L.func.vmap(L.linalg.solve, in_dims=(None, 0))(a[0], b),
            L.func.vmap(L.linalg.solve, in_dims=(0, None))(a, b[0]),
        )

    assert_same(run(cr), run(torch))
