"""``to_html``: one self-contained page that steps through the backward pass.

The page holds the graph as inline SVG with every gradient label already in place but
hidden, the steps of ``explain`` as JSON, and a few lines of JavaScript: Next reveals the
next edge's gradient, highlights that edge and shows the step's sentence beside the graph;
Back undoes it.  Nothing is loaded from the network, so the file works offline.
"""

import html
import json
import os
import pathlib

from . import _layout, _svg, _trace
from .explain import steps

__all__ = ["to_html"]

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Backpropagation through __TITLE__</title>
<style>
  body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
  h1 { font-size: 20px; font-weight: normal; margin: 0 0 16px; }
  .page { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
  .graph { overflow-x: auto; border: 1px solid #ddd; border-radius: 6px; }
  .panel { flex: 1 1 320px; max-width: 520px; }
  #counter { color: #666; font-size: 14px; margin-bottom: 6px; }
  #sentence { font-size: 17px; line-height: 1.5; min-height: 6em; }
  button { font-size: 15px; padding: 6px 18px; margin-right: 8px; cursor: pointer; }
  .hint { color: #888; font-size: 13px; margin-top: 12px; }
  svg .grad { visibility: hidden; }
  svg .edge.done .grad { visibility: visible; }
  svg .edge.current path { stroke: #c0262d; stroke-width: 2.6; }
  svg .edge.current .grad { font-weight: bold; }
</style>
</head>
<body>
<h1>Backpropagation through <b>__TITLE__</b>: blue values flow forward, red gradients flow
back.</h1>
<div class="page">
  <div class="graph">__SVG__</div>
  <div class="panel">
    <div id="counter"></div>
    <div id="sentence"></div>
    <p><button id="back">&#9664; Back</button><button id="next">Next &#9654;</button></p>
    <p class="hint">Keys: &larr; and &rarr; step back and forward.</p>
  </div>
</div>
<script type="application/json" id="steps">__STEPS__</script>
<script>
(function () {
  var steps = JSON.parse(document.getElementById("steps").textContent);
  var intro = __INTRO__;
  var k = 0;
  function show() {
    var edges = document.querySelectorAll("svg .edge");
    for (var i = 0; i < edges.length; i++) {
      edges[i].classList.remove("done", "current");
    }
    for (var j = 0; j < k; j++) {
      var e = document.getElementById(steps[j].edge);
      e.classList.add("done");
      if (j === k - 1) { e.classList.add("current"); }
    }
    document.getElementById("counter").textContent =
      k === 0 ? "Forward pass" : "Step " + k + " of " + steps.length;
    document.getElementById("sentence").textContent = k === 0 ? intro : steps[k - 1].text;
    document.getElementById("back").disabled = k === 0;
    document.getElementById("next").disabled = k === steps.length;
  }
  document.getElementById("next").onclick = function () {
    if (k < steps.length) { k++; show(); }
  };
  document.getElementById("back").onclick = function () {
    if (k > 0) { k--; show(); }
  };
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowRight") { document.getElementById("next").click(); }
    if (ev.key === "ArrowLeft") { document.getElementById("back").click(); }
  });
  show();
})();
</script>
</body>
</html>
"""


def to_html(tensor, path, names=None, module=None):
    """Write an interactive page that fills in the gradients of ``tensor``'s graph one
    chain-rule step at a time, with each step's sentence beside the graph.

    The page is a single file with inline SVG and JavaScript; it needs no network.  If no
    backward pass has gone through ``tensor`` yet, one is run without touching any
    ``.grad`` (see ``chainrule.viz``).

    Args:
        tensor: the output, usually a scalar loss.
        path: where to write the ``.html`` file.
        names, module: as for ``draw``.

    Returns:
        The path written, as a ``pathlib.Path``.

    Example::

        >>> chainrule.viz.to_html(L, "backprop.html", names={'q': q, 'r': r})
    """
    trace = _trace.trace(tensor, names=names, module=module, grads=True)
    drawing = _layout.layout(trace)
    found = [{"edge": f"e{s.edge}", "text": s.text} for s in steps(trace)]
    out = trace.output.name
    intro = (
        f"The forward pass has put each value on its edge, in blue. Press Next to go "
        f"backwards from {out}, one edge at a time, and fill in the gradients in red."
    )
    page = (
        _PAGE.replace("__TITLE__", html.escape(out))
        .replace("__SVG__", _svg.svg(drawing, all_grads=True, scale=1.4))
        .replace("__INTRO__", _script_json(intro))
        .replace("__STEPS__", _script_json(found))
    )
    path = pathlib.Path(os.fspath(path))
    path.write_text(page, encoding="utf-8")
    return path


def _script_json(data):
    """JSON that is safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
