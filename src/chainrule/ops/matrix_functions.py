"""Linear-algebra functions composed from the decomposition rows (ops/decompositions.py)
and existing ops: vector and matrix norms, cross, matrix_power, multi_dot, pinv,
matrix_rank, lstsq, solve_triangular, cdist, dist, baddbmm and PyTorch's older top-level
spellings (logdet, inverse, cholesky, qr, svd); plus the matrix exponential's row.

Apart from matrix_exp they add no rows: their gradients, gradients of gradients and
tangents are those of the ops they are written with.
"""

import warnings

import numpy as np

from .._shape import normalize_dim
from .._tensor import Tensor, wrap
from . import decompositions as D
from . import elementwise as E
from . import reduce as R
from . import shape as S
from ._registry import OpDef, apply
from ._xp import tensor_xp
from .index import index_select
from .linalg import bmm, matmul

__all__ = [
    "logdet",
    "inverse",
    "cholesky",
    "qr",
    "svd",
    "matrix_exp",
    "cross",
    "matrix_power",
    "pinverse",
    "cdist",
    "dist",
    "baddbmm",
]

_INF = float("inf")
QRResult = D.return_type("qr", ("Q", "R"))
SVDResult = D.return_type("svd", ("U", "S", "V"))


def _float(name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): expected a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got {x.dtype}"
        )


# ---------------------------------------------------------------- norms
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """‖x‖_ord = (Σ |xᵢ|^ord)^(1/ord) over ``dim`` (all dims when None); ord = inf: max |xᵢ|,
    -inf: min |xᵢ|, 0: the number of nonzero elements."""
    if dtype is not None:
        x = x.to(dtype)
    _float("linalg.vector_norm", x)
    if isinstance(dim, int):
        dim = (dim,)
    if ord == 2:
        return R.norm(x, 2, dim, keepdim)
    a = x.abs()
    if ord == _INF:
        return R.amax(a, () if dim is None else dim, keepdim)
    if ord == -_INF:
        return R.amin(a, () if dim is None else dim, keepdim)
    if ord == 0:
        return R.sum((x != 0).to(x.dtype) + x * 0, dim, keepdim)  # gradient 0, as torch
    if ord == 1:
        return R.sum(a, dim, keepdim)
    return R.sum(a**ord, dim, keepdim) ** (1.0 / ord)


def _to_last_two(A, d0, d1):
    """A with dims d0, d1 moved to the end (in that order)."""
    rest = [d for d in range(A.ndim) if d not in (d0, d1)]
    return S.permute(A, (*rest, d0, d1))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Matrix norm over the two dims ``dim``: 'fro' (√Σ aᵢⱼ²), 'nuc' (Σ σᵢ), 2 / -2
    (largest / smallest σᵢ), 1 / -1 (max / min column sum of |aᵢⱼ|), inf / -inf (max / min
    row sum of |aᵢⱼ|)."""
    if dtype is not None:
        A = A.to(dtype)
    _float("linalg.matrix_norm", A)
    if A.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got "
            f"shape {list(A.shape)}"
        )
    d0, d1 = (normalize_dim(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if ord == "fro":
        return R.norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = D.svdvals(_to_last_two(A, d0, d1))
        out = R.sum(s, -1) if ord == "nuc" else R.amax(s, -1) if ord == 2 else R.amin(s, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    if ord not in (1, -1, _INF, -_INF):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    summed, reduced = (d0, d1) if ord in (1, -1) else (d1, d0)
    sums = R.sum(A.abs(), summed, True)
    out = (R.amax if ord > 0 else R.amin)(sums, reduced, True)
    return out if keepdim else out.squeeze(max(d0, d1)).squeeze(min(d0, d1))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``vector_norm`` or ``matrix_norm`` chosen as torch.linalg.norm does: a 2-tuple
    ``dim`` (or a 2-D input with ``ord`` and no ``dim``) is a matrix norm; no ``ord`` and
    no ``dim`` is the 2-norm of the flattened input."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and ord is not None:
        if A.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if A.ndim != 1:
            raise RuntimeError(
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                f"2D. Got {A.ndim}D."
            )
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: ord='{ord}' needs a matrix: pass a 2-tuple dim")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------- products and powers
def vecdot(x, y, *, dim=-1):
    """The dot product of the vectors along ``dim``: Σᵢ xᵢ yᵢ (inputs broadcast)."""
    return R.sum(x * y, dim)


def _cross(name, input, other, dim):
    if input.ndim != other.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    d = normalize_dim(dim, len(shape), name)
    if (
        input.shape[d - len(shape) + input.ndim] != 3
        or other.shape[d - len(shape) + other.ndim] != 3
    ):
        raise RuntimeError(
            f"{name}: inputs dimension {dim} must have length 3. Got "
            f"{input.shape[d - len(shape) + input.ndim]} and "
            f"{other.shape[d - len(shape) + other.ndim]}"
        )
    a, b = input.expand(*shape), other.expand(*shape)
    nxt, prv = wrap(np.array([1, 2, 0])), wrap(np.array([2, 0, 1]))
    # (a × b)ᵢ = a_{i+1} b_{i+2} − a_{i+2} b_{i+1}
    return index_select(a, d, nxt) * index_select(b, d, prv) - index_select(
        a, d, prv
    ) * index_select(b, d, nxt)


def linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (inputs broadcast)."""
    return _cross("linalg.cross", input, other, dim)


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (default: the first dim of size 3)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return _cross("cross", input, other, dim)


def matrix_power(A, n):
    """Aⁿ for an integer n by repeated squaring (n < 0: (A⁻¹)^|n|, n = 0: the identity)."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, got shape {list(A.shape)}"
        )
    if n == 0:
        eye = np.eye(A.shape[-1], dtype=A._data.dtype)
        return A * 0 + wrap(eye)  # zero gradient
    z = D.inv(A) if n < 0 else A
    n, result = abs(n), None
    while n:
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
        if n:
            z = matmul(z, z)
    return result.clone() if result is A else result


def multi_dot(tensors):
    """The product of a chain of matrices; the first may be a row vector, the last a
    column vector (1-D)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = list(tensors)
    if first:
        mats[0] = mats[0].unsqueeze(0)
    if last:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i, m in enumerate(mats):
        if m.ndim != 2:
            raise RuntimeError(
                f"multi_dot(): tensor {i} must be 2D (1D allowed first and last) but got "
                f"{tensors[i].ndim}D"
            )
    out = mats[0]
    for m in mats[1:]:
        out = matmul(out, m)
    if last:
        out = out.squeeze(-1)
    return out.squeeze(0) if first else out


# ---------------------------------------------------------------- pseudo-inverse, rank
def _cutoff(s, atol, rtol, m, n):
    """The singular values kept: σ > max(atol, rtol · σ_max) (rtol defaults to
    eps · max(m, n) when neither tolerance is given)."""
    if rtol is None:
        rtol = np.finfo(s.dtype).eps * max(m, n) if atol is None or atol <= 0 else 0.0
    tol = np.maximum(0.0 if atol is None else atol, rtol * np.max(s, -1, keepdims=True))
    return s > tol


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse A⁺ = V diag(1/σ) Uᵀ over the singular values above
    the cutoff; ``hermitian=True`` only requires A square (the SVD gives the gradient in
    every direction, as PyTorch's, not only the symmetric ones)."""
    m, n = D.matrix_sizes("linalg.pinv", A, square=hermitian)
    u, s, vh = D.linalg_svd(A, full_matrices=False)
    keep = wrap(_cutoff(s._data, atol, rtol, m, n))
    inv_s = E.where(keep, 1 / E.where(keep, s, 1.0), 0.0)
    return matmul(vh.mT * inv_s.unsqueeze(-2), u.mT)


def pinverse(input, rcond=1e-15):
    """The pseudo-inverse with singular values below rcond · σ_max dropped."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values above the cutoff (see ``pinv``), as int64."""
    m, n = D.matrix_sizes("linalg.matrix_rank", A, square=hermitian)
    a = A._data
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    return wrap(np.sum(_cutoff(s, atol, rtol, m, n), -1).astype(np.int64))


LstsqResult = D.return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution X = argmin ‖A X − B‖ (= A⁺ B), with ``residuals`` (the
    squared residual norms; drivers other than the default 'gelsy', m > n, full rank),
    ``rank`` (not for 'gels') and ``singular_values`` ('gelsd', 'gelss')."""
    m, n = D.matrix_sizes("linalg.lstsq", A, square=False)
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(
            f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, "
            f"gelss), got {driver}"
        )
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.shape[-2] != m:
        raise RuntimeError(
            f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), got {m} and "
            f"{rhs.shape[-2]}"
        )
    solution = matmul(pinv(A, rtol=rcond), rhs)
    empty = wrap(np.empty((0,), A._data.dtype))
    rank = matrix_rank(A, rtol=rcond) if driver != "gels" else wrap(np.empty((0,), np.int64))
    residuals = empty
    if driver != "gelsy" and m > n and bool((rank._data == n).all() if rank.numel() else True):
        residuals = R.sum((matmul(A, solution) - rhs) ** 2, -2)
    singular = D.svdvals(A).detach() if driver in ("gelsd", "gelss") else empty
    if vector:
        solution = solution.squeeze(-1)
        residuals = residuals.squeeze(-1) if residuals.ndim > 1 else residuals
    return LstsqResult(solution, residuals, rank, singular)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """The solution X of T X = B (``left=False``: X T = B) where T is the upper or lower
    triangle of A (with ones on the diagonal when ``unitriangular``)."""
    D.matrix_sizes("linalg.solve_triangular", A)
    t = A.triu() if upper else A.tril()
    if unitriangular:
        eye = wrap(np.eye(A.shape[-1], dtype=A._data.dtype))
        t = t - t * eye + eye
    return D.solve(t, B, left=left)


# ---------------------------------------------------------------- matrix exponential
def _expm(xp, a):
    """e^A by scaling and squaring: the Taylor series to degree 14 of X = A / 2ˢ with
    ‖X‖₁ ≤ 1/2 (remainder < 1e-16 relative), squared s times."""
    norm = float(xp.amax(xp.sum(xp.abs(a), -2))) if a.size else 0.0
    s = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0 else 0
    x = a / 2.0**s
    term = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    out = term
    for k in range(1, 15):
        term = (term @ x) / k
        out = out + term
    for _ in range(s):
        out = out @ out
    return out


def _block_exp(xp, diag, corner):
    """The upper-right block of exp([[D, C], [0, D]]): the derivative of e^D along C."""
    n = diag.shape[-1]
    top = S.cat([diag, corner], -1) if xp is tensor_xp else xp.concatenate([diag, corner], -1)
    low = [corner * 0, diag]
    low = S.cat(low, -1) if xp is tensor_xp else xp.concatenate(low, -1)
    block = S.cat([top, low], -2) if xp is tensor_xp else xp.concatenate([top, low], -2)
    out = apply(MATRIX_EXP, (block,)) if xp is tensor_xp else _expm(xp, block)
    return out[..., :n, n:]


MATRIX_EXP = OpDef(
    "LinalgMatrixExpBackward0",
    _expm,
    saves=(0,),
    # ∂/∂A = the upper-right block of exp([[Aᵀ, G], [0, Aᵀ]])
    grads=[lambda xp, g, a: _block_exp(xp, xp.swapaxes(a, -1, -2), g)],
    jvp=lambda xp, t, a, out: _block_exp(xp, a, t[0]),
)


def matrix_exp(A):
    """The matrix exponential e^A = Σₖ Aᵏ / k! of each square matrix of ``A``."""
    D.matrix_sizes("linalg.matrix_exp", A)
    return apply(MATRIX_EXP, (A,))


# ---------------------------------------------------------------- older spellings


def logdet(input):
    """log det(A): nan where det(A) < 0, -inf where it is 0."""
    D.matrix_sizes("logdet", input)
    sign, logabsdet = D.slogdet(input)
    return logabsdet.masked_fill(sign < 0, float("nan"))


def inverse(input):
    """The inverse of each square matrix (``linalg.inv``)."""
    return D.inv(input)


def cholesky(input, upper=False):
    """The Cholesky factor (deprecated in PyTorch: use ``linalg.cholesky``)."""
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed "
        "in a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
        "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs.",
        UserWarning,
        stacklevel=2,
    )
    return D.linalg_cholesky(input, upper=upper)


def qr(input, some=True):
    """A = QR (``some=False``: the complete Q); deprecated in PyTorch: use ``linalg.qr``."""
    warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete')",
        UserWarning,
        stacklevel=2,
    )
    q, r = D.linalg_qr(input, "reduced" if some else "complete")
    return QRResult(q, r)


def svd(input, some=True, compute_uv=True):
    """(U, S, V) with A = U diag(S) Vᵀ (note V, not Vh); ``some=False``: full U and V;
    ``compute_uv=False``: U and V are zero matrices (m, m) and (n, n)."""
    if not compute_uv:
        m, n = D.matrix_sizes("svd", input, square=False)
        s = D.svdvals(input)
        zeros = input.detach() * 0
        u = zeros[..., :1, :1].expand(*input.shape[:-2], m, m).clone()
        v = zeros[..., :1, :1].expand(*input.shape[:-2], n, n).clone()
        return SVDResult(u, s, v)
    u, s, vh = D.linalg_svd(input, full_matrices=not some)
    return SVDResult(u, s, vh.mT)


# ---------------------------------------------------------------- distances, baddbmm
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between every row of x1 (..., P, M) and of x2 (..., R, M):
    out (..., P, R)."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"cdist only supports at least 2D tensors with the same number of columns, got "
            f"shapes {list(x1.shape)} and {list(x2.shape)}"
        )
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


def dist(input, other, p=2):
    """‖input − other‖_p over all elements (the inputs broadcast)."""
    return vector_norm(input - other, p)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta·input + alpha·(batch1 @ batch2) for batches of matrices (input broadcasts;
    beta = 0 ignores it, nan and inf included)."""
    product = bmm(batch1, batch2)
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product
    return product + (input if beta == 1 else input * beta)


Tensor.logdet = logdet
Tensor.inverse = inverse
Tensor.cholesky = cholesky
Tensor.qr = qr
Tensor.svd = svd
Tensor.matrix_exp = matrix_exp
Tensor.cross = cross
Tensor.matrix_power = matrix_power
Tensor.pinverse = pinverse
Tensor.dist = dist
Tensor.baddbmm = baddbmm
