"""OP_DB entries of ops/statistics.py: elementwise extras, NaN-aware reductions, order
statistics, running extremes and the counting/searching helpers (values, gradients and
forward mode vs torch).

Order statistics that pick an element send their gradient to its index, so entries with
ties compare indices and gradients only where torch breaks ties deterministically on the CPU
(mode, cummax/cummin, the whole-tensor median); median/kthvalue along a dim are compared with
ties on their values only."""

import numpy as np
from hypothesis import strategies as st
from op_db import FLOATS_INT, SEEDS, add, binary_in, inplace, shapes, values

GG = dict(gradgrad=True)
NONDIFF = dict(differentiable=False, grad=())
# no finite-difference check where the inputs hold NaN/inf or ties (a picked element or a
# kink): these entries are compared with torch's gradients only
NOFD = dict(gradcheck=False)


@st.composite
def arr(draw, domain="real", min_dims=0, max_dims=3, nan=0.0, zeros=0.0):
    """One array; a share ``nan`` of its elements NaN and ``zeros`` exactly 0."""
    shp = draw(shapes(min_dims, max_dims))
    rng = np.random.default_rng(draw(SEEDS))
    if domain == "unit":  # (0, 1), away from the poles of logit
        v = rng.uniform(0.05, 0.95, shp)
    else:
        v = values(rng, shp, domain)
    v[rng.random(shp) < zeros] = 0.0
    v[rng.random(shp) < nan] = np.nan
    return v


def one(*args, **kw):
    """The inputs ``(x,)`` with x drawn by ``arr``."""
    return st.tuples(arr(*args, **kw))


@st.composite
def with_dim(draw, domain="real", nan=0.0, keepdim=True, min_dims=1):
    x = draw(arr(domain, min_dims=min_dims, nan=nan))
    d = draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))
    return (x, d, draw(st.booleans())) if keepdim else (x, d)


def _same_shape(*domains):
    @st.composite
    def draw_arrays(draw):
        shp = draw(shapes(0, 3))
        rng = np.random.default_rng(draw(SEEDS))
        return tuple(values(rng, shp, d) for d in domains)

    return draw_arrays()


# ---------------------------------------------------------------- elementwise extras
add("absolute", "absolute", lambda m, x: m.absolute(x), one("nonzero"), dtypes=FLOATS_INT)
add("absolute_", "absolute_", inplace("absolute_", lambda y: y.absolute_()), one("nonzero"))
# torch's gradient of sgn is a ZeroTensor, which the harness cannot read: values only
add("sgn", "sgn", lambda m, x: x.sgn(), one("nonzero"), dtypes=FLOATS_INT, backward=False)
add("sgn_", "sgn_", inplace("sgn_", lambda y: y.sgn_()), one("nonzero"), backward=False)
add("sign_", "sign_", inplace("sign_", lambda y: y.sign_()), one("nonzero"))
add("signbit", "signbit", lambda m, x: m.signbit(x), one("special"), dtypes=FLOATS_INT, **NONDIFF)
add("frac", "frac", lambda m, x: m.frac(x), one(), **GG)
add("frac_", "frac_", inplace("frac_", lambda y: y.frac_()), one())
add("deg2rad", "deg2rad", lambda m, x: m.deg2rad(x), one(), dtypes=FLOATS_INT, **GG)
add("rad2deg", "rad2deg", lambda m, x: x.rad2deg(), one(), dtypes=FLOATS_INT)
add("deg2rad_", "deg2rad_", inplace("deg2rad_", lambda y: y.deg2rad_()), one())
add("rad2deg_", "rad2deg_", inplace("rad2deg_", lambda y: y.rad2deg_()), one())
add("true_divide", "true_divide", lambda m, a, b: m.true_divide(a, b), binary_in("real", "nonzero"))
add(
    "floor_divide",
    "floor_divide",
    lambda m, a, b: m.floor_divide(a, b),
    binary_in("large", "nonzero"),
    dtypes=FLOATS_INT,
    **NONDIFF,
)
add(
    "floor_divide.method",
    "floor_divide",
    lambda m, a: a.floor_divide(3),
    one("large"),
    dtypes=FLOATS_INT,
    tags=("method",),
    **NONDIFF,
)


def _int_inplace(call):
    def f(m, a, b):
        y = a.clone()
        assert call(y, b) is y
        return y

    return f


add(
    "floor_divide_",
    "floor_divide_",
    _int_inplace(lambda y, b: y.floor_divide_(b)),
    _same_shape("large", "nonzero"),
    dtypes=FLOATS_INT,
    **NONDIFF,
)
add("fmod_", "fmod_", inplace("fmod_", lambda y, z: y.fmod_(z)), _same_shape("real", "nonzero"))
add(
    "remainder_",
    "remainder_",
    inplace("remainder_", lambda y, z: y.remainder_(z)),
    _same_shape("real", "nonzero"),
)
add("floor_", "floor_", inplace("floor_", lambda y: y.floor_()), one())
add("log_", "log_", inplace("log_", lambda y: y.log_()), one("pos"))


@st.composite
def three(draw, domains=("real", "real", "real")):
    shp = draw(shapes(0, 3))
    rng = np.random.default_rng(draw(SEEDS))
    return tuple(values(rng, shp[k:], d) for k, d in enumerate(domains))


add("addcmul", "addcmul", lambda m, x, a, b: m.addcmul(x, a, b, value=-0.5), three(), **GG)
add(
    "addcdiv",
    "addcdiv",
    lambda m, x, a, b: m.addcdiv(x, a, b, value=2),
    three(("real", "real", "nonzero")),
    **GG,
)
add(
    "addcmul_",
    "addcmul_",
    inplace("addcmul_", lambda y, a, b: y.addcmul_(a, b, value=3)),
    three(),
)
add(
    "addcdiv_",
    "addcdiv_",
    inplace("addcdiv_", lambda y, a, b: y.addcdiv_(a, b)),
    three(("real", "real", "nonzero")),
)
add("lerp_", "lerp_", inplace("lerp_", lambda y, e, w: y.lerp_(e, w)), three())
add(
    "float_power.scalar",
    "float_power",
    lambda m, x, p: m.float_power(x, p),
    st.tuples(arr("pos"), st.sampled_from([2, -1.5, 0.5])),
    dtypes=FLOATS_INT,
    **GG,
)
add(
    "float_power.tensor",
    "float_power",
    lambda m, x, p: x.float_power(p),
    binary_in("pos", "real"),
    tags=("method",),
)
add(
    "float_power_",
    "float_power_",
    inplace("float_power_", lambda y, p: y.float_power_(p)),
    _same_shape("pos", "real"),
    dtypes=("float64",),
)
add(
    "heaviside",
    "heaviside",
    lambda m, x, v: m.heaviside(x, v),
    binary_in("ties", "real"),
    dtypes=FLOATS_INT,
    **NONDIFF,
)
add(
    "xlogy",
    "xlogy",
    lambda m, x, y: m.xlogy(x, y),
    _same_shape("ties", "pos"),
    dtypes=FLOATS_INT,
    **GG,
)
add(
    "xlogy.scalar",
    "xlogy",
    lambda m, x, y: x.xlogy(y),
    st.tuples(arr("ties"), st.sampled_from([0.5, 2.0, 3])),
    tags=("method",),
)
add("xlogy.rscalar", "xlogy", lambda m, y: m.xlogy(2, y), one("pos"), tags=("rscalar",))
add("xlogy_", "xlogy_", inplace("xlogy_", lambda y, z: y.xlogy_(z)), _same_shape("ties", "pos"))
add("sinc", "sinc", lambda m, x: m.sinc(x), one(), dtypes=FLOATS_INT, **GG)
# at 0 the first derivative is 0 as torch's (torch's second derivative there is NaN)
add("sinc.zero", "sinc", lambda m, x: m.sinc(x), one(zeros=0.3), tags=("zero",))
add("sinc_", "sinc_", inplace("sinc_", lambda y: y.sinc_()), one())
add("logit", "logit", lambda m, x: m.logit(x), one("unit"), **GG)
add("logit.eps", "logit", lambda m, x: x.logit(eps=0.2), one("unit"), tags=("eps",))
add("logit_", "logit_", inplace("logit_", lambda y: y.logit_(0.1)), one("unit"))
add(
    "nan_to_num",
    "nan_to_num",
    lambda m, x: m.nan_to_num(x),
    one("special"),
    dtypes=FLOATS_INT,
    **NOFD,
)
add(
    "nan_to_num.values",
    "nan_to_num",
    lambda m, x: x.nan_to_num(nan=1.5, posinf=2.0, neginf=-3.0),
    one("special"),
    tags=("method",),
    **NOFD,
)
add(
    "nan_to_num_",
    "nan_to_num_",
    inplace("nan_to_num_", lambda y: y.nan_to_num_(posinf=7.0)),
    one("special"),
    **NOFD,
)

# ---------------------------------------------------------------- NaN-aware reductions
add("nansum", "nansum", lambda m, x: m.nansum(x), one(nan=0.3), dtypes=FLOATS_INT, **NOFD)
add(
    "nansum.dim",
    "nansum",
    lambda m, x, d, k: x.nansum(d, keepdim=k),
    with_dim(nan=0.3),
    tags=("dim",),
    **NOFD,
)
add("nanmean", "nanmean", lambda m, x: m.nanmean(x), one(nan=0.3), **GG, **NOFD)
add(
    "nanmean.dim",
    "nanmean",
    lambda m, x, d, k: x.nanmean(d, keepdim=k),
    with_dim(nan=0.3),
    tags=("dim",),
    **NOFD,
)

# ---------------------------------------------------------------- order statistics
add("median", "median", lambda m, x: m.median(x), one("ties"), dtypes=FLOATS_INT, **GG, **NOFD)
add("median.nan", "median", lambda m, x: x.median(), one(nan=0.2), tags=("nan",), **NOFD)
add(
    "median.dim",
    "median",
    lambda m, x, d, k: m.median(x, d, keepdim=k),
    with_dim("distinct", nan=0.1),
    dtypes=FLOATS_INT,
    tags=("dim",),
    **NOFD,
)
add(
    "median.dim_ties",
    "median",
    lambda m, x, d, k: m.median(x, d, keepdim=k).values,
    with_dim("ties"),
    backward=False,
    tags=("ties",),
)
add("nanmedian", "nanmedian", lambda m, x: m.nanmedian(x), one("ties", nan=0.3), **NOFD)
add(
    "nanmedian.dim",
    "nanmedian",
    lambda m, x, d, k: x.nanmedian(d, k),
    with_dim("distinct", nan=0.3),
    tags=("dim",),
    **NOFD,
)
add(
    "mode",
    "mode",
    lambda m, x, d, k: m.mode(x, d, k),
    with_dim("ties", min_dims=0),
    dtypes=FLOATS_INT,
    **NOFD,
)


@st.composite
def kth_args(draw, domain="distinct"):
    x, d, k = draw(with_dim(domain, min_dims=0))
    n = x.shape[d] if x.ndim else 1
    return x, draw(st.integers(1, n)), d, k


add(
    "kthvalue",
    "kthvalue",
    lambda m, x, k, d, kd: m.kthvalue(x, k, d, kd),
    kth_args(),
    dtypes=FLOATS_INT,
)
add(
    "kthvalue.ties",
    "kthvalue",
    lambda m, x, k, d, kd: x.kthvalue(k, d, kd).values,
    kth_args("ties"),
    backward=False,
    tags=("ties",),
)
add("msort", "msort", lambda m, x: m.msort(x), one(), dtypes=FLOATS_INT)

INTERPOLATION = st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"])


@st.composite
def quantile_args(draw, nan=0.0):
    x = draw(arr(nan=nan))
    dim = draw(st.one_of(st.none(), st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1)))
    qs = draw(st.lists(st.sampled_from([0.0, 0.25, 0.3, 0.5, 0.625, 1.0]), min_size=1))
    q = qs[0] if draw(st.booleans()) else np.array(qs)
    return x, q, dim, draw(st.booleans()), draw(INTERPOLATION)


def _quantile(name):
    def f(m, x, q, dim, keepdim, how):
        return getattr(m, name)(x, q, dim, keepdim, interpolation=how)

    return f


Q = dict(grad=(0,))  # q as a tensor: a constant (torch gives it a zero gradient)
add("quantile", "quantile", _quantile("quantile"), quantile_args(), **Q, **GG)
add(
    "quantile.nan",
    "quantile",
    _quantile("quantile"),
    quantile_args(0.3),
    tags=("nan",),
    **Q,
    **NOFD,
)
add("nanquantile", "nanquantile", _quantile("nanquantile"), quantile_args(0.3), **Q, **NOFD)
add(
    "quantile.method",
    "quantile",
    lambda m, x: x.nanquantile(0.4, dim=-1),
    one(min_dims=1),
    tags=("method",),
)

# ---------------------------------------------------------------- running extremes
add(
    "cummax",
    "cummax",
    lambda m, x, d: m.cummax(x, d),
    with_dim("ties", keepdim=False, min_dims=0),
    dtypes=FLOATS_INT,
    **NOFD,
)
add(
    "cummin.nan",
    "cummin",
    lambda m, x, d: x.cummin(d),
    with_dim("ties", nan=0.2, keepdim=False),
    tags=("nan",),
    **NOFD,
)
add("cummin", "cummin", lambda m, x, d: m.cummin(x, d), with_dim("ties", keepdim=False), **NOFD)
add(
    "logcumsumexp",
    "logcumsumexp",
    lambda m, x, d: m.logcumsumexp(x, d),
    with_dim(keepdim=False, min_dims=0),
    **GG,
)


# ---------------------------------------------------------------- counting and searching
@st.composite
def counts(draw):
    n = draw(st.integers(0, 8))
    rng = np.random.default_rng(draw(SEEDS))
    return rng.integers(0, 6, n), rng.uniform(-1, 1, n), draw(st.integers(0, 8))


add("bincount", "bincount", lambda m, x, w, n: m.bincount(x, minlength=n), counts(), **NONDIFF)
add(
    "bincount.weights",
    "bincount",
    lambda m, x, w, n: x.bincount(w),
    counts(),
    tags=("weights",),
    **NONDIFF,
)


@st.composite
def sorted_and_values(draw, rows=False):
    shp = draw(shapes(1, 3)) if rows else (draw(st.integers(1, 5)),)
    rng = np.random.default_rng(draw(SEEDS))
    seq = np.sort(values(rng, shp, "ties"), -1)
    vshape = shp[:-1] + (draw(st.integers(1, 4)),) if rows else draw(shapes(0, 2))
    return seq, values(rng, vshape, "ties"), draw(st.booleans())


add(
    "bucketize",
    "bucketize",
    lambda m, b, x, right: m.bucketize(x, b, right=right),
    sorted_and_values(),
    dtypes=FLOATS_INT,
    **NONDIFF,
)
add(
    "searchsorted",
    "searchsorted",
    lambda m, s, x, right: m.searchsorted(s, x, side="right" if right else "left"),
    sorted_and_values(rows=True),
    dtypes=FLOATS_INT,
    **NONDIFF,
)
add(
    "searchsorted.1d",
    "searchsorted",
    lambda m, s, x, right: m.searchsorted(s, x, right=right, out_int32=True),
    sorted_and_values(),
    tags=("1d",),
    **NONDIFF,
)
add(
    "isin",
    "isin",
    lambda m, x, t: m.isin(x, t),
    st.tuples(arr("ties"), arr("ties")),
    dtypes=FLOATS_INT,
    **NONDIFF,
)
add(
    "isin.invert",
    "isin",
    lambda m, x, t: m.isin(x, t, invert=True),
    st.tuples(arr("ties"), arr("ties")),
    tags=("invert",),
    **NONDIFF,
)
add(
    "unique_consecutive",
    "unique_consecutive",
    lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True),
    one("ties"),
    dtypes=FLOATS_INT,
    **NONDIFF,
)
add(
    "unique_consecutive.dim",
    "unique_consecutive",
    lambda m, x, d: x.unique_consecutive(return_counts=True, return_inverse=True, dim=d),
    with_dim("ties", keepdim=False),
    dtypes=("int64",),
    tags=("dim",),
    **NONDIFF,
)

# ---------------------------------------------------------------- special functions
# float32 near the poles (0, −1, −2, …) amplifies each library's own rounding: the entries
# that reach them run in float64
add("lgamma", "lgamma", lambda m, x: m.lgamma(x), one("pos"), **GG)
add("lgamma.negative", "lgamma", lambda m, x: x.lgamma(), one(), dtypes=("float64",), **GG)
add("digamma", "digamma", lambda m, x: m.digamma(x), one("pos"))
add("digamma.negative", "digamma", lambda m, x: x.digamma(), one(), dtypes=("float64",))
add("lgamma_", "lgamma_", inplace("lgamma_", lambda y: y.lgamma_()), one("pos"))
add("digamma_", "digamma_", inplace("digamma_", lambda y: y.digamma_()), one("pos"))
