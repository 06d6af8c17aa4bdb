"""What the pictures and the explanation say about each op: one row per ``grad_fn`` name.

A row gives the op's label in the picture (``+``, ``×3``, ``square``), how its output reads as
an expression of its inputs (``3b``, ``c²``), one sentence per input saying how that input
became the output ("We multiplied by 3"), the local derivative in words ("2·c"), and a
``replay``: the op re-run on fresh chainrule tensors.  The replay is how the tool gets local
derivatives and the gradient along each edge from the engine itself, so no derivative is
written twice: the numbers always come from chainrule's own formulas.

Row functions receive ``s``, a view of one node (see ``_trace.Site``): ``s.name(i)`` is input
``i``'s name (a constant's name is its value), ``s.term(i)`` the same in brackets where it
would need them as a factor, ``s.about(i)`` the name with its value ("r = 16"),
``s.attr(key)`` an attribute as text, ``s.attrs`` the raw attributes.  An op
missing here is still drawn, labelled with its name in snake case (``log_softmax``).
"""

import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = ["ATOM", "OPS", "TIGHT", "Op", "lookup", "plain_label", "solve_constant"]

ATOM = 9  # precedence of a name, a number or a call: never needs brackets
TIGHT = 4  # a power (c²) or tighter reads as one term: ∂L/∂c², 2·c² need no brackets


class Op(NamedTuple):
    label: Callable  # label(s) -> text inside the node
    slots: tuple  # attribute names under which a constant input is recorded
    prec: int  # how tightly the op binds its operands; 0 for a call f(x)
    expr: Callable  # expr(s, names) -> the output as an expression
    how: tuple = ()  # per input: how that input became the output
    deriv: tuple = ()  # per input: the local derivative ∂out/∂input in words
    replay: Callable = None  # replay(cr, inputs, attrs) -> the op's output, re-run


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power(base, exponent):
    """``c²`` for small integer exponents, ``c^0.5`` otherwise, ``c`` for 1."""
    if exponent == 1:
        return base
    if float(exponent) == int(exponent) and abs(int(exponent)) < 10:
        return base + str(int(exponent)).translate(_SUPERSCRIPT)
    return f"{base}^{exponent}"


def _times(s, names):
    """A product written as in algebra: ``3b`` when a number multiplies a name, else ``q·r``."""
    a, b = names
    if s.is_constant(1) and not s.is_constant(0):
        a, b = b, a
    if a[:1].isdigit() and b[:1].isalpha():
        return a + b
    return f"{a}·{b}"


def _const(s):
    """The constant operand of a binary op as text; '' when there is none or it is unknown."""
    for i in range(2):
        if s.is_constant(i) and s.known(i):
            return s.name(i)
    return ""


def _pow_label(s):
    exponent = s.attrs.get("exponent")
    if exponent == 2:
        return "square"
    return "pow" if exponent is None else "^" + s.attr("exponent")


def _pow_deriv(s):
    p = s.attrs["exponent"]
    return f"{s.attr('exponent')}·{_power(s.term(0), p - 1)}" if p != 1 else "1"


def _call(name):
    return lambda s, n: f"{name}({n[0]})"


def _unary(label, how, deriv, replay):
    """A row for a one-input function written f(x)."""
    return Op(
        label=lambda s: label,
        slots=("self",),
        prec=0,
        expr=_call(label),
        how=(lambda s: how,),
        deriv=(deriv,) if deriv else (),
        replay=replay,
    )


OPS = {
    # ------------------------------------------------------------- arithmetic
    "AddBackward0": Op(
        label=lambda s: "+" + _const(s),
        slots=("self", "other"),
        prec=1,
        expr=lambda s, n: f"{n[0]} + {n[1]}",
        how=(lambda s: f"We added {s.about(1)}", lambda s: f"We added it to {s.about(0)}"),
        deriv=(lambda s: "1", lambda s: "1"),
        replay=lambda cr, x, at: x[0] + x[1],
    ),
    "SubBackward0": Op(
        label=lambda s: (
            (s.name(0) if s.is_constant(0) else "") + "−" + (s.name(1) if s.is_constant(1) else "")
        ),
        slots=("self", "other"),
        prec=1,
        expr=lambda s, n: f"{n[0]} − {n[1]}",
        how=(
            lambda s: f"We subtracted {s.about(1)}",
            lambda s: f"We subtracted it from {s.about(0)}",
        ),
        deriv=(lambda s: "1", lambda s: "-1"),
        replay=lambda cr, x, at: x[0] - x[1],
    ),
    "RsubBackward1": Op(  # 2 − x is rsub(x, 2)
        label=lambda s: _const(s) + "−",
        slots=("self", "other"),
        prec=1,
        expr=lambda s, n: f"{n[1]} − {n[0]}",
        how=(
            lambda s: f"We subtracted it from {s.about(1)}",
            lambda s: f"We subtracted {s.about(0)} from it",
        ),
        deriv=(lambda s: "-1", lambda s: "1"),
        replay=lambda cr, x, at: x[1] - x[0],
    ),
    "MulBackward0": Op(
        label=lambda s: "×" + _const(s),
        slots=("self", "other"),
        prec=2,
        expr=_times,
        how=(
            lambda s: f"We multiplied by {s.about(1)}",
            lambda s: f"We multiplied by {s.about(0)}",
        ),
        deriv=(lambda s: s.name(1), lambda s: s.name(0)),
        replay=lambda cr, x, at: x[0] * x[1],
    ),
    "DivBackward0": Op(
        label=lambda s: (
            (s.name(0) if s.is_constant(0) else "") + "÷" + (s.name(1) if s.is_constant(1) else "")
        ),
        slots=("self", "other"),
        prec=2,
        expr=lambda s, n: f"{n[0]}/{n[1]}",
        how=(lambda s: f"We divided by {s.about(1)}", lambda s: f"We divided {s.about(0)} by it"),
        deriv=(lambda s: f"1/{s.term(1)}", lambda s: f"-{s.term(0)}/{s.term(1)}²"),
        replay=lambda cr, x, at: x[0] / x[1],
    ),
    "PowBackward0": Op(
        label=_pow_label,
        slots=("self",),
        prec=4,
        expr=lambda s, n: _power(n[0], s.attrs["exponent"]),
        how=(
            lambda s: (
                "We squared it"
                if s.attrs["exponent"] == 2
                else f"We raised it to the power {s.attr('exponent')}"
            ),
        ),
        deriv=(_pow_deriv,),
        replay=lambda cr, x, at: x[0] ** at["exponent"],
    ),
    "PowBackward1": Op(
        label=lambda s: "pow",
        slots=("self", "exponent"),
        prec=4,
        expr=lambda s, n: f"{n[0]}^{n[1]}",
        how=(
            lambda s: f"We raised it to the power {s.about(1)}",
            lambda s: f"We raised {s.about(0)} to this power",
        ),
        deriv=(
            lambda s: f"{s.term(1)}·{s.term(0)}^({s.name(1)} - 1)",
            lambda s: f"{s.term(0)}^{s.term(1)}·ln {s.term(0)}",
        ),
        replay=lambda cr, x, at: x[0] ** x[1],
    ),
    "PowBackward2": Op(
        label=lambda s: s.attr("base") + "^",
        slots=("exponent",),
        prec=4,
        expr=lambda s, n: f"{s.attr('base')}^{n[0]}",
        how=(lambda s: f"We raised {s.attr('base')} to this power",),
        deriv=(lambda s: f"{s.attr('base')}^{s.term(0)}·ln {s.attr('base')}",),
        replay=lambda cr, x, at: at["base"] ** x[0],
    ),
    "NegBackward0": Op(
        label=lambda s: "−",
        slots=("self",),
        prec=3,
        expr=lambda s, n: f"−{n[0]}",
        how=(lambda s: "We changed its sign",),
        deriv=(lambda s: "-1",),
        replay=lambda cr, x, at: -x[0],
    ),
    # ------------------------------------------------------------- functions
    "ExpBackward0": _unary(
        "exp",
        "We took its exponential",
        lambda s: f"exp({s.name(0)})",
        lambda cr, x, at: cr.exp(x[0]),
    ),
    "LogBackward0": _unary(
        "log", "We took its logarithm", lambda s: f"1/{s.term(0)}", lambda cr, x, at: cr.log(x[0])
    ),
    "ReciprocalBackward0": _unary(
        "reciprocal",
        "We took its reciprocal",
        lambda s: f"-1/{s.term(0)}²",
        lambda cr, x, at: cr.reciprocal(x[0]),
    ),
    "SqrtBackward0": _unary(
        "sqrt",
        "We took its square root",
        lambda s: f"1/(2·sqrt({s.name(0)}))",
        lambda cr, x, at: cr.sqrt(x[0]),
    ),
    "SinBackward0": _unary(
        "sin", "We took its sine", lambda s: f"cos({s.name(0)})", lambda cr, x, at: cr.sin(x[0])
    ),
    "CosBackward0": _unary(
        "cos", "We took its cosine", lambda s: f"-sin({s.name(0)})", lambda cr, x, at: cr.cos(x[0])
    ),
    "TanhBackward0": _unary(
        "tanh",
        "We applied tanh",
        lambda s: f"1 - tanh²({s.name(0)})",
        lambda cr, x, at: cr.tanh(x[0]),
    ),
    "SigmoidBackward0": _unary(
        "sigmoid",
        "We applied the sigmoid σ",
        lambda s: f"σ({s.name(0)})·(1 - σ({s.name(0)}))",
        lambda cr, x, at: cr.sigmoid(x[0]),
    ),
    "ReluBackward0": _unary(
        "relu",
        "We applied relu, which keeps positives and zeroes the rest",
        lambda s: f"1 if {s.name(0)} > 0, else 0",
        lambda cr, x, at: cr.relu(x[0]),
    ),
    "AbsBackward0": _unary(
        "abs",
        "We took its absolute value",
        lambda s: f"sign({s.name(0)})",
        lambda cr, x, at: cr.abs(x[0]),
    ),
    # ------------------------------------------------------------- tensors
    "MmBackward0": Op(
        label=lambda s: "matmul",
        slots=("self", "mat2"),
        prec=2,
        expr=lambda s, n: f"{n[0]} @ {n[1]}",
        replay=lambda cr, x, at: x[0] @ x[1],
    ),
    "MvBackward0": Op(
        label=lambda s: "matmul",
        slots=("self", "vec"),
        prec=2,
        expr=lambda s, n: f"{n[0]} @ {n[1]}",
        replay=lambda cr, x, at: x[0] @ x[1],
    ),
    "DotBackward0": Op(
        label=lambda s: "dot",
        slots=("self", "tensor"),
        prec=2,
        expr=lambda s, n: f"{n[0]} · {n[1]}",
        replay=lambda cr, x, at: x[0] @ x[1],
    ),
    "MatmulBackward0": Op(
        label=lambda s: "matmul",
        slots=("self", "other"),
        prec=2,
        expr=lambda s, n: f"{n[0]} @ {n[1]}",
        replay=lambda cr, x, at: x[0] @ x[1],
    ),
    "BmmBackward0": Op(
        label=lambda s: "matmul",
        slots=("self", "mat2"),
        prec=2,
        expr=lambda s, n: f"{n[0]} @ {n[1]}",
        replay=lambda cr, x, at: x[0] @ x[1],
    ),
    "TBackward0": Op(
        label=lambda s: "transpose",
        slots=("self",),
        prec=ATOM,
        expr=lambda s, n: f"{n[0]}ᵀ",
        replay=lambda cr, x, at: x[0].t(),
    ),
    "AddmmBackward0": Op(
        label=lambda s: "x·Wᵀ + b",
        slots=("input", "weight", "bias"),
        prec=1,
        expr=lambda s, n: f"{n[0]}·{n[1]}ᵀ + {n[2]}",
    ),
    # ------------------------------------------------------------- shapes and reductions
    "ViewBackward0": _unary(
        "reshape",
        "We reshaped it",
        None,  # also flatten, view
        lambda cr, x, at: x[0].reshape(at["shape"]),
    ),
    "SqueezeBackward0": _unary("squeeze", "We dropped its dimensions of size 1", None, None),
    "SqueezeBackward1": _unary("squeeze", "We dropped a dimension of size 1", None, None),
    "SqueezeBackward2": _unary("squeeze", "We dropped dimensions of size 1", None, None),
    "UnsqueezeBackward0": _unary("unsqueeze", "We added a dimension of size 1", None, None),
    "CopySlices": Op(
        label=lambda s: "set slice",
        slots=("self", "value"),
        prec=0,
        expr=lambda s, n: f"{n[0]} with {n[1]} written in",
        how=(
            lambda s: f"We wrote {s.about(1)} into part of it",
            lambda s: f"We wrote it into part of {s.about(0)}",
        ),
    ),
    "SumBackward0": _unary("sum", "We added up its entries", None, lambda cr, x, at: x[0].sum()),
    "MeanBackward0": _unary(
        "mean", "We took the mean of its entries", None, lambda cr, x, at: x[0].mean()
    ),
    "ProdBackward0": _unary(
        "prod", "We multiplied its entries together", None, lambda cr, x, at: x[0].prod()
    ),
}


def plain_label(name):
    """``LogSoftmaxBackward0`` -> ``log_softmax``: the label of an op without a row."""
    base = re.sub(r"Backward\d*$", "", name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base).lower() or name


def lookup(name):
    """The row for a ``grad_fn`` name, or ``None``."""
    return OPS.get(name)


# A constant tensor operand (one that needs no gradient) is not recorded on its node, but for
# these ops it follows from the output ``y`` and the other input ``x``: (op, slot) -> k.
_SOLVE = {
    ("AddBackward0", 0): lambda y, x: y - x,
    ("AddBackward0", 1): lambda y, x: y - x,
    ("SubBackward0", 0): lambda y, x: y + x,
    ("SubBackward0", 1): lambda y, x: x - y,
    ("RsubBackward1", 1): lambda y, x: y + x,
    ("MulBackward0", 0): lambda y, x: y / x,
    ("MulBackward0", 1): lambda y, x: y / x,
    ("DivBackward0", 0): lambda y, x: y * x,
    ("DivBackward0", 1): lambda y, x: x / y,
}


def solve_constant(op, slot, y, x):
    """The constant in input ``slot`` of binary op ``op`` whose output is ``y`` and other
    input ``x`` (arrays); ``None`` where it cannot be found (unknown op, a value freed, a
    division by 0).  Accurate to rounding: callers check it by re-running the op."""
    solve = _SOLVE.get((op, slot))
    if solve is None or x is None or y is None or y.dtype.kind != "f":
        return None
    with np.errstate(all="ignore"):
        k = np.asarray(solve(y, x))
    return k if np.all(np.isfinite(k)) else None
