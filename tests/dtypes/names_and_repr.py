"""dtype names and aliases, conversion methods, iinfo/finfo, and printing: every repr is
compared with PyTorch's character by character."""

import numpy as np
import pytest
import torch

import chainrule as cr

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
ALIASES = ["int", "short", "half", "long", "double", "float"]


@pytest.mark.parametrize("name", NAMES + ALIASES)
def test_names_and_aliases_print_as_torch(name):
    assert repr(getattr(cr, name)) == repr(getattr(torch, name))


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    c, t = getattr(cr, name), getattr(torch, name)
    assert c.is_floating_point == t.is_floating_point
    assert c.is_signed == t.is_signed
    assert c.itemsize == t.itemsize
    assert c.is_complex == t.is_complex


@pytest.mark.parametrize(
    "method", ["int", "short", "half", "byte", "char", "long", "float", "double", "bool"]
)
def test_conversion_methods(method):
    values = [[0.0, 1.5], [-2.25, 100.0]]
    c = getattr(cr.tensor(values), method)()
    t = getattr(torch.tensor(values), method)()
    if method == "byte":  # -2.25 → uint8 is undefined behaviour; keep to non-negative values
        c = getattr(cr.tensor(values).abs(), method)()
        t = getattr(torch.tensor(values).abs(), method)()
    assert repr(c) == repr(t)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    c, t = cr.iinfo(getattr(cr, name)), torch.iinfo(getattr(torch, name))
    assert (c.bits, c.min, c.max, c.dtype) == (t.bits, t.min, t.max, t.dtype)
    assert repr(c) == repr(t)


@pytest.mark.parametrize("name", ["float16", "float32", "float64", None])
def test_finfo(name):
    c = cr.finfo(getattr(cr, name)) if name else cr.finfo()
    t = torch.finfo(getattr(torch, name)) if name else torch.finfo()
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(c, attr) == getattr(t, attr), attr
    assert repr(c) == repr(t)


def test_info_of_the_wrong_kind_raises_typeerror_as_torch():
    for info, dtype in ((cr.iinfo, cr.float32), (cr.finfo, cr.int32)):
        with pytest.raises(TypeError, match="requires"):
            info(dtype)


REPR_CASES = {
    "int32 vector": lambda m: m.tensor([1, 2], dtype=m.int32),
    "int8 negative": lambda m: m.tensor([-128, 0, 127], dtype=m.int8),
    "uint8 scalar": lambda m: m.tensor(3, dtype=m.uint8),
    "int16 matrix": lambda m: m.tensor([[1, -20], [300, 4]], dtype=m.int16),
    "int32 empty": lambda m: m.tensor([], dtype=m.int32),
    "int32 empty 2d": lambda m: m.zeros(0, 3, dtype=m.int32),
    "float16 vector": lambda m: m.tensor([0.1, 2.5], dtype=m.float16),
    "float16 big": lambda m: m.tensor([1e4, 65504.0, -3.0], dtype=m.float16),
    "float16 small": lambda m: m.tensor([1e-3, 2e-5], dtype=m.float16),
    "float16 integers": lambda m: m.tensor([1.0, -2.0, 3.0], dtype=m.float16),
    "float16 special": lambda m: m.tensor([float("inf"), float("nan"), 1.5], dtype=m.float16),
    "float16 scalar": lambda m: m.tensor(1.0 / 3.0, dtype=m.float16),
    "float16 requires grad": lambda m: m.tensor([1.0, 2.0], dtype=m.float16, requires_grad=True),
    "float16 grad_fn": lambda m: m.tensor([1.0, 2.0], dtype=m.float16, requires_grad=True) * 2,
    "float16 long": lambda m: m.arange(30, dtype=m.float16) / 7,
    "uint8 long": lambda m: m.arange(250, dtype=m.uint8).reshape(10, 25),
    "int32 summarised": lambda m: m.arange(2000, dtype=m.int32),
    "float16 3d": lambda m: m.arange(24, dtype=m.float16).reshape(2, 3, 4) - 11.5,
}


@pytest.mark.parametrize("case", list(REPR_CASES))
def test_repr_matches_torch(case):
    build = REPR_CASES[case]
    assert repr(build(cr)) == repr(build(torch))


def test_float16_default_dtype_prints_and_creates_as_torch():
    torch.set_default_dtype(torch.float16)
    cr.set_default_dtype(cr.float16)
    for build in (lambda m: m.tensor([1.5, 2.0]), lambda m: m.ones(2), lambda m: m.tensor(0.1)):
        assert repr(build(cr)) == repr(build(torch))
    assert repr(cr.tensor([1.0]).double()) == repr(torch.tensor([1.0]).double())


def test_dtype_values_survive_numpy():
    x = np.arange(6, dtype=np.int16).reshape(2, 3)
    assert repr(cr.from_numpy(x)) == repr(torch.from_numpy(x))
