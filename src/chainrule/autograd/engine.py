"""The backward engine: one iterative pass over the graph in dependency order.

1. Walk the graph from the roots (an explicit stack, no recursion) and count, for every
   node and leaf, how many edges point at it.
2. Start from the roots' gradients; pop a ready node, take its summed incoming gradient
   (freeing the slot), apply the chain rule with each input's formula, undo broadcasting
   where the node recorded it, and add the result to that input's pending gradient.  An
   input whose count drops to zero is ready.
3. A leaf that is ready gets its tensor hooks, then its gradient accumulated into
   ``.grad`` (``backward``) or captured (``grad``).

Without ``create_graph`` the formulas see NumPy arrays and nothing is recorded; with it
they see Tensors under grad mode, so the gradients carry their own graph.
"""

import numpy as np

from .._backend import namespace_of
from .._grad_mode import anomaly_enabled, capture, forward_level, grad_enabled
from .._node import Node, released_error
from .._tensor import Tensor, wrap
from ..ops._registry import format_frame
from ..ops._xp import tensor_xp
from ..ops.inplace import INPLACE_NODES

__all__ = ["run_backward", "accumulate_into"]


def _count_dependencies(root_edges):
    """For every node and leaf reachable from the roots, how many edges point at it.

    Nodes and leaf tensors are dict keys by identity (their hashes are their ids).
    """
    deps = {}
    stack = [e for e in root_edges if isinstance(e, Node)]
    for root in stack:
        deps.setdefault(root, 0)
    while stack:
        node = stack.pop()
        for e in node.inputs:
            if e is None:
                continue
            if e in deps:
                deps[e] += 1
            else:
                deps[e] = 1
                if isinstance(e, Node):
                    stack.append(e)
    return deps


def _nodes_leading_to(root_edges, targets):
    """The nodes reachable from the roots from which some edge in ``targets`` can be
    reached: the only ones ``autograd.grad`` runs (as PyTorch, it does not go past the
    inputs, so the graph below them stays usable)."""
    leads = {}
    stack = [(e, False) for e in root_edges if isinstance(e, Node)]
    while stack:
        node, expanded = stack.pop()
        if expanded:  # every child is done (a DAG): decide from them
            leads[node] = any(
                e is not None and (e in targets or leads.get(e, False)) for e in node.inputs
            )
        elif node not in leads:
            leads[node] = False
            stack.append((node, True))
            stack.extend((e, False) for e in node.inputs if isinstance(e, Node) and e not in leads)
    return {node for node, leads_on in leads.items() if leads_on}


def run_backward(
    roots, root_grads, retain_graph=False, create_graph=False, inputs=None, accumulate=True
):
    """Backpropagate ``root_grads`` from tensors ``roots``.

    With ``inputs`` (a list of tensors), return their gradients (``None`` where unused);
    leaves accumulate into ``.grad`` only when ``accumulate`` is true.
    """
    edges = [t.grad_fn if t.grad_fn is not None else t for t in roots]
    deps = _count_dependencies(edges)
    pending = {}
    for e, g in zip(edges, root_grads):
        pending[e] = g if e not in pending else pending[e] + g
    captured = {}
    needed = None
    if inputs is not None:
        for t in inputs:
            captured[t.grad_fn if t.grad_fn is not None else t] = None
        needed = _nodes_leading_to(edges, captured)

    ready = [e for e in dict.fromkeys(edges) if deps.get(e, 0) == 0]
    leaf_grads = []  # written to .grad only once the whole pass has succeeded
    # leaves whose pending gradient is an array this pass allocated and handed to no one
    # else: it may become their .grad without a copy
    owned = set()
    xp = tensor_xp if create_graph else namespace_of(root_grads[0]) if root_grads else None
    previous_mode = grad_enabled[0]
    grad_enabled[0] = create_graph
    pop_ready, push_ready, pop_pending = ready.pop, ready.append, pending.pop
    try:
        while ready:
            edge = pop_ready()
            g = pop_pending(edge, None)
            if not isinstance(edge, Node):
                if g is not None:
                    if getattr(edge, "_hooks", None):
                        g = _run_tensor_hooks(edge, g)
                        owned.discard(edge)
                    if accumulate:
                        leaf_grads.append((edge, g, edge in owned))
                if edge in captured:
                    captured[edge] = g
                continue
            if captured and edge in captured:
                captured[edge] = g
            if needed is not None and edge not in needed:
                continue  # no input below: the pass stops here
            grads = _apply_node(edge, g, xp, create_graph, retain_graph)
            for e, gi in zip(edge.inputs, grads):
                if e is None:
                    continue
                left = deps[e] - 1
                if gi is not None:
                    if e in pending:
                        pending[e] = pending[e] + gi
                        if not isinstance(e, Node):
                            owned.add(e)  # the sum is a new array
                    else:
                        pending[e] = gi
                        if not isinstance(e, Node) and _fresh(gi, g, edge):
                            owned.add(e)
                if left:
                    deps[e] = left
                else:
                    push_ready(e)
    finally:
        grad_enabled[0] = previous_mode
    for tensor, g, is_owned in leaf_grads:
        accumulate_into(tensor, g, owned=is_owned)
    if inputs is None:
        return None
    return [captured[t.grad_fn if t.grad_fn is not None else t] for t in inputs]


def _apply_node(node, g, xp, create_graph, retain_graph):
    """Gradients for each input of ``node`` given ``g``, the gradient w.r.t. its output.

    Runs once per node per backward pass: kept to plain loops and attribute reads.
    """
    op = node.op
    if g is not None and node.pre_hooks:
        g = _run_hooks(node.pre_hooks, g, create_graph)
    if g is None:  # no gradient reached this node (e.g. a custom backward returned None)
        return [None] * len(node.inputs)
    saved = node.saved
    if saved is None:
        raise released_error(node)
    versions = node.versions
    if versions:
        for s, v in zip(saved, versions):
            if v >= 0:
                box = s._vbox
                if (0 if box is None else box[0]) != v:
                    _check_versions(node)
    args = []
    if capture[0] is not None:
        capture[0].backward(node, g)
    if create_graph:
        args.extend(saved)
        if op.saves_out:
            _check_out_version(node)
            out = wrap(node.out, grad_fn=node)
            if forward_level[0]:  # forward over reverse: the output keeps its tangent
                out._fw_grad = node.out_tangent
            args.append(out)
    else:
        for s in saved:
            args.append(s._data if isinstance(s, Tensor) else s)
        if op.saves_out:
            if node.out_box[0] != node.out_version:
                _check_out_version(node)
            args.append(node.out)
    args.extend(node.params)
    meta = node.meta
    if op.multi:
        grads = op.grads[0](xp, g, *args)
        if meta is not None:
            grads = [
                gi if m is None or gi is None else _undo_broadcast(node, i, gi, m, xp)
                for i, (gi, m) in enumerate(zip(grads, meta))
            ]
    else:
        grads = []
        i = 0
        for edge, formula in zip(node.inputs, op.grads):
            if edge is None:
                grads.append(None)
            else:
                gi = formula(xp, g, *args)
                if meta is not None and meta[i] is not None:
                    gi = _undo_broadcast(node, i, gi, meta[i], xp)
                grads.append(gi)
            i += 1
    if not retain_graph and (saved or op.saves_out):
        node.saved = None
        node.out = None
    if anomaly_enabled[0]:
        _anomaly_backward(node, grads)
    if node.post_hooks:
        for hook in node.post_hooks:
            hook(tuple(_public(x) for x in grads), (_public(g),))
    return grads


def _undo_broadcast(node, i, gi, meta, xp):
    """Sum a gradient down to its input's shape and cast it to its input's dtype."""
    shape, dtype = meta
    if tuple(gi.shape) != shape:
        try:
            gi = xp.sum_to(gi, shape)
        except ValueError:
            raise RuntimeError(
                f"{node.name()}: the gradient of shape {tuple(gi.shape)} cannot "
                f"be reduced to input {i}'s shape {shape}"
            ) from None
    if xp is not tensor_xp:
        if gi.dtype != dtype:
            gi = xp.cast(gi, dtype)
    elif gi._data.dtype != dtype:
        gi = xp.cast(gi, dtype)
    return gi


def _check_versions(node):
    for i, (s, v) in enumerate(zip(node.saved, node.versions)):
        if v >= 0 and s._version != v:
            origin = s.grad_fn
            while origin in INPLACE_NODES and isinstance(origin.inputs[0], Node):
                origin = origin.inputs[0]
            origin = None if origin is None else origin.trace
            _raise_modified(node, s._version, v, f"input {node.op.saves[i]}", origin)


def _check_out_version(node):
    box, version = node.out_box, node.out_version
    if box[0] != version:
        _raise_modified(node, box[0], version, "its output")


def _raise_modified(node, now, then, what, origin=None):
    where = ""
    if origin is not None:
        where = f" The modified tensor was created at {format_frame(origin)}."
    if node.trace is not None:
        where += f" The op that saved it was called at {format_frame(node.trace)}."
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {what} of {node.name()} is at version {now}; expected version "
        f"{then} instead.{where} Hint: replace the in-place op (e.g. x.add_(...), x[i] = v) "
        f"with its out-of-place form, or clone the tensor before modifying it. Enable "
        f"chainrule.autograd.detect_anomaly() to see where the modified tensor was created."
    )


def _anomaly_backward(node, grads):
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        data = gi._data if isinstance(gi, Tensor) else gi
        if data.dtype.kind == "f" and not np.all(np.isfinite(data)):
            raise RuntimeError(
                f"anomaly detected: {node.name()} returned NaN or Inf in its gradient for "
                f"input {i}. The op was created at {format_frame(node.trace)}"
            )


def _public(g):
    """A gradient as hooks see it: a Tensor around the array of whichever backend."""
    if g is None or isinstance(g, Tensor):
        return g
    if not hasattr(g, "__array_namespace__") or isinstance(g, np.generic):
        g = np.asarray(g)  # a Python or NumPy scalar
    return wrap(g)


def _run_hooks(hooks, g, create_graph):
    for hook in list(hooks):
        result = hook((_public(g),))
        if result is not None:
            new = result[0]
            g = new if create_graph or new is None else new._data
    return g


def _run_tensor_hooks(tensor, g):
    hooks = getattr(tensor, "_hooks", None)
    if hooks:
        for hook in list(hooks):
            result = hook(_public(g))
            if result is not None:
                g = result if isinstance(g, Tensor) else result._data
    return g


def _fresh(gi, g, node):
    """Whether formula result ``gi`` is a new array of the engine's: not the incoming
    gradient passed through, not a view, not a user's array from a custom backward.
    (Explicit ownership, rather than a reference count, which Python 3.12+ changes.)"""
    return type(gi) is np.ndarray and gi is not g and gi.flags.owndata and not node.op.multi


def accumulate_into(tensor, g, owned=False):
    """Add gradient ``g`` (array, or Tensor under create_graph) to ``tensor.grad``.

    An ``owned`` first gradient (allocated by the engine for this leaf alone) becomes
    ``.grad`` without a copy when its layout and dtype fit.
    """
    if isinstance(g, Tensor):
        if tensor._grad is None:
            tensor._grad = g if g.grad_fn is not None else wrap(g._data.copy())
        else:
            tensor._grad = tensor._grad + g
        return
    current = tensor._grad
    if type(g) is not np.ndarray:  # another backend's array: no in-place tricks
        xp = namespace_of(g)
        g = xp.astype(g, tensor._data.dtype, copy=True)
        tensor._grad = wrap(g) if current is None else current + wrap(g)
        return
    if current is None:
        dtype = tensor._data.dtype
        if not (owned and g.dtype == dtype and g.flags.c_contiguous and g.flags.writeable):
            g = g.astype(dtype, order="C", copy=True)
        tensor._grad = wrap(g)
    elif current.grad_fn is not None or current._requires_grad:
        tensor._grad = current + wrap(g)
    else:
        np.add(current._data, g, out=current._data, casting="unsafe")
        current._bump_version()
