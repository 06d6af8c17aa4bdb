"""The op table's machinery: ``OpDef`` (one row) and ``apply`` (the one dispatch point).

A row declares, in one place, an op's forward, which inputs its gradient formulas need
(``saves``; ``saves_out`` for the output), one backward formula per tensor input, and how
tangents flow forward (derived for elementwise and linear rows, ``jvp`` otherwise).  Every
formula is written against an array namespace ``xp``:

* ``forward(xp, *arrays, *params)`` gets the backend of the data (``chainrule._backend``);
* ``grads[i](xp, g, *saved, [out], *params)`` gets the backend's arrays for a plain
  backward pass and chainrule Tensors (``xp = tensor_xp``) under ``create_graph=True``, so
  one formula serves every order of differentiation;
* ``jvp(xp, tangents, *inputs, out, *params)`` gets Tensors (``tensor_xp``), so forward
  mode composes with reverse mode.

``apply(op, inputs, params)`` is the only place where an op runs: it converts operands,
promotes dtypes, runs the forward, records the node (edges, saved values and their
versions, broadcast metadata), propagates forward-mode tangents and hands values to an
open picture capture.  Everything it reads is declared on the row.
"""

import traceback

import numpy as np

from .._backend import backend_for, dtype_kind, namespace_of
from .._construct import tensor
from .._dtype import from_numpy_dtype, get_default_dtype, result_type
from .._grad_mode import anomaly_enabled, capture, forward_level, grad_enabled
from .._node import Node
from .._tensor import Tensor, wrap

ndarray = np.ndarray
_new = object.__new__
_SCALARS = (int, float, bool)
_PY_NUMBERS = frozenset(_SCALARS)  # exact types: NumPy's float64 subclasses float
_BACKENDS = {np.ndarray: namespace_of(np.empty(0))}  # type(array) -> xp, hottest lookup
_HALF = np.dtype(np.float16)

OPS = {}  # OpDef -> its family (module) name: every public row, for coverage tests and docs


class OpDef:
    """One differentiable primitive.

    Args:
        name: PyTorch's ``grad_fn`` class name, e.g. ``"MulBackward0"``.
        forward: ``forward(xp, *arrays, *params) -> array``, the op's whole forward.
        grads: one backward formula per tensor input, ``None`` where no gradient flows.
        saves: positions of the inputs the formulas receive (in that order).
        saves_out: whether the formulas also receive the op's output.
        params: names of the non-tensor arguments (passed after the tensors).
        elementwise: output element i depends on input elements i only: operands may be
            Python numbers, broadcast together and promote to a common dtype (the inputs
            in ``promotes``), and the tangent rule is the backward formulas applied to the
            tangents (the Jacobian is diagonal).
        broadcasts: an input may be smaller than the gradient its formula returns (batch
            dims of matmul), so the engine may sum gradients down; implied by elementwise.
        promotes: the inputs cast to their common dtype: ``True`` for all, or their
            positions (elementwise rows: all unless given).
        to_float: integer inputs compute in the default floating dtype (``exp``, ``/``).
        linear: the op is linear in its tensor inputs jointly, so its tangent is the
            forward applied to the tangents (reshape, sum, index, cat …).
        jvp: ``jvp(xp, tangents, *inputs, out, *params)``, the tangent of the output given
            the inputs' tangents (``None`` where an input has none), for other rows.
        multi: any number of inputs; ``grads[0]`` returns all their gradients at once
            (``cat``, ``stack``, custom Functions).
        public: list the row in ``OPS`` (custom Functions are not).
    """

    def __init__(
        self,
        name,
        forward,
        grads,
        saves=(),
        saves_out=False,
        params=(),
        elementwise=False,
        broadcasts=False,
        promotes=None,
        to_float=False,
        linear=False,
        jvp=None,
        multi=False,
        public=True,
    ):
        self.name = name
        self.forward = forward
        self.grads = tuple(grads)
        self.saves = tuple(saves)
        self.saves_out = saves_out
        self.param_names = tuple(params)
        self.elementwise = elementwise
        self.broadcasts = broadcasts or elementwise
        if promotes is None and elementwise:
            promotes = True
        self.promotes = promotes if promotes in (None, True) else tuple(promotes)
        self.to_float = to_float
        self.linear = linear
        self.jvp = jvp
        self.multi = multi
        self.node_cls = type(name, (Node,), {"__slots__": (), "op": self})
        if public:
            family = traceback.extract_stack(limit=2)[0].filename
            OPS[self] = family.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".py")

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


# ---------------------------------------------------------------- the dispatch point
def apply(op, inputs, params=()):
    """Run row ``op`` on ``inputs`` (Tensors; Python numbers and arrays where the row
    allows) with non-tensor ``params``, record its node, and return the result Tensor.

    The two common shapes of call, one or two Tensors of an elementwise row, take a fast
    path that does the same as the general one with fewer steps.
    """
    if op.elementwise and len(inputs) == 2:
        a, b = inputs
        if isinstance(a, Tensor):
            a_is_t, ad = True, a._data
        else:
            if type(a) not in _PY_NUMBERS:
                a = as_tensor_operand(a)
            a_is_t = isinstance(a, Tensor)
            ad = a._data if a_is_t else a
        if isinstance(b, Tensor):
            b_is_t, bd = True, b._data
        else:
            if type(b) not in _PY_NUMBERS:
                b = as_tensor_operand(b)
            b_is_t = isinstance(b, Tensor)
            bd = b._data if b_is_t else b
        meta = None
        half = False  # float16 with a Python number: computed in float32 (see _in_float32)
        if a_is_t and b_is_t:
            adt, bdt = ad.dtype, bd.dtype
            if adt is not bdt or (op.to_float and dtype_kind(adt) != "f"):
                ad, bd, meta = _promote_pair(op, a, b)
            elif ad.shape != bd.shape:
                meta = ((ad.shape, adt), (bd.shape, bdt))
        else:
            dt = (ad if a_is_t else bd).dtype
            if dtype_kind(dt) != "f":
                ad, bd, meta = _promote_pair(op, a, b)
            else:
                half = dt is _HALF
        data = ad if a_is_t else bd
        xp = _BACKENDS.get(type(data)) or backend_for(data)
        try:
            if half:
                out = _in_float32(op, xp, (ad, bd), params)
            else:
                out = op.forward(xp, ad, bd, *params)
        except ValueError:
            raise broadcast_error(op.name, a, b) from None
        if type(out) is not ndarray:
            out = _as_array(xp, out)
        result = _new(Tensor)  # wrap(out), inlined on the hottest path
        result._data = out
        result._requires_grad = False
        result.grad_fn = result._grad = result._vbox = None
        if grad_enabled[0] and ((a_is_t and a._requires_grad) or (b_is_t and b._requires_grad)):
            # the edges and saved inputs of a two-input op, without the general loops
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
            if op.saves:  # the two-input elementwise rows save both inputs or none
                box_a = a._vbox if a_is_t else None
                box_b = b._vbox if b_is_t else None
                versions = (
                    -1 if not a_is_t else 0 if box_a is None else box_a[0],
                    -1 if not b_is_t else 0 if box_b is None else box_b[0],
                )
                saved = (a, b)
            else:
                saved = versions = ()
            constants = None if a_is_t and b_is_t else b if a_is_t else a
            _attach(op, result, (ea, eb), saved, versions, params, meta, constants)
        if forward_level[0]:
            _forward_mode(op, (a, b), result, params)
        return result

    if op.elementwise and len(inputs) == 1:
        a = inputs[0]
        if not isinstance(a, Tensor):
            a = _tensor_input(op, a)
        data = a._data
        if op.to_float and dtype_kind(data.dtype) != "f":
            data = _cast_to(data, get_default_dtype())
        xp = _BACKENDS.get(type(data)) or backend_for(data)
        if data.dtype is _HALF:
            out = _in_float32(op, xp, (data,), params)
        else:
            out = op.forward(xp, data, *params)
        if type(out) is not ndarray:
            out = _as_array(xp, out)
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
        if forward_level[0]:
            _forward_mode(op, (a,), result, params)
        return result

    return _apply_general(op, inputs, params)


def _in_float32(op, xp, arrays, params):
    """An elementwise row on float16 data computes in float32 and rounds once, as PyTorch's
    CPU kernels do (NumPy would round a Python float operand, and every step of a composite
    formula such as sigmoid's, to float16 first)."""
    wide = [xp.cast(a, np.float32) if type(a) not in _PY_NUMBERS else a for a in arrays]
    out = op.forward(xp, *wide, *params)
    return xp.cast(out, _HALF) if out.dtype == np.float32 else out  # comparisons stay bool


def _apply_general(op, inputs, params):
    """``apply`` for any row: any number of inputs, promotion, broadcasting."""
    inputs = tuple(inputs)
    numbers_allowed = op.elementwise
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) and not (numbers_allowed and type(x) in _PY_NUMBERS):
            inputs = inputs[:i] + (_tensor_input(op, x),) + inputs[i + 1 :]
    arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
    promotes = op.promotes
    if promotes is not None:
        positions = range(len(inputs)) if promotes is True else promotes
        operands = [inputs[i] for i in positions]
        dt = result_type(*operands)
        if op.to_float and not dt.is_floating_point:
            dt = get_default_dtype()
        for i in positions:
            if isinstance(inputs[i], Tensor):
                arrays[i] = _cast_to(arrays[i], dt)
    elif op.to_float:
        for i, d in enumerate(arrays):
            if dtype_kind(d.dtype) != "f":
                arrays[i] = _cast_to(d, get_default_dtype())
    data = next((d for d in arrays if type(d) not in _PY_NUMBERS), None)
    xp = namespace_of(data) if data is not None else _BACKENDS[ndarray]
    try:
        out = op.forward(xp, *arrays, *params)
    except ValueError:
        if not op.broadcasts:
            raise
        raise broadcast_error(op.name, *inputs) from None
    if type(out) is not ndarray:
        out = _as_array(xp, out)
    result = wrap(out)
    if grad_enabled[0]:
        for x in inputs:
            if isinstance(x, Tensor) and x._requires_grad:
                _record(op, inputs, params, result, _broadcast_meta(op, inputs, arrays, out))
                break
    if forward_level[0]:
        _forward_mode(op, inputs, result, params)
    return result


def _broadcast_meta(op, inputs, arrays, out):
    """Per input ``(shape, dtype)`` where the engine must sum a gradient down or cast it
    back (``None`` for the others; ``None`` overall when no input needs it)."""
    if not op.broadcasts and op.promotes is None:
        return None
    meta, needed = [], False
    shape = out.shape
    for x, d in zip(inputs, arrays):
        if isinstance(x, Tensor):
            own = x._data
            if own.shape != shape or own.dtype != d.dtype or own.dtype != out.dtype:
                meta.append((own.shape, own.dtype))
                needed = True
                continue
        meta.append(None)
    return tuple(meta) if needed else None


def _as_array(xp, out):
    array_type = xp.array_type
    return out if isinstance(out, array_type) else xp.asarray(out)


def _tensor_input(op, x):
    x = as_tensor_operand(x)
    if not isinstance(x, Tensor):
        x = wrap(np.asarray(x))
    return x


# ---------------------------------------------------------------- recording
def _record(op, tensors, params, result, meta=None, constants=None):
    """Attach a new node for ``op`` to ``result`` from its inputs' edges and saved values."""
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
    if op.elementwise and len(tensors) == 2 and constants is None:
        a, b = tensors
        if not isinstance(a, Tensor) or not isinstance(b, Tensor):
            constants = b if isinstance(a, Tensor) else a
    return _attach(
        op, result, tuple(inputs), tuple(saved), tuple(versions), params, meta, constants
    )


def _attach(op, result, inputs, saved, versions, params=(), meta=None, constants=None):
    """Create ``op``'s node from its input edges, saved inputs and their versions; make it
    ``result``'s grad_fn.  The hottest path of the library: only attribute stores.  The
    output is kept only when the row's formulas use it (``saves_out``)."""
    node = _new(op.node_cls)
    node.inputs = inputs
    node.saved = saved
    node.versions = versions
    node.params = params
    node.pre_hooks = node.post_hooks = node.trace = None
    node.meta = meta
    node.constants = constants
    if op.saves_out:  # a fresh result is at version 0
        node.out = result._data
        node.out_box = result._vbox = [0]
        node.out_version = 0
    else:
        node.out = node.out_box = None
    node.out_tangent = None
    result.grad_fn = node
    result._requires_grad = True
    if anomaly_enabled[0]:
        _anomaly_forward(node, result._data)
    if capture[0] is not None:
        capture[0].forward(node, result._data)
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


# ---------------------------------------------------------------- forward mode
def _forward_mode(op, inputs, result, params):
    """Give ``result`` its tangent when an input carries one (inside ``dual_level``)."""
    tangents = [getattr(x, "_fw_grad", None) if isinstance(x, Tensor) else None for x in inputs]
    if all(t is None for t in tangents):
        return
    from ._xp import tensor_xp

    level = forward_level[0]
    forward_level[0] = 0  # the tangent's own ops carry no tangents of this level
    try:
        if op.jvp is not None:
            tangent = op.jvp(tensor_xp, tangents, *inputs, result, *params)
        elif op.linear:
            filled = [
                t if t is not None else (x * 0 if isinstance(x, Tensor) else x)
                for x, t in zip(inputs, tangents)
            ]
            tangent = apply(op, filled, params)
        elif op.elementwise:
            tangent = _elementwise_tangent(op, inputs, tangents, result, params, tensor_xp)
        else:
            raise NotImplementedError(
                f"forward-mode AD is not implemented for {op.name}: the row declares no "
                f"tangent rule (jvp); use reverse mode (backward, autograd.grad) for it"
            )
    finally:
        forward_level[0] = level
    if tangent is not None:
        if tuple(tangent.shape) != tuple(result.shape):
            tangent = tangent.expand(tuple(result.shape))
        if tangent.dtype != result.dtype:
            tangent = tangent.to(result.dtype)
    result._fw_grad = tangent
    node = result.grad_fn
    if node is not None and node.out is not None:
        node.out_tangent = tangent


def _elementwise_tangent(op, inputs, tangents, result, params, xp):
    # the Jacobian is diagonal, so J t is the backward formula applied to t
    args = [inputs[i] for i in op.saves]
    if op.saves_out:
        args.append(result)
    tangent = None
    for formula, t in zip(op.grads, tangents):
        if t is None or formula is None:
            continue
        part = formula(xp, t, *args, *params)
        tangent = part if tangent is None else tangent + part
    return tangent


# ---------------------------------------------------------------- operands and dtypes
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
    arrays, meta = [], []
    for x in (a, b):
        if isinstance(x, Tensor):
            d = x._data
            meta.append((d.shape, d.dtype))
            arrays.append(_cast_to(d, dt))
        else:
            meta.append(None)
            arrays.append(x)
    return arrays[0], arrays[1], tuple(meta)


def _cast_to(d, dt):
    """Array ``d`` in chainrule dtype ``dt`` (NumPy's directly, others through their
    backend)."""
    if type(d) is ndarray:
        return d if d.dtype == dt.numpy else d.astype(dt.numpy)
    return d if from_numpy_dtype(d.dtype) is dt else namespace_of(d).cast(d, dt.numpy)


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
        return tensor(x)
    if hasattr(x, "__array_namespace__") or type(x).__module__.split(".")[0] == "cupy":
        backend_for(x)  # another backend's array: held as it is
        return wrap(x)
    raise TypeError(
        f"unsupported operand type {type(x).__name__}; expected a Tensor, a "
        f"Python number or a NumPy array"
    )
