"""Default dtype and PyTorch's type promotion, values and the dtypes of gradients."""

import numpy as np
import pytest
import torch
from core_helpers import assert_close
from op_db import assert_same_tensor, is_torch

import chainrule as cr


# --------------------------------------------------------------------------- dtypes
def test_set_default_dtype_float64():
    try:
        cr.set_default_dtype(cr.float64)
        assert cr.get_default_dtype() is cr.float64
        assert cr.tensor(1.0).dtype is cr.float64
        assert cr.tensor([1.0, 2.0]).dtype is cr.float64
        assert cr.zeros(2).dtype is cr.float64
        assert cr.randn(2).dtype is cr.float64
        assert cr.arange(3.0).dtype is cr.float64
        assert cr.tensor([1, 2]).dtype is cr.int64
        assert (cr.tensor([1, 2]) / 2).dtype is cr.float64
        assert (cr.tensor([1, 2]) + 0.5).dtype is cr.float64
    finally:
        cr.set_default_dtype(cr.float32)
    assert cr.tensor(1.0).dtype is cr.float32


PROMOTIONS = {
    "f32_vec + py_float": lambda m: m.ones(2) + 2.5,
    "i64_vec + py_float": lambda m: m.tensor([1, 2]) + 2.5,
    "py_float - i64_vec": lambda m: 2.5 - m.tensor([1, 2]),
    "i64_vec / i64_vec": lambda m: m.tensor([1, 2]) / m.tensor([2, 2]),
    "i64_vec / py_int": lambda m: m.tensor([1, 2]) / 2,
    "f32_vec + f64_0dim": lambda m: m.ones(2) + m.tensor(1.0, dtype=m.float64),
    "f32_vec + f64_vec": lambda m: m.ones(2) + m.ones(2, dtype=m.float64),
    "f32_0dim + f64_0dim": lambda m: m.tensor(1.0) + m.tensor(1.0, dtype=m.float64),
    "bool_vec + py_int": lambda m: m.tensor([True, False]) + 1,
    "bool_vec + i64_vec": lambda m: m.tensor([True, False]) + m.tensor([1, 2]),
    "i64_vec * py_bool": lambda m: m.tensor([1, 2]) * True,
    "f32_vec * i64_vec": lambda m: m.ones(2) * m.tensor([1, 2]),
    "i64_0dim + f32_vec": lambda m: m.tensor(1) + m.ones(2),
    "f64_0dim * i64_vec": lambda m: m.tensor(1.0, dtype=m.float64) * m.tensor([1, 2]),
    "py_int ** i64_vec": lambda m: 2 ** m.tensor([1, 2]),
    "i64_vec ** py_float": lambda m: m.tensor([1, 2]) ** 2.0,
    "i64_vec.exp()": lambda m: m.tensor([1, 2]).exp(),
    "f32_vec * np.float64": lambda m: m.ones(2) * np.float64(1.5),
    "np.float64 * f32_vec": lambda m: np.sqrt(2.0) * m.ones(2),
    "i64_vec + np.float64": lambda m: m.tensor([1, 2]) + np.float64(2.5),
    "f32_vec + np.float32": lambda m: m.ones(2) + np.float32(1.5),
}


@pytest.mark.parametrize("name", list(PROMOTIONS))
def test_dtype_promotion_matches_torch(name):
    got = PROMOTIONS[name](cr)
    expected = PROMOTIONS[name](torch)
    assert isinstance(got, cr.Tensor)
    assert str(got.dtype) == str(expected.dtype)
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64), expected.double().numpy(), rtol=1e-6
    )


def test_promotion_gradients_come_back_in_the_input_dtype_like_torch():
    def run(m):
        a = m.tensor([1.0, 2.0], requires_grad=True)  # float32 vector
        b = m.tensor(3.0, dtype=m.float64, requires_grad=True)  # float64 0-dim
        c = m.tensor([0.5, 0.25], dtype=m.float64, requires_grad=True)  # float64 vector
        y = a * b  # float32
        z = y * c  # float64
        z.sum().backward()
        return y, z, a.grad, b.grad, c.grad

    assert_close(run(cr), run(torch))


# ---------------------------------------------------------------------------------------
# dtype promotion
# ---------------------------------------------------------------------------------------


def f32(m, v):
    return m.tensor(v, dtype=m.float32)


def nd(m, a):
    """NumPy operand; the torch reference treats it as torch.as_tensor (see op_db)."""
    return m.as_tensor(a) if is_torch(m) else a


def _inplace_add(m):
    y = f32(m, [1.0, 2.0])
    y.add_(m.tensor([0.5, 0.25], dtype=m.float64))
    return y


PROMOTION = [  # (case, fn(m) -> tensor, expected dtype string)
    ("float32 + python float", lambda m: f32(m, [1.0, 2.0]) + 2.5, "torch.float32"),
    ("python float * float32", lambda m: 2.5 * f32(m, [1.0, 2.0]), "torch.float32"),
    ("int64 + python float", lambda m: m.tensor([1, 2]) + 2.5, "torch.float32"),
    ("int64 / int64", lambda m: m.tensor([1, 3]) / m.tensor([2, 4]), "torch.float32"),
    ("int64 / python int", lambda m: m.tensor([1, 3]) / 2, "torch.float32"),
    (
        "float32 + float64 0-dim",
        lambda m: f32(m, [1.0, 2.0]) + m.tensor(0.5, dtype=m.float64),
        "torch.float32",
    ),
    (
        "float32 + float64 1-D",
        lambda m: f32(m, [1.0, 2.0]) + m.tensor([0.5], dtype=m.float64),
        "torch.float64",
    ),
    (
        "int64 1-D + float64 0-dim",
        lambda m: m.tensor([1, 2]) + m.tensor(0.5, dtype=m.float64),
        "torch.float64",
    ),
    ("int64 1-D + float32 0-dim", lambda m: m.tensor([1, 2]) + f32(m, 0.5), "torch.float32"),
    ("float32 * int64 1-D", lambda m: f32(m, [1.5]) * m.tensor([1, 2]), "torch.float32"),
    ("bool + python int", lambda m: m.tensor([True, False]) + 1, "torch.int64"),
    ("bool + int64", lambda m: m.tensor([True, False]) + m.tensor([3, 4]), "torch.int64"),
    ("bool + python bool", lambda m: m.tensor([True, False]) + True, "torch.bool"),
    ("int64 + python bool", lambda m: m.tensor([1, 2]) + True, "torch.int64"),
    ("int64 * python int", lambda m: m.tensor([1, 2]) * 3, "torch.int64"),
    ("int64 ** python float", lambda m: m.tensor([1, 2]) ** 0.5, "torch.float32"),
    ("int64 ** python int", lambda m: m.tensor([1, 2]) ** 2, "torch.int64"),
    ("float64 + python float", lambda m: m.tensor([1.0], dtype=m.float64) + 0.1, "torch.float64"),
    ("float32 + np.float64 scalar", lambda m: f32(m, [1.0]) + np.float64(0.1), "torch.float32"),
    (
        "float32 * float64 ndarray",
        lambda m: f32(m, [1.0, 2.0]) * nd(m, np.array([0.5, 3.0])),
        "torch.float64",
    ),
    (
        "float32 - float32 ndarray",
        lambda m: nd(m, np.array([0.5, 3.0], np.float32)) - f32(m, [1.0, 2.0]),
        "torch.float32",
    ),
    (
        "where(bool, int64, python float)",
        lambda m: m.where(m.tensor([True, False]), m.tensor([1, 2]), 0.5),
        "torch.float32",
    ),
    ("in-place add_ keeps float32", _inplace_add, "torch.float32"),
    ("comparison -> bool", lambda m: f32(m, [1.0]) < 2, "torch.bool"),
    ("sum of int64", lambda m: m.tensor([[1, 2], [3, 4]]).sum(), "torch.int64"),
    ("sum of bool", lambda m: m.tensor([True, True, False]).sum(), "torch.int64"),
    ("mean of float32", lambda m: f32(m, [1.0, 2.0]).mean(), "torch.float32"),
    ("argmax", lambda m: f32(m, [1.0, 3.0, 2.0]).argmax(), "torch.int64"),
    ("tensor(python ints)", lambda m: m.tensor([1, 2]), "torch.int64"),
    ("tensor(python floats)", lambda m: m.tensor([1.0, 2.0]), "torch.float32"),
    ("tensor(python float scalar)", lambda m: m.tensor(1.5), "torch.float32"),
    ("tensor(python bools)", lambda m: m.tensor([True, False]), "torch.bool"),
    ("tensor(float64 ndarray)", lambda m: m.tensor(np.array([1.0, 2.0])), "torch.float64"),
    ("tensor(int64 ndarray)", lambda m: m.tensor(np.array([1, 2], dtype=np.int64)), "torch.int64"),
    (
        "tensor(float32 ndarray)",
        lambda m: m.tensor(np.array([1.0], dtype=np.float32)),
        "torch.float32",
    ),
    ("int64 .float()", lambda m: m.tensor([1, 2]).float(), "torch.float32"),
    ("float32 .double()", lambda m: f32(m, [1.0]).double(), "torch.float64"),
    ("float32 .long()", lambda m: f32(m, [1.7, -1.7]).long(), "torch.int64"),
    ("float32 .to(float64)", lambda m: f32(m, [1.0]).to(m.float64), "torch.float64"),
]


@pytest.mark.parametrize("case,fn,expected", PROMOTION, ids=[p[0] for p in PROMOTION])
def test_dtype_promotion(cr, case, fn, expected):
    ref = fn(torch)
    assert str(ref.dtype) == expected, f"harness: torch gives {ref.dtype}"
    got = fn(cr)
    assert str(got.dtype) == expected, f"{case}: {got.dtype}, expected {expected}"
    assert_same_tensor(got, ref, 1e-6, 0.0, case)
