"""NumPy arrays and scalars as operands, and NumPy functions on tensors, as in PyTorch."""

import math

import numpy as np
import pytest
import torch
from core_helpers import assert_same_tensor

import chainrule as cr

# --------------------------------------------------------------------------- NumPy interop
INTEROP = {
    "array + t": lambda a, t: a + t,
    "t + array": lambda a, t: t + a,
    "array * t": lambda a, t: a * t,
    "t * array": lambda a, t: t * a,
    "array - t": lambda a, t: a - t,
    "t - array": lambda a, t: t - a,
    "array / t": lambda a, t: a / t,
    "t / array": lambda a, t: t / a,
    "array @ t": lambda a, t: a @ t,
    "t @ array": lambda a, t: t @ a,
    "array ** t": lambda a, t: a**t,
}


# torch's matmul does not promote mixed dtypes, so `@` is compared with a float32 array only
INTEROP_CASES = [
    pytest.param(name, dt, id=f"{name}-{dt}")
    for name in INTEROP
    for dt in (["float32"] if "@" in name else ["float32", "float64", "int64"])
]


@pytest.mark.parametrize("name, np_dtype", INTEROP_CASES)
def test_numpy_array_operands_give_tensors_with_values_and_gradients(name, np_dtype):
    op = INTEROP[name]
    arr = np.array([[1.5, 2.0, 3.0], [0.5, 4.0, 1.0]])
    if np_dtype == "int64":
        arr = np.array([[1, 2, 3], [2, 4, 1]])
    arr = arr.astype(np_dtype)
    if "@" in name:
        arr = arr[0] if name.startswith("t") else arr
    t_data = [2.0, 0.5, 1.25]
    t = cr.tensor(t_data, requires_grad=True)
    out = op(arr.copy(), t)
    assert isinstance(out, cr.Tensor), f"{name} returned {type(out).__name__}"
    out.sum().backward()
    # reference: PyTorch with the array turned into a tensor (torch itself refuses an
    # ndarray operand next to a tensor that requires grad)
    tt = torch.tensor(t_data, requires_grad=True)
    expected = op(torch.from_numpy(arr.copy()), tt)
    expected.sum().backward()
    assert_same_tensor(out, expected, rtol=1e-6)
    assert_same_tensor(t.grad, tt.grad, rtol=1e-6)


def test_numpy_zero_dim_array_and_scalars_do_not_upcast_like_torch():
    t = cr.ones(3)
    tt = torch.ones(3)
    assert str((t * np.array(2.0)).dtype) == str((tt * torch.from_numpy(np.array(2.0))).dtype)
    assert str((np.array(2.0) + t).dtype) == "torch.float32"
    assert isinstance(np.float32(2.0) * t, cr.Tensor)
    assert str((np.float32(2.0) * t).dtype) == str((np.float32(2.0) * tt).dtype)


def test_numpy_functions_accept_tensors_not_requiring_grad():
    t = cr.tensor([1.0, 4.0, 9.0])
    assert np.allclose(np.sqrt(np.asarray(t)), [1.0, 2.0, 3.0])
    assert math.isclose(float(np.sum(np.asarray(t))), 14.0)
    assert np.array_equal(np.stack([t.numpy(), t.numpy()]), [[1.0, 4.0, 9.0]] * 2)


def test_numpy_ufuncs_on_a_tensor_give_a_tensor_as_in_pytorch():
    for fn in (np.exp, np.sqrt, np.negative):
        got = fn(cr.tensor([1.0, 4.0]))
        want = fn(torch.tensor([1.0, 4.0]))
        assert isinstance(got, cr.Tensor) and repr(got) == repr(want)
    assert isinstance(np.asarray(cr.ones(2)), np.ndarray)
