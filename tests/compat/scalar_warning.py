"""float() of a tensor that requires grad warns once, with PyTorch's text; int(), .item() and
conversions under no_grad do not; chainrule's own optimisers do not trigger it."""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

import chainrule
from chainrule.ops import conversion

PROBE = """
import json, math, warnings
import {lib} as torch
x = torch.tensor(2.0, requires_grad=True)
seen = []
def check(name, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    seen.append([name, [str(w.message) for w in caught if w.category is UserWarning]])
check("int", lambda: int(x))
check("item", lambda: x.item())
check("detached", lambda: float(x.detach()))
def under_no_grad():
    with torch.no_grad():
        float(x)
check("no_grad", under_no_grad)
check("float", lambda: float(x))
check("float_again", lambda: float(x * 2))
check("math", lambda: math.exp(x))
print(json.dumps(seen))
"""


def _probe(lib):
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(lib=lib)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_which_conversions_warn_matches_torch():
    """Both libraries in fresh processes: the same conversions warn, once, with the same
    text (PyTorch appends the C++ source line it was raised from)."""
    ours, theirs = _probe("chainrule"), _probe("torch")
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    for (name, our_msgs), (_, their_msgs) in zip(ours, theirs):
        assert len(our_msgs) == len(their_msgs), name
        for a, b in zip(our_msgs, their_msgs):
            assert b.startswith(a) and " (Triggered internally at " in b[len(a) :], name
    assert [name for name, msgs in ours if msgs] == ["float"]


@pytest.fixture
def fresh_warning():
    """Forget that the once-per-process warning was given (and restore the flag after)."""
    before = conversion._scalar_warned[0]
    conversion._scalar_warned[0] = False
    yield
    conversion._scalar_warned[0] = before


def test_warning_points_at_the_caller_and_is_given_once(fresh_warning):
    x = chainrule.tensor([1.5], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert float(x) == 1.5
        assert complex(x) == 1.5
    assert len(caught) == 1 and caught[0].category is UserWarning
    assert caught[0].filename == __file__
    assert str(caught[0].message) == conversion.SCALAR_WARNING


def test_complex_warns_like_float(fresh_warning):
    x = chainrule.tensor(0.5, requires_grad=True)
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True"):
        complex(x)


def _train_quietly(make_optimizer, closure_style):
    w = chainrule.nn.Parameter(chainrule.tensor(np.array([0.5, -0.3])))
    opt = make_optimizer([w])
    sched = chainrule.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(3):
        loss = opt.step(closure) if closure_style else (closure(), opt.step())[0]
        sched.step(loss.item())


@pytest.mark.parametrize(
    "make, closure_style",
    [
        (lambda p: chainrule.optim.LBFGS(p, line_search_fn="strong_wolfe"), True),
        (lambda p: chainrule.optim.LBFGS(p), True),
        (lambda p: chainrule.optim.SGD(p, lr=0.1, momentum=0.9), False),
        (lambda p: chainrule.optim.Adam(p, lr=0.1), False),
    ],
)
def test_optimisers_do_not_trigger_it(fresh_warning, make, closure_style):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Converting a tensor with requires_grad")
        _train_quietly(make, closure_style)
    assert conversion._scalar_warned[0] is False
