"""The graph node (``grad_fn``): what one op recorded for its backward pass.

A node holds the edges to its inputs' nodes, the values its gradient formulas need, and
nothing that points back at the tensor it produced, so a graph is freed by reference
counting as soon as the last tensor that reaches it is dropped.

An edge (an entry of ``inputs``) is one of: another ``Node``; a leaf ``Tensor`` that
requires grad (the engine accumulates into its ``.grad``); or ``None`` (an input that
needs no gradient).
"""

import weakref

from ._capture import captured_grad, captured_value

__all__ = ["Node", "AccumulateGrad", "released_error"]


def released_error(node):
    return RuntimeError(
        f"Trying to backward through the graph a second time (or to use saved values after "
        f"they were freed) in {node.name()}: the intermediate values saved for backward are "
        f"released after .backward() or autograd.grad(). Pass retain_graph=True to the first "
        f"backward call if you need to backpropagate through this graph again."
    )


class Node:
    """A recorded op. Subclasses, one per op, carry ``op`` (the row of the op table).

    Attributes:
        inputs: one edge per tensor input (``Node``, leaf ``Tensor`` or ``None``).
        saved: the inputs the gradient formulas need (``None`` once released).
        versions: version counters of the saved tensors at record time.
        params: the op's non-tensor arguments, passed to the formulas after the tensors.
        out: the forward output, kept only when the row's formulas use it
            (``op.saves_out``), else ``None``.
        out_tangent: inside ``forward_ad.dual_level``, the forward-mode tangent of ``out``,
            so formulas differentiated forward over reverse see it (else ``None``).
        constants: ``None``, or the Python number that was one operand of a two-input op
            (it sits where ``inputs`` has ``None``).
        meta: ``None``, or per input ``(shape, dtype)`` when a broadcasting op's input
            differs from the output in shape or dtype, so the engine can undo that.
        out_box, out_version: for an op whose formulas use its output, the output's
            version counter and its value at record time (``out_box`` is ``None`` for the
            other ops, and ``out_version`` is then never set).
    """

    __slots__ = (
        "inputs",
        "saved",
        "versions",
        "params",
        "out",
        "out_tangent",
        "meta",
        "constants",
        "out_box",
        "out_version",
        "pre_hooks",
        "post_hooks",
        "trace",
        "__weakref__",
    )
    op = None

    def name(self):
        return type(self).__name__

    @property
    def value(self):
        """The forward output, where kept: by the formulas, or by an open picture capture
        (``chainrule._capture``); ``None`` otherwise."""
        if self.out is not None:
            return self.out
        return captured_value(self)

    @property
    def grad(self):
        """The gradient w.r.t. the output in the latest backward pass, where captured."""
        return captured_grad(self)

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        """((node, 0), ...) for each input, as in PyTorch; leaves show AccumulateGrad."""
        return tuple((_public_edge(e), 0) for e in self.inputs)

    def attributes(self):
        """The op's non-tensor arguments by name, e.g. ``{'exponent': 2}`` (for pictures)."""
        attrs = dict(zip(self.op.param_names, self.params))
        if self.constants is not None:
            attrs["other" if self.inputs[1] is None else "self"] = self.constants
        return attrs

    def register_hook(self, fn):
        """Call ``fn(grad_inputs, grad_outputs)`` after this node's backward has run."""
        if self.post_hooks is None:
            self.post_hooks = []
        self.post_hooks.append(fn)
        return _RemovableHandle(self.post_hooks, fn)

    def register_prehook(self, fn):
        """Call ``fn(grad_outputs)`` before this node runs; a returned tuple replaces them.

        Hooks run in the order registered, except that the one storing ``.grad`` for
        ``retain_grad()`` (marked ``retains_grad``) always runs last, as in PyTorch.
        """
        hooks = self.pre_hooks
        if hooks is None:
            hooks = self.pre_hooks = []
        if hooks and getattr(hooks[-1], "retains_grad", False):
            hooks.insert(len(hooks) - 1, fn)
        else:
            hooks.append(fn)
        return _RemovableHandle(hooks, fn)


class _RemovableHandle:
    __slots__ = ("_hooks", "_fn")

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class AccumulateGrad:
    """The public face of a leaf edge: accumulates the incoming gradient into ``.grad``."""

    __slots__ = ("_variable", "__weakref__")

    def __init__(self, variable):
        self._variable = weakref.ref(variable)

    @property
    def variable(self):
        return self._variable()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


_accumulators = {}  # id(leaf) -> its AccumulateGrad, dropped when the leaf dies


def _public_edge(edge):
    if edge is None or isinstance(edge, Node):
        return edge
    key = id(edge)
    acc = _accumulators.get(key)
    if acc is None or acc.variable is not edge:
        acc = _accumulators[key] = AccumulateGrad(edge)
        weakref.finalize(edge, _accumulators.pop, key, None)
    return acc
