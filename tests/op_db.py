"""Operator database for the differential tests (chainrule vs. PyTorch).

Every entry of ``OP_DB`` describes one way of calling one operator:

* ``fn(m, *args)`` calls the op through module ``m`` (``chainrule`` or ``torch``), so the
  very same lambda runs against both libraries;
* ``inputs`` is a hypothesis strategy drawing a tuple of input *items*:

  - a float ``np.ndarray`` becomes a tensor of the dtype under test (differentiable when
    its position is in ``grad``; by default every float array is differentiable);
  - an int64 / bool ``np.ndarray`` becomes an int64 / bool tensor (index, mask,
    condition), never differentiable;
  - ``NdArg(arr)`` is handed to chainrule as a raw NumPy array (``np_array * x``);
    PyTorch itself rejects NumPy operands next to tensors that require grad, so the
    reference gets ``torch.as_tensor(arr)`` -- i.e. the tested semantics is "a NumPy
    array behaves like a constant tensor of its dtype";
  - anything else (Python scalars, dims, slices, tuples, lists) is passed unchanged.

Values are drawn from a hypothesis-drawn seed with NumPy's generator: this keeps the
examples fast and lets every op restrict its domain (positive inputs for log/sqrt,
inputs away from kinks for abs/relu/clamp, distinct values for max/min/argmax, ...).
Hypothesis explores the shapes, dims, keepdim flags, indices, scalars and seeds.

Set ``CHAINRULE_TEST_SELF=1`` to run the whole suite with PyTorch as the module under
test (validates the harness itself).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOATS = ("float64", "float32")
FLOATS_INT = ("float64", "float32", "int64")
NONDIFF_ALL = ("float64", "float32", "int64")

SELF_TEST = os.environ.get("CHAINRULE_TEST_SELF", "") not in ("", "0")


class MissingAPI(Exception):
    """Raised by ``nnf`` when ``m.nn.functional.<name>`` does not exist (test is skipped)."""


def module_under_test():
    """Return the module under test: ``chainrule`` (or ``torch`` with CHAINRULE_TEST_SELF=1)."""
    if SELF_TEST:
        import torch

        return torch
    import chainrule

    if not hasattr(chainrule, "tensor"):
        raise ImportError(f"chainrule imported from {chainrule.__path__} has no `tensor` yet")
    return chainrule


def is_torch(m) -> bool:
    return getattr(m, "__name__", "") == "torch"


def nnf(m, name):
    """``m.nn.functional.<name>``; raises MissingAPI (-> skip) when the attribute is missing."""
    obj = m
    for part in ("nn", "functional", name):
        if not hasattr(obj, part):
            raise MissingAPI(f"{m.__name__}.nn.functional.{name} is missing")
        obj = getattr(obj, part)
    return obj


class NdArg:
    """A raw NumPy operand (cast to the dtype under test). See module docstring."""

    def __init__(self, value: np.ndarray):
        self.value = value

    def __repr__(self):
        return f"NdArg({self.value!r})"


@dataclasses.dataclass(frozen=True)
class OpEntry:
    name: str  # unique id, "<op>.<variant>"
    op: str  # operator covered (coverage key)
    fn: Callable[..., Any]
    inputs: st.SearchStrategy
    dtypes: tuple = FLOATS
    grad: tuple | None = None  # indices of differentiable items; None: all float arrays
    differentiable: bool = True  # False: forward values only (bool / index outputs)
    gradgrad: bool = False  # compare second derivatives (float64)
    gradcheck: bool = True  # finite-difference gradcheck (float64)
    backward: bool = (
        True  # False: forward only (special values: inf/nan gradients are formula-dependent)
    )
    tags: tuple = ()  # extra coverage keys "<op>:<tag>"
    atol_scale: float = 1.0  # multiplies the default atol (magnitudes >> 1)
    tol: dict | None = None  # {dtype: (rtol, atol)} instead of TOL for this entry

    def keys(self):
        return {self.op} | {f"{self.op}:{t}" for t in self.tags}


OP_DB: list[OpEntry] = []


def add(name, op, fn, inputs, **kw):
    assert all(e.name != name for e in OP_DB), name
    OP_DB.append(OpEntry(name=name, op=op, fn=fn, inputs=inputs, **kw))


# ---------------------------------------------------------------------------------------
# value domains and input strategies
# ---------------------------------------------------------------------------------------

SEEDS = st.integers(0, 2**32 - 1)
SPECIALS = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, 2.5, -2.5, 0.5])


def values(rng, shape, domain="real"):
    shape = tuple(int(s) for s in shape)
    n = int(np.prod(shape, dtype=np.int64))
    if domain == "real":
        v = rng.uniform(-2.0, 2.0, n)
    elif domain == "pos":  # log, sqrt, rsqrt, pow base
        v = rng.uniform(0.2, 3.0, n)
    elif domain == "nonzero":  # away from the kink / pole at 0
        v = rng.choice([-1.0, 1.0], n) * rng.uniform(0.2, 2.0, n)
    elif domain == "gt-1":  # log1p
        v = rng.uniform(-0.5, 2.0, n)
    elif domain == "tan":  # away from the poles of tan
        v = rng.uniform(-1.2, 1.2, n)
    elif domain == "near1":  # prod: keeps products O(1)
        v = rng.uniform(0.5, 1.5, n) * rng.choice([-1.0, 1.0], n)
    elif domain == "distinct":  # gaps >= 0.3, still distinct after the int64 cast rint(2x)
        v = (rng.permutation(n) - n // 2) * 0.5 + rng.uniform(-0.1, 0.1, n)
    elif domain == "distinct_abs":  # distinct, nonzero magnitudes (inf-norm)
        v = (rng.permutation(n) + 1) * 0.5 + rng.uniform(-0.1, 0.1, n)
        v = v * rng.choice([-1.0, 1.0], n)
    elif domain == "ties":  # small integers: many exact ties for comparisons
        v = rng.integers(-2, 3, n).astype(np.float64)
    elif domain == "large":  # +-1000: naive exp overflows
        v = rng.uniform(-1000.0, 1000.0, n)
        hit = rng.random(n) < 0.3
        v[hit] = rng.choice([-1000.0, 1000.0], int(hit.sum()))
    elif domain == "special":  # IEEE specials mixed with ordinary values
        v = rng.choice(SPECIALS, n)
    elif domain == "bool":
        return (rng.random(n) < 0.5).reshape(shape)
    else:
        raise ValueError(domain)
    return np.asarray(v, dtype=np.float64).reshape(shape)


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


@st.composite
def arrays_in(draw, *domains, min_dims=0, max_dims=3, min_side=1, max_side=4, shape=None):
    """len(domains) arrays of one common shape."""
    shp = shape if shape is not None else draw(shapes(min_dims, max_dims, min_side, max_side))
    rng = np.random.default_rng(draw(SEEDS))
    return tuple(values(rng, shp, d) for d in domains)


def unary_in(domain="real", **kw):
    return arrays_in(domain, **kw)


@st.composite
def binary_in(draw, da="real", db="real", min_dims=0, max_dims=3, no_ties=False):
    """Two arrays of mutually broadcastable shapes."""
    bs = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4
        )
    )
    rng = np.random.default_rng(draw(SEEDS))
    a, b = values(rng, bs.input_shapes[0], da), values(rng, bs.input_shapes[1], db)
    if no_ties:  # maximum/minimum: keep |a - b| away from 0 (kink)
        assume(
            np.all(
                np.abs(np.broadcast_to(a, bs.result_shape) - np.broadcast_to(b, bs.result_shape))
                > 0.05
            )
        )
    return a, b


@st.composite
def suffix_broadcastable(draw, shape):
    """A shape that broadcasts *to* ``shape`` (for in-place ops / copy_ / masks)."""
    k = draw(st.integers(0, len(shape)))
    tail = shape[len(shape) - k :]
    return tuple(draw(st.sampled_from([1, s])) for s in tail)


@st.composite
def inplace_in(draw, db="real"):
    """(x, z) with z broadcastable to x's shape."""
    shp = draw(shapes(0, 3))
    zshp = draw(suffix_broadcastable(shp))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp, "real"), values(rng, zshp, db)


scalars = st.floats(-3.0, 3.0, allow_nan=False, allow_subnormal=False)
nonzero_scalars = scalars.filter(lambda s: abs(s) > 0.2)


def dim_strategy(nd, kind):
    if kind == "int":
        return st.integers(-nd, nd - 1)
    # non-empty tuple of distinct dims, each written positive or negative
    return st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).flatmap(
        lambda ds: st.tuples(*[st.sampled_from([d, d - nd]) for d in ds])
    )


@st.composite
def reduce_in(draw, domain="real", kind="int", min_side=1, max_side=4, max_dims=3, keepdim=True):
    """(x, dim, keepdim) for reductions over an int or a tuple dim."""
    shp = draw(shapes(1, max_dims, min_side, max_side))
    dim = draw(dim_strategy(len(shp), kind))
    kd = draw(st.booleans()) if keepdim else False
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp, domain), dim, kd


# ---------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------

GG = dict(gradgrad=True)

_BIN = {
    "add": (lambda a, b: a + b, "add", "real"),
    "sub": (lambda a, b: a - b, "sub", "real"),
    "mul": (lambda a, b: a * b, "mul", "real"),
    "div": (lambda a, b: a / b, "div", "nonzero"),
}
for _op, (_operator, _fname, _dom) in _BIN.items():
    _gg = _op in ("mul", "div")
    add(
        f"{_op}.operator",
        _op,
        lambda m, x, y, f=_operator: f(x, y),
        binary_in("real", _dom),
        dtypes=FLOATS_INT if _op != "div" else FLOATS,
        tags=("operator",),
        gradgrad=_gg,
    )
    add(
        f"{_op}.function",
        _op,
        lambda m, x, y, f=_fname: getattr(m, f)(x, y),
        binary_in("real", _dom),
        tags=("function",),
        gradgrad=_gg,
    )
    add(
        f"{_op}.method",
        _op,
        lambda m, x, y, f=_fname: getattr(x, f)(y),
        binary_in("real", _dom),
        tags=("method",),
        gradgrad=_gg,
    )
    add(
        f"{_op}.scalar",
        _op,
        lambda m, x, s, f=_operator: f(x, s),
        st.tuples(unary_in("real").map(lambda t: t[0]), nonzero_scalars),
        dtypes=FLOATS_INT if _op != "div" else FLOATS,
        tags=("scalar",),
    )
    add(
        f"{_op}.rscalar",
        _op,
        lambda m, x, s, f=_operator: f(s, x),
        st.tuples(unary_in(_dom).map(lambda t: t[0]), scalars),
        dtypes=FLOATS_INT if _op != "div" else FLOATS,
        tags=("rscalar",),
        gradgrad=_op == "div",
    )
    add(
        f"{_op}.rndarray",
        _op,
        lambda m, x, a, f=_operator: f(a, x),
        binary_in(_dom, "real").map(lambda t: (t[0], NdArg(t[1]))),
        tags=("rndarray",),
        gradgrad=_op == "div",
    )
    add(
        f"{_op}.ndarray",
        _op,
        lambda m, x, a, f=_operator: f(x, a),
        binary_in("real", _dom).map(lambda t: (t[0], NdArg(t[1]))),
        tags=("ndarray",),
    )

add("add.int_scalar", "add", lambda m, x: x + 2, unary_in(), dtypes=FLOATS_INT, tags=("scalar",))
add("mul.int_scalar", "mul", lambda m, x: 3 * x, unary_in(), dtypes=FLOATS_INT, tags=("rscalar",))
add("sub.literal", "sub", lambda m, x: 2.0 - x, unary_in(), tags=("rscalar",))
add("div.literal", "div", lambda m, x: 2.0 / x, unary_in("nonzero"), tags=("rscalar",), **GG)
add(
    "add.alpha",
    "add",
    lambda m, x, y, a: m.add(x, y, alpha=a),
    st.tuples(binary_in(), scalars).map(lambda t: (*t[0], t[1])),
    tags=("alpha",),
)
add(
    "sub.alpha_method",
    "sub",
    lambda m, x, y, a: x.sub(y, alpha=a),
    st.tuples(binary_in(), scalars).map(lambda t: (*t[0], t[1])),
    tags=("alpha",),
)
add(
    "div.int_int",
    "div",
    lambda m, x, y: x / y,
    binary_in("nonzero", "nonzero"),
    dtypes=("int64",),
    differentiable=False,
    tags=("int",),
)

# unary minus
add("neg.operator", "neg", lambda m, x: -x, unary_in(), dtypes=FLOATS_INT, tags=("operator",))
add("neg.function", "neg", lambda m, x: m.neg(x), unary_in(), tags=("function",))
add("neg.method", "neg", lambda m, x: x.neg(), unary_in(), tags=("method",))

# pow
add(
    "pow.int_exponent",
    "pow",
    lambda m, x: x**2,
    unary_in(),
    dtypes=FLOATS_INT,
    tags=("operator",),
    **GG,
)
add("pow.cube", "pow", lambda m, x: x**3, unary_in(), tags=("operator",), **GG)
add(
    "pow.float_exponent",
    "pow",
    lambda m, x, e: x**e,
    st.tuples(unary_in("pos").map(lambda t: t[0]), scalars),
    tags=("operator",),
    **GG,
)
add("pow.sqrt_exponent", "pow", lambda m, x: x**0.5, unary_in("pos"), tags=("operator",), **GG)
add("pow.negative_exponent", "pow", lambda m, x: x**-1.5, unary_in("pos"), tags=("operator",), **GG)
add(
    "pow.tensor_exponent",
    "pow",
    lambda m, x, y: x**y,
    binary_in("pos", "real"),
    tags=("operator", "tensor_exponent"),
    **GG,
)
add(
    "pow.function",
    "pow",
    lambda m, x, y: m.pow(x, y),
    binary_in("pos", "real"),
    tags=("function", "tensor_exponent"),
    **GG,
)
add(
    "pow.function_scalar",
    "pow",
    lambda m, x: m.pow(x, 2.5),
    unary_in("pos"),
    tags=("function",),
    **GG,
)
add("pow.method", "pow", lambda m, x, y: x.pow(y), binary_in("pos", "real"), tags=("method",), **GG)
add("pow.method_scalar", "pow", lambda m, x: x.pow(3), unary_in(), tags=("method",), **GG)
add("pow.rscalar", "pow", lambda m, x: 2.0**x, unary_in(), tags=("rscalar",), **GG)
add(
    "pow.rndarray",
    "pow",
    lambda m, x, a: a**x,
    binary_in("real", "pos").map(lambda t: (t[0], NdArg(t[1]))),
    tags=("rndarray",),
    **GG,
)


# matmul family -------------------------------------------------------------------------

_MM_CASES = {
    "1d": [("k",), ("k",)],
    "1d2d": [("k",), ("k", "n")],
    "2d1d": [("m", "k"), ("k",)],
    "2d": [("m", "k"), ("k", "n")],
    "batched": [("b", "m", "k"), ("b", "k", "n")],
    "broadcast": [("b", 1, "m", "k"), ("c", "k", "n")],
    "broadcast2d": [("m", "k"), ("b", "k", "n")],
    "broadcast1d": [("k",), ("b", "k", "n")],
    "batched1d": [("b", "m", "k"), ("k",)],
}


@st.composite
def matmul_in(draw, cases):
    case = draw(st.sampled_from(cases))
    sizes = {s: draw(st.integers(1, 4)) for s in "kmnbc"}
    rng = np.random.default_rng(draw(SEEDS))
    return tuple(values(rng, [sizes.get(d, d) for d in shp]) for shp in _MM_CASES[case])


for _case in _MM_CASES:
    _tag = {
        "1d2d": "1d",
        "2d1d": "1d",
        "broadcast2d": "broadcast",
        "broadcast1d": "broadcast",
        "batched1d": "batched",
    }.get(_case, _case)
    add(
        f"matmul.operator_{_case}",
        "matmul",
        lambda m, x, y: x @ y,
        matmul_in([_case]),
        tags=("operator", _tag),
        **GG,
    )
add(
    "matmul.function",
    "matmul",
    lambda m, x, y: m.matmul(x, y),
    matmul_in(list(_MM_CASES)),
    tags=("function",),
    **GG,
)
add(
    "matmul.method",
    "matmul",
    lambda m, x, y: x.matmul(y),
    matmul_in(list(_MM_CASES)),
    tags=("method",),
    **GG,
)
add("mm.function", "mm", lambda m, x, y: m.mm(x, y), matmul_in(["2d"]), tags=("function",), **GG)
add("mm.method", "mm", lambda m, x, y: x.mm(y), matmul_in(["2d"]), tags=("method",), **GG)
add(
    "bmm.function",
    "bmm",
    lambda m, x, y: m.bmm(x, y),
    matmul_in(["batched"]),
    tags=("function",),
    **GG,
)
add("bmm.method", "bmm", lambda m, x, y: x.bmm(y), matmul_in(["batched"]), tags=("method",), **GG)
add("dot.function", "dot", lambda m, x, y: m.dot(x, y), matmul_in(["1d"]), tags=("function",), **GG)
add("dot.method", "dot", lambda m, x, y: x.dot(y), matmul_in(["1d"]), tags=("method",), **GG)


@st.composite
def outer_in(draw):
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, (draw(st.integers(1, 4)),)), values(rng, (draw(st.integers(1, 4)),))


add("outer.function", "outer", lambda m, x, y: m.outer(x, y), outer_in(), tags=("function",), **GG)
add("outer.method", "outer", lambda m, x, y: x.outer(y), outer_in(), tags=("method",), **GG)

# ---------------------------------------------------------------------------------------
# elementwise unary math
# ---------------------------------------------------------------------------------------

_UNARY = [  # name, domain, second derivative non-trivial, int dtype ok
    ("abs", "nonzero", False, True),
    ("exp", "real", True, False),
    ("log", "pos", True, False),
    ("log1p", "gt-1", True, False),
    ("expm1", "real", True, False),
    ("sqrt", "pos", True, False),
    ("rsqrt", "pos", True, False),
    ("sin", "real", True, False),
    ("cos", "real", True, False),
    ("tan", "tan", True, False),
    ("tanh", "real", True, False),
    ("sigmoid", "real", True, False),
    ("relu", "nonzero", False, True),
]
for _name, _dom, _gg, _int in _UNARY:
    _dt = FLOATS_INT if _int else FLOATS
    add(
        f"{_name}.function",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x),
        unary_in(_dom),
        tags=("function",),
        gradgrad=_gg,
        dtypes=_dt,
    )
    add(
        f"{_name}.method",
        _name,
        lambda m, x, f=_name: getattr(x, f)(),
        unary_in(_dom),
        tags=("method",),
        gradgrad=_gg,
        dtypes=_dt,
    )

add(
    "abs.builtin",
    "abs",
    lambda m, x: abs(x),
    unary_in("nonzero"),
    tags=("operator",),
    dtypes=FLOATS_INT,
)
add(
    "relu.functional",
    "relu",
    lambda m, x: nnf(m, "relu")(x),
    unary_in("nonzero"),
    tags=("functional",),
)
add("sigmoid.large", "sigmoid", lambda m, x: m.sigmoid(x), unary_in("large"), tags=("large",), **GG)
add(
    "softplus.functional",
    "softplus",
    lambda m, x: nnf(m, "softplus")(x),
    unary_in(),
    tags=("functional",),
    **GG,
)
add(
    "softplus.beta_threshold",
    "softplus",
    lambda m, x, b: nnf(m, "softplus")(x, beta=b, threshold=2.0),
    st.tuples(unary_in().map(lambda t: t[0]), st.sampled_from([0.5, 1.0, 2.0])),
    tags=("beta",),
    **GG,
)
add(
    "softplus.large",
    "softplus",
    lambda m, x: nnf(m, "softplus")(x),
    unary_in("large"),
    tags=("large",),
)
add(
    "exp.moderate",
    "exp",
    lambda m, x: (x * 10.0).exp(),
    unary_in(),
    tags=("moderate",),
    atol_scale=1e4,
)

# clamp / clip ----------------------------------------------------------------------------


@st.composite
def clamp_in(draw, tensor_bounds=False):
    """x kept >= 0.05 away from the bounds -0.5 / 0.5 (or from tensor bounds lo < hi)."""
    shp = draw(shapes(0, 3))
    rng = np.random.default_rng(draw(SEEDS))
    x = values(rng, shp)
    if not tensor_bounds:
        for b in (-0.5, 0.5):
            x = np.where(np.abs(x - b) < 0.05, x + 0.1, x)
        return (x,)
    lshp, hshp = draw(suffix_broadcastable(shp)), draw(suffix_broadcastable(shp))
    lo = np.asarray(values(rng, lshp, "real") * 0.2 - 0.6)
    hi = np.asarray(values(rng, hshp, "real") * 0.2 + 0.6)
    lo_b, hi_b = np.broadcast_to(lo, shp), np.broadcast_to(hi, shp)
    x = np.where(np.abs(x - lo_b) < 0.05, x + 0.1, x)
    x = np.where(np.abs(x - hi_b) < 0.05, x + 0.1, x)
    return x, lo, hi


add(
    "clamp.both",
    "clamp",
    lambda m, x: m.clamp(x, -0.5, 0.5),
    clamp_in(),
    tags=("both", "function"),
    dtypes=FLOATS,
)
add("clamp.min", "clamp", lambda m, x: m.clamp(x, min=-0.5), clamp_in(), tags=("min",))
add("clamp.max", "clamp", lambda m, x: x.clamp(max=0.5), clamp_in(), tags=("max", "method"))
add(
    "clamp.method_both",
    "clamp",
    lambda m, x: x.clamp(min=-0.5, max=0.5),
    clamp_in(),
    tags=("both", "method"),
)
add(
    "clamp.int",
    "clamp",
    lambda m, x: x.clamp(-1, 2),
    unary_in(),
    dtypes=("int64",),
    differentiable=False,
    tags=("int",),
)
add(
    "clamp.tensor_bounds",
    "clamp",
    lambda m, x, lo, hi: m.clamp(x, min=lo, max=hi),
    clamp_in(True),
    tags=("tensor",),
)
add(
    "clamp.tensor_min",
    "clamp",
    lambda m, x, lo, hi: x.clamp(min=lo),
    clamp_in(True),
    tags=("tensor",),
)
add(
    "clamp.tensor_max",
    "clamp",
    lambda m, x, lo, hi: x.clamp(max=hi),
    clamp_in(True),
    tags=("tensor",),
)
add("clip.function", "clip", lambda m, x: m.clip(x, -0.5, 0.5), clamp_in(), tags=("function",))
add("clip.method", "clip", lambda m, x: x.clip(min=-0.5), clamp_in(), tags=("method",))

# maximum / minimum / where ---------------------------------------------------------------
for _name in ("maximum", "minimum"):
    add(
        f"{_name}.function",
        _name,
        lambda m, x, y, f=_name: getattr(m, f)(x, y),
        binary_in(no_ties=True),
        tags=("function",),
        dtypes=FLOATS_INT,
    )
    add(
        f"{_name}.method",
        _name,
        lambda m, x, y, f=_name: getattr(x, f)(y),
        binary_in(no_ties=True),
        tags=("method",),
    )
add("max.binary", "max", lambda m, x, y: m.max(x, y), binary_in(no_ties=True), tags=("binary",))
add("min.binary", "min", lambda m, x, y: m.min(x, y), binary_in(no_ties=True), tags=("binary",))


@st.composite
def where_in(draw):
    bs = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=4))
    rng = np.random.default_rng(draw(SEEDS))
    c, a, b = bs.input_shapes
    return values(rng, c, "bool"), values(rng, a), values(rng, b)


add(
    "where.function",
    "where",
    lambda m, c, x, y: m.where(c, x, y),
    where_in(),
    tags=("function",),
    dtypes=FLOATS_INT,
)
add("where.method", "where", lambda m, c, x, y: x.where(c, y), where_in(), tags=("method",))
add("where.scalar", "where", lambda m, c, x, y: m.where(c, x, 0.5), where_in(), tags=("scalar",))
add(
    "where.scalar_left",
    "where",
    lambda m, c, x, y: m.where(c, -1.0, y),
    where_in(),
    tags=("scalar",),
)

# ---------------------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------------------

_keep = st.booleans()

for _name, _gg in (("sum", False), ("mean", False)):
    _dt = FLOATS_INT if _name == "sum" else FLOATS
    add(
        f"{_name}.all_method",
        _name,
        lambda m, x, f=_name: getattr(x, f)(),
        unary_in(),
        tags=("all", "method"),
        dtypes=_dt,
    )
    add(
        f"{_name}.all_function",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x),
        unary_in(),
        tags=("all", "function"),
        dtypes=_dt,
    )
    add(
        f"{_name}.dim_int",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(dim=d, keepdim=k),
        reduce_in(kind="int"),
        tags=("dim_int", "keepdim"),
        dtypes=_dt,
    )
    add(
        f"{_name}.dim_tuple",
        _name,
        lambda m, x, d, k, f=_name: getattr(m, f)(x, dim=d, keepdim=k),
        reduce_in(kind="tuple"),
        tags=("dim_tuple", "keepdim"),
        dtypes=_dt,
    )
    add(
        f"{_name}.dim_positional",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(d),
        reduce_in(kind="int"),
        tags=("dim_int",),
        dtypes=_dt,
    )
add("sum.bool", "sum", lambda m, x: (x > 0).sum(), unary_in(), differentiable=False, tags=("bool",))

for _name in ("var", "std"):
    # dims reduced have >= 3 elements so correction in {0, 1, 2} never divides by <= 0
    add(
        f"{_name}.all",
        _name,
        lambda m, x, f=_name: getattr(x, f)(),
        unary_in(min_side=3, min_dims=1),
        tags=("all",),
        **GG,
    )
    add(
        f"{_name}.all_unbiased_false",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x, unbiased=False),
        unary_in(min_side=3, min_dims=1),
        tags=("all", "unbiased"),
        **GG,
    )
    add(
        f"{_name}.dim_int",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(dim=d, keepdim=k),
        reduce_in(kind="int", min_side=3),
        tags=("dim_int", "keepdim"),
        **GG,
    )
    add(
        f"{_name}.dim_tuple_correction",
        _name,
        lambda m, x, d, k, c, f=_name: getattr(m, f)(x, dim=d, correction=c, keepdim=k),
        st.tuples(reduce_in(kind="tuple", min_side=3), st.sampled_from([0, 1, 2])).map(
            lambda t: (*t[0], t[1])
        ),
        tags=("dim_tuple", "correction", "keepdim"),
        **GG,
    )
    add(
        f"{_name}.dim_unbiased",
        _name,
        lambda m, x, d, k, u, f=_name: getattr(x, f)(dim=d, unbiased=u, keepdim=k),
        st.tuples(reduce_in(kind="tuple", min_side=3), st.booleans()).map(lambda t: (*t[0], t[1])),
        tags=("dim_tuple", "unbiased"),
        **GG,
    )
    add(
        f"{_name}.correction_all",
        _name,
        lambda m, x, c, f=_name: getattr(x, f)(correction=c),
        st.tuples(unary_in(min_side=3, min_dims=1).map(lambda t: t[0]), st.sampled_from([0, 1, 2])),
        tags=("correction",),
        **GG,
    )

add(
    "prod.all",
    "prod",
    lambda m, x: x.prod(),
    unary_in("near1", max_side=3),
    tags=("all", "method"),
    dtypes=FLOATS_INT,
    **GG,
)
add(
    "prod.function",
    "prod",
    lambda m, x: m.prod(x),
    unary_in("near1", max_side=3),
    tags=("all", "function"),
    **GG,
)
add(
    "prod.dim_int",
    "prod",
    lambda m, x, d, k: x.prod(dim=d, keepdim=k),
    reduce_in("near1", kind="int"),
    tags=("dim_int", "keepdim"),
    **GG,
)


@st.composite
def prod_zero_in(draw, nzeros):
    """prod with exactly ``nzeros`` zeros: the gradient needs the product of the others."""
    shp = draw(shapes(1, 2, 2, 4))
    rng = np.random.default_rng(draw(SEEDS))
    x = values(rng, shp, "near1").ravel()
    x[rng.choice(x.size, nzeros, replace=False)] = 0.0
    return (x.reshape(shp),)


add("prod.one_zero", "prod", lambda m, x: x.prod(), prod_zero_in(1), tags=("zero",), gradgrad=True)
add("prod.two_zeros", "prod", lambda m, x: x.prod(), prod_zero_in(2), tags=("zero",))

for _name in ("max", "min"):
    add(
        f"{_name}.all_method",
        _name,
        lambda m, x, f=_name: getattr(x, f)(),
        unary_in("distinct"),
        tags=("all", "method"),
        dtypes=FLOATS_INT,
    )
    add(
        f"{_name}.all_function",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x),
        unary_in("distinct"),
        tags=("all", "function"),
    )
    add(
        f"{_name}.dim",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(dim=d, keepdim=k),
        reduce_in("distinct", kind="int"),
        tags=("dim", "keepdim"),
        dtypes=FLOATS_INT,
    )
    add(
        f"{_name}.dim_function",
        _name,
        lambda m, x, d, k, f=_name: getattr(m, f)(x, d, k),
        reduce_in("distinct", kind="int"),
        tags=("dim", "function"),
    )
    add(
        f"{_name}.dim_values",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(dim=d).values,
        reduce_in("distinct", kind="int"),
        tags=("dim", "namedtuple"),
    )
    add(
        f"{_name}.dim_indices",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(d).indices,
        reduce_in("distinct", kind="int"),
        tags=("dim", "namedtuple"),
        differentiable=False,
    )

for _name in ("amax", "amin"):
    add(
        f"{_name}.dim_int",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(dim=d, keepdim=k),
        reduce_in("distinct", kind="int"),
        tags=("dim_int", "keepdim", "method"),
        dtypes=FLOATS_INT,
    )
    add(
        f"{_name}.dim_tuple",
        _name,
        lambda m, x, d, k, f=_name: getattr(m, f)(x, dim=d, keepdim=k),
        reduce_in("distinct", kind="tuple"),
        tags=("dim_tuple", "keepdim", "function"),
    )
    add(
        f"{_name}.all",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x),
        unary_in("distinct"),
        tags=("all",),
    )

add(
    "logsumexp.dim_int",
    "logsumexp",
    lambda m, x, d, k: m.logsumexp(x, dim=d, keepdim=k),
    reduce_in(kind="int"),
    tags=("dim_int", "keepdim", "function"),
    **GG,
)
add(
    "logsumexp.dim_tuple",
    "logsumexp",
    lambda m, x, d, k: x.logsumexp(dim=d, keepdim=k),
    reduce_in(kind="tuple"),
    tags=("dim_tuple", "keepdim", "method"),
    **GG,
)
add(
    "logsumexp.large",
    "logsumexp",
    lambda m, x, d, k: m.logsumexp(x, d, k),
    reduce_in("large", kind="int"),
    tags=("large",),
    atol_scale=1e3,
)

add(
    "norm.p2_default",
    "norm",
    lambda m, x: x.norm(),
    unary_in("nonzero"),
    tags=("p2", "method"),
    **GG,
)
add(
    "norm.p2_function",
    "norm",
    lambda m, x: m.norm(x),
    unary_in("nonzero"),
    tags=("p2", "function"),
    **GG,
)
add("norm.p1", "norm", lambda m, x: x.norm(p=1), unary_in("nonzero"), tags=("p1",))
add(
    "norm.inf", "norm", lambda m, x: x.norm(p=float("inf")), unary_in("distinct_abs"), tags=("inf",)
)
add("norm.fro", "norm", lambda m, x: x.norm(p="fro"), unary_in("nonzero"), tags=("fro",), **GG)
add(
    "norm.p2_dim_int",
    "norm",
    lambda m, x, d, k: x.norm(dim=d, keepdim=k),
    reduce_in("nonzero", kind="int"),
    tags=("dim_int", "keepdim", "p2"),
    **GG,
)
add(
    "norm.p2_dim_tuple",
    "norm",
    lambda m, x, d, k: m.norm(x, p=2, dim=d, keepdim=k),
    reduce_in("nonzero", kind="tuple"),
    tags=("dim_tuple", "keepdim", "p2"),
    **GG,
)
add(
    "norm.p1_dim",
    "norm",
    lambda m, x, d, k: x.norm(p=1, dim=d, keepdim=k),
    reduce_in("nonzero", kind="tuple"),
    tags=("p1", "dim_tuple"),
)
add(
    "norm.inf_dim",
    "norm",
    lambda m, x, d, k: x.norm(p=float("inf"), dim=d, keepdim=k),
    reduce_in("distinct_abs", kind="int"),
    tags=("inf", "dim_int"),
)
add(
    "norm.fro_dim",
    "norm",
    lambda m, x, d, k: x.norm(p="fro", dim=d, keepdim=k),
    reduce_in("nonzero", kind="tuple", max_dims=2).map(
        lambda t: (t[0], tuple(range(t[0].ndim)), t[2])
    ),
    tags=("fro", "dim_tuple"),
    **GG,
)

for _name in ("argmax", "argmin"):
    add(
        f"{_name}.all",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x),
        unary_in("distinct"),
        tags=("all",),
        differentiable=False,
        dtypes=NONDIFF_ALL,
    )
    add(
        f"{_name}.dim",
        _name,
        lambda m, x, d, k, f=_name: getattr(x, f)(dim=d, keepdim=k),
        reduce_in("distinct", kind="int"),
        tags=("dim", "keepdim"),
        differentiable=False,
        dtypes=NONDIFF_ALL,
    )

# ---------------------------------------------------------------------------------------
# shape ops
# ---------------------------------------------------------------------------------------


@st.composite
def reshape_in(draw):
    shp = draw(shapes(0, 3))
    n = int(np.prod(shp, dtype=np.int64))
    cands = [(n,), (-1,), (1, n), (n, 1), tuple(reversed(shp)), (1,) + tuple(shp) + (1,)]
    if len(shp):
        i = draw(st.integers(0, len(shp) - 1))
        cands.append(tuple(-1 if j == i else s for j, s in enumerate(shp)))
    if n == 1:
        cands.append(())
    target = draw(st.sampled_from(cands))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), target


add(
    "reshape.method",
    "reshape",
    lambda m, x, s: x.reshape(s),
    reshape_in(),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add(
    "reshape.varargs",
    "reshape",
    lambda m, x, s: x.reshape(*s) if s else x.reshape(()),
    reshape_in(),
    tags=("method",),
)
add(
    "reshape.function", "reshape", lambda m, x, s: m.reshape(x, s), reshape_in(), tags=("function",)
)
add("view.tuple", "view", lambda m, x, s: x.view(s), reshape_in(), tags=("method",))
add(
    "view.varargs",
    "view",
    lambda m, x, s: x.view(*s) if s else x.view(()),
    reshape_in(),
    tags=("method",),
)


@st.composite
def flatten_in(draw):
    shp = draw(shapes(0, 4, max_side=3))
    nd = max(len(shp), 1)
    a = draw(st.integers(0, nd - 1))
    b = draw(st.integers(a, nd - 1))
    a = draw(st.sampled_from([a, a - nd]))
    b = draw(st.sampled_from([b, b - nd]))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), a, b


add(
    "flatten.method",
    "flatten",
    lambda m, x, a, b: x.flatten(),
    flatten_in(),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add(
    "flatten.dims",
    "flatten",
    lambda m, x, a, b: m.flatten(x, start_dim=a, end_dim=b),
    flatten_in(),
    tags=("function",),
)
add("flatten.start", "flatten", lambda m, x, a, b: x.flatten(a), flatten_in(), tags=("method",))


@st.composite
def squeeze_in(draw, kind):
    shp = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=2))
    nd = len(shp)
    rng = np.random.default_rng(draw(SEEDS))
    x = values(rng, shp)
    if kind == "none":
        return (x,)
    if kind == "int":
        return x, draw(st.integers(-nd, nd - 1))
    return x, tuple(draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True)))


add(
    "squeeze.all",
    "squeeze",
    lambda m, x: x.squeeze(),
    squeeze_in("none"),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add(
    "squeeze.dim",
    "squeeze",
    lambda m, x, d: x.squeeze(d),
    squeeze_in("int"),
    tags=("method", "dim"),
)
add(
    "squeeze.function",
    "squeeze",
    lambda m, x, d: m.squeeze(x, d),
    squeeze_in("int"),
    tags=("function",),
)
add(
    "squeeze.dims_tuple",
    "squeeze",
    lambda m, x, d: x.squeeze(d),
    squeeze_in("tuple"),
    tags=("dim_tuple",),
)


@st.composite
def unsqueeze_in(draw):
    shp = draw(shapes(0, 3))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), draw(st.integers(-len(shp) - 1, len(shp)))


add(
    "unsqueeze.method",
    "unsqueeze",
    lambda m, x, d: x.unsqueeze(d),
    unsqueeze_in(),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add(
    "unsqueeze.function",
    "unsqueeze",
    lambda m, x, d: m.unsqueeze(x, d),
    unsqueeze_in(),
    tags=("function",),
)


@st.composite
def two_dims_in(draw, min_dims=1):
    shp = draw(shapes(min_dims, 4, max_side=3))
    nd = len(shp)
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))


add(
    "transpose.method",
    "transpose",
    lambda m, x, a, b: x.transpose(a, b),
    two_dims_in(),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add(
    "transpose.function",
    "transpose",
    lambda m, x, a, b: m.transpose(x, a, b),
    two_dims_in(),
    tags=("function",),
)
add("t.method", "t", lambda m, x: x.t(), unary_in(min_dims=2, max_dims=2), tags=("method",))


@st.composite
def permute_in(draw):
    shp = draw(shapes(1, 4, max_side=3))
    perm = draw(st.permutations(range(len(shp))))
    perm = tuple(draw(st.sampled_from([p, p - len(shp)])) for p in perm)
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), perm


add(
    "permute.varargs",
    "permute",
    lambda m, x, p: x.permute(*p),
    permute_in(),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add("permute.tuple", "permute", lambda m, x, p: x.permute(p), permute_in(), tags=("method",))
add(
    "permute.function", "permute", lambda m, x, p: m.permute(x, p), permute_in(), tags=("function",)
)
add(
    "T.2d",
    "T",
    lambda m, x: x.T,
    unary_in(min_dims=2, max_dims=2),
    tags=("property",),
    dtypes=FLOATS_INT,
)
add(
    "T.chain", "T", lambda m, x: (x.T * 2.0).T, unary_in(min_dims=2, max_dims=2), tags=("property",)
)
add(
    "mT.batched",
    "mT",
    lambda m, x: x.mT,
    unary_in(min_dims=2, max_dims=4, max_side=3),
    tags=("property",),
)


@st.composite
def expand_in(draw, allow_minus1=True):
    shp = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    target = []
    for s in shp:
        if s == 1:
            target.append(draw(st.integers(1, 3)))
        else:
            target.append(draw(st.sampled_from([s, -1])) if allow_minus1 else s)
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), tuple(lead + target)


add(
    "expand.varargs",
    "expand",
    lambda m, x, s: x.expand(*s) if s else x.expand(()),
    expand_in(),
    tags=("method",),
)
add(
    "expand.tuple",
    "expand",
    lambda m, x, s: x.expand(s),
    expand_in(),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add("expand.then_op", "expand", lambda m, x, s: x.expand(s) * 3.0, expand_in(), tags=("method",))
add(
    "broadcast_to.function",
    "broadcast_to",
    lambda m, x, s: m.broadcast_to(x, s),
    expand_in(False),
    tags=("function",),
)
add(
    "broadcast_to.method",
    "broadcast_to",
    lambda m, x, s: x.broadcast_to(s),
    expand_in(False),
    tags=("method",),
)


@st.composite
def repeat_in(draw):
    shp = draw(shapes(0, 3, max_side=3))
    reps = draw(st.lists(st.integers(1, 3), min_size=max(len(shp), 1), max_size=len(shp) + 1))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), tuple(reps)


add(
    "repeat.varargs",
    "repeat",
    lambda m, x, r: x.repeat(*r),
    repeat_in(),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add("repeat.tuple", "repeat", lambda m, x, r: x.repeat(r), repeat_in(), tags=("method",))


@st.composite
def flip_in(draw):
    shp = draw(shapes(1, 3))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), draw(dim_strategy(len(shp), "tuple"))


add(
    "flip.function",
    "flip",
    lambda m, x, d: m.flip(x, d),
    flip_in(),
    tags=("function",),
    dtypes=FLOATS_INT,
)
add("flip.method", "flip", lambda m, x, d: x.flip(d), flip_in(), tags=("method",))
add("flip.varargs", "flip", lambda m, x, d: x.flip(*d), flip_in(), tags=("method",))


@st.composite
def cat_in(draw, same_shape=False):
    shp = draw(shapes(1, 3))
    nd = len(shp)
    d = draw(st.integers(-nd, nd - 1))
    k = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(SEEDS))
    arrs = []
    for _ in range(k):
        s = list(shp)
        if not same_shape:
            s[d] = draw(st.integers(1, 3))
        arrs.append(values(rng, s))
    return (*arrs, d)


add(
    "cat.list",
    "cat",
    lambda m, *a: m.cat(list(a[:-1]), dim=a[-1]),
    cat_in(),
    tags=("function",),
    dtypes=FLOATS_INT,
)
add(
    "cat.tuple_positional",
    "cat",
    lambda m, *a: m.cat(tuple(a[:-1]), a[-1]),
    cat_in(),
    tags=("function",),
)


@st.composite
def stack_in(draw):
    items = draw(cat_in(same_shape=True))
    nd = items[0].ndim
    return (*items[:-1], draw(st.integers(-nd - 1, nd)))


add(
    "stack.list",
    "stack",
    lambda m, *a: m.stack(list(a[:-1]), dim=a[-1]),
    stack_in(),
    tags=("function",),
    dtypes=FLOATS_INT,
)
add("stack.default_dim", "stack", lambda m, *a: m.stack(a[:-1]), stack_in(), tags=("function",))


@st.composite
def split_in(draw, kind):
    shp = draw(shapes(1, 3, max_side=5))
    nd = len(shp)
    d = draw(st.integers(-nd, nd - 1))
    n = shp[d]
    if kind == "size":
        arg = draw(st.integers(1, n + 1))
    elif kind == "sections":
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        arg = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    else:  # chunks
        arg = draw(st.integers(1, n + 1))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), arg, d


add("split.size", "split", lambda m, x, s, d: x.split(s, dim=d), split_in("size"), tags=("method",))
add(
    "split.sections",
    "split",
    lambda m, x, s, d: m.split(x, s, d),
    split_in("sections"),
    tags=("function", "sections"),
    dtypes=FLOATS_INT,
)
add(
    "chunk.method",
    "chunk",
    lambda m, x, c, d: x.chunk(c, dim=d),
    split_in("chunks"),
    tags=("method",),
)
add(
    "chunk.function",
    "chunk",
    lambda m, x, c, d: m.chunk(x, c, d),
    split_in("chunks"),
    tags=("function",),
    dtypes=FLOATS_INT,
)


@st.composite
def pad_in(draw, allow_negative=False):
    shp = draw(shapes(1, 3, max_side=4))
    k = draw(st.integers(1, len(shp)))
    pads = []
    for i in range(k):
        n = shp[len(shp) - 1 - i]
        lo = -(n - 1) // 2 if allow_negative else 0
        pads += [draw(st.integers(lo, 2)), draw(st.integers(lo, 2))]
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), tuple(pads)


add(
    "pad.constant",
    "pad",
    lambda m, x, p: nnf(m, "pad")(x, p),
    pad_in(),
    tags=("functional",),
    dtypes=FLOATS_INT,
)
add(
    "pad.value",
    "pad",
    lambda m, x, p: nnf(m, "pad")(x, p, mode="constant", value=1.5),
    pad_in(),
    tags=("value",),
)
add("pad.negative", "pad", lambda m, x, p: nnf(m, "pad")(x, p), pad_in(True), tags=("negative",))

# ---------------------------------------------------------------------------------------
# indexing
# ---------------------------------------------------------------------------------------


@st.composite
def basic_index(draw, allow_none=True, allow_ellipsis=True):
    """Random basic index (ints, positive-step slices, None, Ellipsis) for a random shape."""
    shp = draw(shapes(1, 3, max_side=5))
    items = []
    for n in shp:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            bound = st.none() | st.integers(-n - 1, n + 1)
            items.append(slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 3))))
        else:
            items.append(slice(None))
    if allow_ellipsis and draw(st.booleans()):
        p = draw(st.integers(0, len(items)))
        q = draw(st.integers(p, len(items)))
        items = items[:p] + [Ellipsis] + items[q:]
    else:
        items = items[: draw(st.integers(1, len(items)))]
    if allow_none:
        for _ in range(draw(st.integers(0, 2))):
            items.insert(draw(st.integers(0, len(items))), None)
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), tuple(items)


@st.composite
def simple_index(draw, kind):
    shp = draw(shapes(1, 3, min_side=2, max_side=4))
    n = shp[0]
    if kind == "int":
        idx = draw(st.integers(-n, n - 1))
    elif kind == "slice":
        idx = slice(
            draw(st.integers(-n, n)), draw(st.none() | st.integers(-n, n)), draw(st.integers(1, 2))
        )
    else:
        idx = kind
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), idx


def _getitem(m, x, idx):
    return x[idx]


add(
    "index.basic",
    "index",
    _getitem,
    basic_index(),
    tags=("int", "slice", "none", "ellipsis"),
    dtypes=FLOATS_INT,
)
add("index.int", "index", _getitem, simple_index("int"), tags=("int",))
add("index.slice", "index", _getitem, simple_index("slice"), tags=("slice",))
add("index.none", "index", lambda m, x: x[None], unary_in(), tags=("none",))
add("index.ellipsis", "index", lambda m, x: x[..., 0], unary_in(min_dims=1), tags=("ellipsis",))
add(
    "index.ellipsis_none", "index", lambda m, x: x[..., None], unary_in(), tags=("ellipsis", "none")
)


@st.composite
def int_array_index(draw, kind, unique=False):
    """Integer-array indices; with unique=False they repeat, so gradients must accumulate."""
    shp = draw(shapes(2 if kind in ("pair", "second_dim") else 1, 3, min_side=2, max_side=4))
    rng = np.random.default_rng(draw(SEEDS))
    x = values(rng, shp)

    def idx(n, size):
        if unique:
            return rng.permutation(np.arange(-n, 0) if rng.random() < 0.5 else np.arange(n))[:size]
        out = rng.integers(-n, n, size)
        out[0] = out[-1] = out[len(out) // 2]  # guarantee a repeat
        return out

    n0 = shp[0]
    size = draw(st.integers(1, n0 if unique else 6))
    if kind == "1d":
        return x, idx(n0, size).astype(np.int64)
    if kind == "2d":
        return x, idx(n0, size * 2).reshape(size, 2).astype(np.int64)
    if kind == "list":
        return x, [int(i) for i in idx(n0, size)]
    if kind == "second_dim":
        return x, idx(shp[1], size).astype(np.int64)
    if kind == "pair":  # x[i, j], broadcasting (k, 1) against (j,)
        i = idx(shp[0], size).reshape(size, 1).astype(np.int64)
        j = idx(shp[1], draw(st.integers(1, 4))).astype(np.int64)
        return x, i, j
    raise ValueError(kind)


add(
    "index.int_tensor",
    "index",
    _getitem,
    int_array_index("1d"),
    tags=("int_array", "repeated"),
    dtypes=FLOATS_INT,
)
add("index.int_tensor_2d", "index", _getitem, int_array_index("2d"), tags=("int_array", "repeated"))
add("index.int_list", "index", _getitem, int_array_index("list"), tags=("int_array", "repeated"))
add(
    "index.int_tensor_dim1",
    "index",
    lambda m, x, i: x[:, i],
    int_array_index("second_dim"),
    tags=("int_array", "repeated", "mixed"),
)
add(
    "index.int_tensor_ellipsis",
    "index",
    lambda m, x, i: x[None, :, i, ...],
    int_array_index("second_dim"),
    tags=("int_array", "mixed"),
)
add(
    "index.int_tensor_pair",
    "index",
    lambda m, x, i, j: x[i, j],
    int_array_index("pair"),
    tags=("int_array", "repeated", "broadcast"),
)
add(
    "index.slice_then_int_tensor",
    "index",
    lambda m, x, i: x[1:, i],
    int_array_index("second_dim"),
    tags=("int_array", "mixed"),
)


@st.composite
def mask_in(draw, kind):
    shp = draw(shapes(1, 3, max_side=4))
    rng = np.random.default_rng(draw(SEEDS))
    x = values(rng, shp)
    if kind == "full":
        return x, values(rng, shp, "bool")
    if kind == "first":
        return x, values(rng, shp[:1], "bool")
    if kind == "broadcast":  # masked_fill mask broadcasting to x
        return x, values(rng, draw(suffix_broadcastable(shp)), "bool")
    raise ValueError(kind)


add("index.bool_mask", "index", _getitem, mask_in("full"), tags=("bool_mask",), dtypes=FLOATS_INT)
add("index.bool_mask_dim0", "index", _getitem, mask_in("first"), tags=("bool_mask",))
add("index.bool_mask_of_compare", "index", lambda m, x: x[x > 0.5], unary_in(), tags=("bool_mask",))


@st.composite
def gather_in(draw):
    shp = draw(shapes(1, 3, max_side=4))
    nd = len(shp)
    d = draw(st.integers(-nd, nd - 1))
    ishp = [draw(st.integers(1, s)) for s in shp]
    ishp[d] = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), d, rng.integers(0, shp[d], ishp).astype(np.int64)


add(
    "gather.function",
    "gather",
    lambda m, x, d, i: m.gather(x, d, i),
    gather_in(),
    tags=("function",),
    dtypes=FLOATS_INT,
)
add("gather.method", "gather", lambda m, x, d, i: x.gather(d, i), gather_in(), tags=("method",))
add(
    "gather.kwargs",
    "gather",
    lambda m, x, d, i: m.gather(x, dim=d, index=i),
    gather_in(),
    tags=("function",),
)


@st.composite
def index_select_in(draw):
    shp = draw(shapes(1, 3, max_side=4))
    nd = len(shp)
    d = draw(st.integers(-nd, nd - 1))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), d, rng.integers(0, shp[d], draw(st.integers(1, 6))).astype(np.int64)


add(
    "index_select.function",
    "index_select",
    lambda m, x, d, i: m.index_select(x, d, i),
    index_select_in(),
    tags=("function",),
    dtypes=FLOATS_INT,
)
add(
    "index_select.method",
    "index_select",
    lambda m, x, d, i: x.index_select(d, i),
    index_select_in(),
    tags=("method",),
)

add(
    "masked_fill.method",
    "masked_fill",
    lambda m, x, k: x.masked_fill(k, 0.0),
    mask_in("broadcast"),
    tags=("method",),
    dtypes=FLOATS_INT,
)
add(
    "masked_fill.function",
    "masked_fill",
    lambda m, x, k: m.masked_fill(x, k, -1.5),
    mask_in("broadcast"),
    tags=("function",),
)


@st.composite
def mask_keep_first(draw):
    """Mask that never hides a whole softmax row (element 0 of the last dim stays)."""
    x, k = draw(mask_in("full"))
    k[..., 0] = False
    return x, k


add(
    "masked_fill.neg_inf_softmax",
    "masked_fill",
    lambda m, x, k: x.masked_fill(k, float("-inf")).softmax(-1),
    mask_keep_first(),
    tags=("inf",),
)
add(
    "masked_fill.tensor_value",
    "masked_fill",
    lambda m, x, k, v: x.masked_fill(k, v),
    st.tuples(mask_in("broadcast"), SEEDS).map(
        lambda t: (*t[0], np.asarray(np.random.default_rng(t[1]).uniform(-2, 2, ())))
    ),
    tags=("tensor_value",),
)

# ---------------------------------------------------------------------------------------
# softmax family
# ---------------------------------------------------------------------------------------


@st.composite
def softmax_in(draw, domain="real"):
    shp = draw(shapes(1, 3))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp, domain), draw(st.integers(-len(shp), len(shp) - 1))


for _name in ("softmax", "log_softmax"):
    add(
        f"{_name}.function",
        _name,
        lambda m, x, d, f=_name: getattr(m, f)(x, d),
        softmax_in(),
        tags=("function",),
        **GG,
    )
    add(
        f"{_name}.method",
        _name,
        lambda m, x, d, f=_name: getattr(x, f)(dim=d),
        softmax_in(),
        tags=("method",),
        **GG,
    )
    add(
        f"{_name}.functional",
        _name,
        lambda m, x, d, f=_name: nnf(m, f)(x, dim=d),
        softmax_in(),
        tags=("functional",),
        **GG,
    )
    add(
        f"{_name}.large",
        _name,
        lambda m, x, d, f=_name: getattr(m, f)(x, dim=d),
        softmax_in("large"),
        tags=("large",),
        atol_scale=1e3 if _name == "log_softmax" else 1.0,
    )

# ---------------------------------------------------------------------------------------
# comparisons and logical ops (bool outputs: values only)
# ---------------------------------------------------------------------------------------

_CMP = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
ND = dict(differentiable=False, dtypes=NONDIFF_ALL)
for _name, _f in _CMP.items():
    add(
        f"{_name}.operator",
        _name,
        lambda m, x, y, f=_f: f(x, y),
        binary_in("ties", "ties"),
        tags=("operator",),
        **ND,
    )
    add(
        f"{_name}.function",
        _name,
        lambda m, x, y, f=_name: getattr(m, f)(x, y),
        binary_in("ties", "ties"),
        tags=("function",),
        **ND,
    )
    add(
        f"{_name}.method",
        _name,
        lambda m, x, y, f=_name: getattr(x, f)(y),
        binary_in("ties", "ties"),
        tags=("method",),
        **ND,
    )
    add(
        f"{_name}.scalar",
        _name,
        lambda m, x, f=_f: f(x, 1.0),
        unary_in("ties"),
        tags=("scalar",),
        **ND,
    )
    add(
        f"{_name}.rscalar",
        _name,
        lambda m, x, f=_f: f(1, x),
        unary_in("ties"),
        tags=("rscalar",),
        **ND,
    )

LOGICAL = dict(differentiable=False, dtypes=("bool", "float32", "int64"))
for _name in ("logical_and", "logical_or", "logical_xor"):
    add(
        f"{_name}.function",
        _name,
        lambda m, x, y, f=_name: getattr(m, f)(x, y),
        binary_in("ties", "ties"),
        tags=("function",),
        **LOGICAL,
    )
    add(
        f"{_name}.method",
        _name,
        lambda m, x, y, f=_name: getattr(x, f)(y),
        binary_in("ties", "ties"),
        tags=("method",),
        **LOGICAL,
    )
add(
    "logical_not.function",
    "logical_not",
    lambda m, x: m.logical_not(x),
    unary_in("ties"),
    tags=("function",),
    **LOGICAL,
)
add(
    "logical_not.method",
    "logical_not",
    lambda m, x: x.logical_not(),
    unary_in("ties"),
    tags=("method",),
    **LOGICAL,
)
BOOL_ONLY = dict(differentiable=False, dtypes=("bool",))
add("invert.bool", "invert", lambda m, x: ~x, unary_in("ties"), tags=("operator",), **BOOL_ONLY)
add(
    "invert.of_compare", "invert", lambda m, x: ~(x > 0), unary_in("ties"), tags=("operator",), **ND
)
add(
    "and.bool",
    "and",
    lambda m, x, y: x & y,
    binary_in("ties", "ties"),
    tags=("operator",),
    **BOOL_ONLY,
)
add(
    "or.bool",
    "or",
    lambda m, x, y: x | y,
    binary_in("ties", "ties"),
    tags=("operator",),
    **BOOL_ONLY,
)
add(
    "xor.bool",
    "xor",
    lambda m, x, y: x ^ y,
    binary_in("ties", "ties"),
    tags=("operator",),
    **BOOL_ONLY,
)

# ---------------------------------------------------------------------------------------
# in-place ops (on a non-leaf clone; the result is squared so the saved values matter)
# ---------------------------------------------------------------------------------------


def _ret_self(r, y, op):
    if r is not y:
        raise AssertionError(f"in-place {op} must return self (the same tensor object)")


def inplace(op, call):
    def f(m, x, *rest):
        y = x.clone()
        r = call(y, *rest)
        _ret_self(r, y, op)
        return y * y

    return f


add(
    "add_.tensor",
    "add_",
    inplace("add_", lambda y, z: y.add_(z)),
    inplace_in(),
    tags=("method",),
    **GG,
)
add(
    "add_.alpha",
    "add_",
    inplace("add_", lambda y, z, a: y.add_(z, alpha=a)),
    st.tuples(inplace_in(), scalars).map(lambda t: (*t[0], t[1])),
    tags=("alpha",),
    **GG,
)
add(
    "add_.scalar",
    "add_",
    inplace("add_", lambda y, s: y.add_(s)),
    st.tuples(unary_in().map(lambda t: t[0]), scalars),
    tags=("scalar",),
)
add(
    "sub_.tensor",
    "sub_",
    inplace("sub_", lambda y, z: y.sub_(z)),
    inplace_in(),
    tags=("method",),
    **GG,
)
add(
    "sub_.alpha",
    "sub_",
    inplace("sub_", lambda y, z, a: y.sub_(z, alpha=a)),
    st.tuples(inplace_in(), scalars).map(lambda t: (*t[0], t[1])),
    tags=("alpha",),
    **GG,
)
add("mul_.scalar", "mul_", inplace("mul_", lambda y: y.mul_(2)), unary_in(), tags=("scalar",), **GG)
add(
    "mul_.tensor",
    "mul_",
    inplace("mul_", lambda y, z: y.mul_(z)),
    inplace_in(),
    tags=("method",),
    **GG,
)
add(
    "div_.tensor",
    "div_",
    inplace("div_", lambda y, z: y.div_(z)),
    inplace_in("nonzero"),
    tags=("method",),
    **GG,
)
add("div_.scalar", "div_", inplace("div_", lambda y: y.div_(4.0)), unary_in(), tags=("scalar",))
add(
    "clamp_.both",
    "clamp_",
    inplace("clamp_", lambda y: y.clamp_(-0.5, 0.5)),
    clamp_in(),
    tags=("both",),
)
add(
    "clamp_.min",
    "clamp_",
    inplace("clamp_", lambda y: y.clamp_(min=-0.5)),
    clamp_in(),
    tags=("min",),
)
add("fill_.scalar", "fill_", lambda m, x, z: _fill(x, z), inplace_in(), tags=("scalar",))
add(
    "copy_.broadcast",
    "copy_",
    inplace("copy_", lambda y, z: y.copy_(z)),
    inplace_in(),
    tags=("method",),
    **GG,
)
add("iadd.operator", "iadd", lambda m, x, z: _iop(x, z, "add"), inplace_in(), tags=("operator",))
add("isub.operator", "isub", lambda m, x, z: _iop(x, z, "sub"), inplace_in(), tags=("operator",))
add(
    "imul.operator",
    "imul",
    lambda m, x, z: _iop(x, z, "mul"),
    inplace_in(),
    tags=("operator",),
    **GG,
)
add(
    "idiv.operator",
    "idiv",
    lambda m, x, z: _iop(x, z, "div"),
    inplace_in("nonzero"),
    tags=("operator",),
    **GG,
)


def _fill(x, z):
    y = x.clone()
    y.fill_(1.5)
    return y * x + z


def _iop(x, z, op):
    y = x.clone()
    keep = y
    if op == "add":
        y += z
    elif op == "sub":
        y -= z
    elif op == "mul":
        y *= z
    else:
        y /= z
    _ret_self(y, keep, f"__i{op}__")
    return y * y


@st.composite
def setitem_in(draw, kind):
    if kind == "basic":
        x, idx = draw(basic_index(allow_none=False))
        rng = np.random.default_rng(draw(SEEDS))
        vshape = np.empty(x.shape)[idx].shape
        return x, idx, values(rng, vshape)
    if kind == "int_tensor":  # unique indices: duplicate writes are order-dependent in torch
        x, i = draw(int_array_index("1d", unique=True))
        rng = np.random.default_rng(draw(SEEDS))
        return x, i, values(rng, (len(i),) + x.shape[1:])
    if kind == "mask":
        x, k = draw(mask_in("full"))
        rng = np.random.default_rng(draw(SEEDS))
        return x, k, values(rng, (int(k.sum()),))
    if kind == "broadcast":  # y[i] = v with v broadcasting to y[i]
        x, i = draw(simple_index("int"))
        rng = np.random.default_rng(draw(SEEDS))
        return x, i, values(rng, draw(suffix_broadcastable(x.shape[1:])))
    raise ValueError(kind)


def setitem(m, x, idx, v):
    y = x.clone()
    y[idx] = v
    return y * y


def setitem_scalar(m, x, idx):
    y = x.clone()
    y[idx] = 0.25
    return y * y


def setitem_imul(m, x, idx):
    y = x.clone()
    y[idx] *= 2.0  # getitem, __imul__ on the view, setitem
    return y * y


add("setitem.basic", "setitem", setitem, setitem_in("basic"), tags=("slice", "int"))
add("setitem.int_tensor", "setitem", setitem, setitem_in("int_tensor"), tags=("int_array",))
add("setitem.mask", "setitem", setitem, setitem_in("mask"), tags=("bool_mask",))
add("setitem.broadcast", "setitem", setitem, setitem_in("broadcast"), tags=("broadcast",), **GG)
add("setitem.scalar_mask", "setitem", setitem_scalar, mask_in("full"), tags=("scalar",))
add("setitem.scalar_slice", "setitem", setitem_scalar, simple_index("slice"), tags=("scalar",))
add("setitem.imul_idiom", "setitem", setitem_imul, simple_index("int"), tags=("imul",))


# ---------------------------------------------------------------------------------------
# zero-size tensors, mixed precision, graphs that reuse a tensor
# ---------------------------------------------------------------------------------------


@st.composite
def empty_binary_in(draw):
    """Broadcastable shapes where some side may be 0 (torch broadcasts 0 against 1 and 0)."""
    bs = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=1, max_dims=3, min_side=0, max_side=3
        )
    )
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, bs.input_shapes[0]), values(rng, bs.input_shapes[1])


@st.composite
def empty_matmul_in(draw):
    m_, k, n = (draw(st.integers(0, 3)) for _ in range(3))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, (m_, k)), values(rng, (k, n))


# (torch's gradcheck rejects zero-size inputs, hence gradcheck=False)
NOGC = dict(gradcheck=False)
add("empty.mul", "empty", lambda m, x, y: x * y, empty_binary_in(), tags=("binary",), **NOGC)
add(
    "empty.exp",
    "empty",
    lambda m, x: x.exp(),
    unary_in(min_side=0, min_dims=1),
    tags=("unary",),
    **NOGC,
)
add(
    "empty.sum_dim",
    "empty",
    lambda m, x, d, k: x.sum(dim=d, keepdim=k),
    reduce_in(kind="tuple", min_side=0, max_side=3),
    tags=("reduce",),
    **NOGC,
)
add(
    "empty.matmul",
    "empty",
    lambda m, x, y: x @ y,
    empty_matmul_in(),
    tags=("matmul",),
    gradgrad=True,
    **NOGC,
)
add(
    "empty.cat",
    "empty",
    lambda m, x, y: m.cat([x, y], dim=0),
    st.tuples(st.integers(0, 3), st.integers(0, 2), SEEDS).map(
        lambda t: (
            values(np.random.default_rng(t[2]), (0, 3)),
            values(np.random.default_rng(t[2]), (t[0], 3)),
        )
    ),
    tags=("cat",),
    **NOGC,
)

# float32 -> float64 -> float32 round trips: every gradient must have its input's dtype
add(
    "mixed.mul_double",
    "mixed_precision",
    lambda m, x, y: x * y.double(),
    binary_in(),
    tags=("double",),
    gradgrad=True,
)
add(
    "mixed.to_float64",
    "mixed_precision",
    lambda m, x, y: (x.to(m.float64) + y).exp().float(),
    binary_in(),
    tags=("to",),
    gradcheck=False,
)  # float32 output: too coarse for finite differences
add(
    "mixed.float64_1d_promotes",
    "mixed_precision",
    lambda m, x, y: x + m.tensor([0.5, 1.5, 2.5], dtype=m.float64) * y,
    binary_in().map(lambda t: (np.resize(t[0], (2, 3)), np.resize(t[1], (3,)))),
    tags=("promote",),
)

add("graph.diamond", "graph", lambda m, x: _diamond(x), unary_in(), tags=("reuse",), gradgrad=True)
add(
    "graph.shared_inputs",
    "graph",
    lambda m, x, y: x * x + x / (y * y + 1.0) - (y * x).sum(),
    binary_in(),
    tags=("reuse",),
    gradgrad=True,
)
# detach() is not a function of x for finite differences: no gradcheck
add(
    "graph.detach",
    "graph",
    lambda m, x: x * x.detach() + x.exp().detach(),
    unary_in(),
    tags=("detach",),
    gradcheck=False,
)


def _diamond(x):
    y = x.exp()
    z = y * y + y.sum()
    return z / (1.0 + y)


# ---------------------------------------------------------------------------------------
# torch's conventions at kinks and ties (exact zeros, equal values, values at clamp bounds):
# deterministic in torch, so forward AND backward are compared; not differentiable in the
# finite-difference sense, hence no gradcheck. The "ties" domain holds integers in [-2, 2].
# ---------------------------------------------------------------------------------------

KINK = dict(gradcheck=False)
add("kink.abs_at_zero", "kink", lambda m, x: x.abs(), unary_in("ties"), tags=("abs",), **KINK)
add("kink.relu_at_zero", "kink", lambda m, x: m.relu(x), unary_in("ties"), tags=("relu",), **KINK)
add(
    "kink.clamp_at_bounds",
    "kink",
    lambda m, x: x.clamp(-1.0, 1.0),
    unary_in("ties"),
    tags=("clamp",),
    **KINK,
)
add(
    "kink.clamp_min_at_bound",
    "kink",
    lambda m, x: x.clamp(min=0.0),
    unary_in("ties"),
    tags=("clamp",),
    **KINK,
)
add(
    "kink.clamp_tensor_at_bounds",
    "kink",
    lambda m, x, lo: x.clamp(min=lo, max=lo + 1.0),
    binary_in("ties", "ties"),
    tags=("clamp",),
    **KINK,
)
add(
    "kink.maximum_ties",
    "kink",
    lambda m, x, y: m.maximum(x, y),
    binary_in("ties", "ties"),
    tags=("maximum",),
    **KINK,
)
add(
    "kink.minimum_ties",
    "kink",
    lambda m, x, y: m.minimum(x, y),
    binary_in("ties", "ties"),
    tags=("minimum",),
    **KINK,
)
add("kink.max_all_ties", "kink", lambda m, x: x.max(), unary_in("ties"), tags=("max",), **KINK)
add("kink.min_all_ties", "kink", lambda m, x: m.min(x), unary_in("ties"), tags=("min",), **KINK)
add(
    "kink.max_dim_ties",
    "kink",
    lambda m, x, d, k: x.max(dim=d, keepdim=k),
    reduce_in("ties", kind="int"),
    tags=("max",),
    **KINK,
)
add(
    "kink.min_dim_ties",
    "kink",
    lambda m, x, d, k: x.min(d, k),
    reduce_in("ties", kind="int"),
    tags=("min",),
    **KINK,
)
add(
    "kink.amax_ties",
    "kink",
    lambda m, x, d, k: x.amax(dim=d, keepdim=k),
    reduce_in("ties", kind="tuple"),
    tags=("amax",),
    **KINK,
)
add(
    "kink.amin_ties",
    "kink",
    lambda m, x, d, k: m.amin(x, d, k),
    reduce_in("ties", kind="int"),
    tags=("amin",),
    **KINK,
)
add(
    "kink.argmax_ties",
    "kink",
    lambda m, x, d, k: x.argmax(dim=d, keepdim=k),
    reduce_in("ties", kind="int"),
    tags=("argmax",),
    differentiable=False,
    dtypes=NONDIFF_ALL,
)
add(
    "kink.argmin_ties_all",
    "kink",
    lambda m, x: x.argmin(),
    unary_in("ties"),
    tags=("argmin",),
    differentiable=False,
    dtypes=NONDIFF_ALL,
)
add(
    "kink.sqrt_at_zero",
    "kink",
    lambda m, x: x.abs().sqrt(),
    unary_in("ties"),
    tags=("sqrt",),
    **KINK,
)
add(
    "kink.norm2_zero_rows",
    "kink",
    lambda m, x, d, k: x.relu().norm(dim=d, keepdim=k),
    reduce_in("ties", kind="int"),
    tags=("norm",),
    **KINK,
)
add("kink.norm2_zero", "kink", lambda m, x: (x * 0.0).norm(), unary_in(), tags=("norm",), **KINK)
add("kink.norm1_zeros", "kink", lambda m, x: x.norm(p=1), unary_in("ties"), tags=("norm",), **KINK)
add(
    "kink.norminf_ties",
    "kink",
    lambda m, x: x.norm(p=float("inf")),
    unary_in("ties"),
    tags=("norm",),
    **KINK,
)
add(
    "kink.std_constant",
    "kink",
    lambda m, x: (x * 0.0 + 1.0).std(),
    unary_in(min_dims=1, min_side=2),
    tags=("std",),
    **KINK,
)
add(
    "kink.pow_zero_base",
    "kink",
    lambda m, x, y: x.relu() ** y.abs(),
    binary_in("ties", "ties"),
    tags=("pow",),
    **KINK,
)

# ---------------------------------------------------------------------------------------
# IEEE special values (nan, +-inf, +-0, huge, tiny): forward values only
# ---------------------------------------------------------------------------------------

FWD = dict(backward=False, gradcheck=False)
for _name in (
    "exp",
    "log",
    "log1p",
    "expm1",
    "sqrt",
    "rsqrt",
    "sin",
    "tanh",
    "sigmoid",
    "abs",
    "relu",
):
    add(
        f"special.{_name}",
        "special",
        lambda m, x, f=_name: getattr(m, f)(x),
        unary_in("special"),
        tags=(_name,),
        **FWD,
    )
add(
    "special.softplus",
    "special",
    lambda m, x: nnf(m, "softplus")(x),
    unary_in("special"),
    tags=("softplus",),
    **FWD,
)
add(
    "special.clamp",
    "special",
    lambda m, x: x.clamp(-1.0, 1.0),
    unary_in("special"),
    tags=("clamp",),
    **FWD,
)
add(
    "special.pow",
    "special",
    lambda m, x, y: x**y,
    binary_in("special", "special"),
    tags=("pow",),
    **FWD,
)
for _name, _f in (
    ("add", lambda a, b: a + b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
):
    add(
        f"special.{_name}",
        "special",
        lambda m, x, y, f=_f: f(x, y),
        binary_in("special", "special"),
        tags=(_name,),
        **FWD,
    )
for _name in ("maximum", "minimum"):
    add(
        f"special.{_name}",
        "special",
        lambda m, x, y, f=_name: getattr(m, f)(x, y),
        binary_in("special", "special"),
        tags=(_name,),
        **FWD,
    )
for _name in ("eq", "lt", "ge"):
    add(
        f"special.{_name}",
        "special",
        lambda m, x, y, f=_name: getattr(m, f)(x, y),
        binary_in("special", "special"),
        tags=(_name,),
        differentiable=False,
        backward=False,
    )
for _name in ("sum", "mean", "prod", "amax", "logsumexp", "softmax", "log_softmax"):
    add(
        f"special.{_name}",
        "special",
        lambda m, x, d, k, f=_name: _reduce_call(m, f, x, d, k),
        reduce_in("special", kind="int"),
        tags=(_name,),
        **FWD,
    )
add(
    "special.max_all",
    "special",
    lambda m, x: x.max(),
    unary_in("special", min_dims=1),
    tags=("max",),
    **FWD,
)
add(
    "special.max_dim",
    "special",
    lambda m, x, d, k: x.max(d, keepdim=k),
    reduce_in("special", kind="int"),
    tags=("max",),
    **FWD,
)
add(
    "special.argmax",
    "special",
    lambda m, x, d, k: x.argmax(d, keepdim=k),
    reduce_in("special", kind="int"),
    tags=("argmax",),
    differentiable=False,
    backward=False,
)
add(
    "special.norm",
    "special",
    lambda m, x, d, k: x.norm(dim=d, keepdim=k),
    reduce_in("special", kind="int"),
    tags=("norm",),
    **FWD,
)
add(
    "special.int_div_by_zero",
    "special",
    lambda m, x, y: x / (y * 0),
    binary_in("ties", "ties"),
    dtypes=("int64",),
    differentiable=False,
    backward=False,
    tags=("div",),
)


def _reduce_call(m, f, x, d, k):
    if f in ("softmax", "log_softmax"):
        return getattr(x, f)(d)
    if f == "prod":
        return x.prod(d, keepdim=k)
    return getattr(x, f)(d, keepdim=k)


# ---------------------------------------------------------------------------------------
# hand-picked cases: fixed input arrays (``fixed``), each compared on exactly these values,
# with the tolerance it was written for where that is tighter than TOL. Families: the
# further maths functions, scatter / index_add / masked_fill_, tril / diag / trace /
# cumprod / addmm / einsum, the queries (nonzero, unique, meshgrid, var_mean), sorting,
# rounding, cumsum and all / any / isclose.
# ---------------------------------------------------------------------------------------


def fixed(*items):
    """A strategy that always draws these items: one hand-picked case."""
    return st.just(tuple(items))


def fixed_values(rng, shape, domain):
    """Values for the hand-picked cases, drawn from ``rng`` in the order of the calls."""
    if domain == "real":
        return rng.standard_normal(shape) * 2
    if domain == "pos":
        return rng.uniform(0.2, 3.0, shape)
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "nonzero":
        return rng.uniform(0.3, 2.0, shape) * rng.choice([-1, 1], shape)
    raise ValueError(domain)


def _rng(seed):
    return np.random.default_rng(seed)


def _returns_self(op, call):
    """``call(y)`` on ``y = x * 1`` (a non-leaf) must return ``y`` itself."""

    def f(m, x, *rest):
        y = x * 1
        r = call(m, y, *rest)
        _ret_self(r, y, op)
        return r

    return f


def _plain_returns_self(op, call):
    """``call(x)`` on a tensor that requires no grad must return ``x`` itself."""

    def f(m, x, *rest):
        r = call(m, x, *rest)
        _ret_self(r, x, op)
        return r

    return f


# rtol 1e-10 / 1e-5 as TOL, but atol 1e-6 in float32 (these fixed cases sum at most a few
# terms); a float result from int64 inputs is held to the float64 tolerance
FIXED_TOL = {"float64": (1e-10, 1e-12), "float32": (1e-5, 1e-6), "int64": (1e-10, 1e-12)}
TIGHT = {"float64": (1e-12, 1e-12)}  # sorting, rounding, cumsum: exact in both libraries
QUERY = {"float64": (1e-12, 0.0)}  # nonzero, unique, meshgrid, var_mean
EXACT = {"float64": (0.0, 0.0)}
FX = dict(tol=FIXED_TOL)
NOGRAD = dict(grad=(), differentiable=False)

_MATH_UNARY = [  # name, domain
    ("reciprocal", "nonzero"),
    ("log2", "pos"),
    ("log10", "pos"),
    ("exp2", "real"),
    ("sinh", "real"),
    ("cosh", "real"),
    ("asin", "unit"),
    ("acos", "unit"),
    ("erfinv", "unit"),
    ("atan", "real"),
    ("erfc", "real"),
    ("arcsin", "unit"),
    ("arccos", "unit"),
    ("arctan", "real"),
]
for _name, _dom in _MATH_UNARY:
    _a = fixed_values(_rng(len(_name)), (3, 4), _dom)
    add(
        f"{_name}.function",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x),
        fixed(_a),
        tags=("function",),
        gradgrad=True,
        **FX,
    )
    add(
        f"{_name}.method",
        _name,
        lambda m, x, f=_name: getattr(x, f)(),
        fixed(_a),
        tags=("method",),
        **FX,
    )
for _name in ("reciprocal", "log2", "exp2", "sinh", "atan"):  # int64 in, default float out
    add(
        f"{_name}.int64",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x),
        fixed(np.array([1, 2, 3])),
        dtypes=("int64",),
        tags=("int",),
        **NOGRAD,
        **FX,
    )

_MATH_BINARY = [  # name, domain of a, domain of b, smooth
    ("atan2", "real", "nonzero", True),
    ("hypot", "nonzero", "nonzero", True),
    ("logaddexp", "real", "real", True),
    ("remainder", "real", "nonzero", False),
    ("fmod", "real", "nonzero", False),
    ("arctan2", "real", "nonzero", True),
]
for _name, _da, _db, _smooth in _MATH_BINARY:
    _r = _rng(len(_name) + 1)
    _a, _b = fixed_values(_r, (3, 4), _da), fixed_values(_r, (4,), _db)
    add(
        f"{_name}.function",
        _name,
        lambda m, x, y, f=_name: getattr(m, f)(x, y),
        fixed(_a, _b),
        tags=("function",),
        gradgrad=_smooth,
        **FX,
    )
    add(
        f"{_name}.method",
        _name,
        lambda m, x, y, f=_name: getattr(x, f)(y),
        fixed(_a, _b),
        tags=("method",),
        **FX,
    )
for _name in ("remainder", "fmod"):  # torch takes a Python number only for these
    _r = _rng(len(_name) + 1)
    _a = fixed_values(_r, (3, 4), "real")
    for _label, _s in (("scalar", 1.3), ("negative_scalar", -0.7)):
        add(
            f"{_name}.{_label}",
            _name,
            lambda m, x, f=_name, s=_s: getattr(m, f)(x, s),
            fixed(_a),
            tags=("scalar",),
            **FX,
        )
    add(
        f"{_name}.int64",
        _name,
        lambda m, x, y, f=_name: getattr(m, f)(x, y),
        fixed(np.array([-7, -3, 0, 5, 9]), np.array([2, -4, 3, 3, -2])),
        dtypes=("int64",),
        tags=("int",),
        **NOGRAD,
        **FX,
    )
add(
    "logaddexp.large",
    "logaddexp",
    lambda m, x, y: m.logaddexp(x, y),
    fixed(np.array([1000.0, -1000.0, 5.0]), np.array([999.0, -1001.0, 5.0])),
    dtypes=("float64",),
    tags=("large",),
    gradgrad=True,
    **FX,
)

# x % y is remainder
_r = _rng(21)
_a, _b = _r.standard_normal((3, 4)) * 3, fixed_values(_r, (4,), "nonzero")
add(
    "remainder.operator",
    "remainder",
    lambda m, x, y: x % y,
    fixed(_a, _b),
    dtypes=("float64",),
    tags=("operator",),
    **FX,
)
add(
    "remainder.operator_scalar",
    "remainder",
    lambda m, x: x % 0.7,
    fixed(_a),
    dtypes=("float64",),
    tags=("operator",),
    **FX,
)
add(
    "remainder.rscalar",
    "remainder",
    lambda m, x: 2.5 % x,
    fixed(_b),
    dtypes=("float64",),
    tags=("rscalar",),
    **NOGRAD,
    **FX,
)  # torch has no derivative here
add(
    "remainder.operator_int64",
    "remainder",
    lambda m, x, y: x % y,
    fixed(np.array([-7, 5, 9]), np.array([2, -3, 4])),
    dtypes=("int64",),
    tags=("int",),
    **NOGRAD,
    **FX,
)

# clamp_min / clamp_max
_a = _rng(3).standard_normal((4, 5))
_lo = _rng(4).standard_normal(5)
add(
    "clamp_min.scalar",
    "clamp_min",
    lambda m, x: m.clamp_min(x, 0.1),
    fixed(_a),
    tags=("function",),
    **FX,
)
add(
    "clamp_max.scalar",
    "clamp_max",
    lambda m, x: m.clamp_max(x, -0.2),
    fixed(_a),
    tags=("function",),
    **FX,
)
add(
    "clamp_min.method_chain",
    "clamp_min",
    lambda m, x: x.clamp_min(-0.5).clamp_max(0.5),
    fixed(_a),
    tags=("method",),
    **FX,
)
add(
    "clamp_min.tensor",
    "clamp_min",
    lambda m, x, y: m.clamp_min(x, y),
    fixed(_a, _lo),
    tags=("tensor",),
    **FX,
)
add(
    "clamp_max.tensor",
    "clamp_max",
    lambda m, x, y: m.clamp_max(x, y),
    fixed(_a, _lo),
    tags=("tensor",),
    **FX,
)
for _name in ("clamp_min", "clamp_max"):  # an integer tensor with a float bound: default float
    for _bound in (2, 2.5):
        add(
            f"{_name}.int64_bound_{_bound}",
            _name,
            lambda m, x, f=_name, b=_bound: getattr(m, f)(x, b),
            fixed(np.array([1, 2, 3])),
            dtypes=("int64",),
            tags=("int",),
            **NOGRAD,
            **FX,
        )

# lerp
_r = _rng(5)
_a, _b, _w = _r.standard_normal((3, 4)), _r.standard_normal((4,)), _r.uniform(0, 1, (3, 1))
add(
    "lerp.scalar_weight",
    "lerp",
    lambda m, x, y: m.lerp(x, y, 0.3),
    fixed(_a, _b),
    tags=("function",),
    gradgrad=True,
    **FX,
)
add(
    "lerp.tensor_weight",
    "lerp",
    lambda m, x, y, z: m.lerp(x, y, z),
    fixed(_a, _b, _w),
    tags=("function",),
    gradgrad=True,
    **FX,
)
add(
    "lerp.method",
    "lerp",
    lambda m, x, y, z: x.lerp(y, z),
    fixed(_a, _b, _w),
    tags=("method",),
    **FX,
)

# in-place maths: on a non-leaf (gradients), and on a tensor without grad (values to 1e-12)
_a = _rng(6).standard_normal((3, 4))
for _name, _args in (
    ("abs_", ()),
    ("sigmoid_", ()),
    ("tanh_", ()),
    ("clamp_min_", (0.1,)),
    ("clamp_max_", (-0.1,)),
):
    _call = lambda m, y, f=_name, a=_args: getattr(y, f)(*a)  # noqa: E731
    add(
        f"{_name}.nonleaf",
        _name,
        _returns_self(_name, _call),
        fixed(_a),
        dtypes=("float64",),
        tags=("method",),
        **FX,
    )
    add(
        f"{_name}.no_grad",
        _name,
        _plain_returns_self(_name, _call),
        fixed(_a),
        dtypes=("float64",),
        tags=("plain",),
        tol={"float64": (1e-12, 0.0)},
        **NOGRAD,
    )

# scatter_add / scatter / index_add / masked_fill_
_IDX = np.array([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]])
_r = _rng(8)
_a, _s = _r.standard_normal((3, 5)), _r.standard_normal((2, 5))
_big = _r.standard_normal((3, 6))  # src may be larger than index: only a block is read
add(
    "scatter_add.function",
    "scatter_add",
    lambda m, x, y: m.scatter_add(x, 0, m.tensor(_IDX), y),
    fixed(_a, _s),
    tags=("function",),
    gradgrad=True,
    **FX,
)
add(
    "scatter_add_.nonleaf",
    "scatter_add_",
    _returns_self("scatter_add_", lambda m, y, z: y.scatter_add_(1, m.tensor(_IDX[:, :3] % 3), z)),
    fixed(_a, _s[:, :3]),
    tags=("method",),
    **FX,
)
add(
    "scatter_add.larger_src",
    "scatter_add",
    lambda m, x, y: x.scatter_add(0, m.tensor(_IDX), y),
    fixed(_a, _big),
    tags=("method",),
    **NOGRAD,
    **FX,
)

_r = _rng(9)
_a, _s = _r.standard_normal((3, 5)), _r.standard_normal((2, 5))
_SIDX = np.array([[0, 1, 2, 0, 1], [2, 0, 1, 1, 2]])  # no repeats within a column
add(
    "scatter.function",
    "scatter",
    lambda m, x, y: m.scatter(x, 0, m.tensor(_SIDX), y),
    fixed(_a, _s),
    tags=("function",),
    gradgrad=True,
    **FX,
)
add(
    "scatter_.nonleaf",
    "scatter_",
    _returns_self("scatter_", lambda m, y, z: y.scatter_(0, m.tensor(_SIDX), z)),
    fixed(_a, _s),
    tags=("method",),
    **FX,
)
add(
    "scatter.value_method",
    "scatter",
    lambda m, x: x.scatter(0, m.tensor(_SIDX), 2.5),
    fixed(_a),
    tags=("value",),
    **FX,
)
add(
    "scatter.value_keyword",
    "scatter",
    lambda m, x: m.scatter(x, 1, m.tensor(_SIDX[:, :2]), value=-1.0),
    fixed(_a),
    tags=("value",),
    **FX,
)
add(
    "scatter_.value",
    "scatter_",
    _returns_self("scatter_", lambda m, y: y.scatter_(1, m.tensor(_SIDX[:, :2]), 7.0)),
    fixed(_a),
    tags=("value",),
    **FX,
)

_IIDX = np.array([0, 2, 0])
for _dim, _alpha in ((0, 1), (1, 2.5), (-1, -1)):
    _r = _rng(10)
    _a = _r.standard_normal((3, 4))
    _s = _r.standard_normal((3, 4) if _dim == 0 else (3, 3))
    add(
        f"index_add.dim{_dim}_alpha{_alpha}",
        "index_add",
        lambda m, x, y, d=_dim, al=_alpha: m.index_add(x, d, m.tensor(_IIDX), y, alpha=al),
        fixed(_a, _s),
        tags=("function",),
        gradgrad=True,
        **FX,
    )
    add(
        f"index_add_.dim{_dim}_alpha{_alpha}",
        "index_add_",
        _returns_self(
            "index_add_",
            lambda m, y, z, d=_dim, al=_alpha: y.index_add_(d, m.tensor(_IIDX), z, alpha=al),
        ),
        fixed(_a, _s),
        tags=("method",),
        **FX,
    )

_a = _rng(11).standard_normal((3, 4))
_MASK = _a > 0.3
add(
    "masked_fill_.nonleaf",
    "masked_fill_",
    _returns_self("masked_fill_", lambda m, y: y.masked_fill_(m.tensor(_MASK), -2.0)),
    fixed(_a),
    dtypes=("float64",),
    tags=("method",),
    **FX,
)
add(
    "masked_fill_.no_grad",
    "masked_fill_",
    _plain_returns_self("masked_fill_", lambda m, x: x.masked_fill_(m.tensor(_MASK), 0.0)),
    fixed(_a),
    dtypes=("float64",),
    tags=("plain",),
    tol=EXACT,
    **NOGRAD,
)

# tril / triu / diag / trace / cumprod / addmm / einsum
_a = _rng(12).standard_normal((2, 3, 4))
for _name in ("tril", "triu"):
    for _k in (0, 1, -2):
        add(
            f"{_name}.function_k{_k}",
            _name,
            lambda m, x, f=_name, k=_k: getattr(m, f)(x, k),
            fixed(_a),
            tags=("function",),
            gradgrad=True,
            **FX,
        )
        add(
            f"{_name}.method_k{_k}",
            _name,
            lambda m, x, f=_name, k=_k: getattr(x, f)(diagonal=k),
            fixed(_a),
            tags=("method",),
            **FX,
        )
        add(
            f"{_name}_.k{_k}",
            f"{_name}_",
            _returns_self(f"{_name}_", lambda m, y, f=_name, k=_k: getattr(y, f + "_")(k)),
            fixed(_a),
            tags=("method",),
            **FX,
        )

for _k in (0, 1, -1, 2):
    _r = _rng(13)
    _v, _mat, _mat2 = _r.standard_normal(3), _r.standard_normal((3, 5)), _r.standard_normal((4, 2))
    add(
        f"diag.vector_k{_k}",
        "diag",
        lambda m, x, k=_k: m.diag(x, k),
        fixed(_v),
        tags=("vector",),
        gradgrad=True,
        **FX,
    )
    add(
        f"diag.matrix_k{_k}",
        "diag",
        lambda m, x, k=_k: m.diag(x, k),
        fixed(_mat),
        tags=("matrix",),
        gradgrad=True,
        **FX,
    )
    add(
        f"diag.method_k{_k}",
        "diag",
        lambda m, x, k=_k: x.diag(k),
        fixed(_mat2),
        tags=("method",),
        **FX,
    )

_r = _rng(14)
_a, _b = _r.standard_normal((3, 5)), _r.standard_normal((4, 2))
add(
    "trace.function",
    "trace",
    lambda m, x: m.trace(x),
    fixed(_a),
    tags=("function",),
    gradgrad=True,
    **FX,
)
add("trace.method", "trace", lambda m, x: x.trace(), fixed(_b), tags=("method",), **FX)
add(
    "trace.int64",
    "trace",
    lambda m, x: m.trace(x),
    fixed(np.arange(9).reshape(3, 3)),
    dtypes=("int64",),
    tags=("int",),
    **NOGRAD,
    **FX,
)

_a = fixed_values(_rng(15), (3, 4), "nonzero")
_z = fixed_values(_rng(20), (4, 5), "nonzero")
_z[1, 2] = _z[2, 3] = _z[3, 0] = _z[0, 4] = 0.0
_z[2, 0] = 0.0  # two zeros in one row and in one column
for _dim in (0, 1, -1):
    add(
        f"cumprod.function_dim{_dim}",
        "cumprod",
        lambda m, x, d=_dim: m.cumprod(x, d),
        fixed(_a),
        tags=("function",),
        gradgrad=True,
        **FX,
    )
    add(
        f"cumprod.method_dim{_dim}",
        "cumprod",
        lambda m, x, d=_dim: x.cumprod(dim=d),
        fixed(_a),
        tags=("method",),
        **FX,
    )
    add(
        f"cumprod.zeros_dim{_dim}",
        "cumprod",
        lambda m, x, d=_dim: m.cumprod(x, d),
        fixed(_z),
        tags=("zeros",),
        gradgrad=True,
        **FX,
    )
    add(
        f"cumprod.zeros_sin_dim{_dim}",
        "cumprod",
        lambda m, x, d=_dim: x.cumprod(d).sin(),
        fixed(_z),
        tags=("zeros",),
        gradgrad=True,
        **FX,
    )
add(
    "cumprod.int64",
    "cumprod",
    lambda m, x: m.cumprod(x, 0),
    fixed(np.array([1, 2, 3, -4])),
    dtypes=("int64",),
    tags=("int",),
    **NOGRAD,
    **FX,
)

for _cshape in ((3, 5), (5,), (1, 5), (3, 1), ()):
    _r = _rng(16)
    _c, _a, _b = _r.standard_normal(_cshape), _r.standard_normal((3, 4)), _r.standard_normal((4, 5))
    _label = "x".join(map(str, _cshape)) or "scalar"
    add(
        f"addmm.function_{_label}",
        "addmm",
        lambda m, x, y, z: m.addmm(x, y, z),
        fixed(_c, _a, _b),
        tags=("function",),
        gradgrad=True,
        **FX,
    )
    add(
        f"addmm.method_beta_alpha_{_label}",
        "addmm",
        lambda m, x, y, z: x.addmm(y, z, beta=0.5, alpha=-2.0),
        fixed(_c, _a, _b),
        tags=("method",),
        gradgrad=True,
        **FX,
    )

_EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij->ji", [(3, 4)]),
    ("ij->i", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,kl->", [(2, 3), (4, 5)]),
    ("ik,jk", [(3, 4), (2, 4)]),
    ("i,i", [(4,), (4,)]),
    ("abc,cd,a->bd", [(2, 3, 4), (4, 5), (2,)]),
]
for _eq, _shapes in _EINSUMS:
    _r = _rng(len(_eq))
    add(
        f"einsum.{_eq}",
        "einsum",
        lambda m, *xs, eq=_eq: m.einsum(eq, *xs),
        fixed(*[_r.standard_normal(s) for s in _shapes]),
        tags=("function",),
        gradgrad=True,
        **FX,
    )
_r = _rng(17)
add(
    "einsum.list_form",
    "einsum",
    lambda m, x, y: m.einsum("ij,jk->ik", [x, y]),
    fixed(_r.standard_normal((2, 3)), _r.standard_normal((3, 2))),
    dtypes=("float64",),
    tags=("list",),
    **FX,
)

# queries: nonzero / count_nonzero / unique / meshgrid / var_mean / std_mean
_Q = np.array([[0.0, 1.5, 0.0, -2.0], [3.0, 0.0, 0.0, 1.5], [0.0, 1.5, 0.0, 0.0]])


def _nonzero_forms(m, x):
    as_tuple = m.nonzero(x, as_tuple=True)
    assert isinstance(as_tuple, tuple), f"nonzero(as_tuple=True) gave {type(as_tuple)}"
    outs = [m.nonzero(x), x.nonzero(), as_tuple, m.count_nonzero(x)]
    if x.dim() == 2:
        outs += [m.count_nonzero(x, dim=d) for d in (0, 1, -1, (0, 1))]
        outs.append(x.count_nonzero(1))
    return outs


for _label, _data in (
    ("float", _Q),
    ("int64", _Q.astype(np.int64)),
    ("vector", _Q[0]),
    ("scalar", np.array(2.0)),
    ("bool", _Q > 0),
):
    add(
        f"nonzero.{_label}",
        "nonzero",
        _nonzero_forms,
        fixed(_data),
        dtypes=("float64",),
        tags=(_label,),
        tol=QUERY,
        **NOGRAD,
    )


def _unique_forms(m, x, inverse, counts):
    kw = dict(return_inverse=inverse, return_counts=counts)
    outs = [m.unique(x, **kw), x.unique(sorted=True, **kw)]
    for o in outs:  # a tuple exactly when something besides the values is asked for
        assert isinstance(o, tuple) == (inverse or counts), f"unique({kw}) gave {type(o)}"
    return outs


for _label, _data in (
    ("float", _Q),
    ("int64", _Q.astype(np.int64)),
    ("repeats", np.array([3, 1, 3, 2, 1, 1])),
):
    for _inv in (False, True):
        for _cnt in (False, True):
            add(
                f"unique.{_label}_inverse{_inv}_counts{_cnt}",
                "unique",
                lambda m, x, i=_inv, c=_cnt: _unique_forms(m, x, i, c),
                fixed(_data),
                dtypes=("float64",),
                tags=(_label,),
                tol=QUERY,
                **NOGRAD,
            )
add(
    "unique.dim",
    "unique",
    lambda m, x: m.unique(x, dim=0, return_inverse=True, return_counts=True),
    fixed(np.array([[1, 2], [3, 4], [1, 2], [0, 9]])),
    dtypes=("float64",),
    tags=("dim",),
    tol=QUERY,
    **NOGRAD,
)

for _indexing in ("ij", "xy"):
    for _sizes in ((2, 3), (2, 3, 4), (3,)):
        _r = _rng(18)
        _arrays = [_r.standard_normal(n) for n in _sizes]
        _label = f"{_indexing}_{'x'.join(map(str, _sizes))}"
        add(
            f"meshgrid.{_label}",
            "meshgrid",
            lambda m, *xs, ix=_indexing: m.meshgrid(*xs, indexing=ix),
            fixed(*_arrays),
            dtypes=("float64",),
            tags=("varargs",),
            tol=QUERY,
        )
        add(
            f"meshgrid.list_{_label}",
            "meshgrid",
            lambda m, *xs, ix=_indexing: m.meshgrid(list(xs), indexing=ix),
            fixed(*_arrays),
            dtypes=("float64",),
            tags=("list",),
            tol=QUERY,
            **NOGRAD,
        )

_a = _rng(19).standard_normal((3, 4))
for _name in ("var_mean", "std_mean"):
    for _label, _kw in (
        ("all", {}),
        ("dim0", dict(dim=0)),
        ("dim1_keepdim", dict(dim=1, keepdim=True)),
        ("dims_correction0", dict(dim=(0, 1), correction=0)),
        ("unbiased_false", dict(unbiased=False)),
    ):
        add(
            f"{_name}.{_label}",
            _name,
            lambda m, x, f=_name, kw=_kw: getattr(m, f)(x, **kw),
            fixed(_a),
            dtypes=("float64",),
            tags=(_label,),
            tol=QUERY,
        )

# sorting, rounding, cumsum, all / any / isclose (float64, exact to 1e-12)
_X = _rng(7).standard_normal((3, 5))
_T = dict(dtypes=("float64",), tol=TIGHT)
for _dim in (0, 1, -1):
    for _desc in (False, True):
        add(
            f"sort.dim{_dim}_descending{_desc}",
            "sort",
            lambda m, x, d=_dim, de=_desc: m.sort(x, dim=d, descending=de),
            fixed(_X),
            tags=("function",),
            **_T,
        )
        add(
            f"argsort.dim{_dim}_descending{_desc}",
            "argsort",
            lambda m, x, d=_dim, de=_desc: x.argsort(dim=d, descending=de) * 1.0 + x.sum() * 0,
            fixed(_X),
            tags=("method",),
            **_T,
        )
for _largest in (True, False):
    add(
        f"topk.method_largest{_largest}",
        "topk",
        lambda m, x, la=_largest: x.topk(2, dim=1, largest=la),
        fixed(_X),
        tags=("method",),
        **_T,
    )
    add(
        f"topk.function_largest{_largest}",
        "topk",
        lambda m, x, la=_largest: m.topk(x, 3, dim=0, largest=la),
        fixed(_X),
        tags=("function",),
        **_T,
    )
for _name in ("floor", "ceil", "round", "trunc"):  # zero gradient
    add(
        f"{_name}.zero_gradient",
        _name,
        lambda m, x, f=_name: getattr(m, f)(x * 3) + x,
        fixed(_X),
        tags=("function",),
        **_T,
    )
_HALVES = np.array([0.5, 1.5, 2.5, -0.5, 1.2345])  # on the steps: no finite differences
add(
    "round.half_to_even",
    "round",
    lambda m, x: m.round(x),
    fixed(_HALVES),
    tags=("half",),
    gradcheck=False,
    **_T,
)
add(
    "round.decimals",
    "round",
    lambda m, x: m.round(x, decimals=2),
    fixed(_HALVES),
    tags=("decimals",),
    gradcheck=False,
    **_T,
)
for _dim in (0, 1):
    add(
        f"cumsum.function_dim{_dim}",
        "cumsum",
        lambda m, x, d=_dim: m.cumsum(x, d),
        fixed(_X),
        tags=("function",),
        **_T,
    )
    add(
        f"cumsum.method_squared_dim{_dim}",
        "cumsum",
        lambda m, x, d=_dim: x.cumsum(dim=d) ** 2,
        fixed(_X),
        tags=("method",),
        gradgrad=True,
        **_T,
    )
add(
    "cumsum.bool",
    "cumsum",
    lambda m, x: m.cumsum(x, 0),
    fixed(np.array([True, False, True])),
    dtypes=("int64",),
    tags=("int",),
    **NOGRAD,
)
add(
    "cumsum.int64",
    "cumsum",
    lambda m, x: m.cumsum(x, 0),
    fixed(np.array([1, 2, 3])),
    dtypes=("int64",),
    tags=("int",),
    **NOGRAD,
)
for _name in ("all", "any"):
    for _label, _kw in (
        ("all_dims", {}),
        ("dim0", {"dim": 0}),
        ("dim1_keepdim", {"dim": 1, "keepdim": True}),
    ):
        add(
            f"{_name}.{_label}",
            _name,
            lambda m, x, f=_name, kw=_kw: getattr(x, f)(**kw),
            fixed(np.array([[1.0, 0.0], [2.0, 3.0]])),
            dtypes=("float64",),
            tags=("method",),
            **NOGRAD,
        )
add(
    "isclose.rtol",
    "isclose",
    lambda m, x, y: m.isclose(x, y, rtol=1e-3),
    fixed(np.array([1.0, 1.0001, 2.0]), np.array([1.0, 1.0, 2.1])),
    dtypes=("float64",),
    tags=("function",),
    **NOGRAD,
)


# ---------------------------------------------------------------------------------------
# rows reached by nothing above (tests/ops/rows.py): erf, sign, second orders of relu,
# gather and indexing, random ops' zero gradient, and the nn.functional rows (linear,
# convolution, pooling, padding, resampling, recurrent layers)
# ---------------------------------------------------------------------------------------


def seeded(*shapes, domain="real"):
    """Arrays of these fixed shapes, with values from a drawn seed."""
    return SEEDS.map(
        lambda s: tuple(values(np.random.default_rng(s), shp, domain) for shp in shapes)
    )


add("erf.function", "erf", lambda m, x: m.erf(x), unary_in(), tags=("function",), **GG)
add("erf.method", "erf", lambda m, x: x.erf(), unary_in(), tags=("method",))
add("sign.function", "sign", lambda m, x: m.sign(x), unary_in("nonzero"), tags=("function",))
add("sign.method", "sign", lambda m, x: x.sign(), unary_in("nonzero"), tags=("method",))
# relu's gradient g·[out > 0] under create_graph: ThresholdBackwardBackward0
add("relu.times_input", "relu", lambda m, x: m.relu(x) * x, unary_in("nonzero"), **GG)
# the gradients of gather and of indexing, differentiated again
add(
    "gather.second_order",
    "gather",
    lambda m, x, d, i: m.gather(x, d, i) ** 2,
    gather_in(),
    tags=("second_order",),
    **GG,
)
add(
    "index.int_tensor_second_order",
    "index",
    lambda m, x, i: x[i] ** 2,
    int_array_index("1d"),
    tags=("second_order",),
    **GG,
)

# Random ops: the sample times zero plus the input is the input in both libraries, and
# the gradient checks PyTorch's rule that no gradient flows through the sample.
add(
    "normal.tensor_mean",
    "normal",
    lambda m, x: m.normal(x, 1.0) * 0.0 + x,
    unary_in(),
    tags=("mean",),
)
add(
    "normal.tensor_std",
    "normal",
    lambda m, s: m.normal(0.0, s) * 0.0 + s,
    unary_in("pos"),
    tags=("std",),
)
add(
    "normal.tensor_mean_std",
    "normal",
    lambda m, x, s: m.normal(x, s) * 0.0 + x * s,
    arrays_in("real", "pos"),
    tags=("mean", "std"),
)
add(
    "bernoulli.tensor",
    "bernoulli",
    lambda m, p: m.bernoulli(p) * 0.0 + p,
    unary_in().map(lambda t: (np.asarray(np.abs(t[0]) / 2.5),)),  # p in [0, 0.8]
    tags=("function",),
)
add(
    "poisson.tensor",
    "poisson",
    lambda m, r: m.poisson(r) * 0.0 + r,
    unary_in("pos"),
    tags=("function",),
)

# linear and convolution (the second orders reach ConvolutionBackwardBackward0)
add(
    "linear.bias",
    "linear",
    lambda m, x, w, b: nnf(m, "linear")(x, w, b),
    seeded((3, 4), (2, 4), (2,)),
    tags=("functional", "bias"),
    **GG,
)
add(
    "conv2d.bias_padding",
    "conv2d",
    lambda m, x, w, b: nnf(m, "conv2d")(x, w, b, padding=1),
    seeded((2, 2, 4, 4), (3, 2, 3, 3), (3,)),
    tags=("bias", "padding"),
    **GG,
)
add(
    "conv2d.no_bias_stride",
    "conv2d",
    lambda m, x, w: nnf(m, "conv2d")(x, w, stride=2),
    seeded((1, 2, 5, 5), (2, 2, 2, 2)),
    tags=("no_bias", "stride"),
    **GG,
)
add(
    "conv1d.bias",
    "conv1d",
    lambda m, x, w, b: nnf(m, "conv1d")(x, w, b, padding=1),
    seeded((2, 2, 5), (3, 2, 3), (3,)),
    tags=("bias",),
    **GG,
)
add(
    "conv_transpose2d.bias_stride",
    "conv_transpose2d",
    lambda m, x, w, b: nnf(m, "conv_transpose2d")(x, w, b, stride=2),
    seeded((1, 2, 3, 3), (2, 3, 2, 2), (3,)),
    tags=("bias", "stride"),
    **GG,
)

# pooling (distinct values: no ties for max pooling)
add(
    "max_pool2d.kernel2",
    "max_pool2d",
    lambda m, x: nnf(m, "max_pool2d")(x, 2),
    seeded((1, 2, 4, 4), domain="distinct"),
    tags=("functional",),
    **GG,
)
add(
    "avg_pool2d.stride_padding",
    "avg_pool2d",
    lambda m, x: nnf(m, "avg_pool2d")(x, 3, stride=2, padding=1),
    seeded((1, 2, 5, 4)),
    tags=("functional",),
    **GG,
)
add(
    "adaptive_avg_pool2d.uneven",
    "adaptive_avg_pool2d",
    lambda m, x: nnf(m, "adaptive_avg_pool2d")(x, (2, 3)),
    seeded((1, 2, 5, 4)),
    tags=("functional",),
    **GG,
)

# padding by reflection and replication, over 1, 2 and 3 trailing dims
for _mode in ("reflect", "replicate"):
    for _shape, _pad in (
        ((1, 2, 5), (2, 1)),
        ((1, 2, 4, 5), (1, 2, 2, 1)),
        ((1, 1, 3, 4, 4), (1, 1, 1, 2, 2, 1)),
    ):
        add(
            f"pad.{_mode}_{len(_pad) // 2}d",
            "pad",
            lambda m, x, md=_mode, p=_pad: nnf(m, "pad")(x, p, mode=md),
            seeded(_shape),
            tags=(_mode,),
            **GG,
        )

# interpolation
for _label, _shape, _kw in (
    ("nearest_1d", (1, 2, 4), dict(size=7, mode="nearest")),
    ("nearest_2d", (1, 2, 3, 4), dict(scale_factor=2, mode="nearest")),
    ("nearest_exact_1d", (1, 2, 5), dict(size=3, mode="nearest-exact")),
    ("nearest_exact_2d", (1, 1, 4, 3), dict(size=(6, 5), mode="nearest-exact")),
    ("linear", (1, 2, 4), dict(size=7, mode="linear", align_corners=False)),
    ("linear_align_corners", (1, 2, 4), dict(size=6, mode="linear", align_corners=True)),
    ("bilinear", (1, 2, 3, 4), dict(size=(5, 6), mode="bilinear", align_corners=False)),
):
    add(
        f"interpolate.{_label}",
        "interpolate",
        lambda m, x, kw=_kw: nnf(m, "interpolate")(x, **kw),
        seeded(_shape),
        tags=(_kw["mode"],),
        **GG,
    )


# recurrent layers: one layer of nn.RNN / LSTM / GRU run with the drawn weights
# (functional_call), sequence first: x (T=3, N=2, I=3), hidden size 2
_RNN_WEIGHTS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def _recurrent(kind, gates, **kw):
    def f(m, x, *state_and_weights):
        layer = getattr(m.nn, kind)(3, 2, **kw)
        n_state = 2 if kind == "LSTM" else 1
        state, weights = state_and_weights[:n_state], state_and_weights[n_state:]
        hx = tuple(state) if kind == "LSTM" else state[0]
        return m.func.functional_call(layer, dict(zip(_RNN_WEIGHTS, weights)), (x, hx))

    n_state = 2 if kind == "LSTM" else 1
    shapes = [(3, 2, 3)] + [(1, 2, 2)] * n_state + [(gates * 2, 3), (gates * 2, 2)]
    return f, seeded(*shapes, (gates * 2,), (gates * 2,))


for _label, _kind, _gates, _kw in (
    ("rnn_tanh", "RNN", 1, {}),
    ("rnn_relu", "RNN", 1, {"nonlinearity": "relu"}),
    ("lstm", "LSTM", 4, {}),
    ("gru", "GRU", 3, {}),
):
    _fn, _inputs = _recurrent(_kind, _gates, **_kw)
    add(f"{_label}.layer", _label, _fn, _inputs, tags=("module",))


# ---------------------------------------------------------------------------------------
# loss rows (one node each, PyTorch's grad_fn names)
# ---------------------------------------------------------------------------------------


@st.composite
def _classes_in(draw, image=False):
    """Log-probabilities' logits (N, C[, H, W]) and int64 class targets."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(SEEDS))
    spatial = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if image else ()
    logits = values(rng, (n, c) + spatial)
    return logits, rng.integers(0, c, (n,) + spatial).astype(np.int64)


@st.composite
def _probability_targets(draw):
    """Inputs (any shape) and targets in [0, 1] of the same shape."""
    shp = draw(shapes(1, 3))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, shp), rng.uniform(0.0, 1.0, shp)


for _reduction in ("mean", "sum", "none"):
    add(
        f"mse_loss.{_reduction}",
        "mse_loss",
        lambda m, x, y, r=_reduction: nnf(m, "mse_loss")(x, y, reduction=r),
        arrays_in("real", "real", min_dims=1),
        gradgrad=True,
    )
    add(
        f"binary_cross_entropy.{_reduction}",
        "binary_cross_entropy",
        lambda m, x, y, r=_reduction: nnf(m, "binary_cross_entropy")(m.sigmoid(x), y, reduction=r),
        _probability_targets(),
        grad=(0,),
        gradgrad=True,
    )
    add(
        f"binary_cross_entropy_with_logits.{_reduction}",
        "binary_cross_entropy_with_logits",
        lambda m, x, y, r=_reduction: nnf(m, "binary_cross_entropy_with_logits")(x, y, reduction=r),
        _probability_targets(),
        grad=(0,),
        gradgrad=True,
    )
    add(
        f"nll_loss.{_reduction}",
        "nll_loss",
        lambda m, x, t, r=_reduction: nnf(m, "nll_loss")(m.log_softmax(x, 1), t, reduction=r),
        _classes_in(),
        gradgrad=True,
    )
    add(
        f"nll_loss.image_{_reduction}",
        "nll_loss",
        lambda m, x, t, r=_reduction: nnf(m, "nll_loss")(m.log_softmax(x, 1), t, reduction=r),
        _classes_in(image=True),
        tags=("image",),
    )


# ---------------------------------------------------------------------------------------
# harness helpers shared by the test modules
# ---------------------------------------------------------------------------------------


def cast(arr: np.ndarray, dtype: str) -> np.ndarray:
    """Float test values -> the dtype under test (ints keep the sign, never become 0)."""
    if dtype in ("float64", "float32"):
        with np.errstate(over="ignore"):  # 1e300 -> inf in float32, the same on both sides
            return arr.astype(dtype)
    if dtype == "int64":
        if arr.dtype.kind != "f":
            return arr.astype(np.int64)
        r = np.rint(arr * 2)  # ties -> ties, distinct -> distinct, nonzero -> nonzero
        return np.where((r == 0) & (arr != 0), np.sign(arr), r).astype(np.int64)
    if dtype == "bool":
        return arr > 0
    raise ValueError(dtype)


def grad_positions(entry: OpEntry, items, dtype) -> list:
    """Items created with requires_grad=True. Non-differentiable entries (comparisons,
    argmax, ...) get grad-requiring inputs too: their outputs must not require grad."""
    if dtype not in ("float64", "float32"):
        return []
    float_pos = [
        i for i, it in enumerate(items) if isinstance(it, np.ndarray) and it.dtype.kind == "f"
    ]
    return float_pos if entry.grad is None else [i for i in entry.grad if i in float_pos]


def build_args(m, items, dtype, grad_pos):
    """Turn drawn items into call arguments for module m. Returns (args, leaves)."""
    args, leaves = [], []
    for i, it in enumerate(items):
        if isinstance(it, NdArg):
            arr = cast(it.value, dtype)
            args.append(m.as_tensor(arr) if is_torch(m) else arr)
        elif isinstance(it, np.ndarray):
            arr = cast(it, dtype) if it.dtype.kind == "f" else it
            t = m.tensor(arr, dtype=getattr(m, str(arr.dtype)), requires_grad=i in grad_pos)
            args.append(t)
            if i in grad_pos:
                leaves.append(t)
        else:
            args.append(it)
    return args, leaves


def flatten_outputs(out) -> list:
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(flatten_outputs(o))
        return res
    return [out]


def to_numpy(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def is_float_dtype(t) -> bool:
    return str(t.dtype) in ("torch.float32", "torch.float64", "torch.float16", "torch.bfloat16")


# Tolerances. rtol as demanded by the spec; atol only matters where the exact value is
# (near) zero: test inputs are O(1) with at most 64 elements, so outputs that cross zero
# through cancellation (sums, matmuls, (x - mean), gradients that are sums of products)
# carry an absolute rounding error of about n * eps * max|term| that depends on the
# summation order, which legitimately differs between two libraries:
#   float64: 64 * 1.1e-16 * ~10 ~ 7e-14  -> atol 1e-12
#   float32: 64 * 6.0e-8  * ~3  ~ 1e-5   -> atol 1e-5
# Entries whose magnitudes are far above O(1) scale atol with ``atol_scale``.
TOL = {"float64": (1e-10, 1e-12), "float32": (1e-5, 1e-5)}


def tolerances(dtype, entry):
    if entry.tol is not None and dtype in entry.tol:
        return entry.tol[dtype]
    rtol, atol = TOL.get(dtype, (0.0, 0.0))
    return rtol, atol * entry.atol_scale


def assert_same_tensor(actual, expected, rtol, atol, what):
    """Compare a module-under-test tensor with a torch tensor: dtype, shape, values."""
    assert str(actual.dtype) == str(expected.dtype), (
        f"{what}: dtype {actual.dtype} != torch {expected.dtype}"
    )
    assert tuple(actual.shape) == tuple(expected.shape), (
        f"{what}: shape {tuple(actual.shape)} != torch {tuple(expected.shape)}"
    )
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{what}: numpy shape {a.shape} != {e.shape}"
    if e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e, err_msg=what)
    else:
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def assert_same_grad(actual, expected, rtol, atol, what, none_is_zero=False):
    if none_is_zero:  # None means an identically zero gradient
        if actual is None and expected is None:
            return
        if actual is None or expected is None:
            present = to_numpy(expected if actual is None else actual)
            np.testing.assert_allclose(
                present,
                np.zeros_like(present),
                rtol=0,
                atol=atol,
                err_msg=(
                    f"{what}: {'None' if actual is None else 'gradient'} but torch has "
                    f"{'None' if expected is None else 'a gradient'}"
                ),
            )
            return
    else:
        assert (actual is None) == (expected is None), (
            f"{what}: gradient is {'None' if actual is None else 'set'}, torch's is "
            f"{'None' if expected is None else 'set'}"
        )
        if expected is None:
            return
    assert_same_tensor(actual, expected, rtol, atol, what)


# ---------------------------------------------------------------------------------------
# the newer families' entries, one module each (tests/op_db_<family>.py): each imports
# ``add`` and the strategies from here and registers its entries when imported
# ---------------------------------------------------------------------------------------
def _load_family_entries():
    import importlib
    import pathlib

    for path in sorted(pathlib.Path(__file__).parent.glob("op_db_*.py")):
        importlib.import_module(path.stem)


_load_family_entries()
