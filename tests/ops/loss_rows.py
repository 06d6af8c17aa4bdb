"""The loss rows (NllLossBackward0, MseLossBackward0, BinaryCrossEntropyBackward0,
BinaryCrossEntropyWithLogitsBackward0) against PyTorch: grad_fn names, values and
gradients in float64 (1e-10) and float32 (1e-5), second derivatives (create_graph), every
reduction, weights, ignore_index and pos_weight; plus finite-difference gradcheck and
gradgradcheck."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import chainrule as cr
import chainrule.nn.functional as F

rng = np.random.default_rng(0)
X = rng.normal(size=(5, 4))  # logits / inputs, (N, C)
LABELS = np.array([0, 3, 1, 3, 2])
LABELS3 = np.array([[1, 0], [3, -100], [2, 2]])
SOFT = rng.random(size=(5, 4))  # targets in [0, 1]
CLASS_W = np.array([0.5, 2.0, 1.0, 3.0])
POS_W = np.array([1.0, 2.0, 0.5, 3.0])

# name -> (expected grad_fn, build(m, Fm, x, t) -> loss); x is the differentiable input, t a
# differentiable target (used by the losses that take a float target)
CASES = {
    "nll_mean": ("NllLossBackward0", lambda m, Fm, x, t: Fm.nll_loss(x, m.tensor(LABELS))),
    "nll_sum_weight": (
        "NllLossBackward0",
        lambda m, Fm, x, t: Fm.nll_loss(
            x, m.tensor(LABELS), weight=m.tensor(CLASS_W, dtype=x.dtype), reduction="sum"
        ),
    ),
    "nll_mean_weight_ignore": (
        "NllLossBackward0",
        lambda m, Fm, x, t: Fm.nll_loss(
            x, m.tensor(LABELS), weight=m.tensor(CLASS_W, dtype=x.dtype), ignore_index=3
        ),
    ),
    "nll_none_ignore": (
        "NllLossBackward0",
        lambda m, Fm, x, t: Fm.nll_loss(x, m.tensor(LABELS), ignore_index=1, reduction="none"),
    ),
    "nll_1d": ("NllLossBackward0", lambda m, Fm, x, t: Fm.nll_loss(x[0], m.tensor(2))),
    "nll_spatial": (  # (N, C, d1) from the (N, C) input, with an ignored position
        "NllLoss2DBackward0",
        lambda m, Fm, x, t: Fm.nll_loss(
            m.log_softmax(m.stack([x[:3], x[2:]], 2), 1), m.tensor(LABELS3)
        ),
    ),
    "nll_images_none": (  # (N, C, H, W)
        "NllLoss2DBackward0",
        lambda m, Fm, x, t: Fm.nll_loss(
            m.log_softmax(x.reshape(5, 4, 1, 1).expand(5, 4, 2, 3), 1),
            m.zeros(5, 2, 3, dtype=m.int64) + 1,
            reduction="none",
        ),
    ),
    "nll_5d_none": (  # (N, C, d1, d2, d3): a view of the 2-d loss
        "ViewBackward0",
        lambda m, Fm, x, t: Fm.nll_loss(
            m.log_softmax(x.reshape(5, 4, 1, 1, 1).expand(5, 4, 2, 1, 2), 1),
            m.tensor(LABELS).reshape(5, 1, 1, 1).expand(5, 2, 1, 2) % 3,
            reduction="none",
        ),
    ),
    "cross_entropy": (
        "NllLossBackward0",
        lambda m, Fm, x, t: Fm.cross_entropy(x, m.tensor(LABELS)),
    ),
    "cross_entropy_weight_ignore": (
        "NllLossBackward0",
        lambda m, Fm, x, t: Fm.cross_entropy(
            x, m.tensor(LABELS), weight=m.tensor(CLASS_W, dtype=x.dtype), ignore_index=0
        ),
    ),
    "mse_mean": ("MseLossBackward0", lambda m, Fm, x, t: Fm.mse_loss(x, t)),
    "mse_sum": ("MseLossBackward0", lambda m, Fm, x, t: Fm.mse_loss(x, t, reduction="sum")),
    "mse_none": ("MseLossBackward0", lambda m, Fm, x, t: Fm.mse_loss(x, t, reduction="none")),
    "bce_mean": (
        "BinaryCrossEntropyBackward0",
        lambda m, Fm, x, t: Fm.binary_cross_entropy(m.sigmoid(x), t),
    ),
    "bce_sum_weight": (
        "BinaryCrossEntropyBackward0",
        lambda m, Fm, x, t: Fm.binary_cross_entropy(
            m.sigmoid(x), t, weight=m.tensor(CLASS_W, dtype=x.dtype), reduction="sum"
        ),
    ),
    "bce_none": (
        "BinaryCrossEntropyBackward0",
        lambda m, Fm, x, t: Fm.binary_cross_entropy(m.sigmoid(x), t, reduction="none"),
    ),
    "bce_logits_mean": (
        "BinaryCrossEntropyWithLogitsBackward0",
        lambda m, Fm, x, t: Fm.binary_cross_entropy_with_logits(x * 3, t),
    ),
    "bce_logits_weight_pos_weight": (
        "BinaryCrossEntropyWithLogitsBackward0",
        lambda m, Fm, x, t: Fm.binary_cross_entropy_with_logits(
            x * 3,
            t,
            weight=m.tensor(CLASS_W, dtype=x.dtype),
            pos_weight=m.tensor(POS_W, dtype=x.dtype),
            reduction="sum",
        ),
    ),
    "bce_logits_none_pos_weight": (
        "BinaryCrossEntropyWithLogitsBackward0",
        lambda m, Fm, x, t: Fm.binary_cross_entropy_with_logits(
            x, t, pos_weight=m.tensor(POS_W, dtype=x.dtype), reduction="none"
        ),
    ),
}
# the nll cases take log-probabilities
LOG_PROBS = {"nll_mean", "nll_sum_weight", "nll_mean_weight_ignore", "nll_none_ignore", "nll_1d"}


def run(m, Fm, case, dtype):
    """Loss, its grad_fn name, first gradients and a second derivative, in module m."""
    x = m.tensor(X, dtype=dtype, requires_grad=True)
    t = m.tensor(SOFT, dtype=dtype, requires_grad=True)
    inp = m.log_softmax(x, 1) if case in LOG_PROBS else x
    loss = CASES[case][1](m, Fm, inp, t)
    name = loss.grad_fn.name()
    seed = m.tensor(rng_seed(loss.shape), dtype=dtype)
    gx, gt = m.autograd.grad((loss * seed).sum(), [x, t], create_graph=True, allow_unused=True)
    second = (gx * gx).sum() + (0 if gt is None else (gt * gt * x).sum())
    hx, ht = m.autograd.grad(second, [x, t], allow_unused=True)
    return name, [loss, gx, gt, hx, ht]


def rng_seed(shape):
    return np.random.default_rng(1).normal(size=tuple(shape))


@pytest.mark.parametrize(
    "dtype_name,tol", [("float64", 1e-10), ("float32", 1e-5)], ids=["float64", "float32"]
)
@pytest.mark.parametrize("case", list(CASES))
def test_loss_rows_match_torch(case, dtype_name, tol):
    t_name, t_vals = run(torch, TF, case, getattr(torch, dtype_name))
    c_name, c_vals = run(cr, F, case, getattr(cr, dtype_name))
    assert c_name == t_name == CASES[case][0]
    for c, t in zip(c_vals, t_vals):
        assert (c is None) == (t is None)
        if t is None:
            continue
        assert str(c.dtype) == str(t.dtype) and tuple(c.shape) == tuple(t.shape)
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol * 10)


GRADCHECK = {
    "nll": lambda x, t: F.nll_loss(
        cr.log_softmax(x, 1), cr.tensor(LABELS), weight=cr.tensor(CLASS_W), ignore_index=1
    ),
    "mse": lambda x, t: F.mse_loss(x, t, reduction="none"),
    "mse_broadcast": lambda x, t: F.mse_loss(x, t[:1]),
    "bce": lambda x, t: F.binary_cross_entropy(cr.sigmoid(x), t, weight=cr.tensor(CLASS_W)),
    "bce_logits": lambda x, t: F.binary_cross_entropy_with_logits(
        x, t, pos_weight=cr.tensor(POS_W), reduction="sum"
    ),
}


@pytest.mark.filterwarnings("ignore:mse_loss")
@pytest.mark.parametrize("case", list(GRADCHECK))
def test_gradcheck_and_gradgradcheck(case):
    x = cr.tensor(X, requires_grad=True)
    t = cr.tensor(SOFT, requires_grad=True)
    assert cr.autograd.gradcheck(GRADCHECK[case], (x, t))
    assert cr.autograd.gradgradcheck(GRADCHECK[case], (x, t))


def test_extreme_logits_stay_finite_and_exact():
    logits = np.array([[-1e4, 0.0, 1e4], [50.0, -50.0, 0.0]])
    target = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]])
    out = []
    for m, Fm in ((torch, TF), (cr, F)):
        x = m.tensor(logits, requires_grad=True)
        loss = Fm.binary_cross_entropy_with_logits(x, m.tensor(target))
        loss.backward()
        out.append((loss.item(), x.grad.numpy()))
    assert np.isfinite(out[1][0]) and np.allclose(out[1][0], out[0][0], rtol=1e-12)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-12, atol=1e-15)


def test_cross_entropy_with_minus_inf_logit_is_finite():
    logits = np.array([[0.0, -np.inf, 1.0]])
    vals = []
    for m, Fm in ((torch, TF), (cr, F)):
        x = m.tensor(logits, requires_grad=True)
        loss = Fm.cross_entropy(x, m.tensor([2]))
        loss.backward()
        vals.append((loss.item(), x.grad.numpy()))
    assert np.allclose(vals[1][0], vals[0][0], rtol=1e-12)
    np.testing.assert_allclose(vals[1][1], vals[0][1], rtol=1e-12)


def test_weights_that_require_grad_are_refused_as_in_torch():
    x = cr.zeros(2, 3, requires_grad=True)
    w = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.binary_cross_entropy_with_logits(x, cr.zeros(2, 3), weight=w)
