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
When gradients are wanted (``show_grad=True``, ``explain``, ``to_html``, or ``draw`` after a
backward pass) and the graph is still whole, this package runs its own backward pass::

    chainrule.autograd.grad(L, leaves, retain_graph=True, allow_unused=True)

with a hook on every op node (``node.register_hook``) that records the gradient reaching
the node and the share it sends along each input edge, the share a normal backward pass
sums away when a value has several uses.  That pass writes no leaf's ``.grad`` (the
``.grad`` of a tensor you named that has ``retain_grad()`` is put back) and keeps the
graph, so your own ``L.backward()`` still works afterwards; tensor hooks you registered do
run.  The hooks are removed when it is done.

The engine keeps a node's output only when its gradient formulas need it.  Importing this
package opens a picture capture (``chainrule._capture``, process-wide; ``capturing(False)``
closes it for a block): from then on recorded nodes keep their forward values, and backward
passes the gradients reaching each node, for values of at most 256 elements.  After a
plain ``L.backward()`` has freed the graph, those are read instead: ``node.value`` and
``node.grad``.  Each edge's share then
comes from *replaying* the op on fresh tensors holding the recorded inputs and asking the
engine for its vector-Jacobian product.  Bigger values show as their shape (when it can be
inferred) and ``freed after backward``: draw before ``backward()``, or pass
``retain_graph=True`` to it, to see them.  For a non-scalar output, call
``out.backward(gradient)`` first, so the gradient to start from is known.

Every number shown comes from chainrule's own derivative formulas.  Only the public graph
is read: ``grad_fn``, ``next_functions``, ``name()``, ``attributes()``, ``value``, ``grad``,
``register_hook`` and ``AccumulateGrad.variable``.
"""

from chainrule._capture import capturing, start_capturing

from .explain import explain
from .graph import Graph, draw
from .html import to_html

start_capturing()

__all__ = ["Graph", "capturing", "draw", "explain", "to_html"]
