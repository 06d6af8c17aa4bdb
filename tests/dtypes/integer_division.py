"""Integer division, remainder and fmod as PyTorch: a zero divisor raises (NumPy would give
0), truncating division is exact for large integers, and floats still give inf/nan."""

import numpy as np
import pytest
import torch

import chainrule as cr

OPS = {
    "floordiv": lambda L, a, b: a // b,
    "div floor": lambda L, a, b: L.div(a, b, rounding_mode="floor"),
    "div trunc": lambda L, a, b: L.div(a, b, rounding_mode="trunc"),
    "mod": lambda L, a, b: a % b,
    "remainder": lambda L, a, b: L.remainder(a, b),
    "fmod": lambda L, a, b: L.fmod(a, b),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
@pytest.mark.parametrize("divisor", ["tensor", "number"])
@pytest.mark.parametrize("name", list(OPS))
def test_a_zero_integer_divisor_raises_as_in_torch(name, divisor, dtype):
    def run(L):
        a = L.tensor([5, 3, 7], dtype=getattr(L, dtype))
        b = L.tensor([2, 0, 1], dtype=getattr(L, dtype)) if divisor == "tensor" else 0
        return OPS[name](L, a, b)

    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        run(torch)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        run(cr)


@pytest.mark.parametrize("name", list(OPS))
def test_nonzero_integer_divisors_match_torch_exactly(name):
    a = np.array([7, -7, 7, -7, 2**62 + 1, -(2**61) - 3, 0])
    b = np.array([2, 2, -2, -2, 3, 7, -5])
    got = OPS[name](cr, cr.tensor(a), cr.tensor(b))
    expected = OPS[name](torch, torch.tensor(a), torch.tensor(b))
    assert got.dtype == cr.int64
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("name", list(OPS))
def test_float_division_by_zero_gives_infinities_and_nans_as_in_torch(name):
    a = np.array([1.0, -1.0, 0.0, 2.5])
    b = np.array([0.0, 0.0, 0.0, 0.0])
    got = OPS[name](cr, cr.tensor(a), cr.tensor(b))
    expected = OPS[name](torch, torch.tensor(a), torch.tensor(b))
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
