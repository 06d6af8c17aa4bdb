"""Differential tests: every OP_DB entry, chainrule against PyTorch.

Forward: values, dtype strings, shapes and requires_grad of every output.
Backward: the same random upstream gradient on both sides, then every input's ``.grad``.
Second derivatives (entries flagged ``gradgrad``, float64): ``autograd.grad`` with
``create_graph=True``, then the gradient of ``sum(grad_i * v_i)`` w.r.t. the inputs.

Environment knobs: CHAINRULE_TEST_SELF=1 tests torch against itself (harness check);
CHAINRULE_TEST_EXAMPLES=N changes the number of hypothesis examples per test;
CHAINRULE_TEST_SHRINK=1 lets hypothesis shrink failing examples.
"""

import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from op_db import (
    OP_DB,
    SEEDS,
    MissingAPI,
    assert_same_grad,
    assert_same_tensor,
    build_args,
    flatten_outputs,
    grad_positions,
    to_numpy,
    tolerances,
)

EXAMPLES = int(os.environ.get("CHAINRULE_TEST_EXAMPLES", "8"))
HYPO = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # same examples on every run: CI-stable
    database=None,
    print_blob=False,
    # shrinking a failure costs seconds per test and the drawn examples are already small
    # (sides <= 4); CHAINRULE_TEST_SHRINK=1 turns it back on for a minimal example
    phases=list(Phase)
    if os.environ.get("CHAINRULE_TEST_SHRINK")
    else [Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

CASES = [pytest.param(e, d, id=f"{e.name}-{d}") for e in OP_DB for d in e.dtypes]
GG_CASES = [pytest.param(e, id=e.name) for e in OP_DB if e.gradgrad]


def run(m, entry, items, dtype, grad_pos):
    args, leaves = build_args(m, items, dtype, grad_pos)
    return leaves, flatten_outputs(entry.fn(m, *args))


def run_both(cr, entry, items, dtype, grad_pos):
    ref = run(torch, entry, items, dtype, grad_pos)
    try:
        got = run(cr, entry, items, dtype, grad_pos)
    except MissingAPI as e:
        pytest.skip(str(e))
    return ref, got


def make_tensor(m, arr):
    return m.tensor(arr, dtype=getattr(m, str(arr.dtype)))


def check_forward(entry, dtype, t_outs, c_outs):
    rtol, atol = tolerances(dtype, entry)
    assert len(c_outs) == len(t_outs), f"{len(c_outs)} outputs, torch returns {len(t_outs)}"
    for k, (c, t) in enumerate(zip(c_outs, t_outs)):
        assert_same_tensor(c, t, rtol, atol, f"output {k}")
        assert bool(c.requires_grad) == bool(t.requires_grad), (
            f"output {k}: requires_grad={c.requires_grad}, torch {t.requires_grad}"
        )


@pytest.mark.parametrize("entry,dtype", CASES)
@HYPO
@given(data=st.data())
def test_op_matches_torch(cr, entry, dtype, data):
    items = data.draw(entry.inputs, label="inputs")
    grad_pos = grad_positions(entry, items, dtype)
    (t_leaves, t_outs), (c_leaves, c_outs) = run_both(cr, entry, items, dtype, grad_pos)
    check_forward(entry, dtype, t_outs, c_outs)
    if not t_leaves or not entry.backward:
        return

    # backward, one output at a time with the same random upstream gradients (the grads
    # accumulate into .grad across outputs, as in torch)
    rng = np.random.default_rng(data.draw(SEEDS, label="grad_seed"))
    diff = [k for k, t in enumerate(t_outs) if t.requires_grad]
    assert entry.differentiable or not diff, "harness: entry marked non-differentiable"
    gs = [
        rng.standard_normal(tuple(t_outs[k].shape)).astype(to_numpy(t_outs[k]).dtype) for k in diff
    ]
    for m, outs in ((torch, t_outs), (cr, c_outs)):
        for n, k in enumerate(diff):
            outs[k].backward(make_tensor(m, gs[n]), retain_graph=n < len(diff) - 1)
    rtol, atol = tolerances(dtype, entry)
    for i, (c, t) in enumerate(zip(c_leaves, t_leaves)):
        assert_same_grad(c.grad, t.grad, rtol, atol, f"grad of input {grad_pos[i]}")


def second_order(m, leaves, outs, diff, gs, vs):
    grads = m.autograd.grad(
        [outs[k] for k in diff],
        leaves,
        [make_tensor(m, g) for g in gs],
        create_graph=True,
        allow_unused=True,
    )
    terms = [
        (gr * make_tensor(m, v)).sum()
        for gr, v in zip(grads, vs)
        if gr is not None and gr.requires_grad
    ]
    if not terms:  # first derivative is constant in the inputs: second derivative is 0
        return grads, [None] * len(leaves)
    s = terms[0]
    for t in terms[1:]:
        s = s + t
    return grads, m.autograd.grad(s, leaves, allow_unused=True)


@pytest.mark.parametrize("entry", GG_CASES)
@HYPO
@given(data=st.data())
def test_second_derivative_matches_torch(cr, entry, data):
    dtype = "float64"
    items = data.draw(entry.inputs, label="inputs")
    grad_pos = grad_positions(entry, items, dtype)
    (t_leaves, t_outs), (c_leaves, c_outs) = run_both(cr, entry, items, dtype, grad_pos)
    rng = np.random.default_rng(data.draw(SEEDS, label="grad_seed"))
    diff = [k for k, t in enumerate(t_outs) if t.requires_grad]
    gs = [rng.standard_normal(tuple(t_outs[k].shape)) for k in diff]
    vs = [rng.standard_normal(tuple(t.shape)) for t in t_leaves]
    t_g1, t_g2 = second_order(torch, t_leaves, t_outs, diff, gs, vs)
    c_g1, c_g2 = second_order(cr, c_leaves, c_outs, diff, gs, vs)
    rtol, atol = tolerances(dtype, entry)
    for i in range(len(t_leaves)):
        assert_same_grad(c_g1[i], t_g1[i], rtol, atol, f"create_graph grad of input {grad_pos[i]}")
        # a second derivative that is identically zero may be None or zeros on either side
        assert_same_grad(
            c_g2[i],
            t_g2[i],
            rtol,
            atol,
            f"second derivative wrt input {grad_pos[i]}",
            none_is_zero=True,
        )


# ---------------------------------------------------------------------------------------
# forward mode: every row's tangent rule against torch.autograd.forward_ad
# ---------------------------------------------------------------------------------------
FW_CASES = [pytest.param(e, id=e.name) for e in OP_DB if e.backward and e.differentiable]
# rows that do not yet declare a tangent rule: forward mode through them raises a
# NotImplementedError naming the row.  A new row must come with its rule or be listed here.
NO_TANGENT_RULE_YET = {
    "BernoulliBackward0",
    "NormalBackward1",
    "NormalBackward2",
    "NormalBackward3",
    "PoissonBackward0",
}


def forward_tangents(m, entry, items, grad_pos, tangents):
    fw = m.autograd.forward_ad
    with fw.dual_level():
        args, leaves = build_args(m, items, "float64", grad_pos)
        # swap each differentiable leaf for a dual tensor carrying its tangent
        duals = {
            id(leaf): fw.make_dual(leaf.detach(), make_tensor(m, t))
            for leaf, t in zip(leaves, tangents)
        }
        args = [duals.get(id(a), a) if isinstance(a, m.Tensor) else a for a in args]
        outs = flatten_outputs(entry.fn(m, *args))
        return [fw.unpack_dual(o).tangent for o in outs]


@pytest.mark.parametrize("entry", FW_CASES)
@HYPO
@given(data=st.data())
def test_forward_mode_matches_torch(cr, entry, data):
    items = data.draw(entry.inputs, label="inputs")
    grad_pos = grad_positions(entry, items, "float64")
    _, leaves = build_args(torch, items, "float64", grad_pos)
    if not leaves:
        return
    rng = np.random.default_rng(data.draw(SEEDS, label="tangent_seed"))
    tangents = [rng.standard_normal(tuple(t.shape)) for t in leaves]
    try:
        expected = forward_tangents(torch, entry, items, grad_pos, tangents)
    except (NotImplementedError, RuntimeError) as err:
        pytest.skip(f"torch has no forward mode here: {err}")
    try:
        got = forward_tangents(cr, entry, items, grad_pos, tangents)
    except NotImplementedError as err:
        row = str(err).split(" for ", 1)[1].split(":", 1)[0]
        if row in NO_TANGENT_RULE_YET:
            pytest.skip(f"{row} has no tangent rule yet")
        raise
    rtol, atol = tolerances("float64", entry)
    for k, (c, t) in enumerate(zip(got, expected)):
        assert_same_grad(c, t, rtol, atol, f"tangent of output {k}", none_is_zero=True)
