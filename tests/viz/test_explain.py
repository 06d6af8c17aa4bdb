"""``explain``: the textbook's steps and numbers, and gradients that agree with PyTorch."""

import io
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
from chainrule import viz
from chainrule.cli.demo import evaluate, parse_expression
from chainrule.viz import _trace
from chainrule.viz.explain import steps

TEXTBOOK_ORDER = [
    "∂L/∂L = 1",
    "∂L/∂q = 16",
    "∂L/∂a = 16",
    "∂L/∂(3b) = 16",
    "∂L/∂b = 48",
    "∂L/∂r = 11",
    "∂L/∂c = 88",
]


def test_textbook_steps_in_the_textbook_order(textbook, names):
    text = viz.explain(textbook["L"], names=names)
    lines = text.splitlines()
    assert lines[0].startswith("Backpropagation through L")
    assert len(lines) == 1 + len(TEXTBOOK_ORDER)
    for number, (line, result) in enumerate(zip(lines[1:], TEXTBOOK_ORDER), start=1):
        assert line.startswith(f"{number}. {result}."), line


def test_textbook_sentences_say_how_each_value_was_made(textbook, names):
    lines = viz.explain(textbook["L"], names=names).splitlines()
    assert "How did we get from q to L? We multiplied by r = 16" in lines[2]
    assert "How did we get from a to q? We added 3b = 9" in lines[3]
    assert "∂q/∂a = 1" in lines[3] and "16 · 1 = 16" in lines[3]
    assert "We multiplied by 3" in lines[5] and "∂(3b)/∂b = 3" in lines[5]
    assert "16 · 3 = 48" in lines[5]
    assert "∂r/∂c = 2·c = 8" in lines[7] and "11 · 8 = 88" in lines[7]


def test_markdown(textbook, names):
    md = viz.explain(textbook["L"], names=names, format="markdown")
    assert md.startswith("**Backpropagation through L**")
    assert "\n1. **∂L/∂L = 1.**" in md and "\n7. **∂L/∂c = 88.**" in md


def test_printing_only_when_asked(textbook, capsys):
    viz.explain(textbook["L"])
    assert capsys.readouterr().out == ""
    sink = io.StringIO()
    text = viz.explain(textbook["L"], file=sink)
    assert sink.getvalue() == text


def test_bad_format(textbook):
    with pytest.raises(ValueError, match="'text' or 'markdown'"):
        viz.explain(textbook["L"], format="html")


def test_shares_of_a_value_used_twice_are_summed():
    a = chainrule.tensor(2.0, requires_grad=True, name="a")
    b = chainrule.tensor(5.0, requires_grad=True, name="b")
    L = a * b + a
    lines = viz.explain(L).splitlines()
    uses = [line for line in lines if "∂L/∂a through" in line]
    assert len(uses) == 2
    assert "a feeds 2 ops" in uses[1] and "∂L/∂a = 1 + 5 = 6" in uses[1]
    assert "feeds" not in uses[0]


# ------------------------------------------------------------------ random expressions
NAMES = ("x", "y", "z")


@st.composite
def expressions(draw, depth=3):
    """Expression text over x, y, z with smooth functions only (no kinks, no poles)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return draw(st.sampled_from(NAMES))
        return str(draw(st.sampled_from([0.5, 2, 3, -1.5])))
    kind = draw(st.sampled_from(["+", "-", "*", "/", "**", "f"]))
    a = draw(expressions(depth=depth - 1))
    if kind == "f":
        return f"{draw(st.sampled_from(['sin', 'cos', 'tanh', 'sigmoid', 'exp']))}({a})"
    if kind == "**":
        return f"({a})**{draw(st.sampled_from([2, 3]))}"
    b = draw(expressions(depth=depth - 1))
    if kind == "/":
        return f"({a}) / (2 + ({b})**2)"
    return f"({a}) {kind} ({b})"


def _run(text, values, lib, **kw):
    leaves = {
        n: lib.tensor(v, requires_grad=True, dtype=lib.float64, **kw) for n, v in values.items()
    }
    if lib is chainrule:
        for n, t in leaves.items():
            t.name = n
    # constants in float64 too: a float32 tanh(0.5) may differ by one ulp between libraries
    return evaluate(parse_expression(text), leaves, lib, dtype=lib.float64), leaves


@settings(max_examples=40, deadline=None)
@given(
    text=expressions(),
    values=st.fixed_dictionaries({n: st.floats(-2, 2).map(lambda v: round(v, 2)) for n in NAMES}),
)
def test_explained_gradients_match_pytorch(text, values):
    used = {n: v for n, v in values.items() if re.search(rf"\b{n}\b", text)}
    if not used:
        return
    out, leaves = _run(text, used, chainrule)
    if not isinstance(out, chainrule.Tensor) or out.grad_fn is None:
        return
    t_out, t_leaves = _run(text, used, torch)
    expected = dict(
        zip(t_leaves, torch.autograd.grad(t_out, list(t_leaves.values()), allow_unused=True))
    )
    trace = _trace.trace(out, grads=True)
    found = steps(trace)
    assert len(found) == len(trace.edges)
    for v in trace.vertices:
        if v.kind != "leaf":
            continue
        want = expected[v.name]
        want = 0.0 if want is None else want.item()
        assert v.grad == pytest.approx(want, rel=1e-9, abs=1e-12), (text, v.name)
        mine = [s for s in found if trace.edges[s.edge].src is v]
        assert sum(s.grad.item() for s in mine) == pytest.approx(want, rel=1e-9, abs=1e-12)
        last = mine[-1].text
        total = re.search(rf"∂L/∂{v.name} = (?:[-0-9.e+ ]+ = )?(-?[0-9.e+-]+)\.", last)
        assert total is not None, last
        assert float(total.group(1)) == pytest.approx(want, rel=1e-3, abs=1e-4), last
    assert not any(t.grad is not None for t in leaves.values())


# ------------------------------------------------------------------ values used twice, constants
def _explained(text, x=0.7, backward=False):
    """``explain`` of an expression in x (float64), its trace, and PyTorch's ∂L/∂x."""
    out, _ = _run(text, {"x": x}, chainrule)
    t_out, t_leaves = _run(text, {"x": x}, torch)
    want = torch.autograd.grad(t_out, t_leaves["x"])[0].item()
    if backward:
        out.backward()
    trace = _trace.trace(out, grads=True)
    return viz.explain(out), trace, want


@pytest.mark.parametrize("backward", [False, True])
def test_a_value_going_twice_into_one_op(backward):
    text, trace, want = _explained("x + x", backward=backward)
    assert want == 2
    lines = text.splitlines()
    assert lines[2].startswith("2. ∂L/∂x through + (1st input) = 1.")
    assert lines[3].startswith("3. ∂L/∂x through + (2nd input) = 1.")
    assert "x is used twice, both times by +" in lines[3] and "∂L/∂x = 1 + 1 = 2." in lines[3]
    assert "∂L/∂x = 1." not in text, "a share is not called the whole gradient"
    assert [e.grad for e in trace.edges if e.src.name == "x"] == [1, 1]


@pytest.mark.parametrize("backward", [False, True])
def test_a_value_used_by_several_ops_and_twice_by_one(backward):
    text, _, want = _explained("x*x + x", backward=backward)
    last = text.splitlines()[-1]
    assert "x is used 3 times (once by +, twice by ×)" in last
    assert f"∂L/∂x = 1 + 0.7 + 0.7 = {want:g}." in last


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "(x) * (tanh(0.5))",
        "(x) + ((x) + (sin(0.5)))",
        "(x * tanh(0.5)) + x / (cos(0.5) + x)",
        "(sigmoid(0.5) - x) * x",
    ],
)
def test_constant_tensor_operands(text, backward):
    """A constant subexpression is a tensor that needs no gradient: the node does not record
    it, yet every share is the engine's, before and after backward()."""
    explained, trace, want = _explained(text, backward=backward)
    x = next(v for v in trace.vertices if v.kind == "leaf")
    assert x.grad == pytest.approx(want, rel=1e-12)
    assert sum(e.grad for e in x.uses) == pytest.approx(want, rel=1e-12)
    assert "not recorded" not in explained


def test_python_numbers_on_either_side():
    x = chainrule.tensor(4.0, requires_grad=True, name="x")
    # 2 / x is reciprocal(x) × 2, as PyTorch records it
    cases = {"×3": 3 * x, "+3": 3 + x, "2−": 2 - x, "−2": x - 2, "×2": 2 / x, "÷2": x / 2}
    for label, L in cases.items():
        trace = _trace.trace(L, grads=True)
        op = trace.output.inputs[0].src
        assert op.label == label, (label, op.op, op.attrs)
    lines = viz.explain(2 - x).splitlines()
    assert lines[2] == (
        "2. ∂L/∂x = -1. How did we get from x to L? We subtracted it from 2. So ∂L/∂x = -1."
    )
    assert "We took its reciprocal. So ∂reciprocal(x)/∂x = -1/x² = -0.0625." in viz.explain(2 / x)
    assert _trace.trace((2 - x) * 3).vertices[1].name == "2 − x"
