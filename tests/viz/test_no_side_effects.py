"""``draw``, ``explain`` and ``to_html`` leave every tensor as they found it."""

import pytest

from chainrule import viz


def _state(t):
    grad = None if t.grad is None else (id(t.grad), t.grad.item())
    return grad, t.requires_grad, t.grad_fn


def _structure(node):
    """The graph below ``node`` as nested (name, children) tuples."""
    if node is None:
        return None
    return (node.name(), tuple(_structure(c) for c, _ in node.next_functions))


def _use_all(textbook, tmp_path):
    names = {"q": textbook["q"], "r": textbook["r"]}
    viz.draw(textbook["L"], names=names).save(tmp_path / "g.png")
    viz.draw(textbook["L"], show_grad=True).svg()
    viz.explain(textbook["L"], names=names, format="markdown")
    viz.to_html(textbook["L"], tmp_path / "page.html", names=names)


# the snapshot reads .grad of the non-leaves q, r and L too, which warns as in PyTorch
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
@pytest.mark.parametrize("after_backward", [False, True])
def test_tensors_and_graph_unchanged(textbook, tmp_path, after_backward):
    L = textbook["L"]
    if after_backward:
        L.backward()
    tensors = dict(textbook)
    before = {k: _state(t) for k, t in tensors.items()}
    graph = _structure(L.grad_fn)
    _use_all(textbook, tmp_path)
    assert {k: _state(t) for k, t in tensors.items()} == before
    assert _structure(L.grad_fn) == graph
    if not after_backward:
        L.backward()  # the graph is still whole: the tool kept it (retain_graph=True)
        assert [textbook[k].grad.item() for k in "abc"] == [16.0, 48.0, 88.0]


def test_named_tensors_that_retain_grad_keep_their_grad(textbook, tmp_path):
    """The tool's own backward pass runs the retain_grad() hook like any pass; the .grad of
    every tensor it was given is put back."""
    q, L = textbook["q"], textbook["L"]
    q.retain_grad()
    viz.explain(L, names={"q": q})
    viz.draw(L, names={"q": q}, show_grad=True).svg()
    assert q.grad is None
    L.backward()
    assert q.grad.item() == 16.0
