"""The autograd engine's properties, checked against PyTorch where PyTorch has the behaviour.

Per-op values and gradients live in test_ops_vs_torch.py (op_db); this file checks what
the engine does with a whole graph: the iterative traversal, freeing saved buffers,
retain_graph, gradient accumulation, retain_grad, hooks, next_functions, version
counters, grad modes, autograd.grad (higher order), custom Functions, gradcheck, anomaly
detection, freeing by reference counting, broadcasting and dtype promotion.
"""

import gc
import math
import os
import re
import subprocess
import sys
import textwrap
import tracemalloc
import weakref

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import _grad_mode

MODULES = [pytest.param(torch, id="torch"), pytest.param(cr, id="chainrule")]
SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Every test starts and ends with grad mode on, anomaly mode off, float32 default."""
    yield
    torch.set_grad_enabled(True)
    torch.autograd.set_detect_anomaly(False)
    torch.set_default_dtype(torch.float32)
    # chainrule's own switches are reset directly: a bug in one of them (see the grad-mode
    # tests) must not leak into the tests that run after it in the same worker
    _grad_mode.grad_enabled[0] = True
    _grad_mode.anomaly_enabled[0] = False
    cr.set_default_dtype(cr.float32)


def _lineno():
    """The line number of the caller (to find it in anomaly messages)."""
    return sys._getframe(1).f_lineno


def plain(v):
    """A comparable form of a result: tensors become (dtype, shape, values)."""
    if isinstance(v, (torch.Tensor, cr.Tensor)):
        return ("tensor", str(v.dtype), tuple(v.shape), v.detach().tolist())
    if isinstance(v, (list, tuple)):
        return type(v)(plain(x) for x in v)
    return v


def assert_close(actual, expected, rtol=1e-6, atol=1e-6):
    """``actual`` (chainrule) matches ``expected`` (torch): dtype, shape and values."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol, atol)
        return
    if expected is None:
        assert actual is None
        return
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, cr.Tensor), f"expected a chainrule Tensor, got {actual!r}"
        assert str(actual.dtype) == str(expected.dtype)
        assert tuple(actual.shape) == tuple(expected.shape)
        np.testing.assert_allclose(
            np.asarray(actual.detach()), expected.detach().numpy(), rtol=rtol, atol=atol
        )
        return
    assert actual == expected


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
    ref = weakref.ref(np.asarray(e))  # the array behind the intermediate tensor
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


# --------------------------------------------------------------------------- retain_grad
def test_nonleaf_grad_is_none_unless_retain_grad_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y * 3
        y.retain_grad()
        (z * z).sum().backward()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns on .grad of a non-leaf
            return [
                x.grad,
                y.grad,
                z.grad,
                y.is_leaf,
                y.retains_grad,
                z.retains_grad,
                x.retains_grad,
            ]

    assert_close(run(cr), run(torch))


def test_retain_grad_accumulates_over_two_backward_calls_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.retain_grad()
        s = (y * 3).sum()
        s.backward(retain_graph=True)
        s.backward()
        return y.grad

    assert_close(run(cr), run(torch))


def test_retain_grad_sees_the_gradient_after_hooks_like_torch():
    # since PyTorch 2.0 the retains_grad hook runs after all other tensor hooks
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        return y.grad, x.grad

    assert_close(run(cr), run(torch))


# --------------------------------------------------------------------------- hooks
def test_tensor_hooks_on_leaf_and_nonleaf_modify_grads_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        hx = x.register_hook(lambda g: g * 10)
        y = x * 2
        hy = y.register_hook(lambda g: g + 1)
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()))  # returns None: no change
        (y * y).sum().backward()
        first = x.grad.clone()
        x.grad = None
        hx.remove()
        hy.remove()
        y2 = x * 2
        (y2 * y2).sum().backward()
        return first, x.grad, seen

    assert_close(run(cr), run(torch))


def test_hooks_run_in_registration_order_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(("h1", g.tolist())) or g * 2)
        x.register_hook(lambda g: seen.append(("h2", g.tolist())))
        y = x * 3
        y.register_hook(lambda g: seen.append(("y", g.tolist())) or g + 1)
        (y * y).sum().backward()
        return seen, x.grad

    assert_close(run(cr), run(torch))


def test_hook_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require grad|does not require grad"):
        cr.tensor([1.0]).register_hook(lambda g: g)


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


# --------------------------------------------------------------------------- version counters
def test_inplace_on_saved_output_raises_naming_the_op():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # ExpBackward0 saves its output y
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"(?s)inplace.*\bExp(Backward0)?\b"):
        y.sum().backward()


def test_inplace_on_saved_input_raises_naming_the_op():
    x = cr.tensor(2.0, requires_grad=True)
    a = x * 2
    b = a * a  # MulBackward0 saves a
    a.mul_(3)
    with pytest.raises(RuntimeError, match=r"(?s)inplace.*\bMul(Backward0)?\b"):
        b.backward()


def test_inplace_error_is_raised_before_any_leaf_grad_is_written():
    x = cr.tensor(2.0, requires_grad=True)
    a = x * 2
    b = a * a
    a.mul_(3)
    with pytest.raises(RuntimeError):
        b.backward()
    assert x.grad is None


def test_version_counter_values_match_torch():
    def run(m):
        x = m.zeros(3)
        versions = [x._version]
        x.add_(1)
        versions.append(x._version)
        x.mul_(2)
        versions.append(x._version)
        x[0] = 5.0
        versions.append(x._version)
        d = x.detach()  # shares the version counter
        d.zero_()
        versions.append(x._version)
        c = x.clone()  # does not
        c.add_(1)
        versions += [x._version, c._version]
        return versions, x

    assert_close(run(cr), run(torch))


INPLACE_SCENARIOS = {
    "add_sub_mul_div_chain": lambda m, x: (
        lambda y: (y.add_(1), y.sub_(0.5), y.mul_(x), y.div_(2), y)[-1]
    )(x * 2),
    "clamp_and_setitem": lambda m, x: (
        lambda y: (y.clamp_(0, 5), y.__setitem__(0, 10 * x[1]), y)[-1]
    )(x * 3 - 2),
    "slice_inplace": lambda m, x: (lambda y: (y[1:].mul_(2), y)[-1])(x * 1),
    "mul_by_tensor_not_saved": lambda m, x: (
        lambda y: (y.mul_(m.tensor([1.0, 2.0, 3.0])), y.add_(x), y)[-1]
    )(x.sin()),
    "fill_then_add": lambda m, x: (lambda y: (y.fill_(2.0), y.add_(x * x), y)[-1])(x * 1),
    "copy_then_mul": lambda m, x: (lambda y: (y.copy_(x.exp()), y.mul_(3), y)[-1])(m.zeros(3)),
    "zero_then_add": lambda m, x: (lambda y: (y.zero_(), y.add_(x, alpha=2), y)[-1])(x * 5),
}


@pytest.mark.parametrize("name", list(INPLACE_SCENARIOS))
def test_inplace_on_unsaved_tensors_matches_torch(name):
    def run(m):
        x = m.tensor([0.5, 1.5, 2.5], requires_grad=True)
        y = INPLACE_SCENARIOS[name](m, x)
        (y * y).sum().backward()
        return y, x.grad

    assert_close(run(cr), run(torch))


@pytest.mark.parametrize("op", ["add_", "setitem", "zero_"])
def test_inplace_on_leaf_requiring_grad_raises(op):
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        if op == "add_":
            x.add_(1)
        elif op == "setitem":
            x[0] = 3.0
        else:
            x.zero_()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])
    assert x._version == 0 and x.grad_fn is None


def test_inplace_on_leaf_under_no_grad_works_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with m.no_grad():
            x.add_(1)
            x.mul_(2)
            x[0] = 7.0
            x.sub_(m.tensor([1.0, 1.0]))
        y = (x * x).sum()
        y.backward()
        return x, x._version, x.is_leaf, x.requires_grad, x.grad

    assert_close(run(cr), run(torch))


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


# --------------------------------------------------------------------------- autograd.grad
def test_second_derivative_of_cube():
    x = cr.tensor(2.0, requires_grad=True)
    (g,) = cr.autograd.grad(x**3, x, create_graph=True)
    assert g.item() == 12.0 and g.requires_grad and g.grad_fn is not None
    (gg,) = cr.autograd.grad(g, x)
    assert gg.item() == 12.0
    assert x.grad is None  # autograd.grad returns, it does not accumulate


def test_backward_with_create_graph_gives_differentiable_grad_like_torch():
    def run(m):
        x = m.tensor([1.5, -2.0], dtype=m.float64, requires_grad=True)
        (x.sin() * x**2).sum().backward(create_graph=True)
        g = x.grad
        (gg,) = m.autograd.grad(g.sum(), x)
        return g.requires_grad, g.detach(), gg

    assert_close(run(cr), run(torch), rtol=1e-12)


def _mlp_hvp(m):
    rng = np.random.default_rng(0)
    X = m.tensor(rng.standard_normal((8, 3)))
    Y = m.tensor(rng.standard_normal((8, 2)))
    params = [
        m.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 5), (5,), (5, 2), (2,)]
    ]
    vs = [m.tensor(rng.standard_normal(tuple(p.shape))) for p in params]
    W1, b1, W2, b2 = params
    loss = ((m.relu(X @ W1 + b1) @ W2 + b2 - Y) ** 2).mean()
    grads = m.autograd.grad(loss, params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vs))
    return [loss] + list(grads) + list(m.autograd.grad(dot, params))


def test_hessian_vector_product_of_mlp_loss_matches_torch():
    out, expected = _mlp_hvp(cr), _mlp_hvp(torch)
    assert all(str(t.dtype) == "torch.float64" for t in out)
    assert_close(out, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("m", MODULES)
def test_grad_allow_unused(m):
    x = m.tensor(1.0, requires_grad=True)
    z = m.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        m.autograd.grad(x * 2, [x, z])
    gx, gz = m.autograd.grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


def test_grad_outputs_and_backward_gradient_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (g,) = m.autograd.grad(x * x, x, grad_outputs=m.tensor([1.0, 0.5, 2.0]))
        grad_before = x.grad
        (x * x).backward(m.tensor([1.0, 0.5, 2.0]))
        return g, grad_before, x.grad

    assert_close(run(cr), run(torch))


def test_grad_of_several_outputs_and_wrt_nonleaf_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        a, b = (y * 3).sum(), (x * 3).sum()
        return m.autograd.grad([a, b], x, retain_graph=True), m.autograd.grad(a, y)

    assert_close(run(cr), run(torch))


def test_backward_inputs_only_accumulates_into_those_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        return x.grad, w.grad

    assert_close(run(cr), run(torch))


# --------------------------------------------------------------------------- custom Function
def _cube_function(m):
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x**3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g * ctx.k, None

    return Cube


def test_custom_function_matches_torch():
    def run(m):
        Cube = _cube_function(m)
        x = m.tensor([1.0, 2.0, -1.5], dtype=m.float64, requires_grad=True)
        y = Cube.apply(x, 2.0)
        (y * m.tensor([1.0, -1.0, 0.5], dtype=m.float64)).sum().backward()
        return y, x.grad, y.grad_fn.name(), y.requires_grad, y.is_leaf

    assert_close(run(cr), run(torch), rtol=1e-12)


def test_custom_function_needs_input_grad_like_torch():
    def run(m):
        seen = []

        class Mul(m.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b

            @staticmethod
            def backward(ctx, g):
                a, b = ctx.saved_tensors
                seen.append(tuple(ctx.needs_input_grad))
                return (
                    g * b if ctx.needs_input_grad[0] else None,
                    g * a if ctx.needs_input_grad[1] else None,
                )

        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0])
        Mul.apply(a, b).sum().backward()
        return a.grad, b.grad, seen

    assert_close(run(cr), run(torch))


def test_custom_function_passes_gradcheck_and_double_backward_like_torch():
    Cube = _cube_function(cr)
    x = cr.tensor([0.3, -1.2, 2.0], dtype=cr.float64, requires_grad=True)
    assert cr.autograd.gradcheck(lambda t: Cube.apply(t, 2.0), (x,))

    def run(m):
        C = _cube_function(m)
        x = m.tensor([2.0, -1.0], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(C.apply(x, 1.0).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        return g.detach(), gg

    assert_close(run(cr), run(torch))


def test_custom_function_saved_tensor_modified_in_place_raises():
    Cube = _cube_function(cr)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h, 1.0)
    h.add_(1)
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


# --------------------------------------------------------------------------- gradcheck
def test_gradcheck_true_on_correct_ops():
    x = cr.tensor([0.3, 0.7], dtype=cr.float64, requires_grad=True)
    w = cr.tensor([[1.0, 2.0], [3.0, -4.0]], dtype=cr.float64, requires_grad=True)
    assert cr.autograd.gradcheck(lambda a, b: (b @ a).tanh() * a + a.exp().sum(), (x, w))
    assert cr.autograd.gradcheck(lambda a: a.sigmoid().log(), (x,))


def _wrong_sin(m):
    class WrongSin(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos() * 1.1  # 10 % off

    return WrongSin


@pytest.mark.parametrize("m", MODULES)
def test_gradcheck_rejects_a_wrong_backward(m):
    W = _wrong_sin(m)
    x = m.tensor([0.3, 0.7], dtype=m.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="(?i)jacobian mismatch"):
        m.autograd.gradcheck(W.apply, (x,))
    assert m.autograd.gradcheck(W.apply, (x,), raise_exception=False) is False


# --------------------------------------------------------------------------- detect_anomaly
def _assert_names_here(msg, line):
    assert __file__ in msg, f"the message does not name this file: {msg}"
    assert re.search(rf"\bline {line}\b", msg), f"the message does not name line {line}: {msg}"


def test_anomaly_nan_in_forward_names_op_file_and_line():
    x = cr.tensor([1.0, 0.0], requires_grad=True)
    with np.errstate(all="ignore"), cr.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="DivBackward0") as info:
            line = _lineno() + 1
            (x - x) / (x - x)
    _assert_names_here(str(info.value), line)


def test_anomaly_log_of_negative_in_forward():
    x = cr.tensor([-1.0, 2.0], requires_grad=True)
    with np.errstate(all="ignore"), cr.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="LogBackward0") as info:
            line = _lineno() + 1
            x.log()
    _assert_names_here(str(info.value), line)


def test_anomaly_inf_in_backward_names_op_file_and_line():
    x = cr.tensor([0.0, 2.0], requires_grad=True)
    with np.errstate(all="ignore"), cr.autograd.detect_anomaly():
        line = _lineno() + 1
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
        line = _lineno() + 1
        y = x.exp()
        y.add_(1)
        with pytest.raises(RuntimeError, match=r"inplace") as info:
            y.sum().backward()
    _assert_names_here(str(info.value), line)


def test_anomaly_inplace_error_names_line_that_created_the_modified_input():
    x = cr.tensor(2.0, requires_grad=True)
    with cr.autograd.detect_anomaly():
        line = _lineno() + 1
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


def test_graph_after_backward_and_custom_function_is_freed_by_reference_counting():
    gc.disable()
    try:
        Cube = _cube_function(cr)
        x = cr.tensor([1.0, 2.0], requires_grad=True)
        y = Cube.apply(x * 3, 2.0).sum()
        y.backward()
        refs = [weakref.ref(y.grad_fn), weakref.ref(y.grad_fn.next_functions[0][0])]
        del y
        assert [r() is None for r in refs] == [True, True]
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


# --------------------------------------------------------------------------- dtypes
def test_set_default_dtype_float64():
    try:
        cr.set_default_dtype(cr.float64)
        assert cr.get_default_dtype() is cr.float64
        assert cr.tensor(1.0).dtype is cr.float64
        assert cr.tensor([1.0, 2.0]).dtype is cr.float64
        assert cr.zeros(2).dtype is cr.float64
        assert cr.randn(2).dtype is cr.float64
        assert cr.arange(3.0).dtype is cr.float64
        assert cr.tensor([1, 2]).dtype is cr.int64
        assert (cr.tensor([1, 2]) / 2).dtype is cr.float64
        assert (cr.tensor([1, 2]) + 0.5).dtype is cr.float64
    finally:
        cr.set_default_dtype(cr.float32)
    assert cr.tensor(1.0).dtype is cr.float32


PROMOTIONS = {
    "f32_vec + py_float": lambda m: m.ones(2) + 2.5,
    "i64_vec + py_float": lambda m: m.tensor([1, 2]) + 2.5,
    "py_float - i64_vec": lambda m: 2.5 - m.tensor([1, 2]),
    "i64_vec / i64_vec": lambda m: m.tensor([1, 2]) / m.tensor([2, 2]),
    "i64_vec / py_int": lambda m: m.tensor([1, 2]) / 2,
    "f32_vec + f64_0dim": lambda m: m.ones(2) + m.tensor(1.0, dtype=m.float64),
    "f32_vec + f64_vec": lambda m: m.ones(2) + m.ones(2, dtype=m.float64),
    "f32_0dim + f64_0dim": lambda m: m.tensor(1.0) + m.tensor(1.0, dtype=m.float64),
    "bool_vec + py_int": lambda m: m.tensor([True, False]) + 1,
    "bool_vec + i64_vec": lambda m: m.tensor([True, False]) + m.tensor([1, 2]),
    "i64_vec * py_bool": lambda m: m.tensor([1, 2]) * True,
    "f32_vec * i64_vec": lambda m: m.ones(2) * m.tensor([1, 2]),
    "i64_0dim + f32_vec": lambda m: m.tensor(1) + m.ones(2),
    "f64_0dim * i64_vec": lambda m: m.tensor(1.0, dtype=m.float64) * m.tensor([1, 2]),
    "py_int ** i64_vec": lambda m: 2 ** m.tensor([1, 2]),
    "i64_vec ** py_float": lambda m: m.tensor([1, 2]) ** 2.0,
    "i64_vec.exp()": lambda m: m.tensor([1, 2]).exp(),
    "f32_vec * np.float64": lambda m: m.ones(2) * np.float64(1.5),
    "np.float64 * f32_vec": lambda m: np.sqrt(2.0) * m.ones(2),
    "i64_vec + np.float64": lambda m: m.tensor([1, 2]) + np.float64(2.5),
    "f32_vec + np.float32": lambda m: m.ones(2) + np.float32(1.5),
}


@pytest.mark.parametrize("name", list(PROMOTIONS))
def test_dtype_promotion_matches_torch(name):
    got = PROMOTIONS[name](cr)
    expected = PROMOTIONS[name](torch)
    assert isinstance(got, cr.Tensor)
    assert str(got.dtype) == str(expected.dtype)
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64), expected.double().numpy(), rtol=1e-6
    )


def test_promotion_gradients_come_back_in_the_input_dtype_like_torch():
    def run(m):
        a = m.tensor([1.0, 2.0], requires_grad=True)  # float32 vector
        b = m.tensor(3.0, dtype=m.float64, requires_grad=True)  # float64 0-dim
        c = m.tensor([0.5, 0.25], dtype=m.float64, requires_grad=True)  # float64 vector
        y = a * b  # float32
        z = y * c  # float64
        z.sum().backward()
        return y, z, a.grad, b.grad, c.grad

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
