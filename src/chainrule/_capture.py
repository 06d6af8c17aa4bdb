"""Opt-in capture of forward values and gradients, for pictures of the graph.

The engine keeps a node's output only when its gradient formulas use it.  A picture of
the graph needs more: every intermediate value, and the gradient that reached each node.
Inside ``capturing()`` (``chainrule.viz`` opens one when it is imported) recorded nodes
hand their outputs, and backward passes their incoming gradients, to the open
``Capture``, which keeps those of at most ``limit`` elements (bigger ones only by shape)
for as long as the node lives.
"""

import contextlib
import weakref

from ._grad_mode import capture

__all__ = ["Capture", "capturing", "captured_value", "captured_grad"]

_values = weakref.WeakKeyDictionary()  # node -> forward value (an array)
_grads = weakref.WeakKeyDictionary()  # node -> gradient w.r.t. its output, latest pass


class Capture:
    """Keeps values and gradients of at most ``limit`` elements."""

    def __init__(self, limit=256):
        self.limit = limit

    def forward(self, node, out):
        if out.size <= self.limit:
            _values[node] = out

    def backward(self, node, g):
        data = getattr(g, "_data", g)
        if data.size <= self.limit:
            _grads[node] = data


def captured_value(node):
    return _values.get(node)


def captured_grad(node):
    return _grads.get(node)


@contextlib.contextmanager
def capturing(enabled=True, limit=256):
    """Capture values and gradients of nodes recorded inside the block (or, with
    ``enabled=False``, stop capturing inside it)."""
    previous = capture[0]
    capture[0] = Capture(limit) if enabled else None
    try:
        yield capture[0]
    finally:
        capture[0] = previous


def start_capturing(limit=256):
    """Capture from now on, process-wide (what importing ``chainrule.viz`` does)."""
    if capture[0] is None:
        capture[0] = Capture(limit)
