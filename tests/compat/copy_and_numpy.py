"""copy.copy/deepcopy of tensors, Parameters and Modules, NumPy's __array__ protocol and
matplotlib plotting of tensors behave as in PyTorch."""

import copy
import warnings

import matplotlib
import numpy as np
import pytest
import torch

import chainrule

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def test_copy_shares_memory_and_keeps_the_flags():
    for lib in (chainrule, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.grad = lib.ones(2)
        c = copy.copy(x)
        assert c is not x and type(c) is lib.Tensor
        assert c.requires_grad and c.is_leaf and c.grad is None
        with lib.no_grad():
            x.add_(1.0)
        assert c.tolist() == [2.0, 3.0]  # same memory
        nonleaf = x * 2
        c = copy.copy(nonleaf)  # a leaf that requires grad, as PyTorch makes it
        assert c.requires_grad and c.grad_fn is None
        p = lib.nn.Parameter(lib.zeros(2))
        assert type(copy.copy(p)) is lib.nn.Parameter


def test_deepcopy_of_leaves_copies_memory_grad_and_class():
    for lib in (chainrule, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.grad = lib.ones(2)
        d = copy.deepcopy(x)
        assert d.requires_grad and d.is_leaf and d.grad.tolist() == [1.0, 1.0]
        with lib.no_grad():
            x.add_(1.0)
        assert d.tolist() == [1.0, 2.0]  # independent memory
        p = lib.nn.Parameter(lib.ones(3))
        dp = copy.deepcopy(p)
        assert type(dp) is lib.nn.Parameter and repr(dp) == repr(p)
        tied = copy.deepcopy([p, p])  # the memo keeps one object copied once
        assert tied[0] is tied[1]
        with pytest.raises(RuntimeError, match=r"Only Tensors created explicitly by the user"):
            copy.deepcopy(x * 2)


def test_deepcopy_of_a_module_gives_independent_parameters():
    model = chainrule.nn.Sequential(
        chainrule.nn.Linear(3, 4), chainrule.nn.ReLU(), chainrule.nn.Linear(4, 2)
    )
    clone = copy.deepcopy(model)
    assert type(clone) is chainrule.nn.Sequential and type(clone[0]) is chainrule.nn.Linear
    for (name, a), (name_b, b) in zip(model.named_parameters(), clone.named_parameters()):
        assert name == name_b and a is not b and type(b) is chainrule.nn.Parameter
        assert chainrule.equal(a, b) and b.requires_grad
    with chainrule.no_grad():
        clone[0].weight.fill_(0.0)
    assert not chainrule.equal(model[0].weight, clone[0].weight)
    x = chainrule.randn(5, 3)
    clone(x).sum().backward()
    assert model[0].weight.grad is None and clone[0].weight.grad is not None
    shallow = copy.copy(model)
    assert shallow[0] is model[0]


def test_array_protocol_follows_numpy_2_and_torch():
    for lib in (chainrule, torch):
        t = lib.tensor([1.0, 2.0])
        a = np.asarray(t)
        a[0] = 7.0
        assert t.tolist() == [7.0, 2.0]  # shared memory
        assert np.asarray(t, dtype=np.float64).dtype == np.float64
        with pytest.raises(
            RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"
        ):
            np.asarray(lib.tensor([1.0], requires_grad=True))
    t = chainrule.tensor([1.0, 2.0])
    b = np.array(t, copy=True)
    b[0] = 5.0
    assert t.tolist() == [1.0, 2.0]
    assert np.array(t, copy=False) is t.numpy()
    with pytest.raises(ValueError, match="needs a copy"):
        np.array(t, dtype=np.float64, copy=False)
    assert t.__array__(np.float32) is t.numpy()  # same dtype: no copy


def _plotted(lib):
    x = lib.linspace(0, 1, 5)
    y = x**2
    fig, ax = plt.subplots()
    try:
        (line,) = ax.plot(x, y)
        ax.scatter(x, y)
        ax.hist(y, bins=3)
        image = ax.imshow(lib.arange(6.0).reshape(2, 3))
        fig.canvas.draw()
        return line.get_xdata(), line.get_ydata(), np.asarray(image.get_array())
    finally:
        plt.close(fig)


def test_matplotlib_plots_tensors_as_torch():
    ours, theirs = _plotted(chainrule), _plotted(torch)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b), rtol=1e-6)
    for lib in (chainrule, torch):
        w = lib.ones(3, requires_grad=True)
        fig, ax = plt.subplots()
        try:
            # matplotlib may take float() of it first: both libraries warn once per process
            with warnings.catch_warnings(), pytest.raises(RuntimeError, match="requires grad"):
                warnings.filterwarnings("ignore", "Converting a tensor with requires_grad=True")
                ax.plot(w)
            ax.plot(w.detach())  # the fix PyTorch's message names
        finally:
            plt.close(fig)
