"""Batching rules: how each NumPy function runs on ``BatchedArray`` operands.

A rule gets the level ``L`` to handle, the batch size and the call's arguments; it
replaces every operand batched at ``L`` by its physical array (batch dim first), shifts
axis arguments by one, and wraps the result.  Operands of a lower level pass through as
unbatched, so NumPy dispatches the physical call to their own level.  Functions without a
rule run once per batch element (``loop``), with a one-time warning naming them.
"""

import numpy as np

from .._backend import backend_for, numpy_backend
from ._batched import BatchedArray, Unbatchable, level_of, warn_once

__all__ = ["ufunc_rule", "function_rule", "getitem", "setitem"]


# ---------------------------------------------------------------- helpers
def _top_level(values):
    level = 0
    for v in values:
        if type(v) is BatchedArray:
            level = max(level, v.level)
        elif type(v) in (tuple, list):
            level = max(level, _top_level(v))
    return level


def _batch(values, level):
    for v in values:
        if type(v) is BatchedArray and v.level == level:
            return v.batch_size
        if type(v) in (tuple, list):
            b = _batch(v, level)
            if b is not None:
                return b
    return None


def _is(x, level):
    return type(x) is BatchedArray and x.level == level


def _ndim(x):
    return x.ndim if hasattr(x, "ndim") else np.ndim(x)


def _aligned(x, level, ndim):
    """``x``'s physical array with its logical dims right-aligned to ``ndim`` dims (for
    broadcasting against unbatched operands), or ``x`` itself if not batched here."""
    if not _is(x, level):
        return x
    p = x.phys
    missing = ndim - x.ndim
    if missing > 0:
        p = p.reshape((p.shape[0],) + (1,) * missing + tuple(p.shape[1:]))
    return p


def _full(x, level, batch):
    """``x`` as a physical array with a batch dim (unbatched values broadcast to it)."""
    if _is(x, level):
        return x.phys
    x = x if hasattr(x, "shape") else np.asarray(x)
    return np.broadcast_to(x, (batch,) + tuple(x.shape))


def _wrap(out, level):
    if isinstance(out, tuple):
        return tuple(_wrap(o, level) for o in out)
    if isinstance(out, list):
        return [_wrap(o, level) for o in out]
    if out is None:
        return None
    return BatchedArray(out if hasattr(out, "shape") else np.asarray(out), level)


def _axis(axis, ndim):
    """A logical axis (int, tuple or None) as the physical one."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, (tuple, list)):
        return tuple(_axis(a, ndim) for a in axis)
    axis = int(axis)
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise np.exceptions.AxisError(axis, ndim)
    return axis % max(ndim, 1) + 1


def _arg(args, kwargs, index, name, default=None):
    if len(args) > index:
        return args[index], True
    return kwargs.get(name, default), False


def _set_arg(args, kwargs, index, name, value, positional):
    if positional:
        args = args[:index] + (value,) + args[index + 1 :]
    else:
        kwargs = {**kwargs, name: value}
    return args, kwargs


def _substitute(value, level, index):
    """``value`` with every array batched at ``level`` replaced by its slice ``index``."""
    if type(value) is BatchedArray and value.level == level:
        return value.phys[index]
    if type(value) in (tuple, list):
        return type(value)(_substitute(v, level, index) for v in value)
    if isinstance(value, dict):
        return {k: _substitute(v, level, index) for k, v in value.items()}
    return value


def loop(func, args, kwargs, level, batch, name=None):
    """Run ``func`` once per batch element and stack the results (the fallback)."""
    warn_once(f"no batching rule for {name or _name(func)}")
    results = [
        func(*_substitute(args, level, i), **_substitute(kwargs, level, i)) for i in range(batch)
    ]
    first = results[0]
    if first is None:
        return None
    if isinstance(first, tuple):
        return tuple(_stack([r[k] for r in results], level) for k in range(len(first)))
    return _stack(results, level)


def _stack(items, level):
    try:
        return BatchedArray(np.stack(items), level)
    except ValueError:
        raise Unbatchable("the per-element results have different shapes") from None


def _name(func):
    module = getattr(func, "__module__", None) or "numpy"
    return f"{module.split('.')[0]}.{getattr(func, '__name__', repr(func))}"


# ---------------------------------------------------------------- ufuncs
def ufunc_rule(ufunc, method, inputs, kwargs):
    out = kwargs.get("out")
    level = _top_level(inputs + (out or ()))
    batch = _batch(inputs + (out or ()), level)
    if method == "__call__":
        return _elementwise(ufunc, inputs, kwargs, level, batch)
    if method in ("reduce", "accumulate") and _is(inputs[0], level) and out is None:
        x = inputs[0]
        default = None if method == "reduce" else 0
        axis = kwargs.get("axis", inputs[1] if len(inputs) > 1 else default)
        rest = {k: v for k, v in kwargs.items() if k != "axis"}
        result = getattr(ufunc, method)(x.phys, axis=_axis(axis, x.ndim), **rest)
        return BatchedArray(result, level)
    if method == "at" and _is(inputs[0], level):
        target, index = inputs[0], inputs[1]
        key = _physical_key(index, target.ndim, level, batch)
        if key is not None:
            values = inputs[2:]
            if values:
                values = (_at_values(values[0], level, target, key),)
            ufunc.at(target.phys, key, *values)
            return None
    return loop(getattr(ufunc, method), inputs, kwargs, level, batch, f"{ufunc.__name__}.{method}")


def _elementwise(ufunc, inputs, kwargs, level, batch):
    if ufunc is np.matmul:
        return _matmul(inputs[0], inputs[1], level, batch, kwargs)
    if ufunc.signature is not None:
        return loop(ufunc, inputs, kwargs, level, batch)
    ndim = max(_ndim(x) for x in inputs)
    physical = [_aligned(x, level, ndim) for x in inputs]
    out = kwargs.get("out")
    if out is not None:
        if not all(_is(o, level) for o in out):
            raise Unbatchable(
                f"an in-place {ufunc.__name__} writes a batched value into an unbatched array"
            )
        kwargs = {**kwargs, "out": tuple(_aligned(o, level, ndim) for o in out)}
        ufunc(*physical, **kwargs)
        return out[0] if len(out) == 1 else out
    return _wrap(ufunc(*physical, **kwargs), level)


def _matmul(a, b, level, batch, kwargs):
    """Matrix product with NumPy's 1-D rules, the batch dim kept first."""
    if kwargs:
        return loop(np.matmul, (a, b), kwargs, level, batch)
    na, nb = _ndim(a), _ndim(b)
    pa = a.phys if _is(a, level) else a
    pb = b.phys if _is(b, level) else b
    ba, bb = _is(a, level), _is(b, level)
    if na == 1:  # a row vector: (k,) -> (1, k)
        pa = np.expand_dims(pa, 1 if ba else 0)
    if nb == 1:  # a column vector: (k,) -> (k, 1)
        pb = np.expand_dims(pb, -1)
    lead = max(max(na, 2), max(nb, 2)) - 2  # logical broadcast dims of the result
    if ba:
        pa = pa.reshape((batch,) + (1,) * (lead - (max(na, 2) - 2)) + tuple(pa.shape[1:]))
    if bb:
        pb = pb.reshape((batch,) + (1,) * (lead - (max(nb, 2) - 2)) + tuple(pb.shape[1:]))
    out = np.matmul(pa, pb)
    if na == 1 and nb == 1:
        out = out.reshape(out.shape[:-2])
    elif na == 1:
        out = np.squeeze(out, -2)
    elif nb == 1:
        out = np.squeeze(out, -1)
    return BatchedArray(out, level)


# ---------------------------------------------------------------- indexing
def _key_tuple(key):
    return key if isinstance(key, tuple) else (key,)


def _is_advanced(k):
    return (hasattr(k, "shape") and not isinstance(k, slice)) or isinstance(k, list)


def _physical_key(key, ndim, level, batch):
    """A logical index as a physical one: the batch dim selected whole (a slice, or an
    ``arange`` joined to the advanced indices when one of them is batched)."""
    key = _key_tuple(key)
    if _top_level(key) != level:
        return (slice(None),) + key
    advanced = [k for k in key if _is_advanced(k)]
    if any(isinstance(k, slice) or k is None or k is Ellipsis for k in key):
        return None  # a batched index beside slices: the caller loops
    dims = max(_ndim(k) for k in advanced)
    rows = np.arange(batch).reshape((batch,) + (1,) * dims)
    return (rows,) + tuple(_aligned(k, level, dims) for k in key)


def _moves_advanced_first(key, ndim):
    """Whether NumPy puts the advanced-index dims first for this (logical) key: advanced
    indices separated by a slice, None or Ellipsis."""
    positions = [i for i, k in enumerate(_key_tuple(key)) if _is_advanced(k) or isinstance(k, int)]
    advanced = [i for i, k in enumerate(_key_tuple(key)) if _is_advanced(k)]
    if not advanced:
        return False
    return positions[-1] - positions[0] + 1 != len(positions)


def getitem(x, key):
    level = max(x.level, _top_level(_key_tuple(key)))
    if x.level != level:  # an array unbatched at this level, indexed by a batched index:
        batch = _batch(_key_tuple(key), level)  # the same array for every element
        x = BatchedArray(np.broadcast_to(np.expand_dims(x, 0), (batch,) + tuple(x.shape)), level)
    batch = x.batch_size
    physical = _physical_key(key, x.ndim, level, batch)
    if physical is None:
        return loop(lambda a, k: a[k], (x, key), {}, level, batch, "indexing by a batched index")
    out = x.phys[physical]
    if isinstance(physical[0], slice) and _moves_advanced_first(key, x.ndim):
        # NumPy moved the advanced dims in front of the batch dim: put it back first
        dims = max(_ndim(k) for k in _key_tuple(key) if _is_advanced(k))
        out = np.moveaxis(out, dims, 0)
    return BatchedArray(out, level)


def setitem(x, key, value):
    level = max(x.level, _top_level(_key_tuple(key)), level_of(value))
    if x.level != level:
        raise Unbatchable("a batched value is written into an unbatched array")
    physical = _physical_key(key, x.ndim, level, x.batch_size)
    if physical is None:
        raise Unbatchable("a write through a batched index beside slices")
    if _is(value, level):
        target = x.phys[physical]
        value = _aligned(value, level, target.ndim - 1)
        if isinstance(physical[0], slice) and _moves_advanced_first(key, x.ndim):
            raise Unbatchable("a batched value is written through separated advanced indices")
    x.phys[physical] = value


def _at_values(values, level, target, key):
    if not _is(values, level):
        return values
    shape = target.phys[key].shape
    return _aligned(values, level, len(shape) - 1)


# ---------------------------------------------------------------- array functions
def function_rule(func, args, kwargs):
    level = _top_level(tuple(args) + tuple(kwargs.values()))
    batch = _batch(tuple(args) + tuple(kwargs.values()), level)
    rule = RULES.get(func)
    if rule is None:
        return loop(func, args, kwargs, level, batch)
    return rule(func, args, kwargs, level, batch)


def _reduction(func, args, kwargs, level, batch):
    x = args[0]
    if not _is(x, level):
        return loop(func, args, kwargs, level, batch)
    axis, positional = _arg(args, kwargs, 1, "axis")
    args, kwargs = _set_arg(args, kwargs, 1, "axis", _axis(axis, x.ndim), positional)
    if kwargs.get("out") is not None:
        return loop(func, args, kwargs, level, batch)
    return BatchedArray(func(x.phys, *args[1:], **kwargs), level)


def _arg_reduction(func, args, kwargs, level, batch):
    x = args[0]
    if not _is(x, level):
        return loop(func, args, kwargs, level, batch)
    axis, positional = _arg(args, kwargs, 1, "axis")
    rest = {k: v for k, v in kwargs.items() if k != "axis"}
    if axis is None:  # an index into the flattened slice
        return BatchedArray(func(x.phys.reshape(batch, -1), 1, **rest), level)
    return BatchedArray(func(x.phys, _axis(axis, x.ndim), **rest), level)


def _elementwise_function(func, args, kwargs, level, batch):
    """Functions that broadcast their array arguments elementwise (where, clip, …)."""
    arrays = [a for a in args if hasattr(a, "shape") or np.isscalar(a)]
    ndim = max((_ndim(a) for a in arrays), default=0)
    physical = [_aligned(a, level, ndim) for a in args]
    return BatchedArray(func(*physical, **kwargs), level)


def _reshape(func, args, kwargs, level, batch):
    x = args[0]
    shape, _ = _arg(args, kwargs, 1, "shape")
    if shape is None:
        shape, _ = _arg(args, kwargs, 1, "newshape")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return BatchedArray(np.reshape(_full(x, level, batch), (batch,) + shape), level)


def _transpose(func, args, kwargs, level, batch):
    x = args[0]
    axes, _ = _arg(args, kwargs, 1, "axes")
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    physical = (0,) + tuple(_axis(a, x.ndim) for a in axes)
    return BatchedArray(np.transpose(x.phys, physical), level)


def _axes_shifted(*positions):
    """A rule for functions of one batched array whose arguments at ``positions``
    (index, keyword) are axes."""

    def rule(func, args, kwargs, level, batch):
        x = args[0]
        if not _is(x, level):
            return loop(func, args, kwargs, level, batch)
        args, kwargs = list(args), dict(kwargs)
        for index, name in positions:
            if len(args) > index:
                args[index] = _axis(args[index], x.ndim)
            elif name in kwargs:
                kwargs[name] = _axis(kwargs[name], x.ndim)
            elif name == "axis" and func in (np.flip, np.squeeze):
                kwargs[name] = None if func is np.squeeze else _axis(None, x.ndim)
        if func is np.squeeze and kwargs.get("axis", args[1] if len(args) > 1 else None) is None:
            dims = tuple(i + 1 for i, s in enumerate(x.shape) if s == 1)
            return BatchedArray(np.squeeze(x.phys, dims), level)
        return _wrap(func(x.phys, *args[1:], **kwargs), level)

    return rule


def _expand_dims(func, args, kwargs, level, batch):
    x = args[0]
    axis, _ = _arg(args, kwargs, 1, "axis")
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    ndim = x.ndim + len(axes)
    physical = tuple(a % ndim + 1 for a in axes)
    return BatchedArray(np.expand_dims(x.phys, physical), level)


def _broadcast_to(func, args, kwargs, level, batch):
    x = args[0]
    shape, _ = _arg(args, kwargs, 1, "shape")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    p = _aligned(x, level, len(shape))
    return BatchedArray(np.broadcast_to(p, (batch,) + shape), level)


def _join(func, args, kwargs, level, batch):
    arrays = args[0]
    axis, positional = _arg(args, kwargs, 1, "axis", 0)
    ndim = _ndim(arrays[0]) + (1 if func is np.stack else 0)
    physical = [_full(a, level, batch) for a in arrays]
    rest = {k: v for k, v in kwargs.items() if k != "axis"}
    if axis is None:
        return loop(func, args, kwargs, level, batch)
    return BatchedArray(func(physical, _axis(axis, ndim), **rest), level)


def _split(func, args, kwargs, level, batch):
    x = args[0]
    sections, _ = _arg(args, kwargs, 1, "indices_or_sections")
    axis, _ = _arg(args, kwargs, 2, "axis", 0)
    return [BatchedArray(p, level) for p in func(x.phys, sections, _axis(axis, x.ndim))]


def _like(func, args, kwargs, level, batch):
    x = args[0]
    if kwargs.get("shape") is not None:
        return loop(func, args, kwargs, level, batch)
    return BatchedArray(func(x.phys, *args[1:], **kwargs), level)


def _astype(func, args, kwargs, level, batch):
    return BatchedArray(args[0].phys.astype(*args[1:], **kwargs), level)


def _take(func, args, kwargs, level, batch):
    x, index = args[0], args[1]
    axis, _ = _arg(args, kwargs, 2, "axis")
    if not _is(x, level) or _is(index, level) or axis is None:
        return loop(func, args, kwargs, level, batch)
    return BatchedArray(np.take(x.phys, index, axis=_axis(axis, x.ndim)), level)


def _along_axis(func, args, kwargs, level, batch):
    x, index = args[0], args[1]
    axis, _ = _arg(args, kwargs, 2, "axis")
    if not _is(x, level) or axis is None:
        return loop(func, args, kwargs, level, batch)
    physical_index = _full(index, level, batch)
    if func is np.take_along_axis:
        return BatchedArray(np.take_along_axis(x.phys, physical_index, _axis(axis, x.ndim)), level)
    values = _full(args[3] if len(args) > 3 else kwargs["values"], level, batch)
    np.put_along_axis(x.phys, physical_index, values, _axis(axis, x.ndim))
    return None


def _copyto(func, args, kwargs, level, batch):
    dst, src = args[0], args[1]
    if not _is(dst, level):
        raise Unbatchable("a batched value is copied into an unbatched array (copyto)")
    np.copyto(dst.phys, _aligned(src, level, dst.ndim), **kwargs)


def _pad(func, args, kwargs, level, batch):
    x = args[0]
    width, _ = _arg(args, kwargs, 1, "pad_width")
    width = np.broadcast_to(np.asarray(width), (x.ndim, 2)).tolist()
    rest = {k: v for k, v in kwargs.items() if k != "pad_width"}
    return BatchedArray(np.pad(x.phys, [(0, 0)] + width, *args[2:], **rest), level)


def _einsum(func, args, kwargs, level, batch):
    spec, operands = args[0], args[1:]
    if not isinstance(spec, str) or "..." in spec or "->" not in spec or kwargs.get("out"):
        return loop(func, args, kwargs, level, batch)
    inputs, output = spec.split("->")
    letter = next(c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in spec)
    terms = inputs.split(",")
    new_terms = [letter + t if _is(o, level) else t for t, o in zip(terms, operands)]
    physical = [o.phys if _is(o, level) else o for o in operands]
    new_spec = ",".join(new_terms) + "->" + letter + output
    return BatchedArray(np.einsum(new_spec, *physical, **kwargs), level)


def _trace_like(func, args, kwargs, level, batch):
    """tril/triu/diagonal/trace act on the last two dims (tril, triu) or named axes."""
    x = args[0]
    if func in (np.tril, np.triu):
        return BatchedArray(func(x.phys, *args[1:], **kwargs), level)
    offset, _ = _arg(args, kwargs, 1, "offset", 0)
    a1, _ = _arg(args, kwargs, 2, "axis1", 0)
    a2, _ = _arg(args, kwargs, 3, "axis2", 1)
    return BatchedArray(func(x.phys, offset, _axis(a1, x.ndim), _axis(a2, x.ndim)), level)


# ---------------------------------------------------------------- linear algebra
def _batched_results(out, level):
    """Every array in a (named) tuple of results, or the one result, batched."""
    if isinstance(out, tuple):
        parts = [BatchedArray(o, level) for o in out]
        return type(out)(*parts) if hasattr(out, "_fields") else tuple(parts)
    return BatchedArray(out, level)


def _matrix_function(func, args, kwargs, level, batch):
    """NumPy's linalg functions of one matrix (det, inv, cholesky, eigh, svd, qr …) act on
    the last two dims and broadcast over the others, so the batch dim rides in front."""
    rest = tuple(args[1:]) + tuple(kwargs.values())
    if not _is(args[0], level) or any(level_of(x) == level for x in rest):
        return loop(func, args, kwargs, level, batch)
    return _batched_results(func(args[0].phys, *args[1:], **kwargs), level)


def _solve(func, args, kwargs, level, batch):
    """solve(a, b), b a vector (n,) or matrices (…, n, k): the batch dims put in front of
    both operands' own leading dims, as in matmul."""
    a, b = args
    if kwargs:
        return loop(func, args, kwargs, level, batch)
    vector = _ndim(b) == 1
    pa = a.phys if _is(a, level) else a
    pb = b.phys if _is(b, level) else b
    if vector:
        pb = np.expand_dims(pb, -1)
    nb = 2 if vector else _ndim(b)
    lead = max(_ndim(a), nb) - 2
    if _is(a, level):
        pa = pa.reshape((batch,) + (1,) * (lead - (_ndim(a) - 2)) + tuple(pa.shape[1:]))
    if _is(b, level):
        pb = pb.reshape((batch,) + (1,) * (lead - (nb - 2)) + tuple(pb.shape[1:]))
    out = func(pa, pb)
    return BatchedArray(out[..., 0] if vector else out, level)


RULES = {
    f: _matrix_function
    for f in (
        np.linalg.det,
        np.linalg.slogdet,
        np.linalg.inv,
        np.linalg.cholesky,
        np.linalg.eigh,
        np.linalg.eigvalsh,
        np.linalg.svd,
        np.linalg.qr,
        np.linalg.pinv,
        np.linalg.matrix_rank,
    )
}
RULES[np.linalg.solve] = _solve
for _f in (np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin, np.any, np.all):
    RULES[_f] = _reduction
for _f in (np.var, np.std, np.nansum, np.count_nonzero):
    RULES[_f] = _reduction
for _f in (np.cumsum, np.cumprod, np.cumulative_sum, np.cumulative_prod):
    RULES[_f] = _axes_shifted((1, "axis"))
for _f in (np.argmax, np.argmin):
    RULES[_f] = _arg_reduction
for _f in (np.where, np.clip, np.isclose, np.nan_to_num, np.round, np.around, np.real):
    RULES[_f] = _elementwise_function
RULES.update(
    {
        np.reshape: _reshape,
        np.transpose: _transpose,
        np.permute_dims: _transpose,
        np.swapaxes: _axes_shifted((1, "axis1"), (2, "axis2")),
        np.moveaxis: _axes_shifted((1, "source"), (2, "destination")),
        np.flip: _axes_shifted((1, "axis")),
        np.squeeze: _axes_shifted((1, "axis")),
        np.diff: _axes_shifted((2, "axis")),
        np.expand_dims: _expand_dims,
        np.broadcast_to: _broadcast_to,
        np.concatenate: _join,
        np.concat: _join,
        np.stack: _join,
        np.split: _split,
        np.array_split: _split,
        np.zeros_like: _like,
        np.ones_like: _like,
        np.empty_like: _like,
        np.full_like: _like,
        np.astype: _astype,
        np.take: _take,
        np.take_along_axis: _along_axis,
        np.put_along_axis: _along_axis,
        np.copyto: _copyto,
        np.pad: _pad,
        np.einsum: _einsum,
        np.tril: _trace_like,
        np.triu: _trace_like,
        np.diagonal: _trace_like,
        np.trace: _trace_like,
        np.ascontiguousarray: lambda f, a, k, level, b: BatchedArray(
            np.ascontiguousarray(a[0].phys), level
        ),
    }
)


# ---------------------------------------------------------------- chainrule's helpers
def _zeros_for(g, shape):
    """Zeros of logical ``shape``, batched like ``g``."""
    if type(g) is BatchedArray:
        return BatchedArray(np.zeros((g.batch_size,) + tuple(shape), dtype=g.dtype), g.level)
    return np.zeros(shape, dtype=g.dtype)


def _index_backward(g, shape, index, advanced):
    out = _zeros_for(g, shape)
    if advanced:
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


def _scatter_zeros(g, shape, dim, index):
    out = _zeros_for(g, shape)
    np.add.at(out, numpy_backend.along_axis_coords(index, dim), g)
    return out


def _first_where(values, mask):
    """The first element of ``values`` where ``mask`` is true over the whole batch (an
    argument check inside vmap asks about every slice: a bad value anywhere is an error)."""
    while type(values) is BatchedArray or type(mask) is BatchedArray:
        top = max(level_of(values), level_of(mask))  # unwrap that level's batch dim
        values = values.phys if level_of(values) == top else np.expand_dims(values, 0)
        mask = mask.phys if level_of(mask) == top else np.expand_dims(mask, 0)
    return numpy_backend.first_where(*np.broadcast_arrays(values, mask))


def _install_helpers():
    """The batched backend (made by the seam from ``NAMESPACE`` on first sight of a
    ``BatchedArray``) gets NumPy's formula helpers, which reach the rules above through
    NumPy's dispatch, except the two that allocate zeros to scatter into: those allocate
    a batch of zeros when the gradient is batched."""
    backend = backend_for(BatchedArray(np.zeros((1,)), 0))
    for name in (
        "along_axis_coords",
        "add_at",
        "gather",
        "prod_except",
        "cumprod_backward",
        "floor_div",
        "trunc_div",
    ):
        setattr(backend, name, getattr(numpy_backend, name))
    backend.index_backward = _index_backward
    backend.scatter_zeros = _scatter_zeros
    backend.first_where = _first_where
    return backend


BACKEND = _install_helpers()
