"""The op table's machinery: ``OpDef`` (one row) and ``apply`` (run a row, record a node).

A row declares, in one place, an op's NumPy forward, which inputs its gradient formulas
need (``saves``; ``saves_out`` for the output), and one formula per tensor input, written
against an array namespace ``xp``.  The engine calls each formula as
``formula(xp, g, *saved, [out], *params)``: with NumPy arrays and ``xp = numpy_xp`` for a
plain backward, with chainrule Tensors and ``xp = tensor_xp`` when ``create_graph=True``,
so one formula serves both orders of differentiation.
"""

import traceback

import numpy as np

from .._dtype import get_default_dtype, result_type
from .._grad_mode import anomaly_enabled, grad_enabled
from .._node import Node
from .._tensor import Tensor, wrap

ndarray = np.ndarray
_new = object.__new__
_SCALARS = (int, float, bool)
_PY_NUMBERS = frozenset(_SCALARS)  # exact types: NumPy's float64 subclasses float

OPS = {}  # grad_fn name -> OpDef, for coverage tests and docs


class OpDef:
    """One differentiable primitive.

    Args:
        name: PyTorch's ``grad_fn`` class name, e.g. ``"MulBackward0"``.
        forward: NumPy forward ``f(*arrays, *params) -> array``.
        grads: one formula per tensor input, ``None`` where no gradient flows.
        saves: positions of the inputs the formulas receive (in that order).
        saves_out: whether the formulas also receive the op's output.
        params: names of the non-tensor arguments (passed after the tensors).
        broadcasts: inputs may broadcast, so the engine may have to sum gradients down.
        to_float: integer inputs compute in the default floating dtype (``exp``, ``/``).
        public: list the row in ``OPS`` (custom Functions are not).
        multi: the op takes any number of inputs and ``grads[0]`` returns all their
            gradients at once (``cat``, ``stack``, custom Functions).
    """

    def __init__(
        self,
        name,
        forward,
        grads,
        saves=(),
        saves_out=False,
        params=(),
        broadcasts=False,
        to_float=False,
        multi=False,
        public=True,
    ):
        self.name = name
        self.forward = forward
        self.grads = tuple(grads)
        self.saves = tuple(saves)
        self.saves_out = saves_out
        self.param_names = tuple(params)
        self.broadcasts = broadcasts
        self.to_float = to_float
        self.multi = multi
        self.node_cls = type(name, (Node,), {"__slots__": (), "op": self})
        if public:
            OPS.setdefault(name, self)

    def __repr__(self):
        return f"<op {self.name}>"


class ValuesIndices(tuple):
    """``(values, indices)`` from max/min/sort/topk, printed as PyTorch's return types."""

    __slots__ = ()

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def values_indices(name):
    """The ``(values, indices)`` result type of op ``name`` (``torch.return_types.max``)."""
    return type(
        name,
        (ValuesIndices,),
        {
            "__slots__": (),
            "__new__": lambda cls, values, indices: tuple.__new__(cls, (values, indices)),
            "__repr__": lambda self: (
                f"torch.return_types.{name}(\nvalues={self[0]!r},\nindices={self[1]!r})"
            ),
        },
    )


def _record(op, tensors, params, result, meta=None, constants=None):
    """Attach a new node for ``op`` to ``result`` (the Tensor wrapping ``out``)."""
    inputs = []
    for t in tensors:
        if isinstance(t, Tensor):
            fn = t.grad_fn
            inputs.append(fn if fn is not None else (t if t._requires_grad else None))
        else:
            inputs.append(None)
    saved, versions = [], []
    for i in op.saves:
        s = tensors[i]
        saved.append(s)
        versions.append(s._version if isinstance(s, Tensor) else -1)
    return _attach(
        op, result, tuple(inputs), tuple(saved), tuple(versions), params, meta, constants
    )


def _attach(op, result, inputs, saved, versions, params=(), meta=None, constants=None):
    """Create ``op``'s node from its input edges, saved inputs and their versions; make it
    ``result``'s grad_fn.  The hottest path of the library: only attribute stores."""
    node = _new(op.node_cls)
    node.inputs = inputs
    node.saved = saved
    node.versions = versions
    node.params = params
    node.value = out = result._data
    node.grad = node.pre_hooks = node.post_hooks = node.trace = None
    node.meta = meta
    node.constants = constants
    if op.saves_out:  # a fresh result is at version 0
        node.out_box = result._vbox = [0]
        node.out_version = 0
    else:
        node.out_box = None
    result.grad_fn = node
    result._requires_grad = True
    if anomaly_enabled[0]:
        _anomaly_forward(node, out)
    return result


def _anomaly_forward(node, out):
    node.trace = user_frame()
    if out.dtype.kind == "f" and not np.all(np.isfinite(out)):
        raise RuntimeError(
            f"anomaly detected: {node.name()} produced NaN or Inf in the "
            f"forward pass, at {format_frame(node.trace)}"
        )


def user_frame():
    """The innermost stack frame outside chainrule's own modules."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        if "/chainrule/" not in frame.filename.replace("\\", "/"):
            return frame
    return traceback.extract_stack()[0]


def format_frame(frame):
    if frame is None:
        return "an unknown place (anomaly detection was off when it was created)"
    return f'File "{frame.filename}", line {frame.lineno}, in {frame.name}: {frame.line}'


def _as_array(out):
    return out if type(out) is ndarray else np.asarray(out)


def _needs_grad(tensors):
    for t in tensors:
        if t._requires_grad:
            return True
    return False


def apply(op, tensors, params=()):
    """Run ``op`` on Tensors ``tensors`` (no broadcasting, no promotion) and record it."""
    out = op.forward(*[t._data for t in tensors], *params)
    if type(out) is not ndarray:
        out = np.asarray(out)
    result = wrap(out)
    if grad_enabled[0] and _needs_grad(tensors):
        _record(op, tensors, params, result)
    return result


def unary(op, a, params=()):
    """Elementwise one-input op; integer inputs go to the default float when ``to_float``."""
    data = a._data
    if op.to_float and data.dtype.kind != "f":
        data = data.astype(get_default_dtype().numpy)
    out = op.forward(data, *params)
    if type(out) is not ndarray:
        out = np.asarray(out)
    result = _new(Tensor)  # wrap(out), inlined on the hottest path
    result._data = out
    result._requires_grad = False
    result.grad_fn = result._grad = result._vbox = None
    if a._requires_grad and grad_enabled[0]:
        fn = a.grad_fn
        if op.saves:
            box = a._vbox
            _attach(
                op,
                result,
                (fn if fn is not None else a,),
                (a,),
                (0 if box is None else box[0],),
                params,
            )
        else:
            _attach(op, result, (fn if fn is not None else a,), (), (), params)
    return result


def binary(op, a, b, params=()):
    """Elementwise op on two operands (Tensors, Python numbers, NumPy arrays), broadcasting
    and promoting dtypes as PyTorch does."""
    if isinstance(a, Tensor):
        a_is_t = True
        ad = a._data
    else:
        if type(a) not in _PY_NUMBERS:
            a = as_tensor_operand(a)
        a_is_t = isinstance(a, Tensor)
        ad = a._data if a_is_t else a
    if isinstance(b, Tensor):
        b_is_t = True
        bd = b._data
    else:
        if type(b) not in _PY_NUMBERS:
            b = as_tensor_operand(b)
        b_is_t = isinstance(b, Tensor)
        bd = b._data if b_is_t else b
    meta = None
    if a_is_t and b_is_t:
        adt, bdt = ad.dtype, bd.dtype
        if adt is not bdt or (op.to_float and adt.kind != "f"):
            ad, bd, meta = _promote_pair(op, a, b)
        elif ad.shape != bd.shape:
            meta = ((ad.shape, adt), (bd.shape, bdt))
    elif (ad if a_is_t else bd).dtype.kind != "f":
        ad, bd, meta = _promote_pair(op, a, b)
    try:
        out = op.forward(ad, bd, *params)
    except ValueError:
        raise broadcast_error(op.name, a, b) from None
    if type(out) is not ndarray:
        out = np.asarray(out)
    result = _new(Tensor)  # wrap(out), inlined on the hottest path
    result._data = out
    result._requires_grad = False
    result.grad_fn = result._grad = result._vbox = None
    if grad_enabled[0] and ((a_is_t and a._requires_grad) or (b_is_t and b._requires_grad)):
        # the edges and saved inputs of a two-input op, without _record's loops
        if a_is_t:
            fn = a.grad_fn
            ea = fn if fn is not None else (a if a._requires_grad else None)
        else:
            ea = None
        if b_is_t:
            fn = b.grad_fn
            eb = fn if fn is not None else (b if b._requires_grad else None)
        else:
            eb = None
        if op.saves:  # the two-input elementwise ops save both inputs or none
            saved = (a, b)
            box_a = a._vbox if a_is_t else None
            box_b = b._vbox if b_is_t else None
            versions = (
                -1 if not a_is_t else 0 if box_a is None else box_a[0],
                -1 if not b_is_t else 0 if box_b is None else box_b[0],
            )
        else:
            saved = versions = ()
        constants = None if a_is_t and b_is_t else b if a_is_t else a
        _attach(op, result, (ea, eb), saved, versions, params, meta, constants)
    return result


def broadcast_error(name, *operands):
    """PyTorch's message for shapes that do not broadcast, naming the op and all shapes."""
    shapes = [list(np.shape(x._data if isinstance(x, Tensor) else x)) for x in operands]
    detail = ""
    a, b = shapes[0], shapes[-1]
    for i in range(1, min(len(a), len(b)) + 1):
        if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
            detail = (
                f": the size of tensor a ({a[-i]}) must match the size of tensor b "
                f"({b[-i]}) at non-singleton dimension {max(len(a), len(b)) - i}"
            )
            break
    op = name.removesuffix("Backward0").removesuffix("Backward1").lower()
    return RuntimeError(
        f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together{detail}"
    )


def _promote_pair(op, a, b):
    """Cast both operands to the promoted dtype; return per-input (shape, dtype) meta."""
    dt = result_type(a, b)
    if op.to_float and not dt.is_floating_point:
        dt = get_default_dtype()
    target = dt.numpy
    arrays, meta = [], []
    for x in (a, b):
        if isinstance(x, Tensor):
            d = x._data
            meta.append((d.shape, d.dtype))
            arrays.append(d if d.dtype == target else d.astype(target))
        else:
            meta.append(None)
            arrays.append(x)
    return arrays[0], arrays[1], tuple(meta)


def as_tensor_operand(x):
    """Turn an operand of an arithmetic op into a Tensor or keep a Python number."""
    if isinstance(x, Tensor) or type(x) in _PY_NUMBERS:  # the common case, first
        return x
    if isinstance(x, np.generic):  # NumPy scalars act like Python numbers, as in PyTorch
        return x.item()
    if isinstance(x, _SCALARS):
        return x
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return wrap(np.array(x))
        from ..creation import tensor

        return tensor(x)
    raise TypeError(
        f"unsupported operand type {type(x).__name__}; expected a Tensor, a "
        f"Python number or a NumPy array"
    )
