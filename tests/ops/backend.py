"""The backend seam: the rows run on any Array-API library, chosen from the data.

``array_api_strict`` is the standard and nothing more: every function outside it, every
NumPy-only idiom (``astype`` as a method, bool times float, a bare ``np.`` call on its
arrays) raises there.  Each case below builds a graph on strict arrays and on NumPy arrays
from the same numbers; the values and every gradient must agree, and the results and
gradients must stay strict arrays (no silent trip through NumPy).
"""

import array_api_strict as xs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_db import OP_DB, build_args, flatten_outputs, grad_positions

import chainrule as cr
from chainrule._backend import to_numpy
from chainrule._tensor import wrap

STRICT = type(xs.asarray(0.0))

SHAPES = {"a": (3, 4), "b": (3, 4), "w": (4, 2), "v": (4,), "c": (1, 4)}

# one loss per family of rows the standard covers; each uses several rows at once
CASES = {
    "arithmetic": lambda a, b, **_: (a + b) * (a - 2.0) / (b * b + 1.0) - (-a) + 3.0 / (b + 4.0),
    "unary": lambda a, b, **_: (
        a.exp()
        + (b * b + 1).log()
        + a.sin() * a.cos()
        + a.tanh()
        + a.sigmoid()
        + (a * a).sqrt()
        + a.abs()
        + a.relu()
        + (b * b + 1).rsqrt()
        + (b * b).log1p()
        + a.expm1()
    ),
    "power": lambda a, b, **_: a**2 + a**3 + (b * b + 1) ** 0.5 + (b * b + 1) ** a,
    "compare_select": lambda a, b, **_: (
        cr.where(a > b, a, b) + cr.maximum(a, b) * cr.minimum(a, b) + a.clamp(-0.5, 0.5)
    ),
    "broadcast": lambda a, c, v, **_: a * c + v - a.sum(0, keepdim=True) * c,
    "reductions": lambda a, **_: (
        a.sum()
        + a.mean(1).sum()
        + a.var(0).sum()
        + a.std()
        + a.amax(1).sum()
        + a.amin()
        + a.prod(1).sum()
        + cr.logsumexp(a, 1).sum()
        + a.norm()
    ),
    "matmul": lambda a, w, v, **_: (a @ w).sum() + (a @ v).sum() + (w.T @ w).sum(),
    "shape": lambda a, b, **_: (
        a.reshape(4, 3).permute(1, 0) * b.transpose(0, 1).T
        + cr.cat([a, b], 0)[1:4]
        + cr.stack([a, b], 1).sum(1)
        + a.flip(1)
        + a.unsqueeze(0).squeeze(0)
        + a[1:, ::2].sum()
    ),
    "softmax": lambda a, **_: cr.softmax(a, 1) * cr.log_softmax(a, 0),
}


def _inputs(convert):
    rng = np.random.default_rng(7)
    return {
        name: wrap(convert(rng.standard_normal(shape))).requires_grad_()
        for name, shape in SHAPES.items()
    }


def _run(case, convert):
    leaves = _inputs(convert)
    out = CASES[case](**leaves)
    out.sum().backward()
    return out, leaves


@pytest.mark.parametrize("case", sorted(CASES))
def test_rows_run_on_array_api_strict(case):
    out, leaves = _run(case, xs.asarray)
    ref, ref_leaves = _run(case, np.asarray)
    assert isinstance(out._data, STRICT), f"{case}: the result left the strict backend"
    np.testing.assert_allclose(to_numpy(out._data), ref._data, rtol=1e-13, atol=1e-13)
    for name, leaf in leaves.items():
        expected = ref_leaves[name].grad
        if expected is None:
            assert leaf.grad is None
            continue
        assert isinstance(leaf.grad._data, STRICT), f"{case}: grad of {name} is not strict"
        np.testing.assert_allclose(
            to_numpy(leaf.grad._data), expected._data, rtol=1e-13, atol=1e-13, err_msg=name
        )


def test_the_backend_is_chosen_from_the_data():
    from chainrule._backend import namespace_of, numpy_backend

    assert namespace_of(np.zeros(2)) is numpy_backend
    strict = namespace_of(xs.asarray([1.0]))
    assert strict is not numpy_backend and strict.array_type is STRICT
    assert namespace_of(xs.asarray([2.0])) is strict  # made once, remembered


@pytest.mark.parametrize(
    "make",
    [
        lambda p: cr.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        lambda p: cr.optim.Adam(p, lr=0.01, amsgrad=True),
        lambda p: cr.optim.AdamW(p, lr=0.01),
        lambda p: cr.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
        lambda p: cr.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1),
    ],
    ids=["sgd", "adam", "adamw", "rmsprop", "adagrad"],
)
def test_optimisers_update_on_the_parameters_backend(make):
    def train(convert):
        leaves = _inputs(convert)
        w = leaves["w"]
        opt = make([w])
        for _ in range(3):
            opt.zero_grad()
            CASES["matmul"](**leaves).sum().backward()
            opt.step()
        return w

    got, expected = train(xs.asarray), train(np.asarray)
    assert isinstance(got._data, STRICT)
    np.testing.assert_allclose(to_numpy(got._data), expected._data, rtol=1e-13, atol=1e-13)


def test_like_creation_follows_the_input_backend():
    x = wrap(xs.asarray([[1.0, 2.0]]))
    for made in (cr.zeros_like(x), cr.ones_like(x), cr.full_like(x, 3.0), cr.empty_like(x)):
        assert isinstance(made._data, STRICT) and made.shape == (1, 2)
        assert made.dtype == cr.float64


# ---------------------------------------------------------------------------------------
# the differential suite's own entries, on strict arrays, for the ops the standard covers
# ---------------------------------------------------------------------------------------
STANDARD_OPS = {
    "abs", "acos", "add", "amax", "amin", "arccos", "arcsin", "arctan", "arctan2", "asin",
    "atan", "atan2", "broadcast_to", "cat", "ceil", "clamp", "clamp_max", "clamp_min", "clip",
    "cos", "cosh", "div", "exp", "expand", "expm1", "flatten", "flip", "floor", "hypot",
    "log", "log10", "log1p", "log2", "log_softmax", "logaddexp", "logsumexp", "matmul",
    "maximum", "mean", "minimum", "mm", "bmm", "mul", "neg", "norm", "permute", "pow",
    "prod", "reciprocal", "relu", "reshape", "rsqrt", "sigmoid", "sign", "sin", "sinh",
    "softmax", "sqrt", "squeeze", "stack", "std", "sub", "sum", "t", "T", "mT", "tan",
    "tanh", "transpose", "trunc", "unsqueeze", "var", "view", "where", "linear", "mse_loss",
}  # fmt: skip
STRICT_ENTRIES = [
    pytest.param(e, id=e.name)
    for e in OP_DB
    if e.op in STANDARD_OPS
    and e.differentiable
    and e.backward
    and "float64" in e.dtypes
    # a raw NumPy operand next to a strict tensor mixes two backends in one op
    and "ndarray" not in e.name
    # the nuclear norm goes through the SVD, whose rows (like conv's) run on NumPy only
    and "nuc" not in e.tags
]


def _strict_tensor(t):
    out = wrap(xs.asarray(t._data))
    return out.requires_grad_() if t.requires_grad else out


@pytest.mark.parametrize("entry", STRICT_ENTRIES)
@settings(max_examples=3, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_differential_entries_run_on_array_api_strict(entry, data):
    items = data.draw(entry.inputs, label="inputs")
    grad_pos = grad_positions(entry, items, "float64")
    args, leaves = build_args(cr, items, "float64", grad_pos)
    strict_args = [_strict_tensor(a) if isinstance(a, cr.Tensor) else a for a in args]
    strict_leaves = [s for a, s in zip(args, strict_args) if any(a is x for x in leaves)]
    results = []
    for run_args, run_leaves in ((args, leaves), (strict_args, strict_leaves)):
        outs = flatten_outputs(entry.fn(cr, *run_args))
        loss = None
        for o in outs:
            if o.requires_grad:
                term = (o * o).sum()  # a gradient that depends on the output's values
                loss = term if loss is None else loss + term
        if loss is not None:
            loss.backward()
        grads = [None if x.grad is None else to_numpy(x.grad._data) for x in run_leaves]
        results.append(([to_numpy(o._data) for o in outs], grads))
    (values, grads), (strict_values, strict_grads) = results
    for a, b in zip(strict_values + strict_grads, values + grads):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
