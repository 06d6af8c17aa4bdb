"""``draw``: the textbook's graph, checked through its DOT, SVG, TikZ and PNG forms."""

import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from dot_parse import parse

import chainrule
from chainrule import nn, viz

SVG = "{http://www.w3.org/2000/svg}"

# (source, target, value, gradient) for every edge of the textbook's figure
TEXTBOOK_EDGES = {
    ("a", "+", "2", "16"),
    ("b", "×3", "3", "48"),
    ("×3", "+", "9", "16"),
    ("c", "square", "4", "88"),
    ("+", "×", "11", "16"),
    ("square", "×", "16", "11"),
    ("×", "L", "176", "1"),
}


def _edges(graph):
    _, edges, _ = parse(graph.dot())
    return {(s, d, "\n".join(v), "\n".join(g)) for s, d, v, g in edges}


def test_dot_has_the_textbook_nodes_edges_and_both_labels(textbook, names):
    textbook["L"].backward()
    graph = viz.draw(textbook["L"], names=names)
    nodes, edges, _ = parse(graph.dot())
    assert sorted(nodes.values()) == sorted(["a", "b", "c", "×3", "+", "square", "×", "L"])
    assert len(edges) == 7
    assert _edges(graph) == TEXTBOOK_EDGES
    assert "rankdir=LR" in graph.dot()


def test_forward_only_before_backward(textbook):
    graph = viz.draw(textbook["L"])
    assert {(s, d, v) for s, d, v, g in _edges(graph)} == {e[:3] for e in TEXTBOOK_EDGES}
    assert all(g == "" for *_, g in _edges(graph))
    assert "forward values only" in repr(graph)


def test_show_grad_true_computes_gradients_without_backward(textbook):
    assert _edges(viz.draw(textbook["L"], show_grad=True)) == TEXTBOOK_EDGES


def test_show_grad_false_hides_gradients_after_backward(textbook):
    textbook["L"].backward()
    assert all(g == "" for *_, g in _edges(viz.draw(textbook["L"], show_grad=False)))


def _svg_edges(svg_text):
    root = ET.fromstring(svg_text)
    found = set()
    labels = {}
    for g in root.iter(f"{SVG}g"):
        if "node" in g.get("class", ""):
            labels[g.get("id")] = "".join(g.find(f"{SVG}text").itertext())
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "edge":
            continue
        texts = {t.get("class"): "\n".join(s.text for s in t) for t in g.iter(f"{SVG}text")}
        found.add(
            (
                labels[g.get("data-from")],
                labels[g.get("data-to")],
                texts["value"],
                texts.get("grad", ""),
            )
        )
    return found


def test_svg_holds_every_label(textbook):
    textbook["L"].backward()
    svg = viz.draw(textbook["L"]).svg()
    assert _svg_edges(svg) == TEXTBOOK_EDGES
    root = ET.fromstring(svg)
    blue = [t for t in root.iter(f"{SVG}text") if t.get("class") == "value"]
    red = [t for t in root.iter(f"{SVG}text") if t.get("class") == "grad"]
    assert len(blue) == len(red) == 7
    assert {t.get("fill") for t in blue} != {t.get("fill") for t in red}


def test_leaves_left_output_right(textbook):
    graph = viz.draw(textbook["L"])
    x = {b.vertex.label: b.x for b in graph.drawing.boxes}
    assert x["a"] == x["b"] == x["c"] < x["×3"] < x["+"] < x["×"] < x["L"]
    assert x["square"] < x["×"]


def test_save_every_format(textbook, tmp_path):
    textbook["L"].backward()
    graph = viz.draw(textbook["L"])
    for suffix in ("svg", "png", "pdf", "dot", "tex"):
        path = graph.save(tmp_path / f"graph.{suffix}")
        assert path.stat().st_size > 200
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "graph.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "graph.svg").read_text(encoding="utf-8") == graph.svg()
    with pytest.raises(ValueError, match=r"\.svg, \.png"):
        graph.save(tmp_path / "graph.jpg")


def test_tikz_places_every_box_and_label(textbook):
    textbook["L"].backward()
    tikz = viz.draw(textbook["L"]).tikz()
    assert tikz.count("\\node[leaf") == 3 and tikz.count("\\node[op") == 4
    assert tikz.count("\\node[output") == 1 and tikz.count("\\draw[wire]") == 7
    assert "{$\\times$3}" in tikz and "{square}" in tikz
    for _, _, value, grad in TEXTBOOK_EDGES:
        assert "\\node[value] at" in tikz and f"{{{value}}};" in tikz
        assert f"{{{grad}}};" in tikz
    assert tikz.startswith("%") and tikz.rstrip().endswith("\\end{tikzpicture}")


def test_jupyter_reprs(textbook):
    graph = viz.draw(textbook["L"])
    assert graph._repr_svg_().startswith("<svg")
    bundle = graph._repr_mimebundle_()
    assert bundle["image/svg+xml"] == graph.svg() and "Graph" in bundle["text/plain"]


def test_a_value_used_twice_has_one_edge_per_use():
    x = chainrule.tensor(3.0, requires_grad=True, name="x")
    y = x * x + x
    graph = viz.draw(y, show_grad=True)
    edges = [(s, d, "\n".join(v), "\n".join(g)) for s, d, v, g in parse(graph.dot())[1]]
    assert edges.count(("x", "×", "3", "3")) == 2
    assert ("x", "+", "3", "1") in edges
    x_box = next(b for b in graph.drawing.boxes if b.vertex.label == "x")
    assert x_box.vertex.grad == 7
    tops = [w.value_at[1] for w in graph.drawing.wires if w.edge.dst.label == "×"]
    assert abs(tops[0] - tops[1]) > 20, "the two x → × wires are drawn apart"


def test_big_tensors_show_shape_dtype_and_summary():
    w = chainrule.tensor(
        np.arange(12.0, dtype=np.float32).reshape(3, 4) / 10, requires_grad=True, name="W"
    )
    v = chainrule.tensor([1.0, -2.0, 0.5, 3.0], requires_grad=True, name="v")
    loss = (w @ v).sum()
    _, edges, _ = parse(viz.draw(loss, show_grad=True).dot())
    w_edge = next(e for e in edges if e[0] == "W")
    assert w_edge[2][0] == "3×4 float32" and w_edge[2][1].startswith("‖·‖ ")
    assert w_edge[3][0] == "3×4 float32"
    grad_norm = np.linalg.norm(np.outer(np.ones(3), v.detach().numpy()))
    assert f"‖·‖ {grad_norm:.3g}" in w_edge[3][1]
    v_edge = next(e for e in edges if e[0] == "v")
    assert v_edge[2] == ["[1, -2, 0.5, 3]"]


def test_leaf_output_draws():
    a = chainrule.tensor(2.0, requires_grad=True, name="a")
    assert _edges(viz.draw(a, show_grad=True)) == {("a", "L", "2", "1")}


def test_non_scalar_output_needs_its_gradient():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True, name="x")
    y = x * 3
    with pytest.raises(ValueError, match="backward"):
        viz.draw(y, show_grad=True)
    y.backward(chainrule.tensor([1.0, 10.0]))
    assert ("x", "×3", "[1, 2]", "[3, 30]") in _edges(viz.draw(y))


def test_module_parameters_are_named_and_boxed(tmp_path):
    chainrule.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
    loss = model(chainrule.randn(16, 4)).pow(2).mean()
    loss.backward()
    graph = viz.draw(loss, module=model)
    nodes, edges, clusters = parse(graph.dot())
    assert clusters == ["0 · Linear", "2 · Linear", "4 · Linear"]
    for i in (0, 2, 4):
        assert {f"{i}.weight", f"{i}.bias"} <= set(nodes.values())
    assert all(red for *_, red in edges), "every edge has its gradient"
    assert len(graph.drawing.frames) == 3
    frames = sorted(graph.drawing.frames, key=lambda f: f.x0)
    assert all(a.x1 < b.x0 for a, b in itertools.pairwise(frames)), "boxes do not overlap"
    for box in graph.drawing.boxes:
        inside = [f.title for f in frames if f.x0 <= box.x <= f.x1 and f.y0 <= box.y <= f.y1]
        assert inside == ([box.vertex.group] if box.vertex.group else []), box.vertex.label
    graph.save(tmp_path / "mlp.png")


def test_labels_of_pytorch_names():
    x = chainrule.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True, name="x")
    y = x * 1
    y[0] = chainrule.tensor([1.0, 2.0, 3.0])
    outs = {
        "reshape": x.reshape(6),
        "transpose": x.t(),
        "unsqueeze": x[None],
        "squeeze": x[None].squeeze(),
        "prod": x.prod(),
        "set slice": y,
    }
    for label, out in outs.items():
        L = out.sum() if out.numel() > 1 else out
        boxes = [b.vertex.label for b in viz.draw(L, show_grad=True).drawing.boxes]
        assert label in boxes, (label, out.grad_fn.name(), boxes)


def test_leaf_with_several_elements_feeding_an_op_twice():
    v = chainrule.tensor([1.0, 2.0, 3.0], requires_grad=True, name="v")
    L = (v * v).sum()
    edges = [e for e in parse(viz.draw(L, show_grad=True).dot())[1] if e[0] == "v"]
    assert [(blue, red) for *_, blue, red in edges] == [(["[1, 2, 3]"], ["[1, 2, 3]"])] * 2
