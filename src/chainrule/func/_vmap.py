"""``vmap``: map a function over a batch dimension of its inputs, as ``torch.func.vmap``.

``vmap(f, in_dims, out_dims)(*args)`` equals stacking ``f`` applied to each slice
``args[.., i, ..]`` along ``out_dims``.  The argument checks, pytree handling of
``in_dims``/``out_dims``, ``randomness`` and ``chunk_size`` live here; how the slices are
computed is ``_run`` below.
"""

import functools

from .._tensor import Tensor
from ..ops.shape import cat, stack
from . import _batching_rules  # noqa: F401  (the batched backend and its rules)
from ._batch_dims import Batched, add_batch_dim, vmap_level
from ._pytree import (
    broadcast_prefix,
    has_numpy,
    to_numpy,
    to_tensors,
    tree_flatten,
    tree_unflatten,
)

__all__ = ["vmap"]

_RANDOMNESS = ("error", "different", "same")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func`` over dimension ``in_dims`` of its inputs.

    Args:
        func: a function of tensors (pytrees of them) returning tensors (or pytrees).
        in_dims: per argument, the dim to map over, or ``None`` for an argument shared by
            every slice; an int applies to all; a tuple (nested like the arguments)
            gives one per argument or subtree.
        out_dims: where the mapped dim goes in each output (int, None or a pytree).
        randomness: ``"error"`` (random ops inside raise), ``"different"`` (each slice
            draws its own numbers) or ``"same"`` (every slice sees the same draws).
        chunk_size: map this many slices at a time (memory bound); ``None`` for all.

    ``vmap(f)(x)[i] == f(x[i])``; transforms compose, e.g. per-sample gradients
    ``vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)``.

    Example:
        >>> vmap(torch.dot)(torch.ones(5, 3), torch.ones(5, 3))  # five dot products
        tensor([3., 3., 3., 3., 3.])
    """
    if randomness not in _RANDOMNESS:
        raise RuntimeError(
            f"Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )
    _check_out_dims(out_dims, func)
    if not (chunk_size is None or (isinstance(chunk_size, int) and chunk_size > 0)):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        numpy_io = has_numpy(args)
        if numpy_io:
            args = to_tensors(args)
        size, flat_in_dims, flat_args, spec = _process_inputs(func, in_dims, args)
        chunk = size if chunk_size is None else chunk_size
        pieces = []
        for start in range(0, size, chunk):
            stop = min(size, start + chunk)
            args_chunk = flat_args
            if chunk < size:
                args_chunk = [_narrow(a, d, start, stop) for a, d in zip(flat_args, flat_in_dims)]
            pieces.append(
                run_batched(func, args_chunk, flat_in_dims, spec, kwargs, stop - start, randomness)
            )
        out = _assemble(func, pieces, out_dims)
        return to_numpy(out) if numpy_io else out

    return wrapped


def _name(func):
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return repr(func)


def _check_out_dims(out_dims, func):
    leaves, _ = tree_flatten(out_dims)
    for x in leaves:
        if x is not None and not (isinstance(x, int) and not isinstance(x, bool)):
            raise ValueError(
                f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                f"None or a python collection of ints representing where in the outputs the "
                f"vmapped dimension should appear."
            )


def _process_inputs(func, in_dims, args):
    """Check ``in_dims`` against ``args``: the batch size, one in_dim per leaf (made
    non-negative), the leaves and the arguments' structure."""
    name = _name(func)
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int "
            f"or a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}."
        )
    if len(args) == 0:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
            f"are trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, spec = tree_flatten(args)
    flat_in_dims = broadcast_prefix(in_dims, spec)
    if flat_in_dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
            f"with the structure of `inputs`. in_dims has structure "
            f"{tree_flatten(in_dims)[1]!r} but inputs has structure {spec!r}."
        )
    for i, (arg, d) in enumerate(zip(flat_args, flat_in_dims)):
        if d is None:
            continue
        if not isinstance(d, int) or isinstance(d, bool):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                f"input but in_dim must be either an integer dimension or None."
            )
        if not isinstance(arg, Tensor):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                f"input but the input is of type {type(arg)}. We cannot vmap over "
                f"non-Tensor arguments, please use None as the respective in_dim"
            )
        n = arg.ndim
        if not -n <= d < n:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                f"input, but that input is a Tensor of dimensionality {n} so expected "
                f"in_dim to satisfy -{n} <= in_dim < {n}."
            )
        flat_in_dims[i] = d % n
    sizes = [a.shape[d] for a, d in zip(flat_args, flat_in_dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            f"vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0], flat_in_dims, flat_args, spec


# ---------------------------------------------------------------- running the slices
def _random_state():
    from ..creation import default_generator

    return default_generator


def _narrow(a, d, start, stop):
    if d is None:
        return a
    return a[(slice(None),) * d + (slice(start, stop),)]


def run_batched(func, flat_args, flat_in_dims, spec, kwargs, size, randomness):
    """``func`` once on the whole batch (``BatchedArray`` data); if something in it
    cannot be batched, on each slice in turn.  Returns a ``Batched`` result or the list
    of per-slice results (see ``_assemble``)."""
    from ._batched import Unbatchable

    generator = _random_state()
    before = generator.get_state()
    try:
        with vmap_level() as level:
            batched = [
                a if d is None else add_batch_dim(a, d, level)
                for a, d in zip(flat_args, flat_in_dims)
            ]
            out = func(*tree_unflatten(batched, spec), **kwargs)
            leaves, out_spec = tree_flatten(out)
            if _changed(generator.get_state(), before):
                if randomness == "error":
                    raise RuntimeError(_RANDOM_ERROR)
                raise Unbatchable("random numbers drawn inside vmap (randomness=...)")
            return Batched(level, size, leaves, out_spec)
    except Unbatchable as reason:
        from ._batched import warn_once

        warn_once(f"{reason}")
        generator.set_state(before)
        return _run(func, flat_args, flat_in_dims, spec, kwargs, 0, size, randomness)


_RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the "
    "'same' or 'different' randomness flags on vmap or perform the randomness operation "
    "out of vmap"
)


def _run(func, flat_args, flat_in_dims, spec, kwargs, start, stop, randomness):
    """``func`` on slices ``start … stop-1``: a list of (flat outputs, output spec), one
    per slice, all of the same structure."""
    generator = _random_state()
    before = generator.get_state()
    results = []
    for i in range(start, stop):
        if randomness == "same":
            generator.set_state(before)
        sliced = [
            a if d is None else a[(slice(None),) * d + (i,)]
            for a, d in zip(flat_args, flat_in_dims)
        ]
        out = func(*tree_unflatten(sliced, spec), **kwargs)
        if randomness == "error" and _changed(generator.get_state(), before):
            raise RuntimeError(_RANDOM_ERROR)
        results.append(tree_flatten(out))
    return results


def _changed(state, before):
    return state["state"] != before["state"]


def _assemble(func, pieces, out_dims):
    """The outputs, batch dims at ``out_dims``: from batched runs (their batch dim moved)
    and per-slice runs (stacked), concatenated over chunks."""
    if all(isinstance(p, Batched) for p in pieces):
        return _assemble_batched(func, pieces, out_dims)
    slices = []
    for piece in pieces:
        slices.extend(piece.slices() if isinstance(piece, Batched) else piece)
    first_leaves, spec = slices[0]
    for _, other in slices[1:]:
        if other != spec:
            raise ValueError(
                f"vmap({_name(func)}, ...): `{_name(func)}` must return outputs of the same "
                f"structure for every slice, got {spec!r} and {other!r}"
            )
    flat_out_dims = _flat_out_dims(func, out_dims, slices[0], spec)
    name = _name(func)
    columns = []
    for k, d in enumerate(flat_out_dims):
        column = [leaves[k] for leaves, _ in slices]
        if d is None:
            columns.append(_unbatched(name, column))
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                f"{type(column[0])}. Did you mean to set out_dims= to None for output?"
            )
        columns.append(stack(column, d))
    return tree_unflatten(columns, spec)


def _assemble_batched(func, pieces, out_dims):
    spec = pieces[0].spec
    for piece in pieces[1:]:
        if piece.spec != spec:
            raise ValueError(
                f"vmap({_name(func)}, ...): `{_name(func)}` must return outputs of the same "
                f"structure for every chunk, got {spec!r} and {piece.spec!r}"
            )
    flat_out_dims = _flat_out_dims(func, out_dims, (pieces[0].leaves, spec), spec)
    columns = list(zip(*[p.unwrap(flat_out_dims, _name(func)) for p in pieces]))
    out = []
    for column, d in zip(columns, flat_out_dims):
        out.append(column[0] if d is None or len(column) == 1 else cat(list(column), d))
    return tree_unflatten(out, spec)


def _flat_out_dims(func, out_dims, first, spec):
    leaves, _ = first
    if spec.is_leaf():
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        if out_dims is None or isinstance(out_dims, int):
            return [out_dims]
        flat = None
    else:
        flat = broadcast_prefix(out_dims, spec)
    if flat is None:
        raise ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{tree_flatten(out_dims)[1]!r} but outputs has structure {spec!r}."
        )
    return flat


def _unbatched(name, column):
    """An output with out_dim None: the same for every slice, or an error."""
    first = column[0]
    for x in column[1:]:
        if x is first:
            continue
        same = (
            isinstance(x, Tensor)
            and isinstance(first, Tensor)
            and x.shape == first.shape
            and bool((x.detach() == first.detach()).all())
        ) or (not isinstance(x, Tensor) and x == first)
        if not same:
            raise ValueError(
                f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None"
            )
    return first
