"""Shared helpers for the chainrule.func tests: the same function in both libraries,
inputs built once in NumPy, and comparison of nested results."""

import numpy as np
import torch

import chainrule as cr

LIBS = {"cr": cr, "torch": torch}
TOL = dict(rtol=1e-10, atol=1e-12)


def both(array):
    """The same float64 data as a chainrule tensor and a torch tensor."""
    array = np.asarray(array, dtype=np.float64)
    return cr.tensor(array.copy()), torch.tensor(array.copy())


def to_numpy(x):
    """A (nested) result of either library as nested Python containers of NumPy arrays."""
    if isinstance(x, (cr.Tensor, torch.Tensor)):
        return x.detach().numpy()
    if isinstance(x, dict):
        return {k: to_numpy(v) for k, v in x.items()}
    if isinstance(x, (tuple, list)):
        return type(x)(to_numpy(v) for v in x)
    return x


def assert_same(ours, theirs, **tol):
    """Same structure (tuple/list/dict nesting), shapes and values (float64, 1e-10)."""
    tol = tol or TOL
    a, b = to_numpy(ours), to_numpy(theirs)
    _compare(a, b, tol, "result")


def _compare(a, b, tol, where):
    if isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b), f"{where}: {a!r} vs {b!r}"
        for k in b:
            _compare(a[k], b[k], tol, f"{where}[{k!r}]")
    elif isinstance(b, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), f"{where}: {type(a)} vs {type(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            _compare(x, y, tol, f"{where}[{i}]")
    elif isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray), f"{where}: {type(a)} is not an array"
        assert a.shape == b.shape, f"{where}: shape {a.shape} vs {b.shape}"
        np.testing.assert_allclose(a, b, err_msg=where, **tol)
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def same_error(call):
    """Run ``call(lib)`` in both libraries: both raise the same type with the same text."""
    errors = []
    for lib in (cr, torch):
        try:
            call(lib)
        except Exception as e:  # noqa: BLE001 -- the error itself is what is compared
            errors.append(e)
        else:
            errors.append(None)
    ours, theirs = errors
    assert theirs is not None, "torch did not raise"
    assert ours is not None, f"chainrule did not raise; torch raised {theirs!r}"
    assert type(ours) is type(theirs) and str(ours) == str(theirs), (ours, theirs)
