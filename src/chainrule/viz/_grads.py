"""Put gradients on a ``Trace``: on every value, and on every edge its own share.

Two sources, tried in this order; nothing here writes to a tensor the user holds.

* **A backward pass of the tool's own**, while the graph is whole (before ``L.backward()``,
  or after ``L.backward(retain_graph=True)``).  A hook on every op node
  (``node.register_hook``, called with the gradients the node sends to each input and the
  gradient it received) records each edge's share and each value's gradient, and
  ``chainrule.autograd.grad(L, leaves, retain_graph=True, allow_unused=True)`` returns the
  leaves' gradients without touching any ``.grad``.  The hooks are removed afterwards and
  the graph is kept, so ``L.backward()`` still works.  Every number is the engine's own,
  for any op, any size, and inputs that are constant tensors.
* **What the last backward pass left on the nodes**, once ``L.backward()`` has freed the
  graph: ``node.grad``, the gradient with respect to the node's output.  The engine keeps
  it, and ``node.value``, only while a capture is open (``chainrule.viz`` opens one), for
  values of at most 256 elements; bigger
  ones are freed.  Each edge's share is then found by a *replay*: the op re-run on fresh
  tensors holding the recorded input values, and differentiated by the engine (see
  ``_ops``).  An edge out of a value with a single use carries that value's gradient.

A constant tensor operand is not recorded on its node; for ``+ − × ÷`` the replay solves it
from the output and the other input (``_ops.solve_constant``), and checks the result.  The
local derivative of a scalar op (``∂q/∂a = 1``), which the explanation quotes, comes from
the same replay; where an op has no replay, it is the edge's share divided by the gradient
that reached the op.
"""

import numpy as np

from ._ops import solve_constant

__all__ = ["fill"]


def fill(result, tensor, keep=()):
    """Fill ``v.grad`` for every vertex and ``e.grad``/``e.local`` for every edge.

    ``keep`` are tensors the user named: a tensor with ``retain_grad()`` has its ``.grad``
    written by any backward pass through it, so the tool puts it back afterwards.
    """
    import chainrule as cr

    root = tensor.grad_fn
    leaves = [v for v in result.vertices if v.kind == "leaf" and v.tensor.requires_grad]
    if root is None:
        result.output.grad = np.ones(result.output.value.shape, result.output.value.dtype)
        for v in leaves:
            v.grad = result.output.grad
        result.output.inputs[0].grad = result.output.grad
        return
    start = _start(result, root)
    if not _own_backward(cr, result, tensor, leaves, start, keep):
        _stored(result)
    result.output.grad = start
    result.output.inputs[0].grad = start
    for v in result.vertices:
        if v.kind == "op" and v.grad is not None and v.value is not None:
            _replay(cr, v, shares=not result.own_pass)
    for v in result.vertices:
        if v.kind == "leaf" and v.grad is None:
            v.grad = _sum_of_shares(v)
            if v.grad is None and v.tensor.grad is not None:
                v.grad = _numpy(v.tensor.grad)
        for e in v.uses:
            if e.grad is None and len(v.uses) == 1 and v.grad is not None:
                e.grad = v.grad
            if e.local is None:
                e.local = _local_from_share(e)


def _start(result, root):
    """The gradient the backward pass starts from: 1 for a scalar, else the recorded one."""
    out = result.output.value
    if out.size == 1:
        return np.ones(out.shape, out.dtype)
    if root.grad is not None:
        return np.asarray(root.grad)
    raise ValueError(
        f"draw/explain: the output has shape {tuple(out.shape)}, so the gradient to start "
        f"from is not implied and none is recorded: call out.backward(gradient) first (the "
        f"gradient of an output of more than {_limit()} elements is not kept), draw a scalar "
        f"such as out.sum(), or pass show_grad=False"
    )


def _limit():
    from chainrule._grad_mode import capture

    return capture[0].limit if capture[0] is not None else 0


# ------------------------------------------------------------------ the tool's own pass
def _own_backward(cr, result, tensor, leaves, start, keep):
    """Run a hooked backward pass that writes no ``.grad`` and keeps the graph; return
    whether it ran (``False`` when ``L.backward()`` has already freed the graph)."""
    ops = [v for v in result.vertices if v.kind == "op"]
    seen = {}

    def hook_for(v):
        def hook(grad_inputs, grad_outputs):
            seen[v] = ([_numpy(g) for g in grad_inputs], _numpy(grad_outputs[0]))

        return hook

    kept = [(t, t.grad) for t in keep if getattr(t, "retains_grad", False)]
    handles = [v.node.register_hook(hook_for(v)) for v in ops]
    try:
        found = cr.autograd.grad(
            tensor,
            [v.tensor for v in leaves],
            grad_outputs=cr.tensor(start),
            retain_graph=True,
            allow_unused=True,
        )
    except RuntimeError as err:
        if "retain_graph=True" in str(err):
            return False
        raise
    finally:
        for handle in handles:
            handle.remove()
        for t, grad in kept:
            t.grad = grad
    result.own_pass = True
    for v, g in zip(leaves, found):
        v.grad = _numpy(g)
    for v in ops:
        shares, v.grad = seen.get(v, ([], None))
        for edge, share in zip(v.inputs, shares):
            if edge is not None:
                edge.grad = share
    return True


# ------------------------------------------------------------------ after L.backward()
def _stored(result):
    """Read the gradients the last backward pass left on the nodes (small values only)."""
    result.own_pass = False
    for v in result.vertices:
        if v.kind == "op":
            v.grad = None if v.node.grad is None else np.asarray(v.node.grad)


def _sum_of_shares(v):
    shares = [e.grad for e in v.uses]
    if not shares or any(s is None for s in shares):
        return None
    total = shares[0]
    for s in shares[1:]:
        total = total + s
    return total


def _replay(cr, v, shares):
    """Re-run op ``v`` on its recorded inputs for each scalar edge's local derivative and,
    with ``shares``, each edge's share of the gradient."""
    if v.row is None or v.row.replay is None:
        return
    inputs, fresh = [], []
    for slot, (edge, const) in enumerate(zip(v.inputs, v.consts)):
        if edge is not None:
            if edge.src.value is None:
                return
            t = cr.tensor(edge.src.value, requires_grad=edge.src.value.dtype.kind == "f")
            inputs.append(t)
            fresh.append((edge, t))
            continue
        if const is None:
            x = v.inputs[1 - slot].src.value if len(v.inputs) == 2 and v.inputs[1 - slot] else None
            const = solve_constant(v.op, slot, v.value, x)
            if const is None:
                return
        inputs.append(cr.tensor(const) if isinstance(const, np.ndarray) else const)
    with cr.enable_grad():
        out = v.row.replay(cr, inputs, v.attrs)
    if out.shape != v.value.shape or not np.allclose(_numpy(out), v.value, equal_nan=True):
        return
    wanted = [t for _, t in fresh if t.requires_grad]
    if not wanted:
        return
    found = [None] * len(wanted)
    if shares:
        found = cr.autograd.grad(
            out, wanted, grad_outputs=cr.tensor(v.grad), retain_graph=True, allow_unused=True
        )
    scalar = v.value.size == 1 and all(t.numel() == 1 for t in wanted)
    local = cr.autograd.grad(out, wanted, allow_unused=True) if scalar else [None] * len(wanted)
    by_tensor = {id(t): (s, d) for t, s, d in zip(wanted, found, local)}
    for edge, t in fresh:
        if id(t) in by_tensor:
            share, d = by_tensor[id(t)]
            if shares:
                edge.grad = None if share is None else _numpy(share)
            edge.local = None if d is None else float(_numpy(d))


def _local_from_share(e):
    """∂dst/∂src of a scalar op without a replay: the edge's share over the gradient that
    reached the op (when that is not 0)."""
    y = e.dst
    if y.kind != "op" or e.grad is None or y.grad is None:
        return None
    if e.grad.size != 1 or y.grad.size != 1 or y.value is None or y.value.size != 1:
        return None
    g = float(y.grad.reshape(()))
    if g == 0 or not np.isfinite(g):
        return None
    return float(e.grad.reshape(())) / g


def _numpy(t):
    return None if t is None else np.array(t.detach().numpy())
