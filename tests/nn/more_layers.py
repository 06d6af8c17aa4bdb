"""The newer activations, normalisations, shape layers, pooling and distances agree with
PyTorch: float64 values, gradients and gradients of gradients, float32 values, reprs,
state_dict keys and loading torch's state_dict."""

import numpy as np
import pytest
import torch
from more_helpers import compare, compare_module
from nn_helpers import as_np

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

TF = torch.nn.functional


def _kinky(shape, seed, points=()):
    """Normal values times 3, with the kinks ``points`` placed at the front."""
    x = np.random.default_rng(seed).normal(size=shape) * 3
    x.flat[: len(points)] = points
    return x


# --------------------------------------------------------------------------- activations

ACTIVATIONS = {
    "selu": ((), (0.0,)),
    "celu": ((), (0.0,)),
    "celu-alpha": ((0.5,), (0.0,)),
    "mish": ((), ()),
    "hardsigmoid": ((), (-3.0, 3.0, 0.0)),
    "hardswish": ((), (-3.0, 3.0, 0.0)),
    "softsign": ((), (0.0,)),
    "softshrink": ((), (0.5, -0.5, 0.0)),
    "softshrink-lambd": ((1.5,), (1.5, -1.5)),
    "hardshrink": ((), (0.5, -0.5, 0.0)),
    "tanhshrink": ((), ()),
    "threshold": ((0.1, 20.0), (0.1,)),
    "glu": ((), ()),
    "glu-dim": ((0,), ()),
    "rrelu": ((), (0.0,)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_functions_match_torch(name):
    args, kinks = ACTIVATIONS[name]
    fn = name.split("-")[0]
    seed = sum(map(ord, name))
    ours, theirs = (lambda t: getattr(F, fn)(t, *args)), (lambda t: getattr(TF, fn)(t, *args))
    grads = fn != "hardsigmoid"  # torch's backward multiplies by 1/6 rounded to float32
    x = _kinky((4, 6), seed, kinks)  # first order at the kinks: the same side as torch
    compare(ours, theirs, [x], grads=grads, what=name)
    x = _kinky((4, 6), seed + 1)  # second order away from them
    compare(ours, theirs, [x], gradgrad=grads, grads=grads, what=name)
    if not grads:  # finite differences instead
        assert chainrule.autograd.gradcheck(ours, (chainrule.tensor(x, requires_grad=True),))


MODULES = {
    "SELU": ((), {}),
    "CELU": ((0.5,), {}),  # torch's gradient rounds 1/alpha to float32; 1/0.5 is exact
    "GLU": ((), {"dim": 1}),
    "Mish": ((), {}),
    "Hardswish": ((), {}),
    "Softsign": ((), {}),
    "Softshrink": ((0.3,), {}),
    "Hardshrink": ((0.3,), {}),
    "Tanhshrink": ((), {}),
    "Threshold": ((0.1, 20.0), {}),
    "Softmax2d": ((), {}),
    "RReLU": ((0.1, 0.3), {}),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_activation_modules_match_torch(name):
    args, kwargs = MODULES[name]
    cls = name.split("-")[0]
    x = _kinky((2, 4, 3, 2), 1)
    compare_module(
        lambda: getattr(nn, cls)(*args, **kwargs),
        lambda: getattr(torch.nn, cls)(*args, **kwargs),
        [x],
        train=cls != "RReLU",
        what=name,
    )


def test_activation_reprs_match_torch():
    pairs = [
        (nn.SELU(True), torch.nn.SELU(True)),
        (nn.Mish(inplace=True), torch.nn.Mish(inplace=True)),
        (nn.CELU(0.7, True), torch.nn.CELU(0.7, True)),
        (nn.Threshold(0.1, 20, True), torch.nn.Threshold(0.1, 20, True)),
        (nn.RReLU(inplace=True), torch.nn.RReLU(inplace=True)),
        (nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
        (nn.Hardshrink(), torch.nn.Hardshrink()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_rrelu_training_draws_slopes_within_bounds():
    chainrule.manual_seed(0)
    x = chainrule.tensor(-np.linspace(0.5, 3.0, 2000), requires_grad=True)
    out = nn.RReLU(0.1, 0.3)(x)  # training mode: a fresh slope per element
    slopes = as_np(out) / as_np(x)
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert slopes.std() > 0.04  # spread over the interval, not one value
    out.sum().backward()
    np.testing.assert_allclose(as_np(x.grad), slopes, rtol=1e-12)
    positive = chainrule.tensor([0.5, 2.0])
    np.testing.assert_array_equal(as_np(F.rrelu(positive, training=True)), [0.5, 2.0])


def test_activation_errors():
    with pytest.raises(RuntimeError, match="dimension 1 is size 5"):
        F.glu(chainrule.ones(2, 5))
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        F.softshrink(chainrule.ones(2), -1.0)
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        nn.Softmax2d()(chainrule.ones(2, 5))


# --------------------------------------------------------------------------- normalisation


def test_normalisation_functions_match_torch():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 4, 5)) * 2 + 1
    w, b = rng.normal(size=4), rng.normal(size=4)
    cases = [
        (lambda m, x, w, b: m.nn.functional.group_norm(x, 2, w, b), True),
        (lambda m, x, w, b: m.nn.functional.group_norm(x, 4, eps=1e-3), True),
        (lambda m, x, w, b: m.nn.functional.instance_norm(x, weight=w, bias=b), True),
        (lambda m, x, w, b: m.nn.functional.rms_norm(x, (5,)), True),
        (lambda m, x, w, b: m.nn.functional.rms_norm(x, (4, 5), eps=1e-3) * w[0], True),
        (lambda m, x, w, b: m.nn.functional.local_response_norm(x, 3, 0.1, 0.6, 2.0), True),
        (lambda m, x, w, b: m.nn.functional.local_response_norm(x, 2), False),
    ]
    for i, (fn, gradgrad) in enumerate(cases):
        compare(
            lambda *a, fn=fn: fn(chainrule, *a),
            lambda *a, fn=fn: fn(torch, *a),
            [x, w, b],
            gradgrad=gradgrad,
            what=f"case {i}",
        )


NORM_LAYERS = {
    "GroupNorm": ((2, 4), {}, (3, 4, 5)),
    "GroupNorm-noaffine": ((4, 4), {"affine": False, "eps": 1e-3}, (2, 4, 3, 2)),
    "GroupNorm-nobias": ((1, 4), {"bias": False}, (2, 4, 3)),
    "RMSNorm": ((5,), {}, (3, 4, 5)),
    "RMSNorm-2d": (((4, 5),), {"eps": 1e-3, "elementwise_affine": False}, (3, 4, 5)),
    "LocalResponseNorm": ((3,), {"alpha": 0.1}, (2, 4, 3, 2)),
    "InstanceNorm1d": ((4,), {}, (3, 4, 5)),
    "InstanceNorm1d-affine": ((4,), {"affine": True}, (3, 4, 5)),
    "InstanceNorm1d-unbatched": ((4,), {"affine": True}, (4, 5)),
    "InstanceNorm2d": ((4,), {"affine": True, "track_running_stats": True}, (2, 4, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(NORM_LAYERS))
def test_normalisation_layers_match_torch(name):
    args, kwargs, shape = NORM_LAYERS[name]
    cls = name.split("-")[0]
    x = np.random.default_rng(4).normal(size=shape) * 2 + 1
    compare_module(
        lambda: getattr(nn, cls)(*args, **kwargs),
        lambda: getattr(torch.nn, cls)(*args, **kwargs),
        [x],
        what=name,
    )


@pytest.mark.parametrize("momentum", [0.3, None])
def test_instance_norm_running_stats_match_torch(momentum):
    rng = np.random.default_rng(5)
    kwargs = {"affine": True, "track_running_stats": True, "momentum": momentum}
    th = torch.nn.InstanceNorm2d(3, **kwargs).double()
    cr = nn.InstanceNorm2d(3, **kwargs).double()
    for _ in range(3):
        x = rng.normal(size=(2, 3, 4, 4)) * 2 + 1
        np.testing.assert_allclose(
            as_np(cr(chainrule.tensor(x))), th(torch.tensor(x)).detach().numpy(), rtol=1e-10
        )
    for key, value in th.state_dict().items():
        np.testing.assert_allclose(as_np(cr.state_dict()[key]), value.numpy(), rtol=1e-10)
    cr.eval()
    th.eval()
    x = rng.normal(size=(3, 4, 4))  # unbatched, running statistics
    compare_module(
        lambda: cr,
        lambda: th,
        [x],
        train=False,
        what="eval",
    )


# --------------------------------------------------------------------------- shape and pooling

SPATIAL = {
    "pixel_shuffle": (lambda F, x: F.pixel_shuffle(x, 2), (2, 8, 3, 2)),
    "pixel_shuffle-unbatched": (lambda F, x: F.pixel_shuffle(x, 3), (9, 2, 2)),
    "pixel_unshuffle": (lambda F, x: F.pixel_unshuffle(x, 2), (2, 3, 4, 6)),
    "pixel_unshuffle-5d": (lambda F, x: F.pixel_unshuffle(x, 2), (2, 1, 2, 4, 2)),
    "max_pool1d": (lambda F, x: F.max_pool1d(x, 3), (2, 3, 10)),
    "max_pool1d-args": (lambda F, x: F.max_pool1d(x, 3, 2, 1, 2, True, True), (2, 3, 11)),
    "max_pool1d-unbatched": (lambda F, x: F.max_pool1d(x, 2, return_indices=True), (3, 7)),
    "avg_pool1d": (lambda F, x: F.avg_pool1d(x, 3), (2, 3, 10)),
    "avg_pool1d-args": (lambda F, x: F.avg_pool1d(x, 4, 3, 2, True, False), (2, 3, 11)),
    "adaptive_max_pool1d": (lambda F, x: F.adaptive_max_pool1d(x, 4, True), (2, 3, 10)),
    "adaptive_max_pool1d-up": (lambda F, x: F.adaptive_max_pool1d(x, 7), (3, 5)),
    "adaptive_max_pool2d": (lambda F, x: F.adaptive_max_pool2d(x, 3, True), (2, 3, 7, 5)),
    "adaptive_max_pool2d-none": (
        lambda F, x: F.adaptive_max_pool2d(x, (None, 2), True),
        (3, 4, 5),
    ),
    "unfold": (lambda F, x: F.unfold(x, 2), (2, 3, 4, 5)),
    "unfold-args": (lambda F, x: F.unfold(x, (2, 3), 2, 1, (2, 1)), (2, 2, 6, 7)),
    "unfold-unbatched": (lambda F, x: F.unfold(x, 3, padding=1), (2, 4, 4)),
    "fold": (lambda F, x: F.fold(x, (4, 5), 2), (2, 12, 12)),
    "fold-args": (lambda F, x: F.fold(x, (6, 7), (2, 3), 2, 1, (2, 1)), (2, 12, 15)),
    "fold-unbatched": (lambda F, x: F.fold(x, 5, 3, stride=2), (9, 4)),
}


@pytest.mark.parametrize("name", sorted(SPATIAL))
def test_spatial_functions_match_torch(name):
    fn, shape = SPATIAL[name]
    x = np.random.default_rng(sum(map(ord, name))).normal(size=shape)
    compare(lambda t: fn(F, t), lambda t: fn(TF, t), [x], gradgrad=True, what=name)


SPATIAL_LAYERS = {
    "PixelShuffle": ((2,), (2, 8, 3, 2)),
    "PixelUnshuffle": ((2,), (2, 2, 4, 4)),
    "ZeroPad1d": ((2,), (2, 3, 4)),
    "ZeroPad2d": (((1, 2, 0, 3),), (2, 3, 4, 4)),
    "ConstantPad1d": (((1, 2), 3.5), (2, 3, 4)),
    "ConstantPad2d": ((1, -1.0), (2, 3, 4)),
    "ReflectionPad1d": ((2,), (2, 3, 4)),
    "ReflectionPad2d": (((1, 2, 2, 1),), (2, 3, 4, 4)),
    "ReplicationPad1d": (((3, 1),), (2, 3, 4)),
    "ReplicationPad2d": ((2,), (1, 3, 4, 4)),
    "CircularPad1d": ((2,), (2, 3, 4)),
    "CircularPad2d": ((1,), (1, 2, 4, 4)),
    "MaxPool1d": ((3, 2, 1), (2, 3, 9)),
    "AvgPool1d": ((3, 2, 1, True, False), (2, 3, 9)),
    "AdaptiveMaxPool1d": ((4,), (2, 3, 9)),
    "AdaptiveMaxPool2d": (((3, None),), (2, 3, 7, 4)),
    "Unfold": (((2, 3), 1, 1, 2), (2, 3, 5, 6)),
    "Fold": (((4, 5), 2), (2, 8, 12)),
}


@pytest.mark.parametrize("name", sorted(SPATIAL_LAYERS))
def test_spatial_layers_match_torch(name):
    args, shape = SPATIAL_LAYERS[name]
    x = np.random.default_rng(sum(map(ord, name))).normal(size=shape)
    compare_module(
        lambda: getattr(nn, name)(*args), lambda: getattr(torch.nn, name)(*args), [x], what=name
    )


def test_spatial_reprs_and_errors():
    pairs = [
        (nn.MaxPool1d(3, 2, 1, 1, True, True), torch.nn.MaxPool1d(3, 2, 1, 1, True, True)),
        (nn.AvgPool1d(3), torch.nn.AvgPool1d(3)),
        (nn.AdaptiveMaxPool2d(3, True), torch.nn.AdaptiveMaxPool2d(3, True)),
        (nn.Fold(4, (2, 3), 1, 0, 1), torch.nn.Fold(4, (2, 3), 1, 0, 1)),
        (nn.Unfold(2), torch.nn.Unfold(2)),
        (nn.ZeroPad2d(1), torch.nn.ZeroPad2d(1)),
        (nn.ConstantPad2d((1, 2, 3, 4), 1), torch.nn.ConstantPad2d((1, 2, 3, 4), 1)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    with pytest.raises(RuntimeError, match="not divisible by 4"):
        F.pixel_shuffle(chainrule.ones(1, 3, 2, 2), 2)
    with pytest.raises(RuntimeError, match="fold: expected input of shape"):
        F.fold(chainrule.ones(1, 8, 11), (4, 5), 2)


def test_fold_is_the_adjoint_of_unfold():
    """<unfold(x), y> = <x, fold(y)>: col2im is im2col transposed."""
    rng = np.random.default_rng(9)
    x = chainrule.tensor(rng.normal(size=(2, 3, 6, 5)))
    cols = F.unfold(x, (3, 2), dilation=(1, 2), padding=1, stride=2)
    y = chainrule.tensor(rng.normal(size=tuple(cols.shape)))
    back = F.fold(y, (6, 5), (3, 2), dilation=(1, 2), padding=1, stride=2)
    np.testing.assert_allclose((cols * y).sum().item(), (x * back).sum().item(), rtol=1e-12)


# --------------------------------------------------------------------------- distances, misc


def test_distance_functions_match_torch():
    rng = np.random.default_rng(12)
    a, b, c = rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), rng.normal(size=(1, 5))
    cases = [
        lambda F, a, b, c: F.pairwise_distance(a, b),
        lambda F, a, b, c: F.pairwise_distance(a, c, 1.0, 1e-3, True),
        lambda F, a, b, c: F.pairwise_distance(a, b, 3.0),
        lambda F, a, b, c: F.pairwise_distance(a[0], b[0]),
        lambda F, a, b, c: F.pdist(a),  # torch has no second derivative of pdist
        lambda F, a, b, c: F.pdist(b, 1.0),
        lambda F, a, b, c: F.pdist(a, 3.0),
    ]
    for i, fn in enumerate(cases):
        compare(
            lambda *t, fn=fn: fn(F, *t),
            lambda *t, fn=fn: fn(TF, *t),
            [a, b, c],
            gradgrad=i < 4,
            what=f"case {i}",
        )
    for p in (2.0, 3.0):  # pdist's second order by finite differences
        x = chainrule.tensor(a, requires_grad=True)
        assert chainrule.autograd.gradgradcheck(lambda t, p=p: F.pdist(t, p), (x,))


def test_bilinear_matches_torch():
    rng = np.random.default_rng(13)
    x1, x2 = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 5))
    w, b = rng.normal(size=(6, 4, 5)), rng.normal(size=6)
    compare(F.bilinear, TF.bilinear, [x1, x2, w, b], gradgrad=True, what="bilinear")
    compare(F.bilinear, TF.bilinear, [x1[0, 0], x2[0, 0], w], what="bilinear 1-d, no bias")
    for bias in (True, False):
        compare_module(
            lambda bias=bias: nn.Bilinear(4, 5, 3, bias),
            lambda bias=bias: torch.nn.Bilinear(4, 5, 3, bias),
            [x1, x2],
            what=f"Bilinear bias={bias}",
        )


@pytest.mark.parametrize(
    "name, args",
    [
        ("PairwiseDistance", ()),
        ("PairwiseDistance", (1.0, 1e-3, True)),
        ("CosineSimilarity", ()),
        ("CosineSimilarity", (0, 1e-6)),
    ],
)
def test_distance_layers_match_torch(name, args):
    rng = np.random.default_rng(14)
    x1, x2 = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    compare_module(
        lambda: getattr(nn, name)(*args), lambda: getattr(torch.nn, name)(*args), [x1, x2]
    )


def test_parameter_dict_matches_torch():
    values = {"w": np.ones((2, 3)), "b": np.zeros(3)}
    ours = nn.ParameterDict({k: chainrule.tensor(v) for k, v in values.items()})
    theirs = torch.nn.ParameterDict({k: torch.tensor(v) for k, v in values.items()})
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["b", "w"]  # a dict: sorted
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours.values())
    ours["extra"] = nn.Parameter(chainrule.ones(1, dtype=chainrule.float32))
    theirs["extra"] = torch.nn.Parameter(torch.ones(1))
    assert repr(ours) == repr(theirs)
    assert list(ours) == ["b", "w", "extra"] and "b" in ours and len(ours) == 3
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert isinstance(ours.pop("extra"), nn.Parameter) and list(ours.keys()) == ["b", "w"]
    model = nn.Module()
    model.params = ours
    assert [n for n, _ in model.named_parameters()] == ["params.b", "params.w"]
    (ours["w"] * 2).sum().backward()
    np.testing.assert_array_equal(as_np(ours["w"].grad), 2.0)
    ours.update([("c", chainrule.zeros(1))])
    assert list(ours.keys()) == ["b", "w", "c"]
    ours.clear()
    assert len(ours) == 0 and repr(ours) == repr(torch.nn.ParameterDict())


# --------------------------------------------------------------------------- embedding bag

BAGS = {
    "2d-mean": (np.array([[0, 2, 2], [4, 1, 0]]), None, {}),
    "2d-sum-weights": (np.array([[0, 2, 2], [4, 1, 0]]), None, {"mode": "sum"}),
    "2d-max": (np.array([[0, 2, 3], [4, 1, 0]]), None, {"mode": "max"}),
    "offsets-mean-empty": (np.array([1, 2, 4, 4, 3, 0]), np.array([0, 2, 2, 5]), {}),
    "offsets-max": (np.array([1, 2, 4, 4, 3, 0]), np.array([0, 2, 5]), {"mode": "max"}),
    "offsets-last": (
        np.array([1, 2, 4, 4, 3, 0]),
        np.array([0, 3, 6]),
        {"mode": "sum", "include_last_offset": True},
    ),
    "padding": (np.array([[0, 2, 2], [2, 2, 2]]), None, {"padding_idx": 2}),
    "padding-sum": (np.array([1, 2, 4, 2]), np.array([0, 1]), {"mode": "sum", "padding_idx": 2}),
}


@pytest.mark.parametrize("name", sorted(BAGS))
def test_embedding_bag_matches_torch(name):
    idx, offsets, kwargs = BAGS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    w = rng.normal(size=(5, 3))
    extra = [] if offsets is None else [offsets]

    def call(F, w, i, *rest, **more):
        return F.embedding_bag(i, w, *rest, **kwargs, **more)

    compare(lambda *t: call(F, *t), lambda *t: call(TF, *t), [w, idx, *extra], what=name)
    if name == "2d-sum-weights":
        psw = rng.normal(size=idx.shape)
        compare(
            lambda w, i, p: call(F, w, i, per_sample_weights=p),
            lambda w, i, p: call(TF, w, i, per_sample_weights=p),
            [w, idx, psw],
            what="per_sample_weights",
        )  # torch has no second derivative here: finite differences
        rest = (chainrule.tensor(idx),)
        assert chainrule.autograd.gradgradcheck(
            lambda w, p: F.embedding_bag(*rest, w, mode="sum", per_sample_weights=p),
            (chainrule.tensor(w, requires_grad=True), chainrule.tensor(psw, requires_grad=True)),
        )
    compare_module(
        lambda: nn.EmbeddingBag(5, 3, **kwargs),
        lambda: torch.nn.EmbeddingBag(5, 3, **kwargs),
        [idx, *extra],
        what=name,
    )


def test_embedding_bag_options():
    assert repr(nn.EmbeddingBag(5, 3, norm_type=3.0, mode="max", padding_idx=-1)) == repr(
        torch.nn.EmbeddingBag(5, 3, norm_type=3.0, mode="max", padding_idx=-1)
    )
    with pytest.raises(ValueError, match="offsets has to be None"):
        F.embedding_bag(chainrule.tensor([[0, 1]]), chainrule.ones(3, 2), chainrule.tensor([0]))
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(
            chainrule.tensor([[0, 1]]),
            chainrule.ones(3, 2),
            per_sample_weights=chainrule.ones(1, 2),
        )


# --------------------------------------------------------------------------- lp pool, unpool

EXTRA = {
    "channel_shuffle": (lambda F, x: F.channel_shuffle(x, 3), (2, 6, 2, 3), True),
    "lp_pool1d": (lambda F, x: F.lp_pool1d(x.abs() + 0.5, 2.0, 3), (2, 3, 10), True),
    "lp_pool1d-odd": (lambda F, x: F.lp_pool1d(x.abs() + 0.5, 3, 2, 1, True), (2, 3, 9), True),
    "lp_pool2d": (lambda F, x: F.lp_pool2d(x.abs() + 0.5, 1.5, (2, 3), 2), (2, 3, 6, 7), True),
    "max_pool1d_with_indices": (lambda F, x: F.max_pool1d_with_indices(x, 3, 2), (2, 3, 9), True),
    "max_pool2d_with_indices": (lambda F, x: F.max_pool2d_with_indices(x, 2), (2, 3, 4, 6), True),
    "adaptive_max_pool1d_with_indices": (
        lambda F, x: F.adaptive_max_pool1d_with_indices(x, 4),
        (2, 3, 9),
        True,
    ),
    "adaptive_max_pool2d_with_indices": (
        lambda F, x: F.adaptive_max_pool2d_with_indices(x, (2, 3)),
        (2, 3, 5, 7),
        True,
    ),
    "max_unpool1d": (
        lambda F, x: F.max_unpool1d(*F.max_pool1d(x, 3, 2, 1, return_indices=True), 3, 2, 1),
        (2, 3, 9),
        True,
    ),
    "max_unpool2d": (
        lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
        (2, 3, 4, 6),
        True,
    ),
    "max_unpool2d-size": (
        lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, None, 0, (5, 7)),
        (3, 5, 7),
        True,
    ),
}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_more_spatial_functions_match_torch(name):
    fn, shape, gradgrad = EXTRA[name]
    x = np.random.default_rng(sum(map(ord, name))).normal(size=shape)
    compare(lambda t: fn(F, t), lambda t: fn(TF, t), [x], gradgrad=gradgrad, what=name)


def test_more_spatial_layers_match_torch():
    rng = np.random.default_rng(15)
    x = rng.random((2, 4, 6, 6)) + 0.1
    for name, args in [("LPPool2d", (2, 3)), ("LPPool1d", (1.5, 2, 1)), ("ChannelShuffle", (2,))]:
        compare_module(
            lambda name=name, args=args: getattr(nn, name)(*args),
            lambda name=name, args=args: getattr(torch.nn, name)(*args),
            [x[0] if name == "LPPool1d" else x],
            what=name,
        )
    pooled, idx = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    for cls in ("MaxUnpool2d", "MaxUnpool1d"):
        args = (2,) if cls == "MaxUnpool2d" else (3, 2, 1)
        assert repr(getattr(nn, cls)(*args)) == repr(getattr(torch.nn, cls)(*args))
    compare_module(
        lambda: nn.MaxUnpool2d(2),
        lambda: torch.nn.MaxUnpool2d(2),
        [pooled.numpy(), idx.numpy()],
        what="MaxUnpool2d",
    )


def test_triplet_margin_with_distance_loss_matches_torch():
    rng = np.random.default_rng(16)
    a, p, n = (rng.normal(size=(4, 5)) for _ in range(3))
    for reduction in ("none", "mean", "sum"):
        compare(
            lambda *t, r=reduction: F.triplet_margin_with_distance_loss(*t, reduction=r),
            lambda *t, r=reduction: TF.triplet_margin_with_distance_loss(*t, reduction=r),
            [a, p, n],
            gradgrad=True,
            what=reduction,
        )

    def cosine(m):
        return lambda x, y: 1.0 - m.nn.functional.cosine_similarity(x, y)

    ours = nn.TripletMarginWithDistanceLoss(distance_function=cosine(chainrule), swap=True)
    theirs = torch.nn.TripletMarginWithDistanceLoss(distance_function=cosine(torch), swap=True)
    compare(ours, theirs, [a, p, n], what="cosine distance, swap")
    assert repr(nn.TripletMarginWithDistanceLoss(margin=0.5)) == repr(
        torch.nn.TripletMarginWithDistanceLoss(margin=0.5)
    )
    with pytest.raises(ValueError, match="greater than 0"):
        F.triplet_margin_with_distance_loss(*(chainrule.tensor(v) for v in (a, p, n)), margin=0)


# --------------------------------------------------------------------------- alpha dropout


def _affine_families(x, out):
    """(a, b, c) with out = a x + b where kept and c where dropped; c is the value shared
    by the most outputs."""
    values, counts = np.unique(out, return_counts=True)
    c = values[np.argmax(counts)]
    kept = out != c
    a, b = np.polyfit(x[kept], out[kept], 1)
    np.testing.assert_allclose(out[kept], a * x[kept] + b, rtol=1e-9, atol=1e-12)
    return np.array([a, b, c]), kept


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_matches_torch_affine_map(p):
    x = np.random.default_rng(17).normal(size=(200, 50))
    torch.manual_seed(0)
    chainrule.manual_seed(0)
    theirs, _ = _affine_families(x, TF.alpha_dropout(torch.tensor(x), p, True).numpy())
    x_cr = chainrule.tensor(x, requires_grad=True)
    out = F.alpha_dropout(x_cr, p, True)
    ours, kept = _affine_families(x, as_np(out))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    assert abs(1 - kept.mean() - p) < 0.02  # the dropped fraction is p
    assert abs(as_np(out).mean()) < 0.05 and abs(as_np(out).std() - 1) < 0.05  # SELU's fixed point
    out.sum().backward()
    np.testing.assert_allclose(as_np(x_cr.grad), np.where(kept, ours[0], 0.0), rtol=1e-12)
    np.testing.assert_array_equal(as_np(F.alpha_dropout(x_cr, p)), x)  # not training
    channels = as_np(F.feature_alpha_dropout(chainrule.tensor(x.reshape(20, 10, 50)), p, True))
    dropped = channels == ours[2]
    assert np.all(dropped.all(-1) | ~dropped.any(-1))  # whole channels dropped together
    for cls in ("AlphaDropout", "FeatureAlphaDropout"):
        assert repr(getattr(nn, cls)(p, True)) == repr(getattr(torch.nn, cls)(p, True))
    layer = nn.AlphaDropout(p).eval()
    np.testing.assert_array_equal(as_np(layer(chainrule.tensor(x))), x)
