"""The Tensor type: a NumPy array plus what autograd needs to know about it.

This module holds state, conversions and printing only; every op body lives in
``chainrule.ops`` and is bound to ``Tensor`` there.
"""

import warnings

import numpy as np

from ._dtype import from_numpy_dtype, get_default_dtype
from ._node import _RemovableHandle

__all__ = ["Tensor", "Size", "wrap"]


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __add__(self, other):  # Size + tuple (either order) is a Size, as in PyTorch
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    ``_data`` is the NumPy array; ``_vbox`` is a one-element list holding the version
    counter, shared with views of the same memory, bumped by every in-place op; it is
    created on first need (``None`` means version 0), saving an allocation per op.  A view of
    a tensor that requires grad keeps ``_base = (base, rebuild)``: ``rebuild(base, view)``
    recomputes the base from a changed view, so in-place ops on views update its graph.
    """

    # the last five are rarely set, so ``wrap`` leaves them unset: read them with getattr
    # (``_fw_grad`` is the forward-mode tangent inside ``forward_ad.dual_level``)
    __slots__ = (
        "_data",
        "_requires_grad",
        "grad_fn",
        "_grad",
        "_vbox",
        "__weakref__",
        "_hooks",
        "_retains_grad",
        "_name",
        "_base",
        "_fw_grad",
    )

    __array_priority__ = 1000  # make NumPy defer `ndarray + tensor` to Tensor.__radd__

    def __new__(cls, *args):
        """``Tensor(data)`` or ``Tensor(*shape)``: PyTorch's legacy constructor, in the
        default floating dtype.  Prefer ``chainrule.tensor`` and ``chainrule.zeros``."""
        from .creation import tensor, zeros

        if len(args) == 1 and not isinstance(args[0], int):
            return tensor(args[0], dtype=get_default_dtype())
        return zeros(*args)

    # ----------------------------------------------------------------- autograd state
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place; only leaves of a floating dtype may require grad."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables; use "
                    ".detach() to get a tensor that does not require grad"
                )
            return self
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, got "
                f"{self.dtype}; convert first, e.g. x.float().requires_grad_()"
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        """The accumulated gradient of a leaf (or of a tensor after ``retain_grad()``)."""
        if self._grad is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being "
                "accessed. Its .grad attribute won't be populated during "
                "backward(); call .retain_grad() on it before backward() if you "
                "want it, or use the .grad of a leaf tensor.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad must be a Tensor or None, got {type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"assigned grad has shape {tuple(value.shape)} but the "
                    f"tensor has shape {tuple(self.shape)}"
                )
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self):
        box = self._vbox
        return 0 if box is None else box[0]

    def _bump_version(self):
        """Record an in-place change (shared with every view of this memory)."""
        box = self._vbox
        if box is None:
            self._vbox = [1]
        else:
            box[0] += 1

    @property
    def data(self):
        """A tensor sharing this one's memory, detached from the graph."""
        return self.detach()

    @data.setter
    def data(self, value):
        self._data = np.asarray(value._data if isinstance(value, Tensor) else value)

    def detach(self):
        """A new tensor sharing memory (and version counter), with no graph history."""
        t = wrap(self._data)
        t._vbox = version_box(self)
        return t

    def detach_(self):
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
            return
        if self.retains_grad:
            return
        self._retains_grad = True
        import weakref

        ref = weakref.ref(self)

        def store(grads):
            tensor = ref()
            if tensor is not None:
                from .autograd.engine import accumulate_into

                accumulate_into(tensor, grads[0])

        store.retains_grad = True
        self.grad_fn.register_prehook(store)

    @property
    def retains_grad(self):
        return getattr(self, "_retains_grad", False)

    @property
    def name(self):
        """A label for pictures of the graph (``tensor(..., name='a')``); None by default."""
        return getattr(self, "_name", None)

    @name.setter
    def name(self, value):
        self._name = value

    def register_hook(self, hook):
        """Call ``hook(grad)`` when the gradient w.r.t. this tensor is computed.

        If the hook returns a tensor, it replaces the gradient. Returns a handle with
        ``remove()``.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            hooks = getattr(self, "_hooks", None)
            if hooks is None:
                hooks = self._hooks = []
            hooks.append(hook)
            return _RemovableHandle(hooks, hook)

        def prehook(grads):
            result = hook(grads[0])
            return None if result is None else (result,)

        return self.grad_fn.register_prehook(prehook)

    # ----------------------------------------------------------------- shape and type
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_check_dim(dim, self._data.ndim)]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def dtype(self):
        return from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return "cpu"

    @property
    def is_cuda(self):
        return False

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def element_size(self):
        return self._data.itemsize

    def cpu(self):
        return self

    def contiguous(self):
        return self

    def is_contiguous(self):
        return self._data.flags.c_contiguous

    def stride(self, dim=None):
        """Steps in elements between neighbours along each dim (0 where expanded)."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[_check_dim(dim, len(steps))]

    def data_ptr(self):
        """The address of the first element (views of one tensor differ by their offset)."""
        return self._data.__array_interface__["data"][0]

    # ----------------------------------------------------------------- conversion
    def item(self):
        """The single value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted "
                f"to Scalar; use .tolist() or index one element first"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The underlying NumPy array (shared memory), for a tensor not requiring grad."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use "
                "tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is None:
            return self._data
        return self._data.astype(dtype, copy=bool(copy))

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """A NumPy ufunc applied to a tensor gives a tensor (with no graph), as in PyTorch:
        ``np.exp(t)`` is a Tensor."""
        array = np.asarray(array)
        return wrap(array.astype(from_numpy_dtype(array.dtype).numpy, copy=False))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} values is ambiguous"
            )
        return bool(self._data.item())

    def __hash__(self):
        return id(self)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __reduce_ex__(self, protocol):
        raise TypeError(
            "chainrule tensors are not pickled; use chainrule.save(), which writes safetensors"
        )

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) "
                "support the deepcopy protocol"
            )
        t = wrap(self._data.copy(), cls=type(self))
        t._requires_grad = self._requires_grad
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    def __repr__(self):
        from ._format import format_tensor

        return format_tensor(self)

    def __format__(self, spec):
        """A 0-d tensor formats as its number (``f"{loss:.3f}"``, ``f"{loss}"``), as in
        PyTorch; others as their repr."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return repr(self) if not spec else object.__format__(self, spec)


def _check_dim(dim, ndim):
    low = -max(ndim, 1)
    if not low <= dim < max(ndim, 1):
        raise IndexError(
            f"Dimension out of range (expected to be in range of "
            f"[{low}, {max(ndim, 1) - 1}], but got {dim})"
        )
    return dim % max(ndim, 1)


_new = object.__new__


def wrap(data, grad_fn=None, cls=Tensor):
    """Wrap a NumPy array (not copied) in a Tensor; with a node, it requires grad."""
    t = _new(cls)
    t._data = data
    t._requires_grad = grad_fn is not None
    t.grad_fn = grad_fn
    t._grad = None
    t._vbox = None
    return t


def version_box(t):
    """``t``'s version counter, created if needed, to share with a view or a node."""
    box = t._vbox
    if box is None:
        box = t._vbox = [0]
    return box
