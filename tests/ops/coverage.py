"""Coverage of the differential suite, and chainrule's API surface for the same ops.

``REQUIRED`` lists every op (and call form) the spec asks the suite to exercise; the test
fails when one of them has no OP_DB entry. Keys are "<op>" or "<op>:<tag>" (see
OpEntry.keys in op_db.py).
"""

import pytest
import torch
from op_db import OP_DB, MissingAPI, nnf

_FORMS = ("operator", "function", "method")
REQUIRED = (
    # arithmetic, incl. reflected forms with Python scalars and NumPy arrays
    [
        f"{op}:{form}"
        for op in ("add", "sub", "mul", "div")
        for form in _FORMS + ("scalar", "rscalar", "rndarray")
    ]
    + ["add:alpha", "sub:alpha", "div:int"]
    + [
        "pow:operator",
        "pow:function",
        "pow:method",
        "pow:rscalar",
        "pow:tensor_exponent",
        "pow:rndarray",
    ]
    + ["neg:operator", "neg:function", "neg:method"]
    + [
        "matmul:operator",
        "matmul:function",
        "matmul:method",
        "matmul:1d",
        "matmul:2d",
        "matmul:batched",
        "matmul:broadcast",
        "mm",
        "bmm",
        "dot",
        "outer",
    ]
    # elementwise
    + [
        f"{op}:{form}"
        for op in (
            "abs",
            "exp",
            "log",
            "log1p",
            "expm1",
            "sqrt",
            "rsqrt",
            "sin",
            "cos",
            "tan",
            "tanh",
            "sigmoid",
            "relu",
        )
        for form in ("function", "method")
    ]
    + [
        "softplus",
        "clamp:min",
        "clamp:max",
        "clamp:both",
        "clamp:tensor",
        "clip:function",
        "clip:method",
        "maximum",
        "minimum",
        "where:function",
        "where:method",
        "where:scalar",
    ]
    # reductions
    + [
        f"{op}:{k}"
        for op in ("sum", "mean", "var", "std")
        for k in ("all", "dim_int", "dim_tuple", "keepdim")
    ]
    + ["var:correction", "var:unbiased", "std:correction", "std:unbiased"]
    + ["prod:all", "prod:dim_int", "prod:zero"]
    + [f"{op}:{k}" for op in ("max", "min") for k in ("all", "dim", "binary", "namedtuple")]
    + [
        f"{op}:{k}"
        for op in ("amax", "amin", "logsumexp")
        for k in ("dim_int", "dim_tuple", "keepdim")
    ]
    + [
        "logsumexp:large",
        "norm:p2",
        "norm:p1",
        "norm:inf",
        "norm:fro",
        "norm:dim_int",
        "norm:dim_tuple",
        "norm:keepdim",
        "argmax:all",
        "argmax:dim",
        "argmin:all",
        "argmin:dim",
    ]
    # shape ops
    + [
        "reshape",
        "view",
        "flatten",
        "squeeze",
        "unsqueeze",
        "transpose",
        "permute",
        "T",
        "mT",
        "expand",
        "broadcast_to",
        "repeat",
        "flip",
        "cat",
        "stack",
        "split",
        "chunk",
        "pad",
    ]
    # indexing
    + [
        "index:int",
        "index:slice",
        "index:none",
        "index:ellipsis",
        "index:int_array",
        "index:repeated",
        "index:bool_mask",
        "gather",
        "index_select",
        "masked_fill",
    ]
    + ["softmax", "softmax:large", "log_softmax", "log_softmax:large"]
    # comparisons / logical (bool results)
    + [
        f"{op}:{form}"
        for op in ("eq", "ne", "lt", "le", "gt", "ge")
        for form in ("operator", "function")
    ]
    + ["logical_and", "logical_or", "logical_not", "logical_xor", "invert"]
    # in-place
    + [
        "add_",
        "add_:alpha",
        "sub_",
        "sub_:alpha",
        "mul_",
        "div_",
        "clamp_",
        "fill_",
        "copy_",
        "setitem",
        "setitem:int_array",
        "setitem:bool_mask",
    ]
)


def test_every_required_op_has_an_entry():
    covered = set().union(*(e.keys() for e in OP_DB))
    missing = [k for k in REQUIRED if k not in covered]
    assert not missing, f"ops without an OP_DB entry: {missing}"


def test_entries_are_well_formed():
    names = [e.name for e in OP_DB]
    assert len(names) == len(set(names)), "duplicate entry names"
    for e in OP_DB:
        if e.differentiable:
            assert "float64" in e.dtypes, f"{e.name}: differentiable entries must run in float64"
        if e.gradgrad:
            assert e.differentiable, f"{e.name}: gradgrad needs a differentiable entry"


# -------------------------------------------------------------------------------------
# API surface: every name the entries call must exist in chainrule (clear report of
# what is missing, independent of numerics)
# -------------------------------------------------------------------------------------

FUNCTIONS = sorted(
    {
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "pow",
        "matmul",
        "mm",
        "bmm",
        "dot",
        "outer",
        "abs",
        "exp",
        "log",
        "log1p",
        "expm1",
        "sqrt",
        "rsqrt",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "clamp",
        "clip",
        "maximum",
        "minimum",
        "where",
        "sum",
        "mean",
        "var",
        "std",
        "prod",
        "max",
        "min",
        "amax",
        "amin",
        "logsumexp",
        "norm",
        "argmax",
        "argmin",
        "reshape",
        "flatten",
        "squeeze",
        "unsqueeze",
        "transpose",
        "permute",
        "broadcast_to",
        "flip",
        "cat",
        "stack",
        "split",
        "chunk",
        "gather",
        "index_select",
        "masked_fill",
        "softmax",
        "log_softmax",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "logical_and",
        "logical_or",
        "logical_not",
        "logical_xor",
        "tensor",
        "as_tensor",
        "float32",
        "float64",
        "int64",
        "bool",
    }
)
METHODS = sorted(
    {
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "pow",
        "matmul",
        "mm",
        "bmm",
        "dot",
        "outer",
        "abs",
        "exp",
        "log",
        "log1p",
        "expm1",
        "sqrt",
        "rsqrt",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "clamp",
        "clip",
        "maximum",
        "minimum",
        "where",
        "sum",
        "mean",
        "var",
        "std",
        "prod",
        "max",
        "min",
        "amax",
        "amin",
        "logsumexp",
        "norm",
        "argmax",
        "argmin",
        "reshape",
        "view",
        "flatten",
        "squeeze",
        "unsqueeze",
        "transpose",
        "t",
        "permute",
        "T",
        "mT",
        "expand",
        "broadcast_to",
        "repeat",
        "flip",
        "split",
        "chunk",
        "gather",
        "index_select",
        "masked_fill",
        "softmax",
        "log_softmax",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "logical_and",
        "logical_or",
        "logical_not",
        "logical_xor",
        "add_",
        "sub_",
        "mul_",
        "div_",
        "clamp_",
        "fill_",
        "copy_",
        "clone",
        "detach",
        "numpy",
        "backward",
        "__getitem__",
        "__setitem__",
        "__matmul__",
        "__rmatmul__",
        "__rsub__",
        "__rtruediv__",
        "__rpow__",
        "__invert__",
        "__and__",
        "__or__",
        "__xor__",
        "__iadd__",
        "__isub__",
        "__imul__",
        "__itruediv__",
        "__abs__",
        "__neg__",
    }
)
FUNCTIONAL = ["pad", "relu", "softplus", "softmax", "log_softmax"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_exists(cr, name):
    assert hasattr(torch, name), f"harness: torch.{name}"
    assert hasattr(cr, name), f"{cr.__name__}.{name} is missing"


@pytest.mark.parametrize("name", METHODS)
def test_tensor_method_exists(cr, name):
    assert hasattr(torch.Tensor, name), f"harness: torch.Tensor.{name}"
    assert hasattr(cr.Tensor, name), f"{cr.__name__}.Tensor.{name} is missing"


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_functional_exists(cr, name):
    try:
        nnf(cr, name)
    except MissingAPI as e:
        pytest.fail(str(e))


@pytest.mark.parametrize("name", ["grad", "backward", "gradcheck"])
def test_autograd_function_exists(cr, name):
    assert hasattr(cr.autograd, name), f"{cr.__name__}.autograd.{name} is missing"


# the maths, scatter, matrix and query functions are public: in chainrule.ops.__all__ and
# callable as chainrule.<name>
PUBLIC_OPS = [
    *["reciprocal", "log2", "log10", "exp2", "sinh", "cosh", "asin", "acos", "atan", "erfc"],
    *["arcsin", "arccos", "arctan", "atan2", "hypot", "logaddexp", "remainder", "fmod"],
    *["arctan2", "clamp_min", "clamp_max", "lerp"],
    *["index_add", "scatter", "scatter_add"],
    *["addmm", "cumprod", "diag", "einsum", "trace", "tril", "triu"],
    *["count_nonzero", "meshgrid", "nonzero", "std_mean", "unique", "var_mean"],
]


@pytest.mark.parametrize("name", PUBLIC_OPS)
def test_op_is_public(name):
    import chainrule

    assert name in chainrule.ops.__all__
    assert callable(getattr(chainrule, name))
