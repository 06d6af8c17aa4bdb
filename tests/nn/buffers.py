"""Module buffers as in PyTorch: register_buffer (persistent or not), nn.Buffer, their place
in state_dict/named_buffers, dtype moves with .to/.double(), errors, and get_buffer &
co. Each scenario runs on both libraries and the observations are compared."""

import pytest
import torch

import chainrule


def _module(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("mask", lib.ones(2, 2), persistent=False)
            self.register_buffer("count", lib.tensor(5))
            self.register_buffer("absent", None)
            self.tied = nn.Buffer(lib.ones(4))
            self.scratch = nn.Buffer(lib.ones(1), persistent=False)
            self.plain = lib.ones(1)  # an attribute, not a buffer

    return Net()


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 -- the observation is the exception's type
        return type(e).__name__
    return "no error"


def _observe(lib):
    m = _module(lib)
    seen = {
        "state_dict": list(m.state_dict()),
        "named_buffers": [n for n, _ in m.named_buffers()],
        "nested": [n for n, _ in lib.nn.Sequential(m).named_buffers(prefix="p")],
        "buffer_types": sorted({type(b).__name__ for b in m.buffers()}),
    }
    m.double()
    seen["after_double"] = [str(b.dtype) for b in m.buffers()] + [str(m.plain.dtype)]
    m.to(lib.float32)
    seen["after_to"] = [str(b.dtype) for b in m.buffers()]
    seen["cpu"] = m.cpu() is m
    seen["errors"] = [
        _error(lambda: m.register_buffer("a.b", lib.zeros(1))),
        _error(lambda: m.register_buffer("lin", lib.zeros(1))),
        _error(lambda: m.register_buffer("x", 3)),
        _error(lambda: m.register_buffer("", lib.zeros(1))),
        _error(lambda: setattr(m, "running", 3)),
        _error(lambda: m.get_buffer("lin.weight")),
        _error(lambda: m.get_buffer("nothing")),
        _error(lambda: m.get_submodule("lin.weight")),
    ]
    m.running = lib.ones(3)
    seen["assigned"] = m.state_dict()["running"].tolist()
    seen["get"] = [m.get_buffer("running") is m.running, m.get_parameter("lin.bias") is m.lin.bias]
    state = m.state_dict()
    state.pop("count")
    seen["missing"] = _error(lambda: m.load_state_dict(state))
    seen["non_strict"] = repr(m.load_state_dict(state, strict=False))
    del m.mask
    m.register_buffer("scratch", lib.ones(1))  # now persistent
    seen["after_changes"] = list(m.state_dict())
    return seen


def test_buffers_behave_as_in_torch():
    expected, actual = _observe(torch), _observe(chainrule)
    for key in expected:
        assert actual[key] == expected[key], key


def test_buffer_wrapper():
    b = chainrule.nn.Buffer(chainrule.ones(2), persistent=False)
    assert isinstance(b, chainrule.Tensor) and not b.persistent
    assert chainrule.nn.Buffer(chainrule.ones(1)).persistent
    with pytest.raises(TypeError, match="expects a chainrule.Tensor"):
        chainrule.nn.Buffer([1.0])
