"""Shared by the distribution tests: one distribution built twice from the same float64
parameters, in chainrule and in torch, and comparisons of values and gradients."""

import numpy as np
import torch

import chainrule as cr
import chainrule.distributions as crd

TOL = dict(rtol=1e-10, atol=1e-10)
TOL32 = dict(rtol=2e-5, atol=2e-5)


def as_np(x):
    return x.detach().numpy() if isinstance(x, (torch.Tensor, cr.Tensor)) else np.asarray(x)


def leaves(params, grad=True, dtype="float64"):
    """The same numbers as chainrule and torch tensors (``dtype``; floats require grad)."""
    ours, theirs = {}, {}
    for k, v in params.items():
        v = np.array(v, order="C")  # torch takes no negative strides
        if v.dtype.kind == "f":
            ours[k] = cr.tensor(v, dtype=getattr(cr, dtype), requires_grad=grad)
            theirs[k] = torch.tensor(v, dtype=getattr(torch, dtype), requires_grad=grad)
        else:
            ours[k], theirs[k] = (
                v.item() if v.ndim == 0 else cr.tensor(v),
                v.item() if v.ndim == 0 else torch.tensor(v),
            )
    return ours, theirs


def build(name, params, dtype="float64", **kwargs):
    """``(chainrule dist, torch dist, chainrule leaves, torch leaves)``."""
    ours, theirs = leaves(params, dtype=dtype)
    mine = getattr(crd, name)(**ours, **kwargs)
    ref = getattr(torch.distributions, name)(**theirs, **kwargs)
    return mine, ref, ours, theirs


def assert_same(out, ref, inputs, ref_inputs, seed=0, tol=TOL):
    """Values equal (same shape and dtype), and the gradients of ``Σ w·out`` (random w) w.r.t.
    every input that requires grad."""
    np.testing.assert_allclose(as_np(out), as_np(ref), **tol)
    assert tuple(out.shape) == tuple(ref.shape) and str(out.dtype) == str(ref.dtype)
    if not ref.requires_grad:
        return
    w = np.random.default_rng(seed).standard_normal(tuple(ref.shape)).astype(as_np(ref).dtype)
    wanted = [k for k, t in ref_inputs.items() if isinstance(t, torch.Tensor) and t.requires_grad]
    ref_grads = torch.autograd.grad(
        (ref * torch.tensor(w)).sum(), [ref_inputs[k] for k in wanted], allow_unused=True
    )
    grads = cr.autograd.grad(
        (out * cr.tensor(w)).sum(), [inputs[k] for k in wanted], allow_unused=True
    )
    for k, g, rg in zip(wanted, grads, ref_grads):
        if rg is None:
            assert g is None or np.all(as_np(g) == 0), k
        else:
            np.testing.assert_allclose(as_np(g), as_np(rg), **tol, err_msg=k)
