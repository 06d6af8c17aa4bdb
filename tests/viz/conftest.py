"""Shared graphs for the viz tests: the textbook's example and a small network."""

import pytest

import chainrule


@pytest.fixture
def textbook():
    """``L = (a + 3b)·c²`` at ``a, b, c = 2, 3, 4``, with ``q`` and ``r`` named."""
    a = chainrule.tensor(2.0, requires_grad=True, name="a")
    b = chainrule.tensor(3.0, requires_grad=True, name="b")
    c = chainrule.tensor(4.0, requires_grad=True, name="c")
    q = a + 3 * b
    r = c**2
    L = q * r
    return {"a": a, "b": b, "c": c, "q": q, "r": r, "L": L}


@pytest.fixture
def names(textbook):
    return {"q": textbook["q"], "r": textbook["r"]}
