"""Helpers shared by the distributions (torch.distributions.utils): broadcasting parameters,
converting between probabilities and logits, and cached derived parameters."""

import numbers

import chainrule

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
]


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to (NumPy's rules), as a ``chainrule.Size``."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for i, n in enumerate(shape, start=ndim - len(shape)):
            if n != 1 and out[i] not in (1, n):
                raise RuntimeError(
                    f"shapes {[tuple(s) for s in shapes]} cannot be broadcast together: "
                    f"dimension {i} is {out[i]} in one and {n} in another"
                )
            out[i] = n if n != 1 else out[i]
    return chainrule.Size(out)


def broadcast_all(*values):
    """Tensors of one broadcast shape from tensors and numbers; numbers take the dtype of the
    first tensor (the default dtype when all are numbers)."""
    tensors = [v for v in values if isinstance(v, chainrule.Tensor)]
    for v in values:
        if not isinstance(v, (chainrule.Tensor, numbers.Number)):
            raise ValueError(
                "Input arguments must all be instances of numbers.Number or chainrule.Tensor, "
                f"got {type(v).__name__}"
            )
    dtype = tensors[0].dtype if tensors else chainrule.get_default_dtype()
    values = [
        v if isinstance(v, chainrule.Tensor) else chainrule.tensor(v, dtype=dtype) for v in values
    ]
    shape = broadcast_shapes(*(v.shape for v in values))
    return tuple(v if v.shape == shape else v.expand(shape) for v in values)


def batch_shape_of(given, broadcast):
    """The batch shape of the parameters ``given`` by the user, one of which broadcast_all
    made into ``broadcast``: ``()`` when all were numbers, else the broadcast shape."""
    if all(isinstance(v, numbers.Number) for v in given):
        return chainrule.Size()
    return broadcast.size()


def clamp_probs(probs):
    """``probs`` clamped into ``[eps, 1 − eps]`` (``eps`` of its dtype), so logs are finite."""
    eps = chainrule.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    """``sigmoid(logits)`` for binary outcomes, else ``softmax(logits, -1)``."""
    if is_binary:
        return chainrule.sigmoid(logits)
    return chainrule.softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary=False):
    """``log p − log(1 − p)`` for binary outcomes, else ``log p`` (probabilities clamped)."""
    p = clamp_probs(probs)
    if is_binary:
        return p.log() - (-p).log1p()
    return p.log()


def sum_rightmost(value, dim):
    """``value`` summed over its ``dim`` rightmost dimensions."""
    return value.reshape(value.shape[: value.dim() - dim] + (-1,)).sum(-1) if dim else value


class lazy_property:
    """A derived parameter computed on first access and then stored on the instance (so it
    shows in the distribution's repr, as in PyTorch)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with chainrule.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def log1pexp(x):
    """``ln(1 + eˣ)`` (softplus with no threshold) as ``max(x, 0) + ln(1 + e^−|x|)``."""
    return x.clamp(min=0) + (-x.abs()).exp().log1p()


def format_value(value):
    """``f"{value}"`` as PyTorch writes it: a zero-dimensional tensor as its number."""
    if isinstance(value, chainrule.Tensor) and value.dim() == 0:
        return str(value.item())
    return str(value)
