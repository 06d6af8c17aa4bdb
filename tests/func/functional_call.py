"""functional_call against torch.func.functional_call: replaced parameters and buffers,
(params, buffers) tuples, tied weights, strict keys, restoring after errors."""

import numpy as np
import pytest
import torch
from func.func_helpers import assert_same, same_error

import chainrule as cr

RNG = np.random.default_rng(2)
X = RNG.normal(size=(5, 3))


def make(lib, tied=False):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(3, 3)
            self.out = lib.nn.Linear(3, 2)
            if tied:
                self.out2 = lib.nn.Linear(3, 3)
            self.register_buffer("scale", lib.ones(3, dtype=lib.float64))

        def forward(self, x, shift=0.0):
            h = lib.tanh(self.fc(x)) * self.scale + shift
            return self.out(self.out2(h) if tied else h)

    net = Net().double()
    if tied:  # after .double(): the tie is what is tested, not how dtype moves keep it
        net.out2.weight = net.fc.weight
    state = {k: lib.tensor(RNG_STATE[k], dtype=lib.float64) for k in net.state_dict()}
    net.load_state_dict(state)
    return net


_rng = np.random.default_rng(8)
RNG_STATE = {
    "fc.weight": _rng.normal(size=(3, 3)),
    "fc.bias": _rng.normal(size=3),
    "out.weight": _rng.normal(size=(2, 3)),
    "out.bias": _rng.normal(size=2),
    "out2.weight": _rng.normal(size=(3, 3)),
    "out2.bias": _rng.normal(size=3),
    "scale": np.ones(3),
}
NEW = {
    "fc.weight": _rng.normal(size=(3, 3)),
    "out.bias": _rng.normal(size=2),
    "scale": _rng.normal(size=3),
}


def test_replaced_tensors_are_used_and_restored():
    def run(lib):
        net = make(lib)
        before = {k: v.clone() for k, v in net.state_dict().items()}
        params = {k: lib.tensor(v, dtype=lib.float64) for k, v in NEW.items() if k != "scale"}
        buffers = {"scale": lib.tensor(NEW["scale"], dtype=lib.float64)}
        x = lib.tensor(X, dtype=lib.float64)
        out1 = lib.func.functional_call(net, (params, buffers), (x,), {"shift": 0.5})
        out2 = lib.func.functional_call(net, {**params, **buffers}, x)
        after = net.state_dict()
        assert all(bool((before[k] == after[k]).all()) for k in before)
        assert isinstance(net.fc.weight, lib.nn.Parameter)
        return out1, out2, net(x)

    assert_same(run(cr), run(torch))


def test_gradients_flow_to_the_given_tensors():
    def run(lib):
        net = make(lib)
        params = {k: v.detach() for k, v in net.named_parameters()}
        x = lib.tensor(X, dtype=lib.float64)
        return lib.func.grad(lambda p: lib.func.functional_call(net, p, (x,)).sum())(params)

    assert_same(run(cr), run(torch))


def test_tied_weights():
    def run(lib):
        net = make(lib, tied=True)
        w = lib.tensor(NEW["fc.weight"], dtype=lib.float64)
        x = lib.tensor(X, dtype=lib.float64)
        tied = lib.func.functional_call(net, {"fc.weight": w}, (x,))
        untied = lib.func.functional_call(
            net, {"fc.weight": w, "out2.weight": w * 2}, (x,), tie_weights=False
        )
        return tied, untied

    assert_same(run(cr), run(torch))
    same_error(
        lambda lib: lib.func.functional_call(
            make(lib, tied=True),
            {"fc.weight": lib.ones(3, 3, dtype=lib.float64), "out2.weight": lib.zeros(3, 3)},
            (lib.tensor(X, dtype=lib.float64),),
        )
    )


def test_strict_and_bad_dicts_match_torch():
    x = lambda lib: lib.tensor(X, dtype=lib.float64)  # noqa: E731
    same_error(
        lambda lib: lib.func.functional_call(
            make(lib), {"fc.weight": lib.ones(3, 3, dtype=lib.float64)}, (x(lib),), strict=True
        )
    )
    same_error(
        lambda lib: lib.func.functional_call(
            make(lib), ({"a": lib.ones(1)}, {"a": lib.ones(1)}), (x(lib),)
        )
    )
    same_error(lambda lib: lib.func.functional_call(make(lib), [{"a": 1}, 3], (x(lib),)))
    same_error(lambda lib: lib.func.functional_call(make(lib), 3, (x(lib),)))


def test_module_is_restored_when_the_call_raises():
    net = make(cr)
    weight = net.fc.weight
    with pytest.raises(RuntimeError):
        bad = {"fc.weight": cr.ones(7, 7, dtype=cr.float64)}
        cr.func.functional_call(net, bad, (cr.ones(5, 3),))
    assert net.fc.weight is weight


def test_unknown_key_is_set_as_attribute_for_the_call_only():
    def run(lib):
        net = make(lib)
        extra = lib.ones(3, dtype=lib.float64)
        seen = []
        original = type(net).forward

        def forward(self, x):
            seen.append(getattr(self, "extra", None))
            return original(self, x)

        net.forward = forward.__get__(net)
        lib.func.functional_call(net, {"extra": extra}, (lib.tensor(X, dtype=lib.float64),))
        return seen[0] is extra, hasattr(net, "extra")

    assert run(cr) == run(torch) == (True, False)
