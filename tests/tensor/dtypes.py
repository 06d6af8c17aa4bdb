"""Default dtype and PyTorch's type promotion, values and the dtypes of gradients."""

import numpy as np
import pytest
import torch
from core_helpers import assert_close

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
