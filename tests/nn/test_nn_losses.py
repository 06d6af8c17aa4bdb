"""Every loss, with every reduction, agrees with PyTorch in value and gradient (float64)."""

import numpy as np
import pytest
import torch
from nn_helpers import as_np, assert_close, cr64, th64

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

REDUCTIONS = ["mean", "sum", "none"]
TF = torch.nn.functional


def _compare(fn_cr, fn_th, inputs, grad_of=(0,), rtol=1e-10, atol=1e-12):
    """Run both losses on float64 copies of ``inputs``; compare values and gradients.

    ``inputs`` are NumPy arrays (float ones become float64 tensors, int ones int64);
    the inputs at positions ``grad_of`` require grad.
    """
    cr_args, th_args = [], []
    for i, a in enumerate(inputs):
        if a is None:
            cr_args.append(None)
            th_args.append(None)
        elif np.issubdtype(np.asarray(a).dtype, np.integer):
            cr_args.append(chainrule.tensor(a, dtype=chainrule.int64))
            th_args.append(torch.tensor(a, dtype=torch.int64))
        else:
            cr_args.append(cr64(a, requires_grad=i in grad_of))
            th_args.append(th64(a, requires_grad=i in grad_of))
    out_cr, out_th = fn_cr(*cr_args), fn_th(*th_args)
    assert tuple(out_cr.shape) == tuple(out_th.shape)
    assert_close(out_cr, out_th, rtol=rtol, atol=atol, what="loss value")
    g = np.random.default_rng(0).normal(size=tuple(out_th.shape))
    (out_cr * cr64(g)).sum().backward()
    (out_th * th64(g)).sum().backward()
    for i in grad_of:
        assert_close(
            cr_args[i].grad, th_args[i].grad, rtol=rtol, atol=atol, what=f"gradient of argument {i}"
        )


rng = np.random.default_rng(42)
X = rng.normal(size=(6, 4))
Y = rng.normal(size=(6, 4))
P = 1 / (1 + np.exp(-rng.normal(size=(6, 4))))
SOFT = rng.uniform(size=(6, 4))
W_ELEM = rng.uniform(0.5, 2, size=(6, 4))
LOGITS = rng.normal(size=(6, 5)) * 3
LABELS = rng.integers(0, 5, size=6)
CLASS_W = rng.uniform(0.5, 2, size=5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction):
    _compare(
        lambda a, b: nn.MSELoss(reduction=reduction)(a, b),
        lambda a, b: torch.nn.MSELoss(reduction=reduction)(a, b),
        [X, Y],
        grad_of=(0, 1),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_loss(reduction):
    _compare(
        lambda a, b: nn.L1Loss(reduction=reduction)(a, b),
        lambda a, b: torch.nn.L1Loss(reduction=reduction)(a, b),
        [X, Y],
        grad_of=(0, 1),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_loss(reduction):
    _compare(
        lambda p, y: nn.BCELoss(reduction=reduction)(p, y),
        lambda p, y: torch.nn.BCELoss(reduction=reduction)(p, y),
        [P, SOFT],
        grad_of=(0, 1),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_loss_weighted(reduction):
    _compare(
        lambda p, y, w: F.binary_cross_entropy(p, y, w, reduction=reduction),
        lambda p, y, w: TF.binary_cross_entropy(p, y, w, reduction=reduction),
        [P, SOFT, W_ELEM],
    )


def test_bce_loss_clamps_log_at_saturated_probabilities():
    p = np.array([0.0, 1.0, 0.5, 1e-300])
    y = np.array([1.0, 0.0, 1.0, 1.0])
    _compare(
        lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
        lambda p, y: TF.binary_cross_entropy(p, y, reduction="none"),
        [p, y],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    _compare(
        lambda x, y: nn.BCEWithLogitsLoss(reduction=reduction)(x, y),
        lambda x, y: torch.nn.BCEWithLogitsLoss(reduction=reduction)(x, y),
        [X * 3, SOFT],
        grad_of=(0, 1),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_weight_and_pos_weight(reduction):
    pos_weight = rng.uniform(0.5, 3, size=4)
    _compare(
        lambda x, y, w, q: F.binary_cross_entropy_with_logits(x, y, w, reduction, pos_weight=q),
        lambda x, y, w, q: TF.binary_cross_entropy_with_logits(
            x, y, w, reduction=reduction, pos_weight=q
        ),
        [X * 3, SOFT, W_ELEM, pos_weight],
        grad_of=(0, 1),
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bce_with_logits_is_stable_for_huge_logits(dtype):
    x = np.array([100.0, -100.0, 100.0, -100.0, 500.0, -500.0, 30.0, 0.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    cr_dtype, th_dtype = getattr(chainrule, dtype), getattr(torch, dtype)
    x_cr = chainrule.tensor(x, dtype=cr_dtype, requires_grad=True)
    x_th = torch.tensor(x, dtype=th_dtype, requires_grad=True)
    loss_cr = F.binary_cross_entropy_with_logits(
        x_cr, chainrule.tensor(y, dtype=cr_dtype), reduction="none"
    )
    loss_th = TF.binary_cross_entropy_with_logits(
        x_th, torch.tensor(y, dtype=th_dtype), reduction="none"
    )
    assert np.isfinite(as_np(loss_cr)).all()
    rtol = 1e-10 if dtype == "float64" else 1e-6
    atol = 0 if dtype == "float64" else 1e-40  # float32 subnormals carry few digits
    np.testing.assert_allclose(as_np(loss_cr), as_np(loss_th), rtol=rtol, atol=atol)
    loss_cr.sum().backward()
    loss_th.sum().backward()
    np.testing.assert_allclose(as_np(x_cr.grad), as_np(x_th.grad), rtol=rtol, atol=1e-30)
    # At logit 0 the gradient is sigmoid(0) - y = -0.5 exactly.
    assert as_np(x_cr.grad)[-1] == -0.5


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_indices(reduction):
    _compare(
        lambda x, t: nn.CrossEntropyLoss(reduction=reduction)(x, t),
        lambda x, t: torch.nn.CrossEntropyLoss(reduction=reduction)(x, t),
        [LOGITS, LABELS],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_weight_and_ignore_index(reduction):
    labels = LABELS.copy()
    labels[[1, 4]] = -100
    _compare(
        lambda x, t, w: F.cross_entropy(x, t, w, reduction=reduction),
        lambda x, t, w: TF.cross_entropy(x, t, w, reduction=reduction),
        [LOGITS, labels, CLASS_W],
    )
    labels[[1, 4]] = 2
    _compare(
        lambda x, t: F.cross_entropy(x, t, ignore_index=2, reduction=reduction),
        lambda x, t: TF.cross_entropy(x, t, ignore_index=2, reduction=reduction),
        [LOGITS, labels],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_label_smoothing(reduction, weighted):
    labels = LABELS.copy()
    labels[2] = -100
    w = CLASS_W if weighted else None
    _compare(
        lambda x, t, w: F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=0.2),
        lambda x, t, w: TF.cross_entropy(x, t, w, reduction=reduction, label_smoothing=0.2),
        [LOGITS, labels, w],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_probability_targets(reduction, weighted):
    probs = rng.dirichlet(np.ones(5), size=6)
    w = CLASS_W if weighted else None
    _compare(
        lambda x, t, w: F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=0.1),
        lambda x, t, w: TF.cross_entropy(x, t, w, reduction=reduction, label_smoothing=0.1),
        [LOGITS, probs, w],
        grad_of=(0, 1),
    )


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 1.0]])
    _compare(
        lambda x, t: F.cross_entropy(x, t, reduction="none"),
        lambda x, t: TF.cross_entropy(x, t, reduction="none"),
        [logits, np.array([1, 1])],
    )


def test_cross_entropy_spatial_and_unbatched():
    x3 = rng.normal(size=(2, 4, 3))
    t3 = rng.integers(0, 4, size=(2, 3))
    _compare(lambda x, t: F.cross_entropy(x, t), lambda x, t: TF.cross_entropy(x, t), [x3, t3])
    _compare(
        lambda x, t: F.cross_entropy(x, t),
        lambda x, t: TF.cross_entropy(x, t),
        [LOGITS[0], np.array(3)],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    log_p = np.log(rng.dirichlet(np.ones(5), size=6))
    labels = LABELS.copy()
    labels[0] = -100
    _compare(
        lambda x, t, w: nn.NLLLoss(w, reduction=reduction)(x, t),
        lambda x, t, w: torch.nn.NLLLoss(w, reduction=reduction)(x, t),
        [log_p, labels, CLASS_W],
    )
    _compare(
        lambda x, t: nn.NLLLoss(reduction=reduction)(x, t),
        lambda x, t: torch.nn.NLLLoss(reduction=reduction)(x, t),
        [log_p, labels],
    )


def test_cross_entropy_float32():
    x = LOGITS.astype(np.float32)
    x_cr = chainrule.tensor(x, requires_grad=True)
    x_th = torch.tensor(x, requires_grad=True)
    loss_cr = F.cross_entropy(x_cr, chainrule.tensor(LABELS))
    loss_th = TF.cross_entropy(x_th, torch.tensor(LABELS))
    assert loss_cr.dtype == chainrule.float32
    np.testing.assert_allclose(loss_cr.item(), loss_th.item(), rtol=1e-5)
    loss_cr.backward()
    loss_th.backward()
    np.testing.assert_allclose(as_np(x_cr.grad), as_np(x_th.grad), rtol=1e-5, atol=1e-7)


def test_loss_errors_are_clear():
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="average")
    with pytest.raises(ValueError, match="target shape"):
        F.binary_cross_entropy(cr64(P), cr64(P[:, :1]))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(cr64(LOGITS), chainrule.tensor(np.full(6, 7)))
    with pytest.raises(ValueError, match="expected target of shape"):
        F.cross_entropy(cr64(LOGITS), chainrule.tensor(np.zeros((6, 1), dtype=np.int64)))
    with pytest.warns(UserWarning, match="broadcast"):
        F.mse_loss(cr64(X[:, :1]), cr64(X[:, 0]))
