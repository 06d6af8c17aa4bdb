"""See backpropagation: pictures of a computation graph, and its backward pass in words.

* ``draw(L)`` lays the graph out left to right, leaves to output, with each edge's forward
  value above it (blue) and, once a backward pass has run, the gradient of ``L`` with respect
  to that value below it (red).  The result saves as SVG, PNG or PDF (matplotlib), Graphviz
  DOT and TikZ, and shows inline in Jupyter.
* ``explain(L)`` writes the backward pass as numbered chain-rule steps, one per edge.
* ``to_html(L, path)`` writes one self-contained page that fills in the gradients step by
  step, with each step's sentence beside the graph.

The layout is igraph's Sugiyama layered layout and the SVG is written here, so nothing
needs Graphviz or any other system program.

How the gradients are found without changing your tensors
---------------------------------------------------------
Every op node keeps its forward output (``node.value``) and, after a backward pass, the
gradient with respect to that output (``node.grad``); both survive ``L.backward()``.  When
gradients are wanted (``show_grad=True``, ``explain``, ``to_html``) and ``L`` is a scalar
whose graph is still whole, this package runs its own backward pass::

    chainrule.autograd.grad(L, leaves, retain_graph=True, allow_unused=True)

which fills ``node.grad`` and returns the leaves' gradients, but writes no tensor's ``.grad``
and keeps the graph, so your own ``L.backward()`` still works afterwards (tensor hooks you
registered do run).  After a plain ``L.backward()`` has freed the graph, the gradients that
pass stored on the nodes are read instead; for a non-scalar output they are the only source,
so call ``out.backward(gradient)`` first.  The gradient
along each single edge, which a backward pass sums away when a value has several uses, and
the local derivative of each op come from *replaying* the op on fresh tensors holding the
recorded inputs and asking the engine for its vector-Jacobian product; so every number shown
comes from chainrule's own derivative formulas.  For an op without a replay, an edge carries
its source's full gradient when the source has that single use (for a leaf after a freed
graph, that is the leaf's ``.grad``).

Only the public graph is read: ``grad_fn``, ``next_functions``, ``name()``, ``attributes()``,
``value``, ``grad`` and ``AccumulateGrad.variable``.
"""

from .explain import explain
from .graph import Graph, draw
from .html import to_html

__all__ = ["Graph", "draw", "explain", "to_html"]
