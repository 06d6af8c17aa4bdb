"""Moving tensors in and out of a vmap level: ``add_batch_dim`` turns a tensor's mapped
dim into the batch of a ``BatchedArray``; ``remove_batch_dim`` puts it back at an output
dim.  Both are rows of their own (linear, so forward mode comes with them, and each
one's gradient is the other), recorded when gradients flow through them: ``grad(vmap(f))``
and ``jvp`` through ``vmap`` work.

Levels are never reused: each ``vmap`` call takes a new, higher number, so an array's
physical data only ever holds arrays of lower levels.  A graph recorded inside a finished
vmap can be differentiated later, but not under a newer vmap whose batch would have to
sit beneath the old one; that raises ``Unbatchable`` and the newer vmap runs per slice.
"""

import contextlib

import numpy as np

from .._tensor import Tensor, wrap
from ..ops._registry import OpDef, apply
from ._batched import BatchedArray, Unbatchable

__all__ = ["add_batch_dim", "remove_batch_dim", "vmap_level", "Batched"]

_COUNTER = [0]
_LIVE = set()  # the levels of the vmap calls running now


@contextlib.contextmanager
def vmap_level():
    """A new vmap level, above every level used before."""
    _COUNTER[0] += 1
    level = _COUNTER[0]
    _LIVE.add(level)
    try:
        yield level
    finally:
        _LIVE.discard(level)


def sum_finished_batches(g):
    """A gradient w.r.t. a tensor from outside a vmap that has finished, computed through
    the graph recorded inside it, is batched over that vmap's elements: each element
    contributed to the outputs, so the gradient is their sum (broadcasting undone)."""
    data = g._data
    while type(data) is BatchedArray and data.level not in _LIVE:
        g = remove_batch_dim(g, data.level, data.batch_size, 0).sum(0)
        data = g._data
    return g


def _top_level(data):
    level = 0
    while type(data) is BatchedArray:
        level = max(level, data.level)
        data = data.phys
    return level


def _is_batched(data, level):
    return type(data) is BatchedArray and data.level == level


_NESTED = "a graph recorded inside an earlier vmap is differentiated in a newer one"


def _add(a, dim, level, size):
    if _top_level(a) > level:
        raise Unbatchable(_NESTED)
    if _is_batched(a, level):  # already batched here (an unbatched gradient was expanded)
        return a
    return BatchedArray(np.moveaxis(a, dim, 0), level)


def _remove(a, level, dim, size):
    if _top_level(a) > level:
        raise Unbatchable(_NESTED)
    if not _is_batched(a, level):  # the same for every element: broadcast along the batch
        a = np.expand_dims(a, dim)
        shape = list(a.shape)
        shape[dim] = size
        return np.broadcast_to(a, tuple(shape))
    return np.moveaxis(a.phys, 0, dim)


def _remove_grad(xp, g, dim, level, size):
    if isinstance(g, Tensor):
        return apply(REMOVE_BATCH, (g,), (level, dim, size))
    return _remove(g, level, dim, size)


def _add_grad(xp, g, level, dim, size):
    if isinstance(g, Tensor):
        return apply(ADD_BATCH, (g,), (dim, level, size))
    return _add(g, dim, level, size)


# the mapped dim becomes the batch: out = moveaxis(a, dim, 0) as level ``level``
ADD_BATCH = OpDef(
    "AddBatchDimBackward0",
    lambda xp, a, dim, level, size: _add(a, dim, level, size),
    params=("dim", "level", "size"),
    grads=[_remove_grad],
    linear=True,
    public=False,
)
# the batch becomes dim ``dim`` of a plain array
REMOVE_BATCH = OpDef(
    "RemoveBatchDimBackward0",
    lambda xp, a, level, dim, size: _remove(a, level, dim, size),
    params=("level", "dim", "size"),
    grads=[_add_grad],
    linear=True,
    public=False,
)


def add_batch_dim(t, dim, level):
    """``t`` seen at ``level`` as a batch over its dim ``dim``."""
    if t._requires_grad or getattr(t, "_fw_grad", None) is not None:
        return apply(ADD_BATCH, (t,), (dim, level, t.shape[dim]))
    return wrap(_add(t._data, dim, level, t.shape[dim]))


def remove_batch_dim(t, level, size, out_dim):
    """The batch of level ``level`` of ``t`` as its dim ``out_dim`` (an unbatched ``t``
    is expanded along a new dim, as in torch)."""
    out_dim = out_dim % (t.ndim + 1)
    if not _is_batched(t._data, level):
        shape = list(t.shape)
        shape.insert(out_dim, size)
        return t.unsqueeze(out_dim).expand(*shape)
    if t._requires_grad or getattr(t, "_fw_grad", None) is not None:
        return apply(REMOVE_BATCH, (t,), (level, out_dim, size))
    return wrap(_remove(t._data, level, out_dim, size))


class Batched:
    """The flat outputs of one batched run of a function, still at their vmap level."""

    def __init__(self, level, size, leaves, spec):
        self.level, self.size, self.leaves, self.spec = level, size, leaves, spec

    def unwrap(self, flat_out_dims, name):
        out = []
        for leaf, d in zip(self.leaves, flat_out_dims):
            batched = isinstance(leaf, Tensor) and _is_batched(leaf._data, self.level)
            if d is None:
                if batched:
                    raise ValueError(
                        f"vmap({name}, ...): `{name}` can not return a BatchedTensor when "
                        f"out_dim is None"
                    )
                out.append(leaf)
                continue
            if not isinstance(leaf, Tensor):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                    f"{type(leaf)}. Did you mean to set out_dims= to None for output?"
                )
            out.append(remove_batch_dim(leaf, self.level, self.size, d))
        return out

    def slices(self):
        """The per-slice results ``[(flat outputs, spec), ...]`` of this batch."""
        whole = [
            remove_batch_dim(x, self.level, self.size, 0) if isinstance(x, Tensor) else x
            for x in self.leaves
        ]
        return [
            ([x[i] if isinstance(x, Tensor) else x for x in whole], self.spec)
            for i in range(self.size)
        ]
