"""The tensor constructors: ``tensor``, ``as_tensor`` and ``from_numpy``.

They sit below the ops (beside the Tensor type), so that an op can turn an array operand
into a tensor without reaching up to ``chainrule.creation``, which re-exports them.
"""

import numpy as np

from ._dtype import from_numpy_dtype, get_default_dtype, to_dtype
from ._tensor import Tensor, wrap

__all__ = ["tensor", "as_tensor", "from_numpy"]


def _infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool, int64, or the default float."""
    flat = np.asarray(data)
    if flat.dtype == object:
        raise TypeError(
            "tensor(): could not infer a dtype from data of mixed or unsupported "
            "types; pass a (nested) list of numbers"
        )
    if flat.dtype.kind == "b":
        return np.bool_
    if flat.dtype.kind in "iu":
        return np.int64
    if flat.dtype.kind == "f":
        return get_default_dtype().numpy
    raise TypeError(f"tensor(): unsupported data type {flat.dtype}")


def _unwrap(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap(x) for x in data]
    return data


def _finish(array, requires_grad, name=None):
    t = wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    t.name = name
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False, name=None):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors).

    Python floats give the default dtype (float32), ints give int64, NumPy arrays keep
    their dtype.  ``name`` labels the tensor in pictures of the graph.
    """
    _check_device(device)
    if isinstance(data, np.ndarray) or isinstance(data, Tensor):
        array = np.array(data._data if isinstance(data, Tensor) else data, copy=True)
        np_dtype = (
            to_dtype(dtype).numpy if dtype is not None else from_numpy_dtype(array.dtype).numpy
        )
        array = array.astype(np_dtype, copy=False)
    else:
        data = _unwrap(data)
        np_dtype = to_dtype(dtype).numpy if dtype is not None else _infer_dtype(data)
        try:
            array = np.array(data, dtype=np_dtype)
        except ValueError as err:
            raise ValueError(
                f"tensor(): data is not a rectangular nested list of numbers ({err})"
            ) from None
    return _finish(array, requires_grad, name)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        d = to_dtype(dtype) if dtype is not None else from_numpy_dtype(data.dtype)
        return wrap(data if data.dtype == d.numpy else data.astype(d.numpy))
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (writes show in both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    d = from_numpy_dtype(array.dtype)
    return wrap(array if array.dtype == d.numpy else array.astype(d.numpy))


def _check_device(device):
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"chainrule runs on the CPU only; device '{device}' is not available")
