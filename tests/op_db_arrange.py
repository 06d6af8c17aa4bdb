"""OP_DB entries of ops/arrange.py: stacking, splitting, moving dims, selecting, rolling,
diagonals and the products built from them (values, gradients and forward mode vs torch).

Entries flagged ``gradgrad`` cover the rows of their own (roll, rot90, take, masked_select,
unfold, diagonal, diag_embed): their gradients under ``create_graph`` are recorded ops."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_db import FLOATS_INT, SEEDS, add, shapes, values

GG = dict(gradgrad=True)


@st.composite
def one(draw, min_dims=1, max_dims=3, min_side=1, max_side=4, domain="real"):
    shp = draw(shapes(min_dims, max_dims, min_side, max_side))
    return values(np.random.default_rng(draw(SEEDS)), shp, domain)


def single(*args, **kw):
    return one(*args, **kw).map(lambda x: (x,))


@st.composite
def with_dim(draw, min_dims=1, max_dims=3, max_side=4):
    x = draw(one(min_dims, max_dims, max_side=max_side))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


# ---------------------------------------------------------------- stacking
@st.composite
def stackable(draw, min_dims=0, max_dims=3):
    """2-3 arrays of one shape but for a free first axis when 2-D+ (hstack: second)."""
    shp = draw(shapes(min_dims, max_dims, max_side=3))
    rng = np.random.default_rng(draw(SEEDS))
    return tuple(values(rng, shp) for _ in range(draw(st.integers(1, 3))))


add("hstack", "hstack", lambda m, *a: m.hstack(a), stackable(), dtypes=FLOATS_INT)
add("vstack", "vstack", lambda m, *a: m.vstack(list(a)), stackable(), dtypes=FLOATS_INT)
add("row_stack", "row_stack", lambda m, *a: m.row_stack(a), stackable(0, 2))
add("dstack", "dstack", lambda m, *a: m.dstack(a), stackable())
add("column_stack", "column_stack", lambda m, *a: m.column_stack(a), stackable(0, 2))
add("column_stack.3d", "column_stack", lambda m, *a: m.column_stack(a), stackable(3, 3))


# ---------------------------------------------------------------- splitting
@st.composite
def split_args(draw, dim_any=True, min_dims=1):
    x = draw(one(min_dims, 3, max_side=5))
    d = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[d]
    if draw(st.booleans()):
        arg = draw(st.integers(1, n + 2))
    else:
        arg = draw(st.lists(st.integers(-1, n + 1), max_size=3))
    return x, arg, d


add(
    "tensor_split.function",
    "tensor_split",
    lambda m, x, a, d: m.tensor_split(x, a, d),
    split_args(),
    dtypes=FLOATS_INT,
)
add(
    "tensor_split.method",
    "tensor_split",
    lambda m, x, a, d: x.tensor_split(a, dim=d),
    split_args(),
    tags=("method",),
)


@st.composite
def even_split(draw, dim, min_dims):
    x = draw(one(min_dims, max(min_dims, 3), max_side=4))
    n = x.shape[dim if x.ndim > 1 or dim == 0 else 0]
    if draw(st.booleans()):
        return x, draw(st.sampled_from([k for k in range(1, n + 1) if n % k == 0]))
    return x, sorted(draw(st.lists(st.integers(0, n), max_size=3)))


add("hsplit", "hsplit", lambda m, x, a: m.hsplit(x, a), even_split(1, 1))
add("hsplit.method", "hsplit", lambda m, x, a: x.hsplit(a), even_split(1, 1), tags=("method",))
add("vsplit", "vsplit", lambda m, x, a: x.vsplit(a), even_split(0, 2))
add("dsplit", "dsplit", lambda m, x, a: m.dsplit(x, a), even_split(2, 3))


# ---------------------------------------------------------------- moving dims, views
add("fliplr", "fliplr", lambda m, x: m.fliplr(x), single(2), dtypes=FLOATS_INT)
add("flipud", "flipud", lambda m, x: x.flipud(), single(1), tags=("method",))


@st.composite
def movedim_args(draw):
    x = draw(one(1, 4, max_side=3))
    n = x.ndim
    k = draw(st.integers(1, n))
    src = draw(st.permutations(range(n)))[:k]
    dst = draw(st.permutations(range(n)))[:k]
    src = [draw(st.sampled_from([s, s - n])) for s in src]
    if k == 1 and draw(st.booleans()):
        return x, src[0], dst[0]
    return x, tuple(src), list(dst)


add("movedim", "movedim", lambda m, x, s, d: m.movedim(x, s, d), movedim_args(), dtypes=FLOATS_INT)
add("moveaxis.method", "moveaxis", lambda m, x, s, d: x.moveaxis(s, d), movedim_args())
add("ravel", "ravel", lambda m, x: m.ravel(x.transpose(0, -1)), single(1), dtypes=FLOATS_INT)
add("swapdims", "swapdims", lambda m, x, d: x.swapdims(d, 0), with_dim())


@st.composite
def narrow_args(draw, negative_start=True):
    x, d = draw(with_dim())
    n = x.shape[d]
    start = draw(st.integers(-n if negative_start else 0, n))
    return x, d, start, draw(st.integers(0, n - (start + n if start < 0 else start)))


add(
    "narrow", "narrow", lambda m, x, d, s, k: m.narrow(x, d, s, k), narrow_args(), dtypes=FLOATS_INT
)
add(
    "narrow.method",
    "narrow",
    lambda m, x, d, s, k: x.narrow(d, s, k),
    narrow_args(),
    tags=("method",),
)
add(
    "narrow_copy",
    "narrow_copy",
    lambda m, x, d, s, k: x.narrow_copy(d, s, k),
    narrow_args(negative_start=False),  # torch's gradient drops a negative start
)


@st.composite
def select_args(draw):
    x, d = draw(with_dim())
    return x, d, draw(st.integers(-x.shape[d], x.shape[d] - 1))


add("select", "select", lambda m, x, d, i: m.select(x, d, i), select_args(), dtypes=FLOATS_INT)
add("select.method", "select", lambda m, x, d, i: x.select(d, i), select_args(), tags=("method",))


# ---------------------------------------------------------------- repeating, rolling
@st.composite
def tile_args(draw):
    x = draw(one(0, 3, max_side=3))
    return x, tuple(draw(st.lists(st.integers(0, 3), min_size=1, max_size=4)))


add("tile", "tile", lambda m, x, r: m.tile(x, r), tile_args(), dtypes=FLOATS_INT)
add("tile.method", "tile", lambda m, x, r: x.tile(*r), tile_args(), tags=("method",))


@st.composite
def repeat_interleave_args(draw, tensor_repeats):
    x = draw(one(0, 3, max_side=3))
    dim = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1))) if x.ndim else None
    n = x.size if dim is None else (x.shape[dim] if x.ndim else 1)
    if not tensor_repeats:
        return x, draw(st.integers(0, 3)), dim
    rng = np.random.default_rng(draw(SEEDS))
    size = draw(st.sampled_from([1, n]))
    return x, rng.integers(0, 3, size).astype(np.int64), dim


add(
    "repeat_interleave.int",
    "repeat_interleave",
    lambda m, x, r, d: m.repeat_interleave(x, r, dim=d),
    repeat_interleave_args(False),
    dtypes=FLOATS_INT,
)
add(
    "repeat_interleave.tensor",
    "repeat_interleave",
    lambda m, x, r, d: x.repeat_interleave(r, d),
    repeat_interleave_args(True),
    tags=("method", "tensor"),
)


@st.composite
def roll_args(draw):
    x = draw(one(0, 3))
    if not x.ndim or draw(st.booleans()):
        return x, draw(st.integers(-9, 9)), None
    dims = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=3))
    shifts = draw(st.lists(st.integers(-9, 9), min_size=len(dims), max_size=len(dims)))
    if len(dims) == 1 and draw(st.booleans()):
        return x, shifts[0], dims[0]
    return x, tuple(shifts), tuple(dims)


add("roll", "roll", lambda m, x, s, d: m.roll(x, s, d), roll_args(), dtypes=FLOATS_INT, **GG)
add("roll.method", "roll", lambda m, x, s, d: x.roll(s, d), roll_args(), tags=("method",))


@st.composite
def rot90_args(draw):
    x = draw(one(2, 4, max_side=3))
    d0, d1 = draw(st.permutations(range(x.ndim)))[:2]
    return x, draw(st.integers(-5, 5)), (d0, d1 - x.ndim * draw(st.integers(0, 1)))


add("rot90", "rot90", lambda m, x, k, d: m.rot90(x, k, d), rot90_args(), dtypes=FLOATS_INT, **GG)
add("rot90.method", "rot90", lambda m, x, k, d: x.rot90(k, d), rot90_args(), tags=("method",))


@st.composite
def diff_args(draw):
    x, d = draw(with_dim())
    rng = np.random.default_rng(draw(SEEDS))
    ends = []
    for _ in range(2):
        shp = list(x.shape)
        shp[d] = draw(st.integers(1, 2))
        ends.append(values(rng, shp) if draw(st.booleans()) else None)
    return x, draw(st.integers(0, 3)), d, ends[0], ends[1]


add(
    "diff",
    "diff",
    lambda m, x, n, d, p, a: m.diff(x, n, d, p, a),
    diff_args(),
    dtypes=FLOATS_INT,
)
add("diff.method", "diff", lambda m, x, n, d, p, a: x.diff(n, d), diff_args(), tags=("method",))


# ---------------------------------------------------------------- diagonals
@st.composite
def diagonal_args(draw, extra_dim):
    x = draw(one(2 - extra_dim, 4 - extra_dim, max_side=3))
    n = x.ndim + extra_dim
    d1, d2 = draw(st.permutations(range(n)))[:2]
    return x, draw(st.integers(-3, 3)), d1 - n * draw(st.integers(0, 1)), d2


add(
    "diagonal",
    "diagonal",
    lambda m, x, o, a, b: m.diagonal(x, o, a, b),
    diagonal_args(0),
    dtypes=FLOATS_INT,
    **GG,
)
add(
    "diagonal.method",
    "diagonal",
    lambda m, x, o, a, b: x.diagonal(offset=o, dim1=a, dim2=b),
    diagonal_args(0),
    tags=("method",),
)
add(
    "diag_embed",
    "diag_embed",
    lambda m, x, o, a, b: m.diag_embed(x, o, a, b),
    diagonal_args(1),
    dtypes=FLOATS_INT,
    **GG,
)
add("diag_embed.default", "diag_embed", lambda m, x: x.diag_embed(), single(1), tags=("method",))


# ---------------------------------------------------------------- selections
@st.composite
def take_args(draw):
    x = draw(one(0, 3))
    rng = np.random.default_rng(draw(SEEDS))
    shp = draw(shapes(0, 2))
    return x, rng.integers(-x.size, x.size, shp).astype(np.int64)


add("take", "take", lambda m, x, i: m.take(x, i), take_args(), dtypes=FLOATS_INT, **GG)
add("take.method", "take", lambda m, x, i: x.take(i), take_args(), tags=("method",))


@st.composite
def masked_select_args(draw):
    bs = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, bs.input_shapes[0]), np.asarray(rng.random(bs.input_shapes[1]) < 0.5)


add(
    "masked_select",
    "masked_select",
    lambda m, x, k: m.masked_select(x, k),
    masked_select_args(),
    dtypes=FLOATS_INT,
    **GG,
)
add(
    "masked_select.method",
    "masked_select",
    lambda m, x, k: x.masked_select(k),
    masked_select_args(),
    tags=("method",),
)


@st.composite
def unfold_args(draw):
    x, d = draw(with_dim(max_side=5))
    size = draw(st.integers(0, x.shape[d]))
    return x, d, size, draw(st.integers(1, 3))


add(
    "unfold",
    "unfold",
    lambda m, x, d, s, k: x.unfold(d, s, k),
    unfold_args(),
    dtypes=FLOATS_INT,
    **GG,
)


@st.composite
def vectors(draw, k_max=3):
    rng = np.random.default_rng(draw(SEEDS))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=k_max))
    return tuple(values(rng, (n,)) for n in sizes)


add(
    "cartesian_prod",
    "cartesian_prod",
    lambda m, *a: m.cartesian_prod(*a),
    vectors(),
    dtypes=FLOATS_INT,
)


@st.composite
def broadcastable(draw):
    k = draw(st.integers(1, 3))
    bs = draw(hnp.mutually_broadcastable_shapes(num_shapes=k, max_dims=3, max_side=3))
    rng = np.random.default_rng(draw(SEEDS))
    return tuple(values(rng, s) for s in bs.input_shapes)


add(
    "broadcast_tensors",
    "broadcast_tensors",
    lambda m, *a: m.broadcast_tensors(*a),
    broadcastable(),
    dtypes=FLOATS_INT,
)
add("atleast_1d", "atleast_1d", lambda m, *a: m.atleast_1d(*a), broadcastable())
add("atleast_2d", "atleast_2d", lambda m, *a: m.atleast_2d(a), broadcastable())
add("atleast_3d", "atleast_3d", lambda m, *a: m.atleast_3d(*a), broadcastable())


# ---------------------------------------------------------------- products and sums
@st.composite
def kron_args(draw):
    rng = np.random.default_rng(draw(SEEDS))
    return tuple(values(rng, draw(shapes(0, 3, max_side=3))) for _ in range(2))


add("kron", "kron", lambda m, a, b: m.kron(a, b), kron_args(), dtypes=FLOATS_INT, gradgrad=True)
add("kron.method", "kron", lambda m, a, b: a.kron(b), kron_args(), tags=("method",))


@st.composite
def tensordot_args(draw):
    """(a, b, dims): an int, or two lists of paired dims (in any order, maybe negative)."""
    k = draw(st.integers(0, 2))
    shared = draw(shapes(k, k, max_side=3))
    fa, fb = draw(shapes(0, 2, max_side=3)), draw(shapes(0, 2, max_side=3))
    rng = np.random.default_rng(draw(SEEDS))
    if draw(st.booleans()):
        return values(rng, fa + shared), values(rng, shared + fb), k
    pa = draw(st.permutations(range(len(fa) + k)))
    pb = draw(st.permutations(range(len(fb) + k)))
    a = np.transpose(values(rng, fa + shared), pa)  # dim j of a is dim pa[j] before
    b = np.transpose(values(rng, shared + fb), pb)
    da = [pa.index(len(fa) + i) for i in range(k)]  # where each shared dim went
    db = [pb.index(i) - (len(fb) + k) * draw(st.integers(0, 1)) for i in range(k)]
    return a, b, (da, db)


add(
    "tensordot",
    "tensordot",
    lambda m, a, b, d: m.tensordot(a, b, d),
    tensordot_args(),
    dtypes=FLOATS_INT,
    gradgrad=True,
)


@st.composite
def inner_args(draw):
    n = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(SEEDS))
    sa, sb = (draw(shapes(0, 2, max_side=3)) + (n,) for _ in range(2))
    if draw(st.booleans()):
        sa = ()
    return values(rng, sa), values(rng, sb)


add("inner", "inner", lambda m, a, b: m.inner(a, b), inner_args(), dtypes=FLOATS_INT, gradgrad=True)
add("inner.method", "inner", lambda m, a, b: a.inner(b), inner_args(), tags=("method",))


@st.composite
def two_vectors(draw):
    n = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(SEEDS))
    return values(rng, (n,)), values(rng, (n,))


add("vdot", "vdot", lambda m, a, b: m.vdot(a, b), two_vectors(), dtypes=FLOATS_INT, gradgrad=True)
add("vdot.method", "vdot", lambda m, a, b: a.vdot(b), two_vectors(), tags=("method",))


@st.composite
def vander_args(draw):
    x = draw(one(1, 1))
    return x, draw(st.one_of(st.none(), st.integers(0, 5))), draw(st.booleans())


# torch 2.13's own vander gradient fails (an in-place cumprod on a saved view): values
# here, gradients by finite differences in tests/ops/arrange_api.py
add(
    "vander",
    "vander",
    lambda m, x, n, inc: m.vander(x, n, inc),
    vander_args(),
    dtypes=FLOATS_INT,
    backward=False,
)


@st.composite
def trapezoid_args(draw, kind):
    y, d = draw(with_dim())
    rng = np.random.default_rng(draw(SEEDS))
    if kind == "dx":
        return y, None, draw(st.sampled_from([None, 0.5, 2.0])), d
    if kind == "x1d":  # sample points along dim, increasing
        return y, np.cumsum(rng.uniform(0.1, 1.0, y.shape[d])), None, d
    return y, values(rng, y.shape), None, d


def _integrate(fn):
    def call(m, y, x, dx, d):
        if x is not None:
            return getattr(m, fn)(y, x, dim=d)
        return getattr(m, fn)(y, dim=d) if dx is None else getattr(m, fn)(y, dx=dx, dim=d)

    return call


for kind in ("dx", "x1d", "xnd"):
    for fn in ("trapezoid", "cumulative_trapezoid"):
        add(f"{fn}.{kind}", fn, _integrate(fn), trapezoid_args(kind), tags=(kind,))
add("trapz", "trapz", _integrate("trapz"), trapezoid_args("x1d"))
add("trapz.dx", "trapz", _integrate("trapz"), trapezoid_args("dx"), tags=("dx",))
