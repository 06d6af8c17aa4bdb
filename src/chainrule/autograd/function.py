"""Custom differentiable ops: subclass ``Function`` with static ``forward``/``backward``.

class Cube(chainrule.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * g           # ∂x³/∂x = 3x²

y = Cube.apply(x)
"""

from .._tensor import Tensor, wrap
from ..ops._registry import OpDef, apply
from .grad_mode import no_grad

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved tensors and any attributes."""

    def __init__(self):
        self._saved = ()
        self._versions = ()
        self.needs_input_grad = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._versions = tuple(t._version if isinstance(t, Tensor) else -1 for t in tensors)

    @property
    def saved_tensors(self):
        for t, v in zip(self._saved, self._versions):
            if v >= 0 and t._version != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has "
                    "been modified by an inplace operation: a tensor saved with "
                    "ctx.save_for_backward changed after it was saved"
                )
        return self._saved

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        self.materialize_grads = value


def _custom_backward(xp, g, ctx, fn_cls, tensor_positions):
    from .._grad_mode import grad_enabled as mode

    g_tensor = g if isinstance(g, Tensor) else wrap(g)
    result = fn_cls.backward(ctx, g_tensor)
    if not isinstance(result, tuple):
        result = (result,)
    grads = []
    for pos in tensor_positions:
        gi = result[pos] if pos < len(result) else None
        if gi is not None and not isinstance(gi, Tensor):
            raise TypeError(
                f"{fn_cls.__name__}.backward returned a {type(gi).__name__} for "
                f"input {pos}; return a Tensor or None"
            )
        if gi is not None and not mode[0]:
            gi = gi._data
        grads.append(gi)
    return grads


def _custom_forward(xp, *arrays_and_params):
    # the user's forward, on the original arguments (held by ctx for this one call)
    ctx, fn_cls = arrays_and_params[-3], arrays_and_params[-2]
    args, kwargs = ctx._call
    del ctx._call
    with no_grad():
        out = fn_cls.forward(ctx, *args, **kwargs)
    if not isinstance(out, Tensor):
        raise TypeError(
            f"{fn_cls.__name__}.forward must return a single Tensor, got {type(out).__name__}"
        )
    return out._data


class _FunctionMeta(type):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        cls._op = OpDef(
            f"{name}Backward",
            _custom_forward,
            grads=[_custom_backward],
            params=("ctx", "function", "tensor_positions"),
            multi=True,
            public=False,
        )


class Function(metaclass=_FunctionMeta):
    """Base class of custom ops; call them through ``MyFunction.apply(*args)``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        tensors = tuple(args[i] for i in positions)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx._call = (args, kwargs)
        return apply(cls._op, tensors, (ctx, cls, positions))
