"""Type promotion against PyTorch: every pair of dtypes in every pair of tiers (tensors
with dimensions, zero-dimensional tensors), every dtype with Python bool/int/float on
either side, and the division rules; result dtypes and values must both agree."""

import numpy as np
import pytest
import torch

import chainrule as cr

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
VALUES = {"vec": [1, 2], "0dim": 3}  # small values: every dtype holds them and their sums


def make(m, name, tier):
    """A tensor of dtype ``name`` in module ``m``: a vector or zero-dimensional."""
    if name == "bool":
        value = [True, False] if tier == "vec" else True
    else:
        value = VALUES[tier]
    return m.tensor(value, dtype=getattr(m, name))


def same(c, t):
    """chainrule tensor ``c`` equals torch tensor ``t``: dtype, shape and every value."""
    return (
        str(c.dtype) == str(t.dtype)
        and tuple(c.shape) == tuple(t.shape)
        and np.array_equal(np.asarray(c), t.numpy(), equal_nan=c.is_floating_point())
    )


def outcome(fn, *args):
    try:
        return fn(*args)
    except Exception as err:  # noqa: BLE001 -- compared by type with the other library's
        return type(err).__name__


def compare(fn, torch_args, cr_args):
    """A description of how ``fn`` differs on the two modules' arguments, or None.
    Errors must match in type."""
    t, c = outcome(fn, *torch_args), outcome(fn, *cr_args)
    if isinstance(t, str) and isinstance(c, str):
        return None if t == c else f"torch raised {t}, chainrule {c}"
    if isinstance(t, str) or isinstance(c, str):
        return f"torch {t!r}, chainrule {c!r}"
    return None if same(c, t) else f"torch {t!r}, chainrule {c!r}"


TIERS = [("vec", "vec"), ("vec", "0dim"), ("0dim", "vec"), ("0dim", "0dim")]


@pytest.mark.parametrize("op", ["add", "mul", "truediv", "floordiv"])
def test_tensor_tensor_table(op):
    import operator

    fn = getattr(operator, op)
    wrong = []
    for ta, tb in TIERS:
        for a in NAMES:
            for b in NAMES:
                if op == "floordiv" and b == "bool":
                    continue  # [True, False] divides by zero: PyTorch raises for integers
                diff = compare(
                    fn,
                    (make(torch, a, ta), make(torch, b, tb)),
                    (make(cr, a, ta), make(cr, b, tb)),
                )
                if diff:
                    wrong.append(f"{a}[{ta}] {op} {b}[{tb}]: {diff}")
    assert not wrong, "\n".join(wrong)


SCALARS = [True, 2, 2.5]


@pytest.mark.parametrize("op", ["add", "mul", "truediv"])
def test_tensor_scalar_table(op):
    import operator

    fn = getattr(operator, op)
    wrong = []
    for tier in ("vec", "0dim"):
        for a in NAMES:
            for s in SCALARS:
                for flipped in (False, True):
                    t, c = make(torch, a, tier), make(cr, a, tier)
                    if flipped:
                        diff = compare(fn, (s, t), (s, c))
                    else:
                        diff = compare(fn, (t, s), (c, s))
                    if diff:
                        side = f"{s!r} {op} {a}[{tier}]" if flipped else f"{a}[{tier}] {op} {s!r}"
                        wrong.append(f"{side}: {diff}")
    assert not wrong, "\n".join(wrong)


def test_promote_types_and_result_type_match_torch():
    for a in NAMES:
        for b in NAMES:
            expected = torch.promote_types(getattr(torch, a), getattr(torch, b))
            assert str(cr.promote_types(getattr(cr, a), getattr(cr, b))) == str(expected)
            for s in SCALARS:
                t = torch.result_type(torch.tensor([1], dtype=getattr(torch, a)), s)
                c = cr.result_type(cr.tensor([1], dtype=getattr(cr, a)), s)
                assert str(c) == str(t), (a, s)


def test_can_cast_matches_torch():
    for a in NAMES:
        for b in NAMES:
            t = torch.can_cast(getattr(torch, a), getattr(torch, b))
            assert cr.can_cast(getattr(cr, a), getattr(cr, b)) == t, (a, b)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32"])
def test_integer_division_rules(name):
    # true division gives the default float; floor division and % stay integer, rounding
    # towards minus infinity as PyTorch does (signed values only where the dtype has them)
    values = [7, 5, 0, 9] if name == "uint8" else [7, -5, 0, -9]
    tt = torch.tensor(values, dtype=getattr(torch, name))
    ct = cr.tensor(values, dtype=getattr(cr, name))
    for fn in (lambda x: x / 2, lambda x: x // 2, lambda x: x % 3, lambda x: x / x.clamp(min=1)):
        assert same(fn(ct), fn(tt))
    torch.set_default_dtype(torch.float64)
    cr.set_default_dtype(cr.float64)
    assert same(ct / 2, tt / 2)


def _float16_pair():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 64)).astype(np.float16)
    return (torch.from_numpy(a), torch.from_numpy(b)), (cr.from_numpy(a), cr.from_numpy(b))


FLOAT16_EXACT = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "exp": lambda x, y: x.exp(),
    "tanh": lambda x, y: x.tanh(),
    "add_float64": lambda x, y: x + y.double(),
    "mul_float32": lambda x, y: x * y.float(),
    "mul_float64_0dim": lambda x, y: x * y[0].double(),
    "square": lambda x, y: x**2,
    "sqrt": lambda x, y: x.abs().sqrt(),
    "sum": lambda x, y: x.sum(),
    "mean": lambda x, y: x.mean(),
    "matmul": lambda x, y: x.reshape(8, 8) @ y.reshape(8, 8),
}


@pytest.mark.parametrize("name", list(FLOAT16_EXACT))
def test_float16_arithmetic_rounds_like_torch(name):
    (ta, tb), (ca, cb) = _float16_pair()
    fn = FLOAT16_EXACT[name]
    assert same(fn(ca, cb), fn(ta, tb))


# PyTorch computes float16 with a Python float (and sigmoid's steps) in float32 and rounds
# once; NumPy alone would round the scalar, and each step, to float16 first
@pytest.mark.parametrize("name", ["mul_python_float", "sigmoid"])
def test_float16_ops_that_round_in_float32(name):
    (ta, tb), (ca, cb) = _float16_pair()
    fn = {"mul_python_float": lambda x: x * 0.1, "sigmoid": lambda x: x.sigmoid()}[name]
    assert same(fn(ca), fn(ta))


def test_float16_comparisons_and_mixed_operands_keep_torch_dtypes():
    (ta, tb), (ca, cb) = _float16_pair()
    for fn in (
        lambda x, y: x > 0.1,
        lambda x, y: x == y,
        lambda x, y: x * 2,
        lambda x, y: x + y.double(),
        lambda x, y: x.floor(),
        lambda x, y: x.abs().sqrt(),
    ):
        assert same(fn(ca, cb), fn(ta, tb))
