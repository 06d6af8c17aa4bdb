"""Elementwise extras, order statistics and NaN-aware reductions beyond ops/elementwise.py
and ops/reduce.py (median, quantile, nansum, xlogy, ...).

Most are compositions of existing ops, so gradients, ``create_graph`` and forward mode come
with them.  The rows below are the order statistics PyTorch records as a node of their own:
the median of a whole tensor splits its gradient evenly among the elements equal to it (NaN
counting as equal to NaN), the ones along a dim send it to the index they picked, and
``logcumsumexp`` has a fused formula that never overflows.
"""

import math

import numpy as np

from .._dtype import float16, float32, float64, get_default_dtype, result_type
from .._shape import normalize_dim
from .._tensor import Tensor, wrap
from . import elementwise as E
from . import inplace as P
from . import mathfn as M
from . import reduce as R
from . import shape as S
from ._registry import OpDef, apply, as_tensor_operand, values_indices
from .arrange import movedim
from .counting import bincount, bucketize, isin, searchsorted, unique_consecutive
from .index import gather
from .sorting import sort
from .special import digamma, lgamma

__all__ = [
    "absolute",
    "sgn",
    "signbit",
    "frac",
    "frac_",
    "deg2rad",
    "deg2rad_",
    "rad2deg",
    "rad2deg_",
    "true_divide",
    "floor_divide",
    "floor_",
    "log_",
    "addcmul",
    "addcdiv",
    "float_power",
    "heaviside",
    "xlogy",
    "xlogy_",
    "sinc",
    "sinc_",
    "logit",
    "logit_",
    "nan_to_num",
    "nan_to_num_",
    "nansum",
    "nanmean",
    "median",
    "nanmedian",
    "mode",
    "kthvalue",
    "msort",
    "quantile",
    "nanquantile",
    "cummax",
    "cummin",
    "logcumsumexp",
    "bincount",
    "bucketize",
    "searchsorted",
    "isin",
    "unique_consecutive",
    "lgamma",
    "digamma",
]

MedianResult = values_indices("median")
NanmedianResult = values_indices("nanmedian")
ModeResult = values_indices("mode")
KthvalueResult = values_indices("kthvalue")
CummaxResult = values_indices("cummax")
CumminResult = values_indices("cummin")


# ---------------------------------------------------------------- elementwise extras
def _floating(input, name):
    """``input`` itself if floating, else in the default float (as PyTorch's unary maths)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): expected a Tensor, got {type(input).__name__}")
    return input if input.dtype.is_floating_point else input.to(get_default_dtype())


def absolute(input):
    """|input| (alias of ``abs``)."""
    return E.abs(input)


def sgn(input):
    """input/|input| (0 at 0); for real tensors the same as ``sign``."""
    return E.sign(input)


def signbit(input):
    """Whether the sign bit is set (True for −0.0 and negative numbers); not differentiable."""
    return wrap(np.asarray(np.signbit(input._data)))


def frac(input):
    """input − trunc(input): the fractional part, with the sign of ``input``; ∂ = 1."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"frac_cpu" not implemented for {input.dtype}: use floats')
    return E.sub(input, E.trunc(input))


def deg2rad(input):
    """input · π/180."""
    return E.mul(input, math.pi / 180)


def rad2deg(input):
    """input · 180/π."""
    return E.mul(input, 180 / math.pi)


def true_divide(dividend, divisor):
    """dividend / divisor (alias of ``div``)."""
    return E.div(dividend, divisor)


def floor_divide(input, other):
    """⌊input / other⌋ elementwise (integers stay integers; dividing one by 0 raises)."""
    return E.div(input, other, rounding_mode="floor")


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value · tensor1 · tensor2."""
    return E.add(input, E.mul(E.mul(tensor1, tensor2), value))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value · tensor1 / tensor2 (integer tensor1 and tensor2 are refused)."""
    if not (tensor1.dtype.is_floating_point or tensor2.dtype.is_floating_point):
        raise RuntimeError(
            f"Integer division with addcdiv is no longer supported (tensor1 {tensor1.dtype}, "
            f"tensor2 {tensor2.dtype}): compute input + value * torch.div(tensor1, tensor2, "
            f"rounding_mode='trunc') or pass floating-point tensors"
        )
    return E.add(input, E.mul(E.div(tensor1, tensor2), value))


def _double(x):
    return x.to(float64) if isinstance(x, Tensor) else float(x)


def float_power(input, exponent):
    """inputᵉˣᵖᵒⁿᵉⁿᵗ computed in float64 whatever the operands' dtypes."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected input or exponent to be a Tensor")
    return E.pow(_double(input), _double(exponent))


def heaviside(input, values):
    """0 where input < 0, ``values`` where input == 0, 1 where input > 0 (NaN gives 0);
    not differentiable."""
    if input.dtype != values.dtype:
        raise RuntimeError(
            f"heaviside is not yet implemented for tensors with different dtypes "
            f"({input.dtype} and {values.dtype}): cast one to the other"
        )
    x, v = input._data, values._data
    out = np.where(x == 0, v, x > 0).astype(x.dtype)
    return wrap(np.asarray(out))


XLOGY = OpDef(
    "XlogyBackward0",
    lambda xp, a, b: xp.where((a == 0) & ~xp.isnan(b), 0, a * xp.log(b)),
    elementwise=True,
    saves=(0, 1),
    to_float=True,
    grads=[
        lambda xp, g, a, b: g * xp.log(b),  # ∂/∂input = log(other)
        lambda xp, g, a, b: g * a / b,  # ∂/∂other = input/other
    ],
)


def xlogy(input, other):
    """input · log(other), and 0 where input == 0 (unless other is NaN)."""
    x, y = as_tensor_operand(input), as_tensor_operand(other)
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        raise TypeError("xlogy(): expected input or other to be a Tensor")
    dt = result_type(x, y)
    dt = dt if dt.is_floating_point else get_default_dtype()
    # a number operand: a 0-d tensor of the result dtype (its log in that precision)
    x, y = (t if isinstance(t, Tensor) else wrap(np.asarray(t, dt.numpy)) for t in (x, y))
    return apply(XLOGY, (x, y))


def sinc(input):
    """sin(πx)/(πx), and 1 at x = 0 (where the gradient is 0)."""
    x = _floating(input, "sinc")
    if x.dtype == float16:  # computed in float32 and rounded once, as PyTorch's kernel
        return sinc(x.to(float32)).to(float16)
    at_zero = E.eq(x, 0)
    pix = E.mul(E.where(at_zero, 1.0, x), math.pi)  # no 0/0 in the unused branch
    return E.where(at_zero, 1.0, E.div(E.sin(pix), pix))


def logit(input, eps=None):
    """log(p / (1 − p)), with p = input clamped to [eps, 1 − eps] when ``eps`` is given."""
    p = _floating(input, "logit")
    if eps is not None:
        p = E.clamp(p, eps, 1 - eps)
    return E.log(E.div(p, E.rsub(p, 1)))


NAN_TO_NUM = OpDef(
    "NanToNumBackward0",
    lambda xp, a, nan, posinf, neginf: xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf),
    elementwise=True,
    saves=(0,),
    params=("nan", "posinf", "neginf"),
    grads=[lambda xp, g, a, *_: g * (a - a == 0)],  # g·[a finite] (a − a is NaN at ±inf, NaN)
)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and −inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default the
    dtype's largest and lowest finite numbers); ∂ = [input finite]."""
    if not input.dtype.is_floating_point:
        return input.clone()
    finfo = np.finfo(input._data.dtype)  # this dtype's, also for float16 (computed in float32)
    nan = 0.0 if nan is None else nan
    posinf = finfo.max if posinf is None else posinf
    neginf = finfo.min if neginf is None else neginf
    return apply(NAN_TO_NUM, (input,), (nan, posinf, neginf))


# ---------------------------------------------------------------- NaN-aware reductions
NANSUM = OpDef(
    "NansumBackward0",
    lambda xp, a, shape, dims, keepdim: xp.nansum(a, dims, keepdims=keepdim),
    saves=(0,),
    params=("shape", "dim", "keepdim"),
    grads=[lambda xp, g, a, *p: R._unreduce(xp, g, *p) * (a == a)],  # g·[a not NaN]
    jvp=lambda xp, t, a, out, *p: xp.sum(xp.where(a == a, t[0], 0), p[1], p[2]),
)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Σ over ``dim`` (all dims when None) treating NaN as 0; ∂ = [input not NaN]."""
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        return R.sum(input, dim, keepdim)
    return R._reduce(NANSUM, input, dim, keepdim)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over ``dim`` of the elements that are not NaN (NaN where all are)."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"nanmean(): expected input to have floating point or complex dtype but got "
            f"{input.dtype}"
        )
    count = R.sum(E.logical_not(E.isnan(input)), dim, keepdim)
    return E.div(nansum(input, dim, keepdim, dtype=dtype), count)


# ---------------------------------------------------------------- order statistics
def _lower_median(xp, a, skip_nan):
    """The lower median of all of ``a``: NaN if it holds one (``skip_nan``: if only NaN)."""
    s = xp.sort(xp.reshape(a, (-1,)))
    valid = int(xp.sum(~xp.isnan(s))) if s.dtype.kind == "f" else s.shape[0]
    pos = (valid - 1) // 2 if valid and (skip_nan or valid == s.shape[0]) else valid
    return s[min(pos, s.shape[0] - 1)] if s.shape[0] else xp.asarray(np.nan, a.dtype)


def _tie_mask(a, out):
    return (a == out) | ((a != a) & (out != out))  # NaN ties with NaN


def _evenly_grad(xp, g, a, out):
    # the gradient is split evenly among the k elements equal to the result: g/k each
    mask = _tie_mask(a, out)
    gu = xp.expand(g, tuple(a.shape))
    zero = gu * 0
    return xp.where(mask, gu, zero) / xp.sum(xp.where(mask, zero + 1, zero))


def _evenly_tangent(xp, t, a, out):
    mask = a == out  # as torch: a NaN median has a NaN tangent
    return xp.sum(t[0] * mask) / xp.sum(mask)


_EVENLY = dict(saves=(0,), saves_out=True, grads=[_evenly_grad], jvp=_evenly_tangent)
MEDIAN_ALL = OpDef("MedianBackward0", lambda xp, a: _lower_median(xp, a, False), **_EVENLY)
NANMEDIAN_ALL = OpDef("NanmedianBackward0", lambda xp, a: _lower_median(xp, a, True), **_EVENLY)
# the values at the picked indices: linear in the input, the gradient goes to those indices
MEDIAN_DIM = OpDef("MedianBackward1", R._take, **R._SELECTED)
NANMEDIAN_DIM = OpDef("NanmedianBackward1", R._take, **R._SELECTED)
KTHVALUE = OpDef("KthvalueBackward0", R._take, **R._SELECTED)
MODE = OpDef("ModeBackward0", R._take, **R._SELECTED)


def _nonempty(input, d, name):
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _pick(input, dim, keepdim, row, result, name, position):
    """``result(values, indices)`` of the element at sorted ``position(sorted, n_valid)``
    along ``dim`` (a stable sort: NaN last, equal values in their order)."""
    if not input._data.ndim:  # a 0-d tensor: its one element, at index 0
        normalize_dim(dim, 1, name)
        return _pick(S.reshape(input, (1,)), 0, False, row, result, name, position)
    data = input._data
    d = normalize_dim(dim, data.ndim, name)
    _nonempty(input, d, name)
    order = np.argsort(data, axis=d, kind="stable")
    s = np.take_along_axis(data, order, d)
    if s.dtype.kind == "f":
        valid = (~np.isnan(s)).sum(d, keepdims=True)
    else:
        valid = np.full(s.shape[:d] + (1,) + s.shape[d + 1 :], s.shape[d])
    index = np.take_along_axis(order, position(s, valid, d), d).astype(np.int64)
    values = apply(row, (input,), (data.shape, d, bool(keepdim), index))
    return result(values, wrap(index if keepdim else np.squeeze(index, d)))


def median(input, dim=None, keepdim=False):
    """The lower median (of two middle values the smaller), NaN where a NaN is present;
    with ``dim``: ``(values, indices)`` along it. The gradient goes to the median element
    (split evenly among equal ones for the whole-tensor median)."""
    if dim is None:
        return apply(MEDIAN_ALL, (input,))
    return _pick(
        input,
        dim,
        keepdim,
        MEDIAN_DIM,
        MedianResult,
        "median",  # a NaN present: the first NaN
        lambda s, valid, d: np.where(valid < s.shape[d], valid, (s.shape[d] - 1) // 2),
    )


def nanmedian(input, dim=None, keepdim=False):
    """``median`` ignoring NaN (NaN only where all are NaN)."""
    if dim is None:
        return apply(NANMEDIAN_ALL, (input,))
    return _pick(
        input,
        dim,
        keepdim,
        NANMEDIAN_DIM,
        NanmedianResult,
        "nanmedian",
        lambda s, valid, d: np.maximum(valid - 1, 0) // 2,
    )


def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)`` of the k-th smallest element along ``dim`` (NaN is largest)."""
    d = normalize_dim(dim, max(input._data.ndim, 1), "kthvalue")
    n = input._data.shape[d] if input._data.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(
            f"kthvalue(): selected number k out of range for dimension {d} (k={k}, size {n})"
        )
    return _pick(
        input, dim, keepdim, KTHVALUE, KthvalueResult, "kthvalue", lambda s, v, d: v * 0 + k - 1
    )


def _modal_position(s, valid, d):
    # in sorted order: the end of the longest run of equal values, the smallest such value
    # on a tie (NaN != NaN: each NaN a run of one); the stable sort makes it its last index
    n = s.shape[d]
    pos = np.arange(n).reshape((n,) + (1,) * (s.ndim - d - 1))
    differs = np.take(s, range(1, n), d) != np.take(s, range(n - 1), d)
    edge = np.ones_like(np.take(s, [0], d), dtype=bool)
    first = np.concatenate([edge, differs], d)
    last = np.concatenate([differs, edge], d)
    start = np.maximum.accumulate(np.where(first, pos, 0), d)
    length = np.where(last, pos - start + 1, 0)
    return np.expand_dims(np.argmax(length, d), d)


def mode(input, dim=-1, keepdim=False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of those
    equally frequent) and the last index where it occurs."""
    return _pick(input, dim, keepdim, MODE, ModeResult, "mode", _modal_position)


def msort(input):
    """``input`` sorted along its first dim (``sort(input, dim=0).values``)."""
    return sort(input, 0).values


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, skip_nan, name):
    if not isinstance(input, Tensor) or input.dtype.name not in ("float32", "float64"):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        qs = q._data.reshape(-1)
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qs = np.asarray([q], input._data.dtype)
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    x = S.reshape(input, (-1,)) if dim is None else input
    d = 0 if dim is None else normalize_dim(dim, max(input.ndim, 1), name)
    if not x.ndim:
        x = S.reshape(x, (1,))
    s = movedim(sort(x, d).values, d, -1)  # (..., n), NaN last
    n = s.shape[-1]
    if n == 0:
        raise IndexError(f"{name}() input tensor must be non-empty (dim {d} has size 0)")
    nan_count = np.isnan(s._data).sum(-1, keepdims=True)
    last = np.asarray(n - 1, s._data.dtype)
    if skip_nan:  # ranks among the non-NaN values; a row of NaN only gives its first
        top = np.where(nan_count == n, 0, (n - nan_count - 1).astype(s._data.dtype))
    else:  # a row holding NaN gives NaN: the last (NaN) value
        top = np.where(nan_count > 0, np.nan, last)
    ranks = np.where(np.isnan(top), last, qs.astype(s._data.dtype) * top)  # (..., Q)
    below, above = np.floor(ranks), np.ceil(ranks)
    if interpolation == "nearest":
        below = above = np.round(ranks)  # half to even, as PyTorch
    elif interpolation == "lower":
        above = below
    elif interpolation == "higher":
        below = above
    lo = gather(s, -1, wrap(below.astype(np.int64)))
    out = lo
    if interpolation in ("linear", "midpoint"):
        hi = gather(s, -1, wrap(above.astype(np.int64)))
        w = ranks - below if interpolation == "linear" else np.full_like(ranks, 0.5)
        out = M.lerp(lo, hi, wrap(w))
    out = movedim(out, -1, 0)  # (Q, ...)
    if keepdim and input.ndim:
        kept = (qs.shape[0],) + (1,) * input.ndim
        out = S.reshape(out, kept) if dim is None else S.unsqueeze(out, d + 1)
    return S.squeeze(out, 0) if not isinstance(q, Tensor) or q.ndim == 0 else out


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles along ``dim`` (all of ``input`` when None): at rank q·(n − 1) of
    the sorted values, between neighbours by ``interpolation`` (linear, lower, higher,
    midpoint, nearest); NaN where a NaN is present. A 1-D ``q`` adds a leading dim."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` of the values that are not NaN (NaN only where all are NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def _cumulative_extreme(input, dim, accumulate, result, name):
    data = input._data if input._data.ndim else input._data.reshape(1)
    d = normalize_dim(dim, data.ndim, name)
    if not input._data.ndim:
        return result(input.clone(), wrap(np.zeros((), np.int64)))
    best = accumulate(data, axis=d)
    pos = np.arange(data.shape[d]).reshape((-1,) + (1,) * (data.ndim - d - 1))
    hit = data == best  # where the running extreme was (re)attained: the last index wins
    if data.dtype.kind == "f":
        hit |= np.isnan(data)  # a NaN becomes the extreme from there on
    index = np.maximum.accumulate(np.where(hit, pos, 0), axis=d).astype(np.int64)
    return result(gather(input, d, wrap(index)), wrap(index))


def cummax(input, dim):
    """``(values, indices)``: the running maximum along ``dim`` and where it was attained
    (the last index among equal values; NaN propagates). ∂ flows to those indices."""
    return _cumulative_extreme(input, dim, np.maximum.accumulate, CummaxResult, "cummax")


def cummin(input, dim):
    """``(values, indices)``: the running minimum along ``dim`` (as ``cummax``)."""
    return _cumulative_extreme(input, dim, np.minimum.accumulate, CumminResult, "cummin")


def _lcse_weights(xp, a, out, upper):
    # w[..., i, j] = exp(aᵢ − outⱼ) for i ≤ j (≤ 1: outⱼ ≥ aᵢ there), 0 elsewhere
    diff = xp.unsqueeze(a, -1) - xp.unsqueeze(out, -2)
    return xp.exp(xp.where(upper, diff, -math.inf))


def _lcse_grad(xp, g, a, out, dim, upper):
    # ∂/∂aᵢ = Σ_{j ≥ i} gⱼ exp(aᵢ − outⱼ)
    a, out, g = (xp.swapaxes(t, dim, -1) for t in (a, out, g))
    w = _lcse_weights(xp, a, out, upper)
    return xp.swapaxes(xp.sum(w * xp.unsqueeze(g, -2), -1), dim, -1)


def _lcse_tangent(xp, t, a, out, dim, upper):
    # ṫⱼ = Σ_{i ≤ j} tᵢ exp(aᵢ − outⱼ)
    a, out, ta = (xp.swapaxes(v, dim, -1) for v in (a, out, t[0]))
    w = _lcse_weights(xp, a, out, upper)
    return xp.swapaxes(xp.sum(w * xp.unsqueeze(ta, -1), -2), dim, -1)


LOGCUMSUMEXP = OpDef(
    "LogcumsumexpBackward0",
    lambda xp, a, dim, upper: xp.logaddexp.accumulate(a, axis=dim),
    saves=(0,),
    saves_out=True,
    params=("dim", "upper"),
    grads=[_lcse_grad],
    jvp=_lcse_tangent,
)


def logcumsumexp(input, dim):
    """outⱼ = log Σ_{i ≤ j} exp(inputᵢ) along ``dim``, accumulated pairwise with logaddexp
    (no overflow). The backward holds an n×n matrix per slice (n = the size of ``dim``)."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f'"logcumsumexp_out_cpu" not implemented for {input.dtype}: use floats'
        )
    if not input.ndim:
        out = apply(LOGCUMSUMEXP, (S.reshape(input, (1,)),), (0, np.ones((1, 1), bool)))
        return S.reshape(out, ())
    d = normalize_dim(dim, input.ndim, "logcumsumexp")
    n = input.shape[d]
    return apply(LOGCUMSUMEXP, (input,), (d, np.triu(np.ones((n, n), bool))))


# ---------------------------------------------------------------- in place
def frac_(input):
    return P.inplace(input, frac)


def deg2rad_(input):
    return P.inplace(input, deg2rad)


def rad2deg_(input):
    return P.inplace(input, rad2deg)


def floor_(input):
    return P.inplace(input, E.floor)


def log_(input):
    return P.inplace(input, E.log)


def xlogy_(input, other):
    return P.inplace(input, lambda s: xlogy(s, other), other)


def sinc_(input):
    return P.inplace(input, sinc)


def logit_(input, eps=None):
    return P.inplace(input, lambda s: logit(s, eps))


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None):
    return P.inplace(input, lambda s: nan_to_num(s, nan, posinf, neginf))


def _float_power_(self, exponent):
    if self.dtype != float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {self.dtype} but the operation's "
            f"result requires dtype torch.float64: call .double() first"
        )
    return P.inplace(self, lambda s: float_power(s, exponent), exponent)


def _binary_(fn):
    """The in-place method of binary op ``fn``: ``self.fn_(other, **kw)``."""
    return lambda self, other, **kw: P.inplace(self, lambda s: fn(s, other, **kw), other)


def _ternary_(fn):
    """The in-place method of ``fn(self, a, b, **kw)`` (addcmul_, addcdiv_, lerp_)."""
    return lambda self, a, b, **kw: P.inplace(self, lambda s: fn(s, a, b, **kw), a, b)


# ---------------------------------------------------------------- Tensor methods
Tensor.absolute = absolute
Tensor.absolute_ = P.abs_
Tensor.sgn = sgn
Tensor.sgn_ = lambda self: P.inplace(self, E.sign)
Tensor.sign_ = Tensor.sgn_
Tensor.signbit = signbit
Tensor.frac = frac
Tensor.frac_ = frac_
Tensor.deg2rad = deg2rad
Tensor.deg2rad_ = deg2rad_
Tensor.rad2deg = rad2deg
Tensor.rad2deg_ = rad2deg_
Tensor.true_divide = true_divide
Tensor.true_divide_ = P.div_
Tensor.floor_divide = floor_divide
Tensor.floor_divide_ = _binary_(floor_divide)
Tensor.fmod_ = _binary_(M.fmod)
Tensor.remainder_ = _binary_(M.remainder)
Tensor.floor_ = floor_
Tensor.log_ = log_
Tensor.addcmul = addcmul
Tensor.addcmul_ = _ternary_(addcmul)
Tensor.addcdiv = addcdiv
Tensor.addcdiv_ = _ternary_(addcdiv)
Tensor.lerp_ = _ternary_(M.lerp)
Tensor.float_power = float_power
Tensor.float_power_ = _float_power_
Tensor.heaviside = heaviside
Tensor.heaviside_ = _binary_(heaviside)
Tensor.xlogy = xlogy
Tensor.xlogy_ = xlogy_
Tensor.sinc = sinc
Tensor.sinc_ = sinc_
Tensor.logit = logit
Tensor.logit_ = logit_
Tensor.nan_to_num = nan_to_num
Tensor.nan_to_num_ = nan_to_num_
Tensor.nansum = nansum
Tensor.nanmean = nanmean
Tensor.median = median
Tensor.nanmedian = nanmedian
Tensor.mode = mode
Tensor.kthvalue = kthvalue
Tensor.msort = msort
Tensor.quantile = quantile
Tensor.nanquantile = nanquantile
Tensor.cummax = cummax
Tensor.cummin = cummin
Tensor.logcumsumexp = logcumsumexp
Tensor.bincount = bincount
Tensor.unique_consecutive = unique_consecutive
