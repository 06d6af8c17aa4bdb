"""Helpers shared by the core tests (autograd/, tensor/): the modules compared and the
comparisons of a chainrule result with PyTorch's."""

import os
import sys

import numpy as np
import pytest
import torch

import chainrule as cr

MODULES = [pytest.param(torch, id="torch"), pytest.param(cr, id="chainrule")]
SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def lineno():
    """The line number of the caller (to find it in anomaly messages)."""
    return sys._getframe(1).f_lineno


def plain(v):
    """A comparable form of a result: tensors become (dtype, shape, values)."""
    if isinstance(v, (torch.Tensor, cr.Tensor)):
        return ("tensor", str(v.dtype), tuple(v.shape), v.detach().tolist())
    if isinstance(v, (list, tuple)):
        return type(v)(plain(x) for x in v)
    return v


def assert_close(actual, expected, rtol=1e-6, atol=1e-6):
    """``actual`` (chainrule) matches ``expected`` (torch): dtype, shape and values;
    lists and tuples element by element, ``None`` only for ``None``."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol, atol)
        return
    if expected is None:
        assert actual is None
        return
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, cr.Tensor), f"expected a chainrule Tensor, got {actual!r}"
        assert str(actual.dtype) == str(expected.dtype)
        assert tuple(actual.shape) == tuple(expected.shape)
        np.testing.assert_allclose(
            np.asarray(actual.detach()), expected.detach().numpy(), rtol=rtol, atol=atol
        )
        return
    assert actual == expected


def assert_same_tensor(actual, expected, rtol=1e-6, atol=0):
    """chainrule tensor ``actual`` equals torch tensor ``expected`` in dtype, shape, values."""
    assert isinstance(actual, cr.Tensor), f"expected a chainrule Tensor, got {type(actual)}"
    assert str(actual.dtype) == str(expected.dtype)
    assert tuple(actual.shape) == tuple(expected.shape)
    np.testing.assert_allclose(
        np.asarray(actual.detach()), expected.detach().numpy(), rtol=rtol, atol=atol
    )
