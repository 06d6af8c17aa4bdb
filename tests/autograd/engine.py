"""The engine with a whole graph, against PyTorch where PyTorch has the behaviour: the
iterative traversal, freeing saved buffers, retain_graph and gradient accumulation,
next_functions, freeing by reference counting, broadcasting undone once, and fresh
gradient buffers."""

import gc
import math
import os
import subprocess
import sys
import textwrap
import tracemalloc
import weakref

import numpy as np
import pytest
import torch
from core_helpers import MODULES, SRC, assert_close

import chainrule as cr

# --------------------------------------------------------------------------- traversal
CHAIN_SCRIPT = textwrap.dedent("""
    import resource, sys, time
    import chainrule as torch
    n = 1_000_000
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    start = time.process_time()
    y = x
    for _ in range(n):
        y = y * 1.0000001
    y.backward()
    cpu = time.process_time() - start
    value = y.item()
    del y                      # dropping a 10**6-node graph must not overflow the C stack
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(repr(x.grad.item()), repr(value), cpu, rss_mb)
""")


def test_million_op_chain_backpropagates_without_recursion_error():
    # SLOW-ish (about 10 s of CPU): 10**6 float64 scalar multiplies, then one backward.
    # It runs in a child process so that its CPU time and its peak memory are its own;
    # CPU time, not wall time, so that other test workers on the machine do not count.
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", CHAIN_SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    grad, value, cpu, rss_mb = (float(s) for s in proc.stdout.split())
    assert grad == pytest.approx(math.exp(1e6 * math.log1p(1e-7)), rel=1e-9)
    assert grad == value  # backward multiplies by the same constant in the same order
    assert cpu < 20, f"1,000,000-op chain took {cpu:.1f} s of CPU (forward + backward)"
    # PyTorch 2.13 peaks at about 1.4 GB for this chain (issue 2)
    assert rss_mb < 1500, f"peak memory {rss_mb:.0f} MB for a 1,000,000-op chain"


def test_diamond_graph_each_node_runs_once_and_matches_torch():
    calls = {}

    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        count = []
        a.register_hook(lambda g: count.append(1))
        b, c = a.exp(), a.sin()
        (b * c + a).sum().backward()
        calls[m.__name__] = len(count)
        return x.grad

    assert_close(run(cr), run(torch))
    assert calls["chainrule"] == calls["torch"] == 1


# --------------------------------------------------------------------------- freeing memory
def test_saved_buffers_are_released_after_backward():
    x = cr.randn(500, dtype=cr.float64, requires_grad=True)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        big = x.reshape(500, 1) * cr.ones(1, 4000, dtype=cr.float64)  # 16 MB
        loss = (big.exp() * big).sum()  # exp's output and big are saved for backward
        del big
        held_by_graph = tracemalloc.get_traced_memory()[0] - base
        loss.backward()
        held_after_backward = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert held_by_graph > 30e6  # the measurement sees the saved intermediates
    # `loss` is still alive (as in a training loop); only x.grad (4 KB) should remain
    assert held_after_backward < 1e6, (
        f"{held_after_backward / 1e6:.1f} MB still held after backward() without "
        f"retain_graph (the graph held {held_by_graph / 1e6:.1f} MB before it)"
    )
    xd = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), 4000 * np.exp(xd) * (xd + 1), rtol=1e-12)


def test_big_intermediate_array_is_freed_after_backward():
    x = cr.randn(300, dtype=cr.float64, requires_grad=True)
    e = (x.reshape(300, 1) * cr.ones(1, 1000, dtype=cr.float64)).exp()
    ref = weakref.ref(np.asarray(e.detach()))  # the array behind the intermediate tensor
    loss = e.sum()
    del e
    assert ref() is not None  # saved by ExpBackward0 (its output)
    loss.backward()
    assert ref() is None, "exp's output array is still referenced after backward()"


def test_retain_graph_keeps_saved_buffers():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()  # would raise if the saved values had been freed
    xd = np.array([1.0, 2.0], dtype=np.float32)
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(xd) * (xd + 1), rtol=1e-6)


# --------------------------------------------------------------------------- retain_graph
def test_second_backward_raises_and_mentions_retain_graph():
    x = cr.tensor(2.0, requires_grad=True)
    y = (x * x).exp()
    y.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()


def test_second_autograd_grad_raises_and_mentions_retain_graph():
    x = cr.tensor(2.0, requires_grad=True)
    y = x.sin() * x
    cr.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        cr.autograd.grad(y, x)


@pytest.mark.parametrize("m", MODULES)
def test_retain_graph_allows_second_backward_and_grads_accumulate(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())
    np.testing.assert_allclose(first.numpy(), [3.0, 12.0, 27.0])


def test_leaf_grads_accumulate_across_backward_calls_like_torch():
    def run(m):
        w = m.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        b = m.tensor([0.1, 0.2], requires_grad=True)
        out = []
        for k in range(3):
            ((w * (k + 1)).sum() + (b * b).sum() * k).backward()
            out.append((w.grad.clone(), b.grad.clone()))
        return out

    assert_close(run(cr), run(torch))


def test_grad_is_none_before_backward_and_can_be_reset():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert x.grad is None
    (x * 3).sum().backward()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


# --------------------------------------------------------------------------- next_functions
def _graph_names(fn):
    if fn is None:
        return None
    return (fn.name(), tuple(_graph_names(n) for n, _ in fn.next_functions))


def _textbook(m):
    a = m.tensor(2.0, requires_grad=True)
    b = m.tensor(3.0, requires_grad=True)
    c = m.tensor(4.0, requires_grad=True)
    q = a + 3 * b
    r = c**2
    return a, b, c, q * r


def test_next_functions_of_textbook_graph_match_torch():
    assert _graph_names(_textbook(cr)[3].grad_fn) == _graph_names(_textbook(torch)[3].grad_fn)


def test_next_functions_structure():
    a, b, c, L = _textbook(cr)
    fn = L.grad_fn
    assert fn.name() == "MulBackward0"
    assert all(
        isinstance(pair, tuple) and len(pair) == 2 and pair[1] == 0 for pair in fn.next_functions
    )
    add, pow_ = (n for n, _ in fn.next_functions)
    assert (add.name(), pow_.name()) == ("AddBackward0", "PowBackward0")
    acc_a = add.next_functions[0][0]
    assert type(acc_a).__name__ == "AccumulateGrad"
    assert acc_a.name() == "torch::autograd::AccumulateGrad"
    assert acc_a.variable is a
    assert acc_a.next_functions == ()
    assert pow_.next_functions[0][0].variable is c
    accs = [n for n, _ in add.next_functions[1][0].next_functions if n is not None]
    assert [n.variable is b for n in accs] == [True]


def test_next_functions_input_not_requiring_grad_is_none_like_torch():
    def run(m):
        a = m.tensor(2.0, requires_grad=True)
        k = m.tensor(3.0)
        return [_graph_names(n) for n, _ in (a * k).grad_fn.next_functions]

    assert run(cr) == run(torch)


def test_leaf_and_no_grad_results_have_no_grad_fn():
    x = cr.tensor([1.0], requires_grad=True)
    assert x.grad_fn is None and x.is_leaf
    with cr.no_grad():
        y = x * 2
    assert y.grad_fn is None and y.is_leaf and not y.requires_grad


# --------------------------------------------------------------------------- reference counting
def test_graph_is_freed_by_reference_counting():
    gc.disable()
    try:
        x = cr.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).exp()
        y.retain_grad()  # must not create a reference cycle
        y.register_hook(lambda g: g)
        z = (y * y).sum()
        nodes = [z.grad_fn, y.grad_fn, y.grad_fn.next_functions[0][0]]
        refs = [weakref.ref(n) for n in nodes]
        del nodes
        ref_y = weakref.ref(y)
        del y, z
        assert [r() is None for r in refs] == [True, True, True]
        assert ref_y() is None
        ref_x = weakref.ref(x)
        del x
        assert ref_x() is None
    finally:
        gc.enable()


# --------------------------------------------------------------------------- broadcasting
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_broadcast_gradients_have_input_shapes_like_torch(op):
    def run(m):
        a = m.tensor([[1.0], [2.0], [3.0]], requires_grad=True)  # (3, 1)
        b = m.tensor([0.5, 1.0, 2.0, 4.0], requires_grad=True)  # (4,)
        s = m.tensor(1.5, requires_grad=True)  # ()
        out = getattr(getattr(a, op)(b), op)(s)
        (out * m.arange(12.0).reshape(3, 4)).sum().backward()
        return out, a.grad, b.grad, s.grad

    out, expected = run(cr), run(torch)
    assert [tuple(g.shape) for g in out[1:]] == [(3, 1), (4,), ()]
    assert_close(out, expected)


def test_broadcast_gradients_keep_each_input_dtype_like_torch():
    def run(m):
        a = m.ones(3, 1, dtype=m.float64, requires_grad=True)
        b = m.ones(4, requires_grad=True)
        (a * b * 2).sum().backward()
        return a.grad, b.grad

    assert_close(run(cr), run(torch))


def test_first_gradient_is_never_shared_with_another_tensor():
    """The engine keeps a fresh gradient buffer without copying it only when nothing else
    refers to it: leaves fed the same gradient, the caller's ``gradient`` and hooks that
    keep the gradient must all end up with their own memory."""
    import chainrule as cr

    a = cr.ones(3, requires_grad=True)
    b = cr.ones(3, requires_grad=True)
    (a + b).sum().backward()  # add hands the same gradient array to both leaves
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0, 1.0]

    g = cr.full((3,), 2.0)
    c = cr.ones(3, requires_grad=True)
    c.backward(g)
    c.grad.zero_()
    assert g.tolist() == [2.0, 2.0, 2.0]

    kept = []
    d = cr.ones(3, requires_grad=True)
    d.register_hook(kept.append)
    (d * 5).sum().backward()
    d.grad.zero_()
    assert kept[0].tolist() == [5.0, 5.0, 5.0]

    x = cr.ones(2, 3)
    w = cr.ones(4, 3, requires_grad=True)
    bias = cr.zeros(4, requires_grad=True)
    cr.nn.functional.linear(x, w, bias).sum().backward()
    assert w.grad.numpy().flags.c_contiguous and w.grad.tolist() == [[2.0] * 3] * 4
    assert bias.grad.tolist() == [2.0] * 4
