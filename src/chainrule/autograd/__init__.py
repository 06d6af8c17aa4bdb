"""Reverse-mode automatic differentiation: ``backward``, ``grad``, grad modes, custom
``Function``s and gradient checking."""

import numpy as np

from .._backend import namespace_of
from .._tensor import Tensor, wrap
from . import grad_mode
from .engine import run_backward
from .function import Function, FunctionCtx
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "backward",
    "grad",
    "Function",
    "FunctionCtx",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "grad_mode",
]


def _as_list(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _root_grads(outputs, grad_outputs, create_graph):
    grads = []
    given = _as_list(grad_outputs) or [None] * len(outputs)
    if len(given) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(given)} "
            f"grad_outputs for {len(outputs)} outputs"
        )
    for out, g in zip(outputs, given):
        if not out._requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a "
                "grad_fn: the tensor was not computed from any tensor with "
                "requires_grad=True (or it was computed under no_grad)"
            )
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs: "
                    f"this output has shape {list(out._data.shape)}; pass a "
                    f"gradient of that shape (e.g. backward(torch.ones_like(out)))"
                    f" or reduce it first (e.g. out.sum().backward())"
                )
            g_data = namespace_of(out._data).ones_like(out._data)
            grads.append(wrap(g_data) if create_graph else g_data)
            continue
        if not isinstance(g, Tensor):
            g = wrap(np.asarray(g, dtype=out._data.dtype))
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output has a shape of "
                f"{list(g._data.shape)} and output has a shape of "
                f"{list(out._data.shape)}"
            )
        data = g._data if g._data.dtype == out._data.dtype else g._data.astype(out._data.dtype)
        grads.append(g if create_graph else data)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves."""
    tensors = _as_list(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(tensors, grad_tensors, create_graph)
    if inputs is not None:
        inputs = _as_list(inputs)
        found = run_backward(
            tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=False
        )
        from .engine import accumulate_into

        for t, g in zip(inputs, found):
            if g is not None:
                accumulate_into(t, g)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (not accumulated).

    With ``create_graph=True`` the returned gradients are themselves differentiable, which
    gives second derivatives and Hessian-vector products.
    """
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    for t in inputs:
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outputs, grad_outputs, create_graph)
    found = run_backward(
        outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False
    )
    result = []
    for t, g in zip(inputs, found):
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been "
                    "used in the graph. Set allow_unused=True if this is the "
                    "desired behavior."
                )
        if g is not None and not isinstance(g, Tensor):
            g = wrap(namespace_of(g).cast(g, t._data.dtype))  # a copy, on g's own backend
        result.append(g)
    return tuple(result)


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute the gradient of this tensor w.r.t. the graph's leaves (into their ``.grad``)."""
    backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)


Tensor.backward = _tensor_backward

from . import forward_ad, functional  # noqa: E402, F401  (torch.autograd.functional, built on grad)
