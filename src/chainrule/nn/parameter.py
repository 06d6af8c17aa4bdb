"""``Parameter``: a Tensor that a ``Module`` registers as learnable; ``Buffer``: one it
registers as state that is not learned."""

import chainrule
from chainrule import Tensor


class Parameter(Tensor):
    """A Tensor that is a learnable parameter of a :class:`Module`.

    Assigning a Parameter to a Module attribute registers it, so it appears in
    ``parameters()`` and ``state_dict()``. It shares the data of the tensor it
    wraps (no copy) and requires grad by default. It adds no state and no
    per-op cost: it is a Tensor with another class name.

    Args:
        data: the tensor to wrap (default: an empty tensor).
        requires_grad: whether the parameter requires gradient (default ``True``).

    Example:
        >>> w = nn.Parameter(chainrule.zeros(2, 3))
        >>> w.requires_grad, w.is_leaf
        (True, True)
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = chainrule.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(data) expects a chainrule.Tensor, got {type(data).__name__}; "
                "wrap it first with chainrule.tensor(...)"
            )
        # detach() makes a new leaf that shares data with `data`; relabel its class.
        param = data.detach()
        param.__class__ = cls
        param.requires_grad_(requires_grad)
        return param

    def __init__(self, data=None, requires_grad=True):
        # Everything is set up in __new__; Tensor.__init__ must not run again.
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A Tensor that a :class:`Module` registers as a buffer when assigned to an attribute
    (``self.mask = nn.Buffer(t, persistent=False)``), as ``register_buffer`` does.

    Args:
        data: the tensor to wrap (shares its data; default: an empty tensor).
        persistent: whether the buffer is part of ``state_dict()`` (default ``True``).
    """

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = chainrule.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer(data) expects a chainrule.Tensor, got {type(data).__name__}")
        buffer = data.detach().requires_grad_(data.requires_grad)
        buffer.__class__ = Buffer if persistent else _NonPersistentBuffer
        return buffer

    def __init__(self, data=None, *, persistent=True):
        pass

    @property
    def persistent(self):
        return not isinstance(self, _NonPersistentBuffer)


class _NonPersistentBuffer(Buffer):
    """A ``Buffer(..., persistent=False)`` (the flag is the class: Tensors have no dict)."""

    __slots__ = ()
