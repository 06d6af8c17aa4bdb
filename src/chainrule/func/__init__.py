"""Function transforms with ``torch.func``'s names and semantics.

``grad``, ``grad_and_value``, ``vjp`` and ``jacrev`` run the reverse-mode engine;
``jvp``, ``jacfwd`` and ``hessian`` add forward mode; ``vmap`` maps a function over a
batch dimension; ``functional_call`` turns a Module into a function of its parameters.
Inputs and outputs are pytrees (tuples, lists, dicts) of tensors; NumPy arrays in give
NumPy arrays out.  ``scipy_objective`` hands a function's value, gradient and
Hessian-vector products to ``scipy.optimize.minimize``; ``chainrule.func.pymc`` wraps a
log-density as a PyTensor Op for PyMC's samplers.

Example (per-sample gradients):
    >>> from chainrule.func import functional_call, grad, vmap
    >>> params = {k: v.detach() for k, v in model.named_parameters()}
    >>> def loss(p, x, y):
    ...     out = functional_call(model, p, (x.unsqueeze(0),))
    ...     return F.cross_entropy(out, y.unsqueeze(0))
    >>> per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
"""

from ._forward import hessian, jacfwd, jvp
from ._functional_call import functional_call
from ._grad import grad, grad_and_value, jacrev, vjp
from ._vmap import vmap
from .scipy import scipy_objective

__all__ = [
    "grad",
    "grad_and_value",
    "vjp",
    "jvp",
    "jacrev",
    "jacfwd",
    "hessian",
    "vmap",
    "functional_call",
    "scipy_objective",
]
