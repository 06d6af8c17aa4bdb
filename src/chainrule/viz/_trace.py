"""Read the graph behind a tensor into plain records that every renderer shares.

A ``Trace`` holds vertices (leaves, ops and one ``output`` terminal) and edges.  An edge
carries the forward value of its source and, once gradients are known, the gradient of the
output with respect to that value *along this edge*: when a value feeds several ops (or one
op twice, as in ``x + x``), each edge carries its own share and the shares add up to the
value's gradient.  Gradients are put on by ``_grads``; shapes of values that ``backward()``
freed (``node.value is None``) are inferred by ``_shapes``.

Only the public graph is read: ``grad_fn``, ``next_functions``, ``name()``, ``attributes()``,
``value``, ``grad``, ``register_hook`` and ``AccumulateGrad.variable``.  A Python number
operand is among a node's attributes under its argument name (``{'other': 3}`` for
``b * 3`` and for ``3 * b``, which is recorded as ``mul(b, 3)``); a constant *tensor* operand
(one that needs no gradient) is not recorded: for ``+ − × ÷`` it is solved from the values
around it and shown when it is a single number, else it shows as ``k``.
"""

import numpy as np

from . import _grads, _shapes
from ._format import number, one_line
from ._ops import ATOM, TIGHT, lookup, plain_label, solve_constant

__all__ = ["Edge", "Trace", "Vertex", "trace"]

_MAX_EXPR = 16  # longer expressions are named v1, v2, ... in sentences


class Vertex:
    """A leaf, an op, or the output terminal."""

    def __init__(self, kind, node=None, tensor=None):
        self.kind = kind  # "leaf", "op" or "output"
        self.node = node  # the grad_fn of an op
        self.tensor = tensor  # the tensor of a leaf or of the output
        self.id = 0  # position in forward order, set by ``trace``
        self.op = node.name() if kind == "op" else None
        self.row = lookup(self.op) if self.op else None
        self.attrs = node.attributes() if kind == "op" else {}
        self.inputs = []  # per slot: the incoming Edge, or None for a constant
        self.consts = []  # per slot: the constant's value (None if unknown)
        self.uses = []  # outgoing edges
        self.value = None  # NumPy array; None if backward() freed it
        self.shape = None  # the value's shape, when known
        self.grad = None  # ∂L/∂(this value), summed over its uses
        self.name = ""  # how sentences call the value: 'a', 'q', '3b', 'v2'
        self.prec = ATOM
        self.label = ""  # text inside the box
        self.group = None  # title of the module box it sits in

    def __repr__(self):
        return f"<Vertex {self.id} {self.kind} {self.label!r}>"


class Edge:
    """The value of ``src`` flowing into input ``slot`` of ``dst``."""

    def __init__(self, src, dst, slot):
        self.src, self.dst, self.slot = src, dst, slot
        self.grad = None  # this edge's share of ∂L/∂(src's value)
        self.local = None  # ∂dst/∂src as a number, for scalar ops with a replay

    @property
    def value(self):
        return self.src.value


class Site:
    """One op vertex as its ``_ops`` row functions see it (names, constants, attributes)."""

    def __init__(self, vertex):
        self.v = vertex
        self.attrs = vertex.attrs

    def is_constant(self, i):
        return i >= len(self.v.inputs) or self.v.inputs[i] is None

    def known(self, i):
        """Whether input ``i``'s value is known (a constant may not be recorded)."""
        return not self.is_constant(i) or (i < len(self.v.consts) and self.v.consts[i] is not None)

    def name(self, i):
        if self.is_constant(i):
            c = self.v.consts[i] if i < len(self.v.consts) else None
            return "k" if c is None else _const_text(c)
        return self.v.inputs[i].src.name

    def term(self, i):
        """``name(i)``, bracketed when it would need brackets as a factor or a base."""
        text = self.name(i)
        loose = text.startswith("-") if self.is_constant(i) else self.v.inputs[i].src.prec < TIGHT
        return f"({text})" if loose else text

    def about(self, i):
        """Input ``i`` named with its value, e.g. ``r = 16``; a constant is just its value."""
        text = self.name(i)
        if self.is_constant(i):
            return "a constant" if text == "k" else text
        src = self.v.inputs[i].src
        return f"{text} = {one_line(src.value, src.shape)}"

    def attr(self, key):
        return _const_text(self.attrs.get(key))


def _const_text(c):
    if isinstance(c, (int, float, np.number)) or (isinstance(c, np.ndarray) and c.size == 1):
        return number(c)
    return str(c)


class Trace:
    """Vertices in forward order (inputs before the ops that use them), edges, module boxes."""

    def __init__(self, vertices, edges, output):
        self.vertices = vertices
        self.edges = edges
        self.output = output
        self.groups = {}  # box title -> list of vertices
        self.has_grad = False
        self.own_pass = False  # gradients from the tool's own backward pass

    def backward_order(self):
        """Vertices from the output back to the leaves, depth first as in the textbook: a
        vertex comes once every op that uses it has come, so its gradient is complete."""
        waiting = {}
        order, stack = [], [self.output]
        while stack:
            v = stack.pop()
            order.append(v)
            for e in reversed([e for e in v.inputs if e is not None]):
                left = waiting.get(e.src, len(e.src.uses)) - 1
                waiting[e.src] = left
                if left == 0:
                    stack.append(e.src)
        return order

    @property
    def freed(self):
        """Whether any value on the picture was freed by ``backward()``."""
        return any(v.value is None for v in self.vertices)


def trace(tensor, names=None, module=None, grads=False):
    """Read ``tensor``'s graph; with ``grads``, also gradients (computing them if needed)."""
    result = _walk(tensor)
    _shapes.infer(result)
    _name(result, tensor, names or {}, module)
    if module is not None:
        _group(result, module)
    if grads:
        _grads.fill(result, tensor, keep=[tensor, *(names or {}).values()])
        result.has_grad = True
    return result


# ------------------------------------------------------------------ structure
_ACCUMULATE = "torch::autograd::AccumulateGrad"


def _walk(tensor):
    """Build vertices and edges from the output back to the leaves (explicit stack)."""
    made = {}

    def vertex_for(node):
        if node.name() == _ACCUMULATE:
            leaf = node.variable
            v = made.get(id(leaf))
            if v is None:
                v = made[id(leaf)] = Vertex("leaf", tensor=leaf)
                v.value = _array(leaf)
                v.shape = v.value.shape
            return v, False
        v = made.get(id(node))
        if v is None:
            v = made[id(node)] = Vertex("op", node)
            if node.value is not None:
                v.value = np.asarray(node.value)
                v.shape = v.value.shape
            return v, True
        return v, False

    output = Vertex("output", tensor=tensor)
    output.value = _array(tensor)
    output.shape = output.value.shape
    edges = []
    if tensor.grad_fn is None:
        first, new = Vertex("leaf", tensor=tensor), False
        first.value, first.shape = output.value, output.shape
    else:
        first, new = vertex_for(tensor.grad_fn)
    edges.append(_link(first, output, 0))
    stack = [first] if new else []
    while stack:
        v = stack.pop()
        fresh = []
        for slot, (child, _) in enumerate(v.node.next_functions):
            if child is None:
                v.inputs.append(None)
                v.consts.append(_constant(v, slot))
                continue
            src, new = vertex_for(child)
            edges.append(_link(src, v, slot))
            v.consts.append(None)
            if new:
                fresh.append(src)
        stack.extend(reversed(fresh))
    result = Trace([], edges, output)
    result.vertices = list(reversed(result.backward_order()))
    for i, v in enumerate(result.vertices):
        v.id = i
        if v.kind == "op" and len(v.inputs) == 2:
            _solve(v)
    return result


def _solve(v):
    """Name a constant tensor operand of ``+ − × ÷`` by its value, solved from the output and
    the other input, when it is one number that does not widen the other input (``× k`` for
    ``x * tanh(tensor(0.5))``)."""
    for slot in (0, 1):
        other = v.inputs[1 - slot]
        if v.inputs[slot] is not None or v.consts[slot] is not None or other is None:
            continue
        x = other.src.value
        k = solve_constant(v.op, slot, v.value, x)
        if k is None or k.size == 0 or x.shape != v.value.shape:
            continue
        first = k.reshape(-1)[0]
        if np.allclose(k, first, rtol=1e-5, atol=0):
            v.consts[slot] = float(first)


def _link(src, dst, slot):
    edge = Edge(src, dst, slot)
    src.uses.append(edge)
    dst.inputs.append(edge)
    return edge


def _constant(v, slot):
    """The value of a constant input: a Python number is among the node's attributes under
    the input's argument name; a constant tensor is not recorded (``None``)."""
    if v.row is None or slot >= len(v.row.slots):
        return None
    return v.attrs.get(v.row.slots[slot])


def _array(tensor):
    return np.asarray(tensor.detach().numpy())


# ------------------------------------------------------------------ names and boxes
def _name(result, tensor, names, module):
    """Name every vertex: the user's names, then parameter names, then ``tensor.name``,
    then expressions (``3b``), then ``x1``/``v1`` numbering; label every box.

    The op that produced the output shares the output's name (``L`` unless named)."""
    by_id = {}
    for key, t in names.items():
        by_id[id(t)] = key
        if t.grad_fn is not None:
            by_id[id(t.grad_fn)] = key
    output = result.output
    own = tensor.name if tensor.grad_fn is not None else None
    output.name = output.label = by_id.get(id(tensor)) or own or "L"
    if tensor.grad_fn is not None:
        by_id[id(tensor.grad_fn)] = output.name
    params = {}
    if module is not None:
        params = {id(p): key for key, p in module.named_parameters()}
    leaves = ops = 0
    for v in result.vertices:
        if v.kind == "leaf":
            leaves += 1
            v.name = v.label = (
                by_id.get(id(v.tensor)) or params.get(id(v.tensor)) or v.tensor.name or f"x{leaves}"
            )
        elif v.kind == "op":
            ops += 1
            site = Site(v)
            v.label = v.row.label(site) if v.row else plain_label(v.op)
            given = by_id.get(id(v.node))
            expression = None if given else _expression(v, site)
            if given:
                v.name = given
            elif expression:
                v.name, v.prec = expression, v.row.prec or ATOM
            else:
                v.name = f"v{ops}"


def _expression(v, site):
    """The op's output written in terms of its inputs, if that is short."""
    if v.row is None:
        return None
    operands = []
    for i in range(len(v.inputs)):
        if not site.known(i):
            return None
        if site.is_constant(i):
            operands.append(site.name(i))
            continue
        src = v.inputs[i].src
        tight = v.row.prec == 0 or src.prec > v.row.prec
        operands.append(src.name if tight else f"({src.name})")
    text = v.row.expr(site, operands)
    return text if len(text) <= _MAX_EXPR else None


def _group(result, module):
    """Box each module that owns parameters with its parameters and the ops between them.

    The ops of a box are those that use one of its parameters, plus every op lying on a path
    between two such ops (e.g. the ``matmul`` between ``transpose(W)`` and ``+ b``).
    """
    owner = {}
    for path, mod in module.named_modules():
        own = list(mod.named_parameters(recurse=False))
        title = f"{path} · {type(mod).__name__}" if path else type(mod).__name__
        for _, p in own:
            owner.setdefault(id(p), title)
    for title in dict.fromkeys(owner.values()):
        result.groups[title] = []
    for v in result.vertices:
        if v.kind != "leaf" or id(v.tensor) not in owner:
            continue
        title = owner[id(v.tensor)]
        v.group = v.group or title
        result.groups[title].append(v)
    for title in [t for t, members in result.groups.items() if not members]:
        del result.groups[title]
    for title, leaves in result.groups.items():
        first = {e.dst for leaf in leaves for e in leaf.uses if e.dst.kind == "op"}
        between = _reach(first, lambda v: [e.dst for e in v.uses]) & _reach(
            first, lambda v: [e.src for e in v.inputs if e is not None]
        )
        for v in result.vertices:
            if v in between and v.group is None:
                v.group = title
                leaves.append(v)


def _reach(start, neighbours):
    """Vertices reachable from ``start`` by repeatedly taking ``neighbours(v)``."""
    seen, stack = set(start), list(start)
    while stack:
        for nxt in neighbours(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
