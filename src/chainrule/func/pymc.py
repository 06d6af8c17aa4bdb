"""A chainrule log-density as a PyTensor Op, so PyMC's own samplers (NUTS) can use it.

PyMC builds its models from PyTensor graphs and asks them for the log-density and its
gradient.  ``logp_op(f)`` wraps a chainrule function ``f(*tensors) -> scalar`` as an Op
whose ``perform`` evaluates ``f`` and whose ``grad`` is a second Op evaluating ∇f with
chainrule's reverse mode (``func.grad_and_value``): PyTensor never sees inside ``f``.
Both Ops share one evaluation per point, since a sampler asks for the value and the
gradient at the same parameters.

Example:
    >>> import pymc as pm
    >>> op = logp_op(lambda beta: -0.5 * (beta ** 2).sum())
    >>> with pm.Model():
    ...     beta = pm.Flat("beta", shape=3)
    ...     pm.Potential("logp", op(beta))
    ...     idata = pm.sample()   # PyMC's NUTS, gradients from chainrule
"""

import numpy as np

try:
    import pytensor.tensor as pt
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op
except ImportError as error:  # the adapter is useless without PyTensor: say how to get it
    raise ImportError(
        "chainrule.func.pymc needs PyMC (and its PyTensor); install them with "
        "pip install 'chainrule[science]'"
    ) from error

from ..creation import as_tensor
from ._grad import grad_and_value

__all__ = ["logp_op", "LogpOp", "LogpGradOp"]


def logp_op(f, name=None):
    """Wrap ``f(*tensors) -> scalar tensor`` (a log-density written with chainrule ops)
    as a PyTensor Op: ``op(*pytensor_variables)`` is a scalar variable for
    ``pm.Potential`` or a ``pm.CustomDist`` logp, differentiable by PyTensor.

    Every input must be a float64 variable (scalars, vectors, arrays); data the density
    depends on can simply be closed over (NumPy arrays or tensors).
    """
    return LogpOp(_Evaluator(f), name or getattr(f, "__name__", "logp"))


class _Evaluator:
    """``f``'s value and gradients at one point, computed together and remembered."""

    def __init__(self, f):
        self.f = f
        self.key = None
        self.value = self.grads = None
        self.evaluations = 0

    def __call__(self, arrays):
        key = tuple((a.shape, a.tobytes()) for a in arrays)
        if key != self.key:
            tensors = [as_tensor(np.array(a, dtype=np.float64)) for a in arrays]
            argnums = tuple(range(len(tensors)))
            grads, value = grad_and_value(self.f, argnums=argnums)(*tensors)
            self.value = np.asarray(value.numpy(), dtype=np.float64).reshape(())
            self.grads = [np.asarray(g.numpy(), dtype=np.float64) for g in grads]
            self.key = key
            self.evaluations += 1
        return self.value, self.grads


def _float64_inputs(op_name, inputs):
    variables = [pt.as_tensor_variable(x) for x in inputs]
    for i, v in enumerate(variables):
        if v.dtype != "float64":
            if not v.dtype.startswith(("float", "int", "uint")):
                raise TypeError(
                    f"{op_name}: input {i} has dtype {v.dtype}; the log-density takes float64 "
                    f"variables (close over other data instead)"
                )
            variables[i] = pt.cast(v, "float64")
    return variables


class LogpOp(Op):
    """The log-density: float64 inputs -> a float64 scalar."""

    def __init__(self, evaluator, name):
        self.evaluator = evaluator
        self.name = name
        self.grad_op = LogpGradOp(evaluator, name)

    def make_node(self, *inputs):
        inputs = _float64_inputs(self.name, inputs)
        return Apply(self, inputs, [pt.dscalar()])

    def perform(self, node, inputs, output_storage):
        value, _ = self.evaluator(inputs)
        output_storage[0][0] = value

    def grad(self, inputs, output_gradients):
        grads = self.grad_op(*inputs)
        if not isinstance(grads, (list, tuple)):
            grads = [grads]
        return [output_gradients[0] * g for g in grads]

    def infer_shape(self, fgraph, node, input_shapes):
        return [()]

    def __str__(self):
        return f"chainrule_logp{{{self.name}}}"


class LogpGradOp(Op):
    """The log-density's gradient: one output per input, of the input's type."""

    def __init__(self, evaluator, name):
        self.evaluator = evaluator
        self.name = name

    def make_node(self, *inputs):
        inputs = _float64_inputs(self.name, inputs)
        return Apply(self, inputs, [x.type() for x in inputs])

    def perform(self, node, inputs, output_storage):
        _, grads = self.evaluator(inputs)
        for storage, g in zip(output_storage, grads):
            storage[0] = g

    def infer_shape(self, fgraph, node, input_shapes):
        return list(input_shapes)

    def __str__(self):
        return f"chainrule_logp_grad{{{self.name}}}"
