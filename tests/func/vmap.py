"""chainrule.func.vmap against torch.func.vmap on the same functions (float64, 1e-10):
in_dims/out_dims (pytrees, negative, None), nesting, composition with grad and jacrev
(per-sample gradients), randomness, chunk_size, NumPy in and out, and torch's errors."""

import numpy as np
import pytest
import torch
from func.func_helpers import assert_same, same_error

import chainrule as cr
from chainrule.func import _batched

RNG = np.random.default_rng(9)
XS = RNG.normal(size=(5, 3))
YS = RNG.normal(size=(3, 5))
W = RNG.normal(size=(4, 3))


def t(lib, a):
    return lib.tensor(a, dtype=lib.float64)


def test_elementwise_matmul_reductions_shape_and_indexing():
    def f(lib, x, w):
        h = lib.tanh(w @ x) * 2 + 1  # matmul, elementwise
        m = h.reshape(2, 2).transpose(0, 1).sum(0)  # shape, reduction over a dim
        return {"m": m, "s": h.max() + h[1:3].mean() - x[0] ** 2, "cat": lib.cat([x, h], 0)}

    def run(lib):
        return lib.func.vmap(lambda x, w: f(lib, x, w), in_dims=(0, None))(t(lib, XS), t(lib, W))

    assert_same(run(cr), run(torch))


@pytest.mark.parametrize(
    "in_dims, out_dims", [((1, 0), 0), ((-1, 0), 1), ((1, 0), -1), ((0, None), (0, None))]
)
def test_in_dims_and_out_dims(in_dims, out_dims):
    def run(lib):
        x, y = t(lib, YS), t(lib, XS)
        if in_dims == (0, None):
            x, y = t(lib, XS), t(lib, W)
            f = lambda x, w: (lib.sin(x) * 2, w.sum())  # noqa: E731
        else:
            f = lambda x, y: (lib.outer(x, y), x.sum() * y)  # noqa: E731
        return lib.func.vmap(f, in_dims=in_dims, out_dims=out_dims)(x, y)

    assert_same(run(cr), run(torch))


def test_pytree_inputs_and_nested_in_dims():
    def run(lib):
        params = {"w": t(lib, W), "b": [t(lib, XS[0]), t(lib, XS)]}
        f = lambda p, x: p["w"] @ (x * p["b"][0] + p["b"][1])  # noqa: E731
        in_dims = ({"w": None, "b": [None, 0]}, 0)
        return lib.func.vmap(f, in_dims=in_dims)(params, t(lib, XS))

    assert_same(run(cr), run(torch))


def test_nested_vmap_is_an_outer_product_of_batches():
    def run(lib):
        f = lambda x, y: (lib.sin(x) * y).sum()  # noqa: E731
        return lib.func.vmap(lib.func.vmap(f, in_dims=(None, 0)), in_dims=(0, None))(
            t(lib, XS), t(lib, XS[:4])
        )

    ours = run(cr)
    assert tuple(ours.shape) == (5, 4)
    assert_same(ours, run(torch))


def test_per_sample_gradients_of_a_model():
    """vmap(grad(loss), in_dims=(None, 0, 0)) with functional_call, as in torch's tutorial."""
    data = RNG.normal(size=(6, 3))
    labels = np.array([0, 1, 1, 0, 1, 0])

    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2)).double()
        state = {k: t(lib, v) for k, v in _weights().items()}
        model.load_state_dict(state)
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            out = lib.func.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(out, y.unsqueeze(0))

        x, y = t(lib, data), lib.tensor(labels)
        per_sample = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(params, x, y)
        mean_grad = lib.func.grad(
            lambda p: lib.nn.functional.cross_entropy(lib.func.functional_call(model, p, x), y)
        )(params)
        return per_sample, mean_grad

    before = len(_batched.fallbacks)
    ours = run(cr)
    assert _batched.fallbacks[before:] == []  # the class-index loss runs on the whole batch
    assert_same(ours, run(torch))
    for k, g in ours[0].items():  # the mean of per-sample gradients is the batch gradient
        np.testing.assert_allclose(g.numpy().mean(0), ours[1][k].numpy(), rtol=1e-10)


def _weights():
    rng = np.random.default_rng(4)
    return {
        "0.weight": rng.normal(size=(4, 3)),
        "0.bias": rng.normal(size=4),
        "2.weight": rng.normal(size=(2, 4)),
        "2.bias": rng.normal(size=2),
    }


def test_vmap_of_jacrev_and_jacrev_of_vmap():
    def run(lib):
        f = lambda x: lib.sin(x) * x.sum()  # noqa: E731
        return lib.func.vmap(lib.func.jacrev(f))(t(lib, XS)), lib.func.jacrev(lib.func.vmap(f))(
            t(lib, XS)
        )

    # jacrev's vmap differentiates the graph recorded inside the inner vmap: per element
    with pytest.warns(UserWarning, match="recorded inside an earlier vmap"):
        ours = run(cr)
    assert_same(ours, run(torch))


def test_chunk_size_gives_the_same_result():
    def run(lib, chunk):
        return lib.func.vmap(lambda x: lib.exp(x).sum(), chunk_size=chunk)(t(lib, XS))

    assert_same(run(cr, 2), run(torch, None))
    assert_same(run(cr, 1), run(cr, None))


def test_randomness_modes():
    x = cr.ones(4, 3)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        cr.func.vmap(lambda x: x * cr.rand(3))(x)
    with pytest.warns(UserWarning, match="random numbers drawn inside vmap"):
        same = cr.func.vmap(lambda x: x * cr.rand(3), randomness="same")(x)
    assert all(np.array_equal(same[0].numpy(), row.numpy()) for row in same)
    with pytest.warns(UserWarning, match="random numbers drawn inside vmap"):
        different = cr.func.vmap(lambda x: x * cr.rand(3), randomness="different")(x)
    assert not np.array_equal(different[0].numpy(), different[1].numpy())


def test_numpy_in_numpy_out():
    out = cr.func.vmap(lambda x: cr.sin(x).sum())(XS)
    assert type(out) is np.ndarray
    np.testing.assert_allclose(out, np.sin(XS).sum(1), rtol=1e-12)


def test_unbatched_output_with_out_dims_none():
    def run(lib):
        w = t(lib, W)
        return lib.func.vmap(lambda x: (x * 2, w), out_dims=(0, None))(t(lib, XS))

    assert_same(run(cr), run(torch))


def _x(lib):
    return t(lib, XS)


ERRORS = {
    "in_dims type": lambda lib: lib.func.vmap(lambda x: x, in_dims=[0])(_x(lib)),
    "no inputs": lambda lib: lib.func.vmap(lambda: 1)(),
    "in_dim out of range": lambda lib: lib.func.vmap(lambda x: x, in_dims=2)(_x(lib)),
    "in_dim for non-tensor": lambda lib: lib.func.vmap(lambda x, n: x, in_dims=(0, 0))(_x(lib), 3),
    "in_dim not int": lambda lib: lib.func.vmap(lambda x: x, in_dims=(1.0,))(_x(lib)),
    "different sizes": lambda lib: lib.func.vmap(lambda x, y: x + y)(_x(lib), t(lib, W)),
    "nothing batched": lambda lib: lib.func.vmap(lambda x: x, in_dims=None)(_x(lib)),
    "returns a number": lambda lib: lib.func.vmap(lambda x: 3)(_x(lib)),
    "batched output with None": lambda lib: lib.func.vmap(lambda x: x, out_dims=None)(_x(lib)),
    "out_dims not int": lambda lib: lib.func.vmap(lambda x: x, out_dims=1.5)(_x(lib)),
    "randomness value": lambda lib: lib.func.vmap(lambda x: x, randomness="sometimes")(_x(lib)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name])
