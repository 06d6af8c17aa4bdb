"""Reverse-mode function transforms: ``grad``, ``grad_and_value``, ``vjp``, ``jacrev``.

Each transform calls the user's function on fresh copies of the differentiated inputs
(new graph leaves, or, where an input already requires grad, a view of it recorded in the
graph) and runs the engine (``chainrule.autograd.grad``) from the outputs back to those
copies.  Fresh copies keep nested transforms apart: in ``grad(lambda x: grad(lambda y: x *
y)(x))`` the inner gradient is taken w.r.t. the inner copy of ``x`` only, so it is ``x``
(not ``2x``), and the outer one differentiates through it.

Gradients are built with ``create_graph=True`` only when something outside can still
differentiate them (an input or cotangent that requires grad, or a tensor the function
closes over that does); otherwise they are plain tensors, and the whole pass is a
first-order backward.
"""

import functools

from .. import autograd
from .._grad_mode import forward_level, grad_enabled
from .._node import Node
from .._tensor import Tensor
from ..autograd.forward_ad import unpack_dual
from ..creation import zeros_like
from ._batch_dims import sum_finished_batches
from ._pytree import has_numpy, to_numpy, to_tensors, tree_flatten, tree_unflatten

__all__ = ["grad", "grad_and_value", "vjp", "jacrev"]


# ---------------------------------------------------------------- argnums and inputs
def check_argnums(argnums, num_args):
    """``argnums`` as a non-negative int or a tuple of them, with torch.func's errors."""
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        return tuple(_check_argnum(a, num_args) for a in argnums)
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return _check_argnum(argnums, num_args)
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _check_argnum(argnum, num_args):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def slice_argnums(args, argnums):
    return args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)


def replace_argnums(args, argnums, new):
    args = list(args)
    if isinstance(argnums, int):
        args[argnums] = new
    else:
        for i, value in zip(argnums, new):
            args[i] = value
    return tuple(args)


def check_tensors(leaves):
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")


def make_differentiable(leaves):
    """Fresh inputs to differentiate w.r.t.: a new leaf per tensor, or a recorded view of a
    tensor that already requires grad (so outer differentiation passes through it).  A
    dual tensor's fresh leaf is a view that keeps its forward-mode tangent (forward over
    reverse)."""
    fresh = []
    for x in leaves:
        if x._requires_grad:
            fresh.append(x.view_as(x))
        elif forward_level[0] and unpack_dual(x).tangent is not None:
            fresh.append(x.view_as(x).requires_grad_(True))
        else:
            fresh.append(x.detach().requires_grad_(True))
    return fresh


def reaches_outside(outputs, fresh, leaves):
    """Whether something outside can differentiate the results: forward mode is on, an
    input (``leaves``) requires grad, or the graph of ``outputs`` reaches a tensor
    requiring grad other than the ``fresh`` inputs (one the function closes over).  Then
    the gradients are built with ``create_graph`` so that it can."""
    if forward_level[0] or any(x._requires_grad for x in leaves):
        return True  # (tangents only flow through gradients built as recorded ops)
    stop = {t.grad_fn if t.grad_fn is not None else t for t in fresh}
    stack = [t.grad_fn for t in outputs if isinstance(t, Tensor) and t.grad_fn is not None]
    seen = set(stack)
    while stack:
        node = stack.pop()
        if node in stop:
            continue
        for edge in node.inputs:
            if edge is None or edge in seen or edge in stop:
                continue
            if not isinstance(edge, Node):
                return True  # a leaf that requires grad and is not ours
            seen.add(edge)
            stack.append(edge)
    return False


def detach_tree(tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)


def autograd_grad(outputs, inputs, cotangents=None, retain_graph=None, create_graph=False):
    """``autograd.grad`` that skips outputs not requiring grad and gives zeros (not None)
    for inputs the outputs do not depend on."""
    if cotangents is None:
        cotangents = [None] * len(outputs)
    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o._requires_grad]
    if not pairs:
        return [zeros_like(x) for x in inputs]
    found = autograd.grad(
        [o for o, _ in pairs],
        inputs,
        [c for _, c in pairs],
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )
    return [zeros_like(x) if g is None else sum_finished_batches(g) for g, x in zip(found, inputs)]


# ---------------------------------------------------------------- grad and grad_and_value
def grad_and_value(func, argnums=0, has_aux=False):
    """Transform ``func`` into a function returning ``(gradient, value)``.

    ``grad_and_value(f)(*args) = (∂f/∂args[argnums], f(*args))``; with ``has_aux``, ``f``
    returns ``(value, aux)`` and the result is ``(gradient, (value, aux))``.  ``f`` must
    return a scalar (0-d) tensor.  The gradient has the structure (pytree) of
    ``args[argnums]``: a tuple of them when ``argnums`` is a tuple.

    Example:
        >>> g, v = grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([1.0, 2.0]))
        >>> g, v
        (tensor([2., 4.]), tensor(5.))
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _grad_and_value(func, argnums, has_aux, args, kwargs)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """Transform ``func`` into a function returning its gradient ∂f/∂args[argnums].

    As ``torch.func.grad``: ``f`` returns a scalar tensor (``(scalar, aux)`` with
    ``has_aux``, then the result is ``(gradient, aux)``); ``argnums`` picks the argument(s)
    to differentiate, each a tensor or a pytree (tuple, list, dict) of tensors, and the
    gradient has the same structure.  Transforms nest (``grad(grad(f))``) and compose with
    ``vmap`` (per-sample gradients) and ``jacrev``.  NumPy arrays in give NumPy arrays out.

    Example:
        >>> grad(lambda x: x.sin().sum())(torch.tensor([0.0, 1.0]))  # cos x
        tensor([1.0000, 0.5403])
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gradient, value = _grad_and_value(func, argnums, has_aux, args, kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return wrapper


def _grad_and_value(func, argnums, has_aux, args, kwargs):
    numpy_io = has_numpy(args)
    if numpy_io:
        args = to_tensors(args)
    argnums = check_argnums(argnums, len(args))
    diff = slice_argnums(args, argnums)
    leaves, spec = tree_flatten(diff)
    check_tensors(leaves)
    previous = grad_enabled[0]
    grad_enabled[0] = True  # transforms ignore an outer no_grad, as in torch.func
    try:
        fresh = make_differentiable(leaves)
        output = func(*replace_argnums(args, argnums, tree_unflatten(fresh, spec)), **kwargs)
        aux = None
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError(
                    "grad_and_value(f)(*args): output of function f should be a tuple: "
                    "(output, aux) if has_aux is True"
                )
            output, aux = output
        if not isinstance(output, Tensor):
            raise RuntimeError(
                f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                f"{type(output)}"
            )
        if output.ndim != 0:
            raise RuntimeError(
                f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                f"got tensor with {output.ndim} dims. Maybe you wanted to use the vjp or "
                f"jacrev APIs instead?"
            )
        # under an outer no_grad the results carry no graph, as in torch.func
        outer = previous and reaches_outside([output], fresh, leaves)
        grads = autograd_grad([output], fresh, create_graph=outer)
    finally:
        grad_enabled[0] = previous
    gradient = tree_unflatten(grads, spec)
    if not outer:
        output, aux = output.detach(), detach_tree(aux)
    value = (output, aux) if has_aux else output
    if numpy_io:
        gradient, value = to_numpy(gradient), to_numpy(value)
    return gradient, value


# ---------------------------------------------------------------- vjp
def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``: the value and a function of cotangents v giving
    vᵀ J, one gradient per primal (a tuple), as ``torch.func.vjp``.

    ``vjp_fn(cotangents)`` takes cotangents with the structure of the output and may be
    called many times.  With ``has_aux``, ``func`` returns ``(output, aux)`` and ``vjp``
    returns ``(output, vjp_fn, aux)``.

    Example:
        >>> out, vjp_fn = vjp(torch.sin, torch.tensor([0.0, 1.0]))
        >>> vjp_fn(torch.ones(2))  # (cos x,)
        (tensor([1.0000, 0.5403]),)
    """
    return _vjp(func, primals, None, has_aux, "vjp(f, *primals)")


def _vjp(func, primals, argnums, has_aux, api):
    """vjp w.r.t. all primals (``argnums`` None) or ``primals[argnums]`` (for jacrev)."""
    numpy_io = has_numpy(primals)
    if numpy_io:
        primals = to_tensors(primals)
    diff = primals if argnums is None else slice_argnums(primals, argnums)
    leaves, spec = tree_flatten(diff)
    check_tensors(leaves)
    previous = grad_enabled[0]
    grad_enabled[0] = True
    try:
        fresh = make_differentiable(leaves)
        diff = tree_unflatten(fresh, spec)
        args = diff if argnums is None else replace_argnums(primals, argnums, diff)
        output = func(*args)
    finally:
        grad_enabled[0] = previous
    aux = None
    if has_aux:
        if not (isinstance(output, tuple) and len(output) == 2):
            raise RuntimeError(
                f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
            )
        output, aux = output
    flat_out, out_spec = tree_flatten(output)
    if not flat_out:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output")
    for x in flat_out:
        if not isinstance(x, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(x)}"
            )
        if not x.is_floating_point():
            raise RuntimeError(
                f"vjp(f, ...): All outputs of f must be floating-point or complex Tensors, "
                f"got Tensor with dtype {x.dtype}"
            )
    outer = previous and reaches_outside(flat_out, fresh, leaves)

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        if numpy_io:
            cotangents = to_tensors(cotangents)
        flat_cot, cot_spec = tree_flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError(
                f"Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {cot_spec!r}, primal output: "
                f"{out_spec!r}"
            )
        for c, o in zip(flat_cot, flat_out):
            if isinstance(c, Tensor) and c.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and "
                    f"output[0] has a shape of {o.shape}."
                )
        if create_graph is None:
            create_graph = grad_enabled[0] and (
                outer or any(isinstance(c, Tensor) and c._requires_grad for c in flat_cot)
            )
        previous = grad_enabled[0]
        grad_enabled[0] = True
        try:
            grads = autograd_grad(flat_out, fresh, flat_cot, retain_graph, create_graph)
        finally:
            grad_enabled[0] = previous
        if not create_graph:
            grads = [g.detach() for g in grads]
        result = tree_unflatten(grads, spec)
        if argnums is None:
            result = tuple(result)
        return to_numpy(result) if numpy_io else result

    if not outer:
        output, aux = detach_tree(output), detach_tree(aux)
    if numpy_io:
        output, aux = to_numpy(output), to_numpy(aux)
    if has_aux:
        return output, vjp_fn, aux
    return output, vjp_fn


# ---------------------------------------------------------------- jacrev
def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """Transform ``func`` into a function returning its Jacobian by reverse mode.

    J[i, j] = ∂outᵢ/∂inⱼ, one vector-Jacobian product per output element, computed
    together by ``vmap`` over the rows of the identity (``chunk_size`` rows at a time).
    Each output leaf of shape ``O`` and input leaf of shape ``I`` give a block of shape
    ``O + I``; blocks nest as the output's structure, then the inputs'.  With ``has_aux``
    the result is ``(jacobian, aux)``.

    Example:
        >>> jacrev(torch.sin)(torch.tensor([0.0, 1.0]))  # diag(cos x)
        tensor([[1.0000, 0.0000],
                [0.0000, 0.5403]])
    """
    if not (chunk_size is None or (isinstance(chunk_size, int) and chunk_size > 0)):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args):
        from ._vmap import vmap

        numpy_io = has_numpy(args)
        if numpy_io:
            args = to_tensors(args)
        nums = check_argnums(argnums, len(args))
        result = _vjp(func, args, nums, has_aux, "vjp(f, *primals)")  # torch words it so
        output, vjp_fn = result[0], result[1]
        flat_out, out_spec = tree_flatten(output)
        diff_leaves, diff_spec = tree_flatten(slice_argnums(args, nums))
        basis = standard_basis(flat_out)
        if sum(o.numel() for o in flat_out) == 1:  # one row (a gradient): no batch needed
            row = vjp_fn(tree_unflatten([b[0] for b in basis], out_spec))
            rows = [r.unsqueeze(0) for r in tree_flatten(row)[0]]
        else:
            batched = vmap(vjp_fn, chunk_size=chunk_size)(tree_unflatten(basis, out_spec))
            rows = tree_flatten(batched)[0]
        # rows[k]: (M, *in_k.shape) for M = Σ output numels; split it by output
        blocks = []
        sizes = [o.numel() for o in flat_out]
        for o_index, o in enumerate(flat_out):
            start = sum(sizes[:o_index])
            per_input = [
                r[start : start + sizes[o_index]].reshape(tuple(o.shape) + tuple(x.shape))
                for r, x in zip(rows, diff_leaves)
            ]
            blocks.append(tree_unflatten(per_input, diff_spec))
        jac = tree_unflatten(blocks, out_spec)
        if numpy_io:
            jac = to_numpy(jac)
        return (jac, result[2]) if has_aux else jac

    return wrapper


def standard_basis(flat_out):
    """One tensor per leaf, each with a leading dim of M = Σ numels: together the rows of
    the M x M identity, split by leaf (row m is 1 at element m) — the cotangents of
    jacrev and the tangents of jacfwd."""
    from ..creation import eye

    sizes = [o.numel() for o in flat_out]
    total = sum(sizes)
    basis, start = [], 0
    for o, n in zip(flat_out, sizes):
        block = eye(total, dtype=o.dtype)[:, start : start + n]
        basis.append(block.reshape((total,) + tuple(o.shape)))
        start += n
    return basis
