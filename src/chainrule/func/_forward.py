"""Forward-mode transforms: ``jvp``, ``jacfwd`` and ``hessian`` (forward over reverse).

``jvp`` runs the function once on dual tensors (``chainrule.autograd.forward_ad``): every
op carries a tangent forward beside its value, using its row's forward-mode rule, so
J·v costs one forward pass.  ``jacfwd`` maps ``jvp`` over the columns of the identity;
``hessian`` is ``jacfwd(jacrev(f))``: forward mode applied to a reverse-mode gradient.
Forward mode has one level: a jvp inside another (``jacfwd(jacfwd(f))``) differentiates
twice in reverse mode instead, with the outer tangents riding along.
"""

import functools

from .._grad_mode import forward_level, grad_enabled
from .._tensor import Tensor
from ..autograd import enable_grad
from ..autograd import forward_ad as fwad
from ..creation import zeros_like
from ._grad import (
    check_argnums,
    check_tensors,
    detach_tree,
    jacrev,
    replace_argnums,
    slice_argnums,
    standard_basis,
)
from ._pytree import has_numpy, to_numpy, to_tensors, tree_flatten, tree_unflatten

__all__ = ["jvp", "jacfwd", "hessian"]

_API = "jvp(f, primals, tangents)"


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J·tangents)``: the value and the Jacobian-vector product, in
    one forward pass (forward mode), as ``torch.func.jvp``.

    ``primals`` is the tuple of arguments; ``tangents`` has the same structure and shapes.
    With ``has_aux``, ``func`` returns ``(output, aux)`` and the result is
    ``(output, jvp_out, aux)``.  With ``strict``, an output that does not depend on the
    inputs is an error (else its tangent is zeros).

    Example:
        >>> x = torch.tensor([0.0, 1.0])
        >>> jvp(torch.sin, (x,), (torch.ones(2),))  # (sin x, cos x)
        (tensor([0.0000, 0.8415]), tensor([1.0000, 0.5403]))
    """
    numpy_io = has_numpy((primals, tangents))
    if numpy_io:
        primals, tangents = to_tensors(primals), to_tensors(tangents)
    result = _jvp(func, primals, tangents, None, strict, has_aux)
    return to_numpy(result) if numpy_io else result


def _jvp(func, primals, tangents, argnums, strict, has_aux):
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_API}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    diff = primals if argnums is None else slice_argnums(primals, argnums)
    flat_primals, primals_spec = tree_flatten(diff)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(
            f"{_API}: Expected primals and tangents to have the same python structure. For "
            f"example, if primals is a tuple of 3 tensors, tangents also must be. Got "
            f"primals with structure {primals_spec!r} and tangents with structure "
            f"{tangents_spec!r}"
        )
    _check_tensors(flat_primals, "primals")
    _check_tensors(flat_tangents, "tangents")
    if forward_level[0]:  # inside another jvp (jacfwd(jacfwd(f)), jvp of jvp)
        return _jvp_by_reverse_mode(
            func, primals, argnums, flat_primals, primals_spec, flat_tangents, strict, has_aux
        )
    with fwad.dual_level():
        duals = tree_unflatten(
            [fwad.make_dual(p, t) for p, t in zip(flat_primals, flat_tangents)], primals_spec
        )
        args = duals if argnums is None else replace_argnums(primals, argnums, duals)
        output = func(*args)
        aux = None
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError(
                    f"{_API}: output of function f should be a tuple: (output, aux) if "
                    f"has_aux is True"
                )
            output, aux = output
            aux = tree_flatten(aux)
            aux = tree_unflatten([_primal(fwad, x) for x in aux[0]], aux[1])
        flat_out, out_spec = tree_flatten(output)
        if not flat_out:
            raise RuntimeError(
                f"{_API}: Expected f to be a function that has non-empty output (got output "
                f"= {output})"
            )
        for dual in flat_out:
            if not isinstance(dual, Tensor):
                raise RuntimeError(
                    f"{_API}: expected f(*primals) to return only tensors, got unsupported "
                    f"type {type(dual)}"
                )
        values, jvps = [], []
        for dual in flat_out:
            primal, tangent = fwad.unpack_dual(dual)
            if tangent is None:
                if strict:
                    raise RuntimeError(
                        "jvp(f, primals, tangents, strict=True): The output of f is "
                        "independent of the inputs. This is not allowed with strict=True."
                    )
                tangent = zeros_like(primal)
            values.append(primal)
            jvps.append(tangent)
    # results carry a graph only for an outer reverse mode that differentiates them
    keep = grad_enabled[0] and any(x._requires_grad for x in flat_primals + flat_tangents)
    if not keep:
        values = [x.detach() for x in values]
        jvps = [x.detach() for x in jvps]
        aux = detach_tree(aux)
    out = (tree_unflatten(values, out_spec), tree_unflatten(jvps, out_spec))
    return out + (aux,) if has_aux else out


def _jvp_by_reverse_mode(
    func, primals, argnums, flat_primals, primals_spec, flat_tangents, strict, has_aux
):
    """J·v by differentiating twice, for a jvp nested in another: forward mode has one
    level, which the outer jvp holds; its tangents ride through both reverse passes
    (forward over reverse), so the result carries the outer derivative too.

    With u ↦ uᵀJ linear in u, J·v is the gradient of (uᵀJ)·v with respect to u."""
    from ..autograd import grad

    with enable_grad():
        leaves = []
        for p in flat_primals:  # a primal of an outer reverse pass stays in its graph
            if not p._requires_grad:
                fw_grad, p = p._fw_grad, p.detach().requires_grad_()
                p._fw_grad = fw_grad  # the outer tangent rides along
            leaves.append(p)
        args = tree_unflatten(leaves, primals_spec)
        args = args if argnums is None else replace_argnums(primals, argnums, args)
        output = func(*args)
        aux = None
        if has_aux:
            output, aux = output
        flat_out, out_spec = tree_flatten(output)
        probes = [zeros_like(y).requires_grad_() for y in flat_out]
        used = [y for y in flat_out if y._requires_grad]
        vjps = (
            grad(
                used,
                leaves,
                [u for u, y in zip(probes, flat_out) if y._requires_grad],
                create_graph=True,
                allow_unused=True,
            )
            if used
            else [None] * len(leaves)
        )
        pairs = [(g, v) for g, v in zip(vjps, flat_tangents) if g is not None]
        jvps = (
            grad(
                [g for g, _ in pairs],
                probes,
                [v for _, v in pairs],
                create_graph=True,
                allow_unused=True,
            )
            if pairs
            else [None] * len(probes)
        )
    if strict and any(t is None for t in jvps):
        raise RuntimeError(
            "jvp(f, primals, tangents, strict=True): The output of f is independent of the "
            "inputs. This is not allowed with strict=True."
        )
    jvps = [zeros_like(y) if t is None else t for y, t in zip(flat_out, jvps)]
    out = (tree_unflatten(flat_out, out_spec), tree_unflatten(jvps, out_spec))
    return out + (aux,) if has_aux else out


def _primal(fwad, x):
    return fwad.unpack_dual(x).primal if isinstance(x, Tensor) else x


def _check_tensors(leaves, what):
    if not leaves:
        raise RuntimeError(f"{_API}: Expected {what} to contain at least one Tensor.")
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{_API}: Expected {what} to only contain Tensors, got {type(x)}")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Transform ``func`` into a function returning its Jacobian by forward mode.

    J[i, j] = ∂outᵢ/∂inⱼ, one Jacobian-vector product per input element (``vmap`` of
    ``jvp`` over the columns of the identity).  Blocks are laid out as in ``jacrev``;
    prefer ``jacfwd`` when the function has more outputs than inputs.

    Example:
        >>> jacfwd(torch.sin)(torch.tensor([0.0, 1.0]))  # diag(cos x)
        tensor([[1.0000, 0.0000],
                [0.0000, 0.5403]])
    """

    @functools.wraps(func)
    def wrapper(*args):
        from ._vmap import vmap

        numpy_io = has_numpy(args)
        if numpy_io:
            args = to_tensors(args)
        nums = check_argnums(argnums, len(args))
        flat_primals, primals_spec = tree_flatten(slice_argnums(args, nums))
        check_tensors(flat_primals)
        basis = tree_unflatten(standard_basis(flat_primals), primals_spec)

        def push_jvp(tangents):
            out = _jvp(func, args, tangents, nums, False, has_aux)
            return (out[1], out[2]) if has_aux else out[1]

        if sum(p.numel() for p in flat_primals) == 1:  # one column: no batch needed
            leaves, spec = tree_flatten(basis)
            one = push_jvp(tree_unflatten([b[0] for b in leaves], spec))
            if has_aux:
                one, one_aux = one
            leaves, spec = tree_flatten(one)
            results = tree_unflatten([x.unsqueeze(0) for x in leaves], spec)
            if has_aux:
                leaves, spec = tree_flatten(one_aux)
                aux_rows = [x.unsqueeze(0) if isinstance(x, Tensor) else x for x in leaves]
                results = (results, tree_unflatten(aux_rows, spec))
        else:
            results = vmap(push_jvp, randomness=randomness)(basis)
        aux = None
        if has_aux:
            results, aux = results
            leaves, spec = tree_flatten(aux)
            aux = tree_unflatten([x[0] if isinstance(x, Tensor) else x for x in leaves], spec)
        flat_results, out_spec = tree_flatten(results)
        sizes = [p.numel() for p in flat_primals]
        blocks = []
        for column in flat_results:  # (N, *O): column n is ∂out/∂(input element n)
            moved = column.permute(*range(1, column.ndim), 0)
            out_shape = tuple(column.shape[1:])
            per_input, start = [], 0
            for p, n in zip(flat_primals, sizes):
                piece = moved[..., start : start + n]
                per_input.append(piece.reshape(out_shape + tuple(p.shape)))
                start += n
            blocks.append(tree_unflatten(per_input, primals_spec))
        jac = tree_unflatten(blocks, out_spec)
        if numpy_io:
            jac, aux = to_numpy(jac), to_numpy(aux)
        return (jac, aux) if has_aux else jac

    return wrapper


def hessian(func, argnums=0):
    """Transform ``func`` into a function returning its Hessian ∂²f/∂x².

    Forward over reverse, ``jacfwd(jacrev(func))``, as torch.func computes it: one
    forward-mode pass per column through the reverse-mode gradient.

    Example:
        >>> hessian(lambda x: x.sin().sum())(torch.tensor([0.0, 1.0]))  # diag(−sin x)
        tensor([[ 0.0000,  0.0000],
                [ 0.0000, -0.8415]])
    """
    return jacfwd(jacrev(func, argnums), argnums)
