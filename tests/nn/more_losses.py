"""The margin, hinge, soft-margin, cosine-embedding, triplet, Gaussian and Poisson losses
agree with PyTorch for every reduction: float64 values, gradients and gradients of
gradients, float32 values; the layers' reprs and options."""

import numpy as np
import pytest
import torch
from more_helpers import compare

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

TF = torch.nn.functional
REDUCTIONS = ("none", "mean", "sum")


def _signs(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0)


def _cases(rng):
    """name -> (call written once for m = chainrule | torch, inputs, torch has gradgrad,
    positions of inputs without gradient)."""
    x, y = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    v = rng.normal(size=5)
    labels = np.array([2, 0, 3, 3, 1])
    multilabel = np.array(
        [[3, 0, -1, 1], [1, 2, 3, 0], [-1, 0, 0, 0], [2, 2, -1, 3], [0, -1, 2, 1]]
    )
    return {
        "margin_ranking": (
            lambda F, a, b, t, r: F.margin_ranking_loss(a, b, t, 0.3, reduction=r),
            [v, rng.normal(size=5), _signs(rng, 5)],
            True,
        ),
        "hinge_embedding": (
            lambda F, a, t, r: F.hinge_embedding_loss(a, t, 0.8, reduction=r),
            [x, _signs(rng, (5, 4))],
            True,
        ),
        "soft_margin": (
            lambda F, a, t, r: F.soft_margin_loss(a * 30, t, reduction=r),  # large margins
            [x, _signs(rng, (5, 4))],
            True,
        ),
        "multilabel_soft_margin": (
            lambda F, a, t, w, r: F.multilabel_soft_margin_loss(a, t, w, reduction=r),
            [x, (rng.random((5, 4)) < 0.5) * 1.0, rng.random(4)],
            True,
        ),
        "cosine_embedding": (
            lambda F, a, b, t, r: F.cosine_embedding_loss(a, b, t, 0.1, reduction=r),
            [x, y, _signs(rng, 5)],
            True,
        ),
        "cosine_embedding-1d": (
            lambda F, a, b, t, r: F.cosine_embedding_loss(a[0], b[0], t, reduction=r),
            [x, y, np.array(-1.0)],
            True,
        ),
        "triplet": (
            lambda F, a, b, c, r: F.triplet_margin_loss(a, b, c, 2.0, reduction=r),
            [x, y, rng.normal(size=(5, 4))],
            True,
        ),
        "triplet-swap": (
            lambda F, a, b, c, r: F.triplet_margin_loss(a, b, c, 1.5, 1, swap=True, reduction=r),
            [x, y, rng.normal(size=(5, 4))],
            True,
        ),
        "gaussian_nll": (
            lambda F, a, b, s, r: F.gaussian_nll_loss(a, b, s, reduction=r),
            [x, y, rng.random((5, 4)) + 0.1],
            True,
        ),
        "gaussian_nll-shared": (
            lambda F, a, b, s, r: F.gaussian_nll_loss(a, b, s, True, 0.2, reduction=r),
            [x, y, rng.random(5)],  # one variance per row; some clamped at 0.2
            True,
        ),
        "gaussian_nll-size1": (
            lambda F, a, b, s, r: F.gaussian_nll_loss(a, b, s, reduction=r),
            [x, y, rng.random((5, 1)) + 0.1],
            True,
        ),
        "poisson_nll": (
            lambda F, a, t, r: F.poisson_nll_loss(a, t, reduction=r),
            [x, rng.poisson(2.0, (5, 4)) * 1.0],
            True,
        ),
        "poisson_nll-full": (
            lambda F, a, t, r: F.poisson_nll_loss(a.abs(), t, False, True, reduction=r),
            [x, rng.poisson(2.0, (5, 4)) * 1.0],
            True,
        ),
        "multi_margin": (
            lambda F, a, t, r: F.multi_margin_loss(a, t, reduction=r),
            [x, labels],
            False,  # torch: no second derivative
        ),
        "multi_margin-p2": (
            lambda F, a, t, w, r: F.multi_margin_loss(a, t, 2, 0.7, w, reduction=r),
            [x, labels, rng.random(4)],
            False,
        ),
        "multi_margin-1d": (
            lambda F, a, t, r: F.multi_margin_loss(a[0], t[0], reduction=r),
            [x, labels],
            False,
        ),
        "multilabel_margin": (
            lambda F, a, t, r: F.multilabel_margin_loss(a, t, reduction=r),
            [x, multilabel],
            False,
        ),
        "multilabel_margin-1d": (
            lambda F, a, t, r: F.multilabel_margin_loss(a[1], t[0], reduction=r),
            [x, multilabel],
            False,
        ),
    }


NAMES = sorted(_cases(np.random.default_rng(0)))
# inputs torch gives no gradient: class weights, and the Stirling term's target (NaN at 0)
CONSTANTS = {"multi_margin-p2": (2,), "poisson_nll-full": (1,), "soft_margin": (1,)}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_loss_functions_match_torch(name, reduction):
    fn, inputs, gradgrad = _cases(np.random.default_rng(sum(map(ord, name))))[name]
    compare(
        lambda *t: fn(F, *t, reduction),
        lambda *t: fn(TF, *t, reduction),
        inputs,
        gradgrad=gradgrad,
        constants=CONSTANTS.get(name, ()),
        what=f"{name} {reduction}",
    )
    if not gradgrad:  # second order by finite differences
        x = chainrule.tensor(inputs[0], requires_grad=True)
        rest = [chainrule.tensor(a) for a in inputs[1:]]
        assert chainrule.autograd.gradgradcheck(lambda t: fn(F, t, *rest, reduction), (x,))


LAYERS = [
    ("MarginRankingLoss", (0.5,), 3),
    ("HingeEmbeddingLoss", (2.0,), 2),
    ("SoftMarginLoss", (), 2),
    ("MultiLabelSoftMarginLoss", (), 2),
    ("CosineEmbeddingLoss", (0.2,), 3),
    ("TripletMarginLoss", (0.5, 1.0, 1e-3, True), 3),
    ("PoissonNLLLoss", (False, True), 2),
    ("MultiMarginLoss", (2, 0.5), 2),
    ("MultiLabelMarginLoss", (), 2),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, args, arity", LAYERS)
def test_loss_layers_match_torch(name, args, arity, reduction):
    rng = np.random.default_rng(3)
    x = rng.random((4, 3)) + 0.1
    ours = getattr(nn, name)(*args, reduction=reduction)
    theirs = getattr(torch.nn, name)(*args, reduction=reduction)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if name in ("MultiMarginLoss",):
        targets = [np.array([0, 2, 1, 2])]
    elif name == "MultiLabelMarginLoss":
        targets = [np.array([[0, -1, 0], [2, 1, -1], [1, 0, 2], [-1, 1, 1]])]
    elif name in ("MarginRankingLoss", "CosineEmbeddingLoss"):
        targets = [rng.normal(size=x.shape if arity == 3 and name[0] == "C" else 4), _signs(rng, 4)]
        if name == "MarginRankingLoss":
            x = x[:, 0]
    elif name == "TripletMarginLoss":
        targets = [rng.normal(size=(4, 3)), rng.normal(size=(4, 3))]
    elif name == "PoissonNLLLoss":
        targets = [rng.poisson(2.0, (4, 3)) * 1.0]
    elif name == "MultiLabelSoftMarginLoss":
        targets = [(rng.random((4, 3)) < 0.5) * 1.0]
    else:
        targets = [_signs(rng, (4, 3))]
    # the labels get no gradient (torch refuses one for some of them)
    constants = () if arity == 3 else (1,)
    if name == "MarginRankingLoss":
        constants = (2,)
    compare(ours, theirs, [x, *targets], constants=constants, what=name)


def test_soft_margin_loss_is_stable_for_large_margins():
    z = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])  # torch's log1p(exp(z)) overflows at 800
    x = chainrule.tensor(z, requires_grad=True)
    loss = F.soft_margin_loss(x, -chainrule.ones(5), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), np.logaddexp(0.0, z), rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15)


def test_gaussian_nll_layer_and_errors():
    rng = np.random.default_rng(4)
    x, y, v = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.random((3, 2))
    for kwargs in ({}, {"full": True, "eps": 0.3, "reduction": "sum"}):
        ours, theirs = nn.GaussianNLLLoss(**kwargs), torch.nn.GaussianNLLLoss(**kwargs)
        assert repr(ours) == repr(theirs)
        compare(ours, theirs, [x, y, v], what=str(kwargs))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(chainrule.tensor(x), chainrule.tensor(y), chainrule.tensor(-v))
    with pytest.raises(ValueError, match="incorrect size"):
        F.gaussian_nll_loss(chainrule.tensor(x), chainrule.tensor(y), chainrule.ones(2, 2))


def test_loss_options_and_legacy_flags():
    with pytest.raises(ValueError, match="'avg'"):
        nn.SoftMarginLoss(reduction="avg")
    with pytest.raises(ValueError, match="margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError, match="p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        loss = nn.HingeEmbeddingLoss(size_average=False)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        theirs = torch.nn.HingeEmbeddingLoss(size_average=False)
    assert loss.reduction == theirs.reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        out = F.soft_margin_loss(chainrule.ones(3), chainrule.ones(3), reduce=False)
    assert tuple(out.shape) == (3,)
