"""OP_DB entries for linear algebra: torch.linalg and the matching top-level functions.

Inputs are well conditioned by construction (a dominant identity part, or a chosen
spectrum with gaps of at least 0.3), so values and gradients agree with torch to float64
rounding.  Outputs defined only up to sign (eigenvectors, singular vectors) are compared
after fixing the sign of each vector by its first component.
"""

import warnings

import numpy as np
from hypothesis import strategies as st
from op_db import GG, SEEDS, add

# symmetric inputs: finite differences of single entries leave the symmetric matrices (the
# formulas, as torch's, differentiate within them), so no gradcheck here; tests/linalg_api.py
# runs gradcheck on the symmetrised functions instead
SYM = dict(gradcheck=False)

INF = float("inf")
SIDES = st.integers(1, 4)
BATCHES = st.sampled_from([(), (2,)])


def _orthogonal(rng, batch, n):
    q, r = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def _spectrum(rng, k, low):
    """k values low, low + 0.5, ... (shuffled, jittered by < 0.1): gaps of at least 0.4."""
    return low + 0.5 * rng.permutation(k) + rng.uniform(0.0, 0.1, k)


@st.composite
def square(draw, kind="general", extra=()):
    """A batch of n x n matrices: 'general' (I·2 + noise/2, invertible), 'spd' (symmetric
    positive definite), 'sym' (symmetric, distinct eigenvalues of both signs), 'indefinite'
    (symmetric, eigenvalues of both signs with |λ| in [1, 3]); then arrays
    of the batch shape + each shape in ``extra`` (n stands for the side)."""
    n, batch = draw(SIDES), draw(BATCHES)
    rng = np.random.default_rng(draw(SEEDS))
    if kind == "general":
        a = 2 * np.eye(n) + 0.5 * rng.standard_normal((*batch, n, n))
    else:
        q = _orthogonal(rng, batch, n)
        w = _spectrum(rng, n, 0.5 if kind == "spd" else -1.25)  # |λ| ≥ 0.15
        if kind == "indefinite":  # |λ| in [1, 3], either sign
            w = _spectrum(rng, n, 1.0) * rng.choice([-1.0, 1.0], n)
        a = (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)
    more = [rng.standard_normal((*batch, *(n if s == "n" else s for s in shp))) for shp in extra]
    return (a, *more)


@st.composite
def rectangular(draw, tall=None, rhs=False):
    """A batch of m x n matrices U diag(s) Vᵀ with distinct singular values in [1, 3]
    (``tall``: m ≥ n, or m ≤ n when False; ``rhs``: and a batch of m x 2 matrices)."""
    m, n, batch = draw(SIDES), draw(SIDES), draw(BATCHES)
    if tall is not None and (m < n) == tall and m != n:
        m, n = n, m
    rng = np.random.default_rng(draw(SEEDS))
    k = min(m, n)
    u, v = _orthogonal(rng, batch, m)[..., :k], _orthogonal(rng, batch, n)[..., :k]
    s = _spectrum(rng, k, 1.0)
    a = (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)
    return (a, rng.standard_normal((*batch, m, 2))) if rhs else (a,)


@st.composite
def plain(draw, *shapes):
    """Gaussian arrays of the given shapes (strings name drawn sides)."""
    sides = {c: draw(SIDES) for c in "kmnp"}
    rng = np.random.default_rng(draw(SEEDS))
    return tuple(rng.standard_normal(tuple(sides.get(d, d) for d in shp)) for shp in shapes)


def with_choice(inputs, choices):
    """The items of ``inputs`` and one of ``choices``."""
    return inputs.flatmap(lambda t: st.tuples(*map(st.just, t), st.sampled_from(choices)))


def _quiet(fn, *args):
    """fn(*args) without its deprecation warning (torch.cholesky, torch.qr)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args)


def _signed(v):
    """Columns of v with their first component made positive."""
    return v * v[..., :1, :].sign()


def _svd_fixed(u, s, vh):
    d = u[..., :1, :].sign()
    return u * d, s, vh * d.mT


# ---------------------------------------------------------------- det, inv, solve, cholesky
add("linalg.det", "linalg.det", lambda m, a: m.linalg.det(a), square(), **GG)
add("det.function", "det", lambda m, a: m.det(a), square(), tags=("function",), **GG)
add("det.method", "det", lambda m, a: a.det(), square(), tags=("method",))
add(  # sign and logabsdet (torch's sign tangent is a ZeroTensor: values and gradients here)
    "linalg.slogdet",
    "linalg.slogdet",
    lambda m, a: tuple(m.linalg.slogdet(a)),
    square(),
    backward=False,
)
add(
    "linalg.slogdet.logabsdet",
    "linalg.slogdet",
    lambda m, a: m.linalg.slogdet(a).logabsdet,
    square(),
    tags=("logabsdet",),
    **GG,
)
add("slogdet.function", "slogdet", lambda m, a: m.slogdet(a).logabsdet, square())
add("logdet.function", "logdet", lambda m, a: m.logdet(a), square("spd"), **GG)
add("logdet.method", "logdet", lambda m, a: a.logdet(), square("spd"), tags=("method",))
add("linalg.inv", "linalg.inv", lambda m, a: m.linalg.inv(a), square(), **GG)
add("inverse.function", "inverse", lambda m, a: m.inverse(a), square())
add("inverse.method", "inverse", lambda m, a: a.inverse(), square(), tags=("method",))
add(
    "linalg.solve",
    "linalg.solve",
    lambda m, a, b: m.linalg.solve(a, b),
    square(extra=[("n", 2)]),
    **GG,
)
add(
    "linalg.solve.vector",
    "linalg.solve",
    lambda m, a, b: m.linalg.solve(a, b),
    square(extra=[("n",)]),
    tags=("vector",),
    **GG,
)
add(
    "linalg.solve.broadcast",
    "linalg.solve",
    lambda m, a, b: m.linalg.solve(a, b[0] if b.ndim == 3 else b),
    square(extra=[("n", 3)]),
    tags=("broadcast",),
)
add(
    "linalg.solve.right",
    "linalg.solve",
    lambda m, a, b: m.linalg.solve(a, b.mT, left=False),
    square(extra=[("n", 2)]),
    tags=("left",),
    **GG,
)
add(
    "linalg.cholesky",
    "linalg.cholesky",
    lambda m, a: m.linalg.cholesky(a),
    square("spd"),
    **GG,
    **SYM,
)
add(
    "linalg.cholesky.upper",
    "linalg.cholesky",
    lambda m, a: m.linalg.cholesky(a, upper=True),
    square("spd"),
    tags=("upper",),
    **SYM,
)
add(
    "cholesky.method",
    "cholesky",
    lambda m, a: _quiet(a.cholesky),
    square("spd"),
    tags=("method",),
    **SYM,
)

# ---------------------------------------------------------------- norms (the orders where
# torch's second derivative is a ZeroTensor are checked to first order only)
add(
    "linalg.vector_norm",
    "linalg.vector_norm",
    lambda m, x, o: m.linalg.vector_norm(x, o),
    with_choice(plain(("m", "n")), [2, 3, 0.5]),
    **GG,
)
add(
    "linalg.vector_norm.piecewise",
    "linalg.vector_norm",
    lambda m, x, o: m.linalg.vector_norm(x, o, dim=(0, -1), keepdim=True),
    with_choice(plain((2, "m", "n")), [1, INF, -INF]),
    tags=("piecewise", "dim"),
)
add(  # torch's gradient of the 0-"norm" is None (not zeros): values only
    "linalg.vector_norm.zero",
    "linalg.vector_norm",
    lambda m, x: m.linalg.vector_norm(x, 0),
    plain(("m", "n")),
    backward=False,
    tags=("zero",),
)
add(
    "linalg.matrix_norm",
    "linalg.matrix_norm",
    lambda m, a, o: m.linalg.matrix_norm(a, o),
    with_choice(rectangular(), ["fro", "nuc", 2, -2]),
    **GG,
)
add(
    "linalg.matrix_norm.piecewise",
    "linalg.matrix_norm",
    lambda m, a, o: m.linalg.matrix_norm(a, o),
    with_choice(rectangular(), [1, -1, INF, -INF]),
    tags=("piecewise",),
)
add(
    "linalg.matrix_norm.dim",
    "linalg.matrix_norm",
    lambda m, a, o: m.linalg.matrix_norm(a.unsqueeze(0), o, dim=(-1, 0), keepdim=True),
    with_choice(rectangular(), ["nuc", 2, 1, INF]),
    tags=("dim",),
)
add("linalg.norm", "linalg.norm", lambda m, x: m.linalg.norm(x), plain(("m", "n", "k")))
add(
    "linalg.norm.matrix",
    "linalg.norm",
    lambda m, a: m.linalg.norm(a, "nuc", (-2, -1)),
    rectangular(),
    tags=("matrix",),
)
add(
    "norm.nuc",
    "norm",
    lambda m, a: m.norm(a.reshape(-1, a.shape[-1]), p="nuc"),
    rectangular(),
    tags=("nuc",),
    **GG,
)

# ---------------------------------------------------------------- cross, powers, products
add(
    "linalg.cross",
    "linalg.cross",
    lambda m, a, b: m.linalg.cross(a, b),
    plain(("k", 3), (1, 3)),
    **GG,
)
add("cross.function", "cross", lambda m, a, b: m.cross(a, b, dim=0), plain((3, "k"), (3, "k")))
add(
    "cross.method",
    "cross",
    lambda m, a, b: a.cross(b, dim=-1),
    plain((3,), (3,)),
    tags=("method",),
)
add(
    "linalg.matrix_power",
    "linalg.matrix_power",
    lambda m, a, k: m.linalg.matrix_power(a * 0.5, k),
    with_choice(square(), [0, 1, 2, 3, 5, -1, -2]),
    **GG,
)
add(
    "matrix_power.method",
    "matrix_power",
    lambda m, a: a.matrix_power(3),
    square(),
    tags=("method",),
)
add(
    "linalg.multi_dot",
    "linalg.multi_dot",
    lambda m, a, b, c, d: m.linalg.multi_dot([a, b, c, d]),
    plain(("m",), ("m", "n"), ("n", "k"), ("k", "p")),
    **GG,
)
add(
    "baddbmm.function",
    "baddbmm",
    lambda m, i, a, b: m.baddbmm(i, a, b, beta=0.5, alpha=2.0),
    plain(("m", 1), (2, "m", "k"), (2, "k", "n")),
    **GG,
)
add(
    "baddbmm.method",
    "baddbmm",
    lambda m, i, a, b: i.baddbmm(a, b),
    plain((2, "m", "n"), (2, "m", "k"), (2, "k", "n")),
    tags=("method",),
)

# ---------------------------------------------------------------- qr, eigh, svd
add("linalg.qr", "linalg.qr", lambda m, a: tuple(m.linalg.qr(a)), rectangular(), **GG)
add(
    "linalg.qr.complete",
    "linalg.qr",
    lambda m, a: tuple(m.linalg.qr(a, mode="complete")),
    rectangular(tall=False),
    tags=("complete",),
)
add("qr.function", "qr", lambda m, a: tuple(_quiet(m.qr, a)), rectangular(), tags=("function",))
add(
    "linalg.eigh",
    "linalg.eigh",
    lambda m, a: (lambda w, v: (w, _signed(v)))(*m.linalg.eigh(a)),
    square("sym"),
    **GG,
    **SYM,
)
add(
    "linalg.eigh.upper",
    "linalg.eigh",
    lambda m, a: (lambda w, v: (w, _signed(v)))(*m.linalg.eigh(a.triu(), UPLO="U")),
    square("sym"),
    tags=("upper",),
    **SYM,
)
add(
    "linalg.eigvalsh",
    "linalg.eigvalsh",
    lambda m, a: m.linalg.eigvalsh(a),
    square("sym"),
    **GG,
    **SYM,
)
add(
    "linalg.svd",
    "linalg.svd",
    lambda m, a: _svd_fixed(*m.linalg.svd(a, full_matrices=False)),
    rectangular(),
    **GG,
)
add(
    "linalg.svd.full",
    "linalg.svd",
    lambda m, a: (lambda u, s, vh: _svd_fixed(u[..., : s.shape[-1]], s, vh[..., : s.shape[-1], :]))(
        *m.linalg.svd(a)
    ),
    rectangular(),
    tags=("full",),
)
add("linalg.svdvals", "linalg.svdvals", lambda m, a: m.linalg.svdvals(a), rectangular(), **GG)
add(
    "svd.function",
    "svd",
    lambda m, a: (lambda u, s, v: (u * u[..., :1, :].sign(), s, v * u[..., :1, :].sign()))(
        *m.svd(a)
    ),
    rectangular(),
    tags=("function",),
)

# ---------------------------------------------------------------- pinv, rank, lstsq
add("linalg.pinv", "linalg.pinv", lambda m, a: m.linalg.pinv(a), rectangular(), **GG)
add(
    "linalg.pinv.hermitian",
    "linalg.pinv",
    lambda m, a: m.linalg.pinv(a, hermitian=True),
    square("indefinite"),
    tags=("hermitian",),
)
add("pinverse.method", "pinverse", lambda m, a: a.pinverse(), rectangular(), tags=("method",))
add(
    "linalg.matrix_rank",
    "linalg.matrix_rank",
    lambda m, a: m.linalg.matrix_rank(a),
    rectangular(),
    differentiable=False,
)
add(
    "linalg.lstsq",
    "linalg.lstsq",
    lambda m, a, b: m.linalg.lstsq(a, b).solution,
    rectangular(tall=True, rhs=True),
    **GG,
)
add(
    "linalg.solve_triangular",
    "linalg.solve_triangular",
    lambda m, a, b, up, left, unit: m.linalg.solve_triangular(
        a, b if left else b.mT, upper=up, left=left, unitriangular=unit
    ),
    square(extra=[("n", "n")]).flatmap(
        lambda t: st.tuples(*map(st.just, t), st.booleans(), st.booleans(), st.booleans())
    ),
    **GG,
)

# ---------------------------------------------------------------- distances
add(
    "cdist.function",
    "cdist",
    lambda m, a, b, p: m.cdist(a, b, p),
    with_choice(plain((2, "m", "k"), (2, "n", "k")), [2.0, 1.0, 3.0, INF]),
)
add(
    "dist.function",
    "dist",
    lambda m, a, b, p: m.dist(a, b, p),
    with_choice(plain(("m", "k"), ("k",)), [2, 3]),
    **GG,
)
add(
    "dist.piecewise",
    "dist",
    lambda m, a, b, p: m.dist(a, b, p),
    with_choice(plain(("m", "k"), ("k",)), [1, INF]),
    tags=("piecewise",),
)
add(
    "dist.method",
    "dist",
    lambda m, a, b: a.dist(b),
    plain(("m", "k"), ("m", "k")),
    tags=("method",),
)
add(
    "linalg.vecdot",
    "linalg.vecdot",
    lambda m, a, b: m.linalg.vecdot(a, b, dim=0),
    plain(("k", "m"), ("k", 1)),
    **GG,
)
add(
    "linalg.diagonal",
    "linalg.diagonal",
    lambda m, a: m.linalg.diagonal(a, offset=1),
    plain((2, "m", "n")),
)
add(
    "linalg.matrix_exp",
    "linalg.matrix_exp",
    lambda m, a, k: m.linalg.matrix_exp(a * k),
    with_choice(plain((2, "m", "m")), [0.3, 1.0, 2.0]),
    **GG,
)
add(
    "matrix_exp.method",
    "matrix_exp",
    lambda m, a: a.matrix_exp(),
    plain(("m", "m")),
    tags=("method",),
)
