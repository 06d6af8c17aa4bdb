"""Big values: freed by ``backward()`` (drawn as such), and complete before it."""

import numpy as np
import pytest
import torch
from dot_parse import parse

import chainrule
from chainrule import nn, viz
from chainrule._grad_mode import capture

PICTURE_LIMIT = capture[0].limit  # what the capture opened by chainrule.viz keeps

N = PICTURE_LIMIT + 44  # bigger than what a node keeps after backward()


def _big():
    """``L = sum(tanh(3x))`` with a leaf of N elements, so ``3x`` and ``tanh`` are freed."""
    x = chainrule.tensor(np.linspace(-1, 1, N), requires_grad=True, name="x")
    return x, (3 * x).tanh().sum()


def test_large_intermediate_drawn_after_backward(tmp_path):
    _, L = _big()
    L.backward()
    assert L.grad_fn.next_functions[0][0].value is None, "the engine freed the big value"
    graph = viz.draw(L)
    _, edges, _ = parse(graph.dot())
    by_end = {(s, d): (v, g) for s, d, v, g in edges}
    assert by_end[("×3", "tanh")] == ([f"{N}", "freed after backward"], [])
    assert by_end[("tanh", "sum")] == ([f"{N}", "freed after backward"], [])
    value, grad = by_end[("x", "×3")]
    assert value[0] == grad[0] == f"{N} float64"
    want = 3 / np.cosh(3 * np.linspace(-1, 1, N)) ** 2
    assert f"‖·‖ {np.linalg.norm(want):.3g}" in grad[1], "x's gradient is its .grad"
    assert by_end[("sum", "L")][1] == ["1"]
    svg = graph.svg()
    assert "retain_graph=True" in svg and "draw before backward" in svg
    for suffix in ("svg", "png", "pdf", "dot", "tex"):
        assert graph.save(tmp_path / f"freed.{suffix}").stat().st_size > 200
    text = viz.explain(L)
    assert f"= {N}, freed after backward." in text
    assert text.rstrip().endswith("pass retain_graph=True, to see them.")
    page = viz.to_html(L, tmp_path / "freed.html").read_text(encoding="utf-8")
    assert "freed after backward" in page


def test_shape_unknown_says_freed_only():
    x = chainrule.tensor(np.ones(N), requires_grad=True, name="x")
    k = chainrule.tensor(np.full(2 * N, 0.5))  # a constant tensor: not recorded on the node
    L = (chainrule.cat([x, x]) * k).sum()
    L.backward()
    _, edges, _ = parse(viz.draw(L).dot())
    cat_edge = next(e for e in edges if e[1] == "×")
    assert cat_edge[2] == ["freed after backward"]
    sum_edge = next(e for e in edges if e[1] == "sum")
    assert sum_edge[2] == [f"{2 * N}", "freed after backward"]


def test_retain_graph_and_a_wider_capture_keep_everything():
    # the engine keeps only what gradients need; a capture with a higher limit keeps the
    # big forward values for the picture, and retain_graph the graph for its gradients
    with viz.capturing(limit=10**6):
        x, L = _big()
    L.backward(retain_graph=True)
    _, edges, _ = parse(viz.draw(L).dot())
    assert all(red for *_, red in edges), "every edge has its gradient"
    assert not any("freed" in line for _, _, blue, _ in edges for line in blue)
    assert x.grad is not None and L.grad_fn.next_functions[0][0].value is not None


def _mlp(lib, x, y):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
    return model, lib.nn.CrossEntropyLoss()(model(x), y)


def test_big_gradients_before_backward_match_pytorch():
    """Before backward(), the tool's own hooked pass gives the gradient along every edge,
    however big, and they match PyTorch's gradients w.r.t. the same activations."""
    data = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    labels = np.arange(64) % 3
    model, loss = _mlp(chainrule, chainrule.tensor(data), chainrule.tensor(labels))
    t_model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    with torch.no_grad():
        for p, q in zip(t_model.parameters(), model.parameters()):
            p.copy_(torch.from_numpy(q.detach().numpy()))
    hidden = t_model[1](t_model[0](torch.from_numpy(data)))
    t_loss = torch.nn.functional.cross_entropy(t_model[2](hidden), torch.from_numpy(labels))
    want = torch.autograd.grad(t_loss, hidden)[0].numpy()

    graph = viz.draw(loss, module=model, show_grad=True)
    trace = graph.trace
    relu_out = next(e for e in trace.edges if e.src.op == "ReluBackward0")
    assert relu_out.grad.shape == (64, 8) and relu_out.grad.size > PICTURE_LIMIT
    np.testing.assert_allclose(relu_out.grad, want, rtol=1e-5, atol=1e-7)
    assert all(e.grad is not None for e in trace.edges)
    assert all(p.grad is None for p in model.parameters()), "no .grad was written"
    loss.backward()  # the graph was kept
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("batch", [8, 64])
def test_mlp_after_backward_draws_and_explains(batch, tmp_path):
    chainrule.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    loss = nn.CrossEntropyLoss()(
        model(chainrule.randn(batch, 4)), chainrule.tensor(np.arange(batch) % 3)
    )
    loss.backward()
    graph = viz.draw(loss, module=model)
    graph.save(tmp_path / "mlp.png")
    _, edges, clusters = parse(graph.dot())
    assert clusters == ["0 · Linear", "2 · Linear"]
    freed = [e for e in edges if "freed after backward" in e[2]]
    assert len(freed) == (2 if batch * 8 > PICTURE_LIMIT else 0)
    assert all(e[2][0] == f"{batch}×8" for e in freed), "the shape is inferred"
    assert "Backpropagation through L" in viz.explain(loss, module=model)
