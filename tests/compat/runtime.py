"""The runtime calls of PyTorch programs: set_printoptions (reprs equal torch's), compile
(the code runs unchanged), the thread count, autocast and is_floating_point."""

import warnings

import numpy as np
import pytest
import torch

import chainrule as cr


@pytest.fixture
def default_printoptions():
    yield
    torch.set_printoptions(profile="default")
    cr.set_printoptions(profile="default")


VALUES = {
    "mixed": [1.123456789, 2.5, 3.0, 100.25],
    "wide": [1e-6, 1e5],
    "integers": list(range(12)),
    "long": [float(v) for v in range(2000)],
    "small": [1.12345],
}
OPTIONS = [
    dict(precision=2),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="short"),
    dict(profile="full", precision=6),
    dict(threshold=5, edgeitems=2),
    dict(linewidth=20),
    dict(precision=2, sci_mode=False),
]


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_printoptions_give_torch_reprs(options, default_printoptions):
    torch.set_printoptions(**options)
    cr.set_printoptions(**options)
    for name, values in VALUES.items():
        shape = (3, 4) if name == "integers" else (-1,)
        ours = repr(cr.tensor(values).reshape(shape))
        assert ours == repr(torch.tensor(values).reshape(shape)), name


def test_printoptions_reset_by_the_default_profile_and_reject_unknown_profiles(
    default_printoptions,
):
    cr.set_printoptions(precision=1, threshold=3, edgeitems=1, linewidth=30, sci_mode=True)
    cr.set_printoptions(profile="default")
    assert repr(cr.arange(10.0) / 3) == repr(torch.arange(10.0) / 3)
    with pytest.raises(ValueError, match="unknown profile 'tiny'"):
        cr.set_printoptions(profile="tiny")


def test_compile_returns_the_code_unchanged():
    model = cr.nn.Linear(3, 2)
    assert cr.compile(model) is model
    assert cr.compile(model, mode="max-autotune", fullgraph=True) is model

    @cr.compile
    def f(x):
        return (x * 2).sum()

    @cr.compile(dynamic=True)
    def g(x):
        return x + 1

    x = cr.tensor(np.arange(3.0), requires_grad=True)
    f(x).backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and g(x).tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(TypeError, match="Module or a function"):
        cr.compile(3)


def test_thread_count_is_set_and_read_back():
    before = cr.get_num_threads()
    try:
        cr.set_num_threads(1)
        assert cr.get_num_threads() == 1
    finally:
        cr.set_num_threads(before)
    for bad in (0, -1, 1.5):
        with pytest.raises(RuntimeError, match="positive integer"):
            cr.set_num_threads(bad)


def test_autocast_runs_the_region_in_full_precision_and_says_so():
    x = cr.ones(2, 2)
    cr.autocast._warned = False
    with pytest.warns(UserWarning, match="not cast to lower precision"):
        with cr.autocast("cpu", dtype=cr.float16):
            y = x @ x
    assert y.dtype == cr.float32

    @cr.autocast(device_type="cpu", enabled=False)
    def f(a):
        return a + 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(x).dtype == cr.float32
        with cr.autocast("cpu"):  # warned once only
            pass


def test_is_floating_point():
    assert cr.is_floating_point(cr.ones(1)) and not cr.is_floating_point(cr.tensor([1]))
    assert torch.is_floating_point(torch.ones(1)) and not torch.is_floating_point(torch.tensor([1]))
