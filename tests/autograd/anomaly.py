"""detect_anomaly: NaN/inf in forward and backward and in-place errors name the op, the file
and the line; the mode is restored after an error."""

import math
import re

import numpy as np
import pytest
import torch
from core_helpers import assert_close, lineno

import chainrule as cr


# --------------------------------------------------------------------------- detect_anomaly
def _assert_names_here(msg, line):
    assert __file__ in msg, f"the message does not name this file: {msg}"
    assert re.search(rf"\bline {line}\b", msg), f"the message does not name line {line}: {msg}"


def test_anomaly_nan_in_forward_names_op_file_and_line():
    x = cr.tensor([1.0, 0.0], requires_grad=True)
    with np.errstate(all="ignore"), cr.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="DivBackward0") as info:
            line = lineno() + 1
            (x - x) / (x - x)
    _assert_names_here(str(info.value), line)


def test_anomaly_log_of_negative_in_forward():
    x = cr.tensor([-1.0, 2.0], requires_grad=True)
    with np.errstate(all="ignore"), cr.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="LogBackward0") as info:
            line = lineno() + 1
            x.log()
    _assert_names_here(str(info.value), line)


def test_anomaly_inf_in_backward_names_op_file_and_line():
    x = cr.tensor([0.0, 2.0], requires_grad=True)
    with np.errstate(all="ignore"), cr.autograd.detect_anomaly():
        line = lineno() + 1
        y = cr.sqrt(x).sum()
        with pytest.raises(RuntimeError, match="SqrtBackward0") as info:
            y.backward()
    _assert_names_here(str(info.value), line)
    assert x.grad is None


def test_without_anomaly_mode_nan_propagates_like_torch():
    def run(m):
        x = m.tensor([0.0, 2.0], requires_grad=True)
        m.sqrt(x).sum().backward()
        return x.grad

    with np.errstate(all="ignore"):
        assert_close(run(cr), run(torch))


def test_anomaly_inplace_error_names_line_that_created_the_tensor():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        line = lineno() + 1
        y = x.exp()
        y.add_(1)
        with pytest.raises(RuntimeError, match=r"inplace") as info:
            y.sum().backward()
    _assert_names_here(str(info.value), line)


def test_anomaly_inplace_error_names_line_that_created_the_modified_input():
    x = cr.tensor(2.0, requires_grad=True)
    with cr.autograd.detect_anomaly():
        line = lineno() + 1
        a = x * 2
        b = a * a
        a.mul_(3)
        with pytest.raises(RuntimeError, match=r"inplace") as info:
            b.backward()
    _assert_names_here(str(info.value), line)


def test_anomaly_mode_is_restored_after_an_error():
    x = cr.tensor([0.0], requires_grad=True)
    assert not cr.autograd.is_anomaly_enabled()
    with pytest.raises(RuntimeError):
        with np.errstate(all="ignore"), cr.autograd.detect_anomaly():
            assert cr.autograd.is_anomaly_enabled()
            x.log()
    assert not cr.autograd.is_anomaly_enabled()
    with np.errstate(all="ignore"):
        assert math.isinf(x.log().item())  # no anomaly check outside the block


def test_set_detect_anomaly_as_function_like_torch():
    cr.autograd.set_detect_anomaly(True)
    torch.autograd.set_detect_anomaly(True)
    assert cr.autograd.is_anomaly_enabled() == torch.is_anomaly_enabled() == True  # noqa: E712
    cr.autograd.set_detect_anomaly(False)
    torch.autograd.set_detect_anomaly(False)
    assert cr.autograd.is_anomaly_enabled() == torch.is_anomaly_enabled() == False  # noqa: E712
