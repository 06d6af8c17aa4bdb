"""Comparison helpers for the newer nn functions and layers (chainrule against torch)."""

import numpy as np
import torch
from nn_helpers import as_np, copy_params

import chainrule

DTYPES = {
    "float64": (chainrule.float64, torch.float64),
    "float32": (chainrule.float32, torch.float32),
}
TOL = {"float64": {"rtol": 1e-10, "atol": 1e-12}, "float32": {"rtol": 1e-5, "atol": 1e-6}}


def _inputs(arrays, dtype, diff, constants=()):
    cr_dtype, th_dtype = DTYPES[dtype]
    cr, th = [], []
    for i, a in enumerate(arrays):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            grad = diff and i not in constants
            cr.append(chainrule.tensor(a, dtype=cr_dtype, requires_grad=grad))
            th.append(torch.tensor(a, dtype=th_dtype, requires_grad=grad))
        elif isinstance(a, np.ndarray):
            cr.append(chainrule.tensor(a))
            th.append(torch.tensor(a))
        else:
            cr.append(a)
            th.append(a)
    return cr, th


def _np(t):
    """A torch result as NumPy (torch hands back a lazy all-zero tensor for some gradients)."""
    return np.zeros(tuple(t.shape)) if t._is_zerotensor() else as_np(t)


def _flat(out):
    return list(out) if isinstance(out, tuple) else [out]


def compare(fn_cr, fn_th, arrays, seed=0, gradgrad=False, grads=True, constants=(), what=""):
    """Values (float64 and float32) and float64 gradients of ``fn`` agree with torch's;
    with ``gradgrad``, so do the gradients of a gradient (``create_graph=True``).
    ``grads=False`` compares values only; float inputs at positions ``constants`` get no
    gradient."""
    rng = np.random.default_rng(seed)
    for dtype in ("float32", "float64"):
        diff = dtype == "float64"
        cr, th = _inputs(arrays, dtype, diff, constants)
        outs_cr, outs_th = _flat(fn_cr(*cr)), _flat(fn_th(*th))
        assert len(outs_cr) == len(outs_th), what
        for o_cr, o_th in zip(outs_cr, outs_th):
            assert tuple(o_cr.shape) == tuple(o_th.shape), f"{what} {dtype} shape"
            assert str(o_cr.dtype).split(".")[-1] == str(o_th.dtype).split(".")[-1], what
            np.testing.assert_allclose(
                as_np(o_cr), as_np(o_th), err_msg=f"{what} {dtype} value", **TOL[dtype]
            )
        if not (diff and grads):
            continue
        o_cr, o_th = outs_cr[0], outs_th[0]
        g = rng.normal(size=tuple(o_th.shape))
        leaves = [i for i, t in enumerate(th) if isinstance(t, torch.Tensor) and t.requires_grad]
        grads_th = torch.autograd.grad(
            (o_th * torch.tensor(g)).sum(),
            [th[i] for i in leaves],
            create_graph=gradgrad,
            allow_unused=True,
        )
        leaves = [i for i, b in zip(leaves, grads_th) if b is not None]  # the inputs used
        grads_th = [b for b in grads_th if b is not None]
        grads_cr = chainrule.autograd.grad(
            (o_cr * chainrule.tensor(g)).sum(), [cr[i] for i in leaves], create_graph=gradgrad
        )
        for i, a, b in zip(leaves, grads_cr, grads_th):
            np.testing.assert_allclose(as_np(a), as_np(b), err_msg=f"{what} grad {i}", **TOL[dtype])
        if gradgrad:
            h = [rng.normal(size=tuple(b.shape)) for b in grads_th]
            s_cr = sum((a * chainrule.tensor(v)).sum() for a, v in zip(grads_cr, h))
            s_th = sum((b * torch.tensor(v)).sum() for b, v in zip(grads_th, h))
            if not s_th.requires_grad:  # a gradient that is constant in the inputs
                gg_th = [None] * len(leaves)
            else:
                gg_th = torch.autograd.grad(s_th, [th[i] for i in leaves], allow_unused=True)
            if not s_cr.requires_grad:
                assert all(b is None or not b.any() for b in gg_th), f"{what} gradgrad"
                return
            gg_cr = chainrule.autograd.grad(s_cr, [cr[i] for i in leaves], allow_unused=True)
            for i, a, b in zip(leaves, gg_cr, gg_th):
                if b is None:
                    assert a is None or not np.any(as_np(a)), f"{what} gradgrad {i}"
                    continue
                np.testing.assert_allclose(
                    as_np(a), _np(b), err_msg=f"{what} gradgrad {i}", **TOL[dtype]
                )


def compare_module(make_cr, make_th, arrays, seed=0, train=True, what=""):
    """A layer built both ways: same repr and state_dict keys; torch's state_dict loads into
    ours; then outputs and gradients (inputs and parameters) agree, in float64."""
    th_layer = make_th().double()
    cr_layer = make_cr()
    assert repr(cr_layer) == repr(th_layer), what
    assert list(cr_layer.state_dict()) == list(th_layer.state_dict()), what
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in th_layer.parameters():
            p.copy_(torch.tensor(rng.normal(size=tuple(p.shape))))
    cr_layer = cr_layer.double()
    copy_params(th_layer, cr_layer)
    if not train:
        cr_layer.eval()
        th_layer.eval()
    cr, th = _inputs(arrays, "float64", True)
    out_cr, out_th = _flat(cr_layer(*cr))[0], _flat(th_layer(*th))[0]
    np.testing.assert_allclose(as_np(out_cr), as_np(out_th), rtol=1e-10, atol=1e-12, err_msg=what)
    g = rng.normal(size=tuple(out_th.shape))
    (out_cr * chainrule.tensor(g)).sum().backward()
    (out_th * torch.tensor(g)).sum().backward()
    for a, b in zip(cr, th):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            np.testing.assert_allclose(
                as_np(a.grad), as_np(b.grad), rtol=1e-10, atol=1e-12, err_msg=what
            )
    cr_params = dict(cr_layer.named_parameters())
    for name, p in th_layer.named_parameters():
        np.testing.assert_allclose(
            as_np(cr_params[name].grad), as_np(p.grad), rtol=1e-10, atol=1e-12, err_msg=name
        )
    for key, value in th_layer.state_dict().items():
        np.testing.assert_allclose(
            as_np(cr_layer.state_dict()[key]), value.numpy(), rtol=1e-10, err_msg=key
        )
    return cr_layer, th_layer
