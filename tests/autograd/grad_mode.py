"""no_grad, enable_grad and set_grad_enabled as context managers, decorators and functions."""

import pytest
import torch
from core_helpers import MODULES

import chainrule as cr


# --------------------------------------------------------------------------- grad modes
def _modes_ctx(m):
    x = m.tensor(1.0, requires_grad=True)
    out = []
    with m.no_grad():
        out.append((x * 2).requires_grad)
        out.append(m.is_grad_enabled())
        with m.enable_grad():
            out.append((x * 2).requires_grad)
        out.append((x * 2).requires_grad)
    out.append((x * 2).requires_grad)
    try:
        with m.no_grad():
            raise KeyError
    except KeyError:
        pass
    out.append(m.is_grad_enabled())
    return out


def test_no_grad_and_enable_grad_context_managers_like_torch():
    assert _modes_ctx(cr) == _modes_ctx(torch) == [False, False, True, False, True, True]


@pytest.mark.parametrize("m", MODULES)
def test_no_grad_and_enable_grad_decorators(m):
    x = m.tensor(1.0, requires_grad=True)

    @m.no_grad()
    def f():
        return (x * 2).requires_grad, m.is_grad_enabled()

    @m.enable_grad()
    def g():
        return (x * 2).requires_grad

    assert f() == (False, False)
    assert m.is_grad_enabled()
    with m.no_grad():
        assert g() is True
        assert not m.is_grad_enabled()
    assert f.__name__ == "f"


@pytest.mark.parametrize("m", MODULES)
def test_no_grad_bare_decorator(m):
    x = m.tensor(1.0, requires_grad=True)

    @m.no_grad
    def f():
        return (x * 2).requires_grad

    assert f() is False
    assert m.is_grad_enabled()


@pytest.mark.parametrize("m", MODULES)
def test_set_grad_enabled_as_function(m):
    x = m.tensor(1.0, requires_grad=True)
    m.set_grad_enabled(False)
    assert not m.is_grad_enabled() and not (x * 2).requires_grad
    m.set_grad_enabled(True)
    assert m.is_grad_enabled() and (x * 2).requires_grad


@pytest.mark.parametrize("m", MODULES)
@pytest.mark.parametrize("mode", [False, True])
def test_set_grad_enabled_as_context_manager_restores_mode(m, mode):
    x = m.tensor(1.0, requires_grad=True)
    with m.set_grad_enabled(mode):
        assert (x * 2).requires_grad is mode
        assert m.is_grad_enabled() is mode
    assert m.is_grad_enabled(), "grad mode not restored after `with set_grad_enabled(...)`"
    with m.no_grad():
        with m.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not m.is_grad_enabled()


@pytest.mark.parametrize("m", MODULES)
def test_set_grad_enabled_as_decorator(m):
    x = m.tensor(1.0, requires_grad=True)

    @m.set_grad_enabled(False)
    def f():
        return (x * 2).requires_grad, m.is_grad_enabled()

    assert m.is_grad_enabled()  # decorating does not change the mode
    assert f() == (False, False)
    assert m.is_grad_enabled(), "grad mode not restored after a @set_grad_enabled function"
