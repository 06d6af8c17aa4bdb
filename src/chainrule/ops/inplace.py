"""In-place ops (``add_``, ``mul_``, ``x[i] = v``, …) and the conversions ``to``/``clone``.

An in-place op is its out-of-place op followed by a copy into the tensor's own memory:
the result's graph node becomes the tensor's ``grad_fn`` and its version counter goes up,
so a node that saved the old value notices the change at backward time.  When the graph is
recorded, the op reads a snapshot of the old value, so its own gradient stays correct.
"""

import weakref

import numpy as np

from .._dtype import to_dtype
from .._grad_mode import anomaly_enabled, forward_level, grad_enabled
from .._tensor import Tensor, version_box, wrap
from . import elementwise as E
from . import mathfn as M
from ._registry import OpDef, apply, broadcast_error

# in anomaly mode, the nodes that in-place ops recorded: an error about a modified tensor
# walks back past them to the line that created the tensor
INPLACE_NODES = weakref.WeakSet()

CLONE = OpDef(
    "CloneBackward0", lambda xp, a: xp.asarray(a, copy=True), grads=[lambda xp, g: g], linear=True
)
TO_COPY = OpDef(
    "ToCopyBackward0",
    lambda xp, a, np_dtype: xp.cast(a, np_dtype),
    params=("dtype",),
    saves=(0,),
    linear=True,
    grads=[lambda xp, g, a, np_dtype: xp.cast(g, a.dtype)],
)


def clone(input):
    """A copy with its own memory; gradients flow back to ``input``."""
    return apply(CLONE, (input,))


def to(input, *args, **kwargs):
    """Convert to a dtype (``x.to(chainrule.float64)``); devices other than 'cpu' are
    refused with a clear message."""
    target = kwargs.get("dtype")
    for a in args:
        if isinstance(a, Tensor):
            target = a.dtype
        elif isinstance(a, str) or getattr(a, "type", None) == "cpu":
            if str(a).split(":")[0] != "cpu":
                raise RuntimeError(f"chainrule runs on the CPU only; cannot move a tensor to '{a}'")
        elif a is not None:
            target = a
    if target is None:
        return input
    target = to_dtype(target)
    if input._data.dtype == target.numpy:
        return input
    if input._requires_grad and not target.is_floating_point:
        return wrap(input._data.astype(target.numpy))
    return apply(TO_COPY, (input,), (target.numpy,))


def _check_inplace(self, result):
    if result._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the "
            f"broadcast shape {list(result._data.shape)}"
        )
    kind_rank = "bif"
    src, dst = result._data.dtype.kind, self._data.dtype.kind
    if kind_rank.index(src if src in kind_rank else "i") > kind_rank.index(
        dst if dst in kind_rank else "i"
    ):
        raise RuntimeError(
            f"result type {result.dtype} can't be cast to the desired output type {self.dtype}"
        )


def inplace(self, compute, *others):
    """Run ``compute(source) -> Tensor`` and write its result into ``self``."""
    recording = grad_enabled[0] and (
        self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    )
    if recording and self.grad_fn is None and self._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place "
            "operation. Wrap it in `with chainrule.no_grad():` (as optimisers "
            "do) or work on a clone."
        )
    source = self
    if recording:
        source = wrap(self._data.copy(), self.grad_fn)
        source._requires_grad = self._requires_grad
        if forward_level[0]:
            source._fw_grad = getattr(self, "_fw_grad", None)
    try:
        result = compute(source)
    except ValueError as err:  # NumPy's shape errors, in PyTorch's exception type
        raise RuntimeError(str(err)) from None
    _check_inplace(self, result)
    np.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    if forward_level[0]:
        _adopt_tangent(self, getattr(result, "_fw_grad", None))
    if recording:
        _adopt(self, result)
    return self


def _adopt_tangent(self, tangent):
    """In forward mode, ``self`` takes the result's tangent (cast to its dtype)."""
    if tangent is not None and tangent.dtype != self.dtype:
        tangent = tangent.to(self.dtype)
    if tangent is not None or getattr(self, "_fw_grad", None) is not None:
        self._fw_grad = tangent


def _adopt(self, result):
    """Give ``self`` (whose memory already holds ``result``'s values) ``result``'s history;
    if ``self`` is a view, recompute its base's history from it, and so on upwards."""
    self.grad_fn = result.grad_fn
    self._requires_grad = True
    node = result.grad_fn
    if anomaly_enabled[0] and node is not None:
        INPLACE_NODES.add(node)
    if node is not None and node.out_box is not None:
        node.out = self._data
        node.out_box = version_box(self)
        node.out_version = self._version
    view_of = getattr(self, "_base", None)
    if view_of is not None:
        base, rebuild = view_of
        _adopt(base, rebuild(base, self))


def _fast(self, ufunc, other):
    """Under no_grad (optimisers), compute straight into the tensor's memory."""
    od = other._data if isinstance(other, Tensor) else other
    try:
        out = ufunc(self._data, od)
    except ValueError:
        raise broadcast_error(ufunc.__name__, self, other) from None
    if np.shape(out) != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the "
            f"broadcast shape {list(np.shape(out))}"
        )
    np.copyto(self._data, out, casting="same_kind")
    self._bump_version()
    return self


def _no_graph(self, other):
    return not forward_level[0] and not (
        grad_enabled[0]
        and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))
    )


def _fast_kinds(self, other):
    """Whether ``_fast`` computes this in-place op as PyTorch would: a float tensor with any
    operand, or an integer tensor with a Python int or an integer tensor (``N[i] += 1``)."""
    kind = self._data.dtype.kind
    if kind == "f":
        return True
    return kind in "iu" and (
        type(other) is int or (isinstance(other, Tensor) and other._data.dtype.kind in "iu")
    )


def add_(self, other, *, alpha=1):
    if _no_graph(self, other) and alpha == 1 and _fast_kinds(self, other):
        return _fast(self, np.add, other)
    return inplace(self, lambda s: E.add(s, other, alpha=alpha), other)


def sub_(self, other, *, alpha=1):
    if _no_graph(self, other) and alpha == 1 and _fast_kinds(self, other):
        return _fast(self, np.subtract, other)
    return inplace(self, lambda s: E.sub(s, other, alpha=alpha), other)


def mul_(self, other):
    if _no_graph(self, other) and _fast_kinds(self, other):
        return _fast(self, np.multiply, other)
    return inplace(self, lambda s: E.mul(s, other), other)


def div_(self, other):
    return inplace(self, lambda s: E.div(s, other), other)


def pow_(self, exponent):
    return inplace(self, lambda s: E.pow(s, exponent), exponent)


def clamp_(self, min=None, max=None):
    return inplace(self, lambda s: E.clamp(s, min, max), min, max)


def neg_(self):
    return inplace(self, E.neg)


def exp_(self):
    return inplace(self, E.exp)


def sqrt_(self):
    return inplace(self, E.sqrt)


def relu_(self):
    return inplace(self, E.relu)


def abs_(self):
    return inplace(self, E.abs)


def sigmoid_(self):
    return inplace(self, E.sigmoid)


def tanh_(self):
    return inplace(self, E.tanh)


def clamp_min_(self, min):
    return inplace(self, lambda s: M.clamp_min(s, min), min)


def clamp_max_(self, max):
    return inplace(self, lambda s: M.clamp_max(s, max), max)


def fill_(self, value):
    """Set every element to ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            f"fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    everywhere = np.ones(self._data.shape, dtype=bool)
    return inplace(self, lambda s: E.where(everywhere, value, s), value)


def _fill_with(self, values):
    """Overwrite ``self`` with ``values`` (random numbers): no gradient flows to what was
    there before, and a leaf that requires grad is refused, as for any in-place op."""
    everywhere = np.ones(self._data.shape, dtype=bool)
    new = wrap(np.asarray(values).astype(self._data.dtype, copy=False))
    return inplace(self, lambda s: E.where(everywhere, new, s))


def _generator(generator):
    from ..creation import _rng

    return _rng(generator)


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with numbers drawn uniformly from [a, b)."""
    if a > b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}"
        )
    return _fill_with(self, _generator(generator).uniform(a, b, self._data.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with numbers drawn from the normal distribution N(mean, std²)."""
    if std < 0:
        raise RuntimeError(f"normal_ expects std >= 0.0, but found std {std}")
    return _fill_with(self, _generator(generator).normal(mean, std, self._data.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability ``p`` (a number or a broadcastable tensor), else 0."""
    pd = p._data if isinstance(p, Tensor) else np.asarray(p, dtype=np.float64)
    if np.any((pd < 0) | (pd > 1)):
        raise RuntimeError("bernoulli_ expects p to be in [0, 1]")
    draws = _generator(generator).random(self._data.shape) < pd
    return _fill_with(self, draws)


def random_(self, from_=0, to=None, *, generator=None):
    """Fill with integers drawn uniformly from [from_, to) (``random_(to)``: [0, to));
    with no bounds, from [0, 2^mantissa] for floats and [0, 2^63 − 1) for int64."""
    if to is None and from_ != 0:
        from_, to = 0, from_
    if to is None:
        kind = self._data.dtype
        to = (
            2 ** (np.finfo(kind).nmant + 1) + 1
            if kind.kind == "f"
            else int(np.iinfo(kind).max)
            if kind.kind in "iu"
            else 2
        )
    if from_ >= to:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}"
        )
    return _fill_with(self, _generator(generator).integers(from_, to, self._data.shape))


def zero_(self):
    return fill_(self, 0)


def copy_(self, src):
    """Copy ``src`` (broadcast, cast to this dtype) into this tensor."""
    if not isinstance(src, Tensor):
        src = wrap(np.asarray(src))
    if src._data.dtype != self._data.dtype:
        src = to(src, self.dtype)
    everywhere = np.ones(self._data.shape, dtype=bool)
    return inplace(self, lambda s: E.where(everywhere, src, s), src)


# ---------------------------------------------------------------- in-place index writes
def fill_diagonal_(self, fill_value, wrap=False):
    """Set the main diagonal (every dim equal beyond 2-D) to ``fill_value``; with ``wrap``
    a tall matrix's diagonal starts again after each N + 1 rows, as NumPy's does."""
    if self._data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self._data.ndim > 2 and len(set(self._data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    on_diagonal = np.zeros(self._data.shape, dtype=bool)
    np.fill_diagonal(on_diagonal, True, wrap=wrap)
    return inplace(self, lambda s: E.where(on_diagonal, fill_value, s), fill_value)


def _positions(self, dim, index, name):
    """(dim, a bool mask along ``dim`` marking ``index``, broadcastable to ``self``)."""
    from .._shape import normalize_dim

    d = normalize_dim(dim, self._data.ndim, name)
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu" or idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector of integers")
    size = self._data.shape[d] if self._data.ndim else 1
    if idx.size and (idx.max() >= size or idx.min() < -size):
        raise IndexError(f"{name}(): index out of range in self (size {size} along dim {d})")
    marked = np.zeros(size, dtype=bool)
    marked[idx] = True
    shape = [1] * self._data.ndim
    if shape:
        shape[d] = size
    return d, idx, marked.reshape(shape)


def index_fill_(self, dim, index, value):
    """Set the slices at ``index`` along ``dim`` to ``value`` (a number or 0-d tensor)."""
    _, _, marked = _positions(self, dim, index, "index_fill_")
    return inplace(self, lambda s: E.where(marked, value, s), value)


def index_copy_(self, dim, index, source):
    """``self[..., index[i], ...] = source[..., i, ...]`` along ``dim``."""
    from .index import index_put

    d, idx, _ = _positions(self, dim, index, "index_copy_")
    key = (slice(None),) * d + (idx, Ellipsis)
    return inplace(self, lambda s: index_put(s, key, source), source)


def index_put_(self, indices, values, accumulate=False):
    """``self[indices] = values`` for a tuple of index tensors; with ``accumulate`` the
    values are added, repeated indices adding up."""
    from .index import INDEX_BACKWARD, index_put, normalize_index

    key, _ = normalize_index(tuple(indices))
    if not isinstance(values, Tensor):
        values = wrap(np.asarray(values, dtype=self._data.dtype))
    if not accumulate:
        return inplace(self, lambda s: index_put(s, key, values), values)
    target = self._data[key].shape  # what the indices pick: the values broadcast to it
    spread = values.expand(target) if tuple(values.shape) != target else values
    shape = tuple(self._data.shape)
    return inplace(self, lambda s: s + apply(INDEX_BACKWARD, (spread,), (shape, key, True)), values)


Tensor.fill_diagonal_ = fill_diagonal_
Tensor.index_fill_ = index_fill_
Tensor.index_copy_ = index_copy_
Tensor.index_put_ = index_put_
Tensor.index_fill = lambda self, dim, index, value: index_fill_(clone(self), dim, index, value)
Tensor.index_copy = lambda self, dim, index, source: index_copy_(clone(self), dim, index, source)
Tensor.index_put = lambda self, indices, values, accumulate=False: index_put_(
    clone(self), indices, values, accumulate
)
