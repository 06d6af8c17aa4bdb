"""The shapes of values that ``backward()`` freed, inferred from the rest of the graph.

After a backward pass without ``retain_graph=True`` the engine keeps a node's ``value`` only
when it has at most the capture's limit (256) elements.  The picture still says how big a freed
value was when that follows from what is known: the leaves and the output have their
tensors, small values are kept, and many ops record shapes among their attributes
(``input_shape``, or ``shape`` for a reduction's input) or keep them (``relu``, ``+``, ``@``).
Rules run both ways along the edges until nothing more is learnt.
"""

import numpy as np

__all__ = ["infer"]

_SAME = frozenset(
    f"{name}Backward0"
    for name in (
        "Abs",
        "Clone",
        "Cos",
        "Erf",
        "Exp",
        "Expm1",
        "Flip",
        "Log",
        "Log1P",
        "LogSoftmax",
        "MaskedFill",
        "Neg",
        "Pow",
        "Relu",
        "Rsqrt",
        "Sigmoid",
        "Sign",
        "Sin",
        "Softmax",
        "Softplus",
        "Sqrt",
        "Tan",
        "Tanh",
        "ToCopy",
        "Gelu",
        "LeakyRelu",
        "Elu",
        "Silu",
    )
) | {"ClampBackward1", "PowBackward2"}
_BROADCAST = frozenset(
    {
        "AddBackward0",
        "SubBackward0",
        "RsubBackward1",
        "MulBackward0",
        "DivBackward0",
        "PowBackward1",
        "MaximumBackward0",
        "MinimumBackward0",
        "WhereBackward0",
    }
)
_MATMUL = frozenset(
    {"MmBackward0", "MvBackward0", "DotBackward0", "BmmBackward0", "MatmulBackward0"}
)
_REDUCE = frozenset(
    {
        "SumBackward0",
        "SumBackward1",
        "MeanBackward0",
        "MeanBackward1",
        "ProdBackward0",
        "ProdBackward1",
        "AmaxBackward0",
        "AminBackward0",
        "MaxBackward0",
        "MaxBackward1",
        "MinBackward0",
        "MinBackward1",
        "LogsumexpBackward0",
        "LinalgVectorNormBackward0",
        "VarBackward0",
        "StdBackward0",
    }
)
# ops whose ``shape`` attribute is their input's shape (the others' is their output's)
_SHAPE_OF_INPUT = _REDUCE | {
    "GatherBackward0",
    "SelectBackward0",
    "SliceBackward0",
    "IndexBackward0",
    "IndexSelectBackward0",
    "UnsqueezeBackward0",
}
_SWAP = frozenset({"TBackward0", "TransposeBackward0"})


def infer(result):
    """Set ``v.shape`` wherever it was unknown and can be found."""
    ops = [v for v in result.vertices if v.kind == "op"]
    first = result.output.inputs[0].src
    if first.shape is None:
        first.shape = result.output.shape
    for _ in range(len(result.vertices) + 1):
        changed = False
        for v in ops:
            ins = _input_shapes(v)
            if v.shape is None:
                v.shape = _output_shape(v, ins)
                changed |= v.shape is not None
            for slot, edge in enumerate(v.inputs):
                if edge is not None and edge.src.shape is None:
                    edge.src.shape = _input_shape(v, slot, ins)
                    changed |= edge.src.shape is not None
        if not changed:
            return


def _input_shapes(v):
    shapes = []
    for edge, const in zip(v.inputs, v.consts):
        if edge is not None:
            shapes.append(edge.src.shape)
        else:
            shapes.append(None if const is None else np.shape(const))
    return shapes


def _output_shape(v, ins):
    op, at = v.op, v.attrs
    try:
        if op in _SAME or op == "CopySlices":
            return ins[0]
        if "shape" in at and ("input_shape" in at or op not in _SHAPE_OF_INPUT):
            return tuple(at["shape"])
        if op in _REDUCE:
            return _reduced(at.get("shape") or ins[0], at.get("dim"), at.get("keepdim"))
        if op in _SWAP and ins[0] is not None:
            return _swapped(ins[0], at)
        if op == "PermuteBackward0" and ins[0] is not None:
            return tuple(ins[0][d] for d in at["dims"])
        if any(s is None for s in ins):
            return None
        if op in _BROADCAST:
            return tuple(np.broadcast_shapes(*ins))
        if op in _MATMUL:
            return _matmul(*ins)
        if op == "AddmmBackward0":  # linear: x·Wᵀ + b
            return tuple(ins[0][:-1]) + (ins[1][0],)
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return None


def _input_shape(v, slot, ins):
    op, at, out = v.op, v.attrs, v.shape
    try:
        if slot == 0 and "input_shape" in at:
            return tuple(at["input_shape"])
        if slot == 0 and op in _SHAPE_OF_INPUT and "shape" in at:
            return tuple(at["shape"])
        if out is None:
            return None
        if op in _SAME or (op == "CopySlices" and slot == 0):
            return out
        if op in _SWAP:
            return _swapped(out, at)
        if op == "AddmmBackward0" and slot == 0 and ins[1] is not None:
            return tuple(out[:-1]) + (ins[1][1],)
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return None


def _reduced(shape, dim, keepdim):
    shape = tuple(shape)
    n = len(shape)
    dims = range(n) if dim is None else ([dim] if isinstance(dim, int) else dim)
    dims = {d % n for d in dims} if n else set()
    return tuple(1 if i in dims else s for i, s in enumerate(shape) if keepdim or i not in dims)


def _swapped(shape, at):
    shape = list(shape)
    if len(shape) < 2:
        return tuple(shape)
    d0, d1 = at.get("dim0", 0), at.get("dim1", 1)
    shape[d0], shape[d1] = shape[d1], shape[d0]
    return tuple(shape)


def _matmul(a, b):
    a, b = tuple(a), tuple(b)
    if len(a) == 1 and len(b) == 1:
        return ()
    if len(b) == 1:
        return a[:-1]
    if len(a) == 1:
        return b[:-2] + b[-1:]
    return tuple(np.broadcast_shapes(a[:-2], b[:-2])) + (a[-2], b[-1])
