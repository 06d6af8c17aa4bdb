"""Higher-level differentiation of Python functions: ``torch.autograd.functional``.

``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``vhp`` and ``hvp`` take a function of
tensors and the point to differentiate at (a tensor or a tuple of tensors) and return
tensors shaped like torch's.  They are built on ``autograd.grad``:

* ``vjp``: vᵀJ, one backward pass;
* ``jvp``: J·v by the double-backward trick: u ↦ uᵀJ is linear in u, so differentiating
  it w.r.t. u in direction v gives J·v (forward mode in ``chainrule.func.jvp`` is cheaper);
* ``jacobian``: one backward pass per output element (``strategy="reverse-mode"``) or one
  forward-mode pass per input element (``"forward-mode"``);
* ``vhp``: vᵀH, the gradient of (∇f)·v; ``hvp``: H·v, the double-backward trick applied
  to ∇f (equal to vhp for a symmetric Hessian).

``create_graph=True`` keeps the results differentiable; ``strict=True`` raises where a
result would be identically zero because an output does not depend on an input.
``vectorize`` is accepted for torch's signature: the rows are computed one backward pass
at a time either way (batched rows need ``chainrule.func.vmap``, a layer above this one).
"""

from .. import creation
from .._grad_mode import grad_enabled
from .._tensor import Tensor
from ..ops.shape import stack

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


# ---------------------------------------------------------------- argument handling
def _as_tuple(x, arg_name, fn_name):
    """``(was a tuple, tuple of tensors)``, with torch's TypeError for anything else."""
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the {where} has type {type(el)}."
            )
    return is_tuple, items


def _untuple(result, is_tuple):
    """Undo ``_as_tuple``: ``is_tuple`` is one flag, or (outer, inner) for nested results."""
    if isinstance(is_tuple, tuple):
        outer, inner = is_tuple
        if not inner:
            result = tuple(r[0] for r in result)
        return result if outer else result[0]
    return result if is_tuple else result[0]


def _preprocess(inputs, create_graph, need_graph):
    """Fresh tensors for the function's inputs (so tensors it closes over stay apart):
    a recorded view where the caller wants a graph through an input that requires grad,
    else a detached copy that requires grad when the computation needs a graph."""
    fresh = []
    for x in inputs:
        if create_graph and x._requires_grad:
            fresh.append(x.view_as(x))
        else:
            fresh.append(x.detach().requires_grad_(need_graph))
    return tuple(fresh)


def _postprocess(results, create_graph):
    """Detach results (nested tuples of tensors) unless the caller asked for a graph."""
    if create_graph:
        return results
    if isinstance(results, Tensor):
        return results.detach()
    return tuple(_postprocess(r, False) for r in results)


def _validate_v(v, other, is_other_tuple):
    if len(v) != len(other):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.shape != b.shape:
            prefix = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {b.shape} but got {a.shape}."
            )


def _check_requires_grad(tensors, kind, strict):
    """Strict mode: every tensor must depend on the inputs (with torch's messages)."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                f"This is not allowed in strict mode."
            )
        if t._requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is "
                f"independent of the input. This is not allowed in strict mode. You should "
                f"ensure that your function is thrice differentiable and that the hessian "
                f"depends on the inputs."
            )
        if kind == "jacobian":
            raise RuntimeError(
                f"While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is "
                f"not allowed in strict mode. You should ensure that your function is twice "
                f"differentiable and that the jacobian depends on the inputs (this would be "
                f"violated by a linear function for example)."
            )
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                f"user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The "
            f"outputs must be computed in a differentiable manner from the input when "
            f"running in strict mode."
        )


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad; ``None`` per input that no
    output reaches (all ``None`` when no output requires grad)."""
    from . import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o._requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(
        [o for o, _ in pairs],
        list(inputs),
        [g for _, g in pairs],
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


_ZERO_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in "
    "the grad_outputs when using the double backward trick to compute forward mode "
    "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input "
    "{i}. This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Zeros where a gradient is ``None``; in strict mode, an error instead."""
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MESSAGES[stage].format(i=i))
            g = creation.zeros_like(refs[i])
        elif strict and create_graph and not g._requires_grad:
            which = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {which} of the user-provided function is independent of input {i}. "
                f"This is not allowed in strict mode when create_graph=True."
            )
        out.append(g)
    return tuple(out)


class _grad_mode:
    """Set grad mode for a block and restore it afterwards."""

    def __init__(self, enabled):
        self.enabled = enabled

    def __enter__(self):
        self.previous = grad_enabled[0]
        grad_enabled[0] = self.enabled

    def __exit__(self, *exc):
        grad_enabled[0] = self.previous
        return False


def _call(func, inputs, fn_name, strict):
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return is_tuple, outputs


def _vector(v, reference, is_ref_tuple, create_graph, fn_name, none_message):
    if v is None:
        if len(reference) != 1 or reference[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _preprocess(v, create_graph, need_graph=False)
    _validate_v(v, reference, is_ref_tuple)
    return v


# ---------------------------------------------------------------- vjp and jvp
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀJ)``: the function's output and the vector-Jacobian product.

    ``v`` has the output's shape(s); it may be omitted when the output has one element.
    The product has the inputs' shapes.

    Example:
        >>> vjp(lambda x: x ** 2, torch.tensor([1.0, 2.0]), torch.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    with _grad_mode(True):
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _vector(
            v,
            outputs,
            is_outputs_tuple,
            create_graph,
            "vjp",
            "The vector v can only be None if the user-provided function returns a single "
            "Tensor with a single element.",
        )
    with _grad_mode(create_graph or grad_enabled[0]):
        grads = _grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return (
        _untuple(_postprocess(outputs, create_graph), is_outputs_tuple),
        _untuple(_postprocess(result, create_graph), is_inputs_tuple),
    )


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J·v)``: the function's output and the Jacobian-vector product.

    Computed by the double-backward trick, as torch does here: g(u) = uᵀJ is linear in u,
    and its vector-Jacobian product with v is J·v.  ``v`` has the inputs' shapes.

    Example:
        >>> jvp(lambda x: x ** 2, torch.tensor([1.0, 2.0]), torch.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    with _grad_mode(True):
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _vector(
            v,
            inputs,
            is_inputs_tuple,
            create_graph,
            "jvp",
            "The vector v can only be None if the input to the user-provided function is a "
            "single Tensor with a single element.",
        )
        is_outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        # u: any values (the map u -> uᵀJ is linear); zeros keep inf and nan out
        u = tuple(creation.zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, u, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with _grad_mode(create_graph or grad_enabled[0]):
        grads = _grad(grad_inputs, u, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return (
        _untuple(_postprocess(outputs, create_graph), is_outputs_tuple),
        _untuple(_postprocess(result, create_graph), is_outputs_tuple),
    )


# ---------------------------------------------------------------- jacobian and hessian
def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """The Jacobian ∂outᵢ/∂inⱼ of ``func`` at ``inputs``.

    For one output of shape ``O`` and one input of shape ``I`` the result has shape
    ``O + I``; with tuples of outputs and/or inputs it is a tuple (of tuples) of such
    blocks, ``result[i][j]`` for output i and input j.

    Args:
        strategy: ``"reverse-mode"`` (one backward pass per output element) or
            ``"forward-mode"`` (one forward-mode pass per input element; needs
            ``vectorize=True`` and not ``create_graph``, as in torch).

    Example:
        >>> jacobian(lambda x: x ** 2, torch.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.'
            )
        return _jacobian_forward(func, inputs, strict, vectorize)
    with _grad_mode(True):
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`."
            )
        blocks = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            for j in range(out.numel()):
                onehot = creation.zeros(out.numel(), dtype=out.dtype)
                onehot[j] = 1
                grads = _grad(
                    (out,), inputs, (onehot.reshape(out.shape),), create_graph, retain_graph=True
                )
                for k, (g, x) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {k}. This is not allowed in strict mode."
                            )
                        g = creation.zeros_like(x)
                    elif strict and create_graph and not g._requires_grad:
                        raise RuntimeError(
                            f"The jacobian of the user-provided function is independent of "
                            f"input {i}. This is not allowed in strict mode when "
                            f"create_graph=True."
                        )
                    rows[k].append(g)
            blocks.append(
                tuple(
                    _stack_rows(r, tuple(out.shape) + tuple(x.shape), x)
                    for r, x in zip(rows, inputs)
                )
            )
    return _untuple(_postprocess(tuple(blocks), create_graph), (is_outputs_tuple, is_inputs_tuple))


def _stack_rows(rows, shape, like):
    if not rows:
        return creation.zeros(shape, dtype=like.dtype)
    return stack(rows, 0).reshape(shape)


def _jacobian_forward(func, inputs, strict, vectorize):
    """Forward-mode Jacobian: one dual-number pass per input element."""
    if strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`strict=False` or `strategy="reverse-mode"`.'
        )
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
            "implemented for `vectorize=True`."
        )
    from . import forward_ad as fwad

    columns, is_outputs_tuple, outputs = [], False, None
    for k, x in enumerate(inputs):
        for j in range(x.numel()):
            tangents = [creation.zeros_like(y) for y in inputs]
            onehot = creation.zeros(x.numel(), dtype=x.dtype)
            onehot[j] = 1
            tangents[k] = onehot.reshape(x.shape)
            with fwad.dual_level():
                duals = tuple(fwad.make_dual(y, t) for y, t in zip(inputs, tangents))
                is_outputs_tuple, outs = _as_tuple(func(*duals), "outputs", "jacobian")
                unpacked = [fwad.unpack_dual(o) for o in outs]
            outputs = [p for p, _ in unpacked]
            columns.append([creation.zeros_like(p) if t is None else t for p, t in unpacked])
    blocks = []
    sizes = [x.numel() for x in inputs]
    for i, out in enumerate(outputs):
        per_input, start = [], 0
        for x, n in zip(inputs, sizes):
            cols = [columns[c][i] for c in range(start, start + n)]
            start += n
            shape = tuple(out.shape) + tuple(x.shape)
            if not cols:
                per_input.append(creation.zeros(shape, dtype=out.dtype))
                continue
            stacked = stack(cols, -1)  # (*O, n): column c is ∂out/∂x_c
            per_input.append(stacked.reshape(shape).detach())
        blocks.append(tuple(per_input))
    return _untuple(tuple(blocks), (is_outputs_tuple, is_inputs_tuple))


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The Hessian ∂²f/∂inᵢ∂inⱼ of a scalar function: the Jacobian of its gradient.

    For one input of shape ``I`` the result has shape ``I + I``; for a tuple of inputs it
    is a tuple of tuples of blocks.  ``outer_jacobian_strategy="forward-mode"`` takes the
    outer Jacobian by forward mode (forward over reverse).

    Example:
        >>> hessian(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_function(*inp):
        out = func(*inp)
        is_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if is_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()

    def gradient(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(scalar_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _untuple(result, (is_inputs_tuple, is_inputs_tuple))


# ---------------------------------------------------------------- vhp and hvp
def _scalar_output(func, inputs, fn_name, strict):
    is_outputs_tuple, outputs = _call(func, inputs, fn_name, strict)
    if is_outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a single "
            f"element"
        )
    return is_outputs_tuple, outputs


_V_INPUT_MESSAGE = (
    "The vector v can only be None if the input to the user-provided function is a single "
    "Tensor with a single element."
)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀH)``: the output and the vector-Hessian product of a scalar
    function, the gradient of ∇f·v.

    Example:
        >>> vhp(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), torch.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    with _grad_mode(True):
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, is_inputs_tuple, create_graph, "vhp", _V_INPUT_MESSAGE)
        is_outputs_tuple, outputs = _scalar_output(func, inputs, "vhp", strict)
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with _grad_mode(create_graph or grad_enabled[0]):
        grads = _grad(jac, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return (
        _untuple(_postprocess(outputs, create_graph), is_outputs_tuple),
        _untuple(_postprocess(result, create_graph), is_inputs_tuple),
    )


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H·v)``: the output and the Hessian-vector product of a scalar
    function, by the double-backward trick applied to ∇f (as torch does here).

    Example:
        >>> hvp(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), torch.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    with _grad_mode(True):
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, is_inputs_tuple, create_graph, "hvp", _V_INPUT_MESSAGE)
        is_outputs_tuple, outputs = _scalar_output(func, inputs, "hvp", strict)
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        u = tuple(creation.zeros_like(x, requires_grad=True) for x in inputs)
        double_back = _grad(jac, inputs, u, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with _grad_mode(create_graph or grad_enabled[0]):
        grads = _grad(double_back, u, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return (
        _untuple(_postprocess(outputs, create_graph), is_outputs_tuple),
        _untuple(_postprocess(result, create_graph), is_inputs_tuple),
    )
