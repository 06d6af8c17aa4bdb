"""Matrix functions and decompositions with their gradients (det, inv, solve, cholesky,
qr, svd, eigh, ...): the rows behind ``chainrule.linalg``.

Every function works on batches of matrices ``(..., m, n)``.  A decomposition with
several differentiable outputs (slogdet, qr, eigh, svd) is one row whose output packs
them, each flattened, along the last dim; the public function slices them back out, so
one node holds the factorisation and its gradient formula sees every output's gradient.

The gradient formulas (``g`` the incoming gradient, ``Aᵀ`` the transpose of the last two
dims, ``∘`` the elementwise product) call ``inv`` and ``solve`` through ``_lin(xp)``: the
backend's LAPACK on arrays, this module's rows on Tensors under ``create_graph=True``, so
gradients of gradients come from the same formulas.
"""

import types

import numpy as np

from .._tensor import Tensor
from . import shape as S
from ._registry import OpDef, apply
from ._xp import tensor_xp

__all__ = ["det", "slogdet"]


class LinAlgError(RuntimeError):
    """A linear-algebra routine could not complete: singular or not positive-definite
    input (``torch.linalg.LinAlgError``)."""


def _mT(xp, x):
    return xp.swapaxes(x, -1, -2)


def _lin(xp):
    """``inv``/``solve`` for a formula: LAPACK on arrays, the recorded rows on Tensors."""
    return _TENSOR_LINALG if xp is tensor_xp else xp.linalg


def _diag(xp, x):
    """The diagonal of each matrix of ``x`` (square) as a vector."""
    return xp.sum(xp.tril(xp.triu(x)), (-1,))


def _diag_embed(xp, v):
    """The diagonal matrices with ``v`` (..., k) on their diagonals."""
    k = v.shape[-1]
    return xp.tril(xp.triu(xp.expand(xp.unsqueeze(v, -1), (*v.shape, k))))


def _off_diag_ratio(xp, x, e):
    """x / e off the diagonal, 0 on it (e is 0 on its diagonal)."""
    eye = xp.tril(xp.triu(e * 0 + 1))
    return (x - xp.tril(xp.triu(x))) / (e + eye)


# ---------------------------------------------------------------- packed outputs
def _pack(xp, parts, batch):
    return xp.concatenate([xp.reshape(p, (*batch, -1)) for p in parts], axis=-1)


def _pack_tensors(parts, batch):
    return S.cat([p.reshape(*batch, -1) for p in parts], -1)


def _unpack(xp, packed, cores):
    """The parts of ``packed`` (..., total), of core shapes ``cores``."""
    batch, parts, start = tuple(packed.shape[:-1]), [], 0
    for core in cores:
        size = int(np.prod(core, dtype=np.int64))
        part = xp.index(packed, (Ellipsis, slice(start, start + size)))
        parts.append(xp.reshape(part, (*batch, *core)))
        start += size
    return parts


# ---------------------------------------------------------------- det, slogdet, inv, solve
def _det_grad(xp, g, a, out):
    # ∂det(A)/∂A = det(A) · A⁻ᵀ
    return xp.unsqueeze(xp.unsqueeze(g * out, -1), -1) * _mT(xp, _lin(xp).inv(a))


DET = OpDef(
    "LinalgDetBackward0",
    lambda xp, a: xp.linalg.det(a),
    saves=(0,),
    saves_out=True,
    grads=[_det_grad],
    # d det = det · tr(A⁻¹ dA)
    jvp=lambda xp, t, a, out: out * xp.sum(_mT(xp, inv(a)) * t[0], (-2, -1)),
)


def _slogdet_forward(xp, a):
    sign, logabs = xp.linalg.slogdet(a)
    return xp.stack([sign, logabs], axis=-1)


def _slogdet_grad(xp, g, a):
    # ∂log|det A|/∂A = A⁻ᵀ; the sign is locally constant
    gl = xp.index(g, (Ellipsis, 1))
    return xp.unsqueeze(xp.unsqueeze(gl, -1), -1) * _mT(xp, _lin(xp).inv(a))


def _slogdet_tangent(xp, t, a, out):
    dl = xp.sum(_mT(xp, inv(a)) * t[0], (-2, -1))  # tr(A⁻¹ dA)
    return S.stack([dl * 0, dl], -1)


SLOGDET = OpDef(
    "LinalgSlogdetBackward0",
    _slogdet_forward,
    saves=(0,),
    grads=[_slogdet_grad],
    jvp=_slogdet_tangent,
)
INV = OpDef(
    "LinalgInvExBackward0",
    lambda xp, a: xp.linalg.inv(a),
    saves_out=True,
    grads=[lambda xp, g, out: -_mT(xp, out) @ g @ _mT(xp, out)],  # −A⁻ᵀ G A⁻ᵀ
    jvp=lambda xp, t, a, out: -(out @ t[0] @ out),  # d A⁻¹ = −A⁻¹ dA A⁻¹
)


def _solve_grad_b(xp, g, a, out):
    return _lin(xp).solve(_mT(xp, a), g)  # ∂/∂B = A⁻ᵀ G


def _solve_tangent(xp, t, a, b, out):
    # dX = A⁻¹ (dB − dA X)
    ta, tb = t
    rhs = -(ta @ out) if tb is None else tb if ta is None else tb - ta @ out
    return solve(a, rhs)


def _solve_forward(xp, a, b):
    try:
        return xp.linalg.solve(a, b)
    except np.linalg.LinAlgError:  # a ValueError, which apply reports as a broadcast error
        raise LinAlgError(
            f"torch.linalg.solve: The solver failed because the input matrix (shape "
            f"{list(a.shape)}) is singular."
        ) from None


SOLVE = OpDef(
    "LinalgSolveExBackward0",
    _solve_forward,
    saves=(0,),
    saves_out=True,
    broadcasts=True,  # batch dims
    grads=[
        lambda xp, g, a, out: -_solve_grad_b(xp, g, a, out) @ _mT(xp, out),  # −A⁻ᵀ G Xᵀ
        _solve_grad_b,
    ],
    jvp=_solve_tangent,
)
_TENSOR_LINALG = types.SimpleNamespace(
    inv=lambda a: apply(INV, (a,)), solve=lambda a, b: apply(SOLVE, (a, b))
)


# ---------------------------------------------------------------- cholesky
def _phi(xp, x):
    """The lower triangle with the diagonal halved."""
    return xp.tril(x) - 0.5 * xp.tril(xp.triu(x))


def _cholesky_grad(xp, g, out):
    # Murray (2016): S = L⁻ᵀ Φ(Lᵀ G) L⁻¹, ∂/∂A = (S + Sᵀ) / 2
    linv = _lin(xp).inv(out)
    s = _mT(xp, linv) @ _phi(xp, _mT(xp, out) @ g) @ linv
    return 0.5 * (s + _mT(xp, s))


def _cholesky_tangent(xp, t, a, out):
    linv = inv(out)
    return out @ _phi(xp, linv @ t[0] @ _mT(xp, linv))  # dL = L Φ(L⁻¹ dA L⁻ᵀ)


CHOLESKY = OpDef(
    "LinalgCholeskyExBackward0",
    lambda xp, a: xp.linalg.cholesky(a),
    saves_out=True,
    grads=[_cholesky_grad],
    jvp=_cholesky_tangent,
)


# ---------------------------------------------------------------- qr
def _qr_forward(xp, a, m, n, mode):
    q, r = xp.linalg.qr(a, mode=mode)
    return _pack(xp, (q, r), a.shape[:-2])


def _qr_cores(m, n, mode):
    k = m if mode == "complete" else min(m, n)
    return ((m, k), (k, n))


def _copyltu(xp, x):
    """The symmetric matrix with x's lower triangle."""
    return xp.tril(x) + _mT(xp, xp.tril(x, -1))


def _qr_square_grad(xp, gq, gr, q, r):
    # A = QR with R square: ∂/∂A = (G_Q + Q copyltu(M)) R⁻ᵀ, M = R G_Rᵀ − G_Qᵀ Q
    m = r @ _mT(xp, gr) - _mT(xp, gq) @ q
    return (gq + q @ _copyltu(xp, m)) @ _mT(xp, _lin(xp).inv(r))


def _cat(xp, parts, axis):
    return S.cat(parts, axis) if xp is tensor_xp else xp.concatenate(parts, axis=axis)


def _qr_grad(xp, g, out, m, n, mode):
    cores = _qr_cores(m, n, mode)
    (q, r), (gq, gr) = _unpack(xp, out, cores), _unpack(xp, g, cores)
    if m > n and mode == "complete":
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    if m >= n:
        return _qr_square_grad(xp, gq, gr, q, r)
    # A = [U | V] with U = Q X (square), Y = Qᵀ V: V's gradient is Q G_Y and Q's gains V G_Yᵀ
    x, y = xp.index(r, (Ellipsis, slice(0, m))), xp.index(r, (Ellipsis, slice(m, n)))
    gx, gy = xp.index(gr, (Ellipsis, slice(0, m))), xp.index(gr, (Ellipsis, slice(m, n)))
    gu = _qr_square_grad(xp, gq + (q @ y) @ _mT(xp, gy), gx, q, x)
    return _cat(xp, [gu, q @ gy], -1)


def _qr_square_tangent(xp, da, q, r):
    # C = Qᵀ dA R⁻¹, Ω = the skew part of C below the diagonal: dR = (C − Ω) R,
    # dQ = dA R⁻¹ − Q (C − Ω)
    rinv = inv(r)
    c = _mT(xp, q) @ da @ rinv
    low = xp.tril(c, -1)
    upper = c - low + _mT(xp, low)
    return da @ rinv - q @ upper, upper @ r


def _qr_tangent(xp, t, a, out, m, n, mode):
    q, r = _unpack(xp, out, _qr_cores(m, n, mode))
    if m > n and mode == "complete":
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    if m >= n:
        dq, dr = _qr_square_tangent(xp, t[0], q, r)
    else:
        dq, dx = _qr_square_tangent(xp, t[0][..., :m], q, r[..., :m])
        dy = _mT(xp, dq) @ (q @ r[..., m:]) + _mT(xp, q) @ t[0][..., m:]
        dr = S.cat([dx, dy], -1)
    return _pack_tensors((dq, dr), tuple(a.shape[:-2]))


QR = OpDef(
    "LinalgQrBackward0",
    _qr_forward,
    saves_out=True,
    params=("m", "n", "mode"),
    grads=[_qr_grad],
    jvp=_qr_tangent,
)


# ---------------------------------------------------------------- eigh
def _eigh_forward(xp, a, n, uplo):
    w, v = xp.linalg.eigh(a, UPLO=uplo)
    return _pack(xp, (w, v), a.shape[:-2])


def _eigh_grad(xp, g, out, n, uplo):
    # ∂/∂A = V (diag(G_λ) + skew(Vᵀ G_V) / E) Vᵀ, E_ij = λ_j − λ_i, skew(X) = (X − Xᵀ)/2
    (w, v), (gw, gv) = _unpack(xp, out, ((n,), (n, n))), _unpack(xp, g, ((n,), (n, n)))
    vtgv = _mT(xp, v) @ gv
    e = xp.unsqueeze(w, -2) - xp.unsqueeze(w, -1)
    inner = _off_diag_ratio(xp, 0.5 * (vtgv - _mT(xp, vtgv)), e) + _diag_embed(xp, gw)
    return v @ inner @ _mT(xp, v)


def _eigh_tangent(xp, t, a, out, n, uplo):
    # P = Vᵀ dA V: dλ = diag(P), dV = V (P / E off the diagonal)
    w, v = _unpack(xp, out, ((n,), (n, n)))
    p = _mT(xp, v) @ t[0] @ v
    e = xp.unsqueeze(w, -2) - xp.unsqueeze(w, -1)
    dv = v @ _off_diag_ratio(xp, p, e)
    return _pack_tensors((_diag(xp, p), dv), tuple(a.shape[:-2]))


EIGH = OpDef(
    "LinalgEighBackward0",
    _eigh_forward,
    saves_out=True,
    params=("n", "UPLO"),
    grads=[_eigh_grad],
    jvp=_eigh_tangent,
)


# ---------------------------------------------------------------- svd
def _svd_forward(xp, a, m, n, full):
    u, s, vh = xp.linalg.svd(a, full_matrices=full)
    return _pack(xp, (u, s, vh), a.shape[:-2])


def _svd_cores(m, n, full):
    k = min(m, n)
    return ((m, m if full else k), (k,), (n if full else k, n))


def _svd_parts(xp, x, m, n, full):
    """U, S, Vh of a packed SVD output, the full factors narrowed to k = min(m, n)."""
    u, s, vh = _unpack(xp, x, _svd_cores(m, n, full))
    if full:
        k = min(m, n)
        u, vh = (
            xp.index(u, (Ellipsis, slice(0, k))),
            xp.index(vh, (Ellipsis, slice(0, k), slice(None))),
        )
    return u, s, vh


def _svd_grad(xp, g, out, m, n, full):
    # K = skew(Uᵀ G_U) ∘ S_j / E + S_i ∘ skew(Vᵀ G_V) / E + diag(G_S), E_ij = s_j² − s_i²,
    # skew(X) = X − Xᵀ; ∂/∂A = U K Vᵀ plus the parts of G_U, G_V outside span(U), span(V)
    u, s, vh = _svd_parts(xp, out, m, n, full)
    gu, gs, gvh = _svd_parts(xp, g, m, n, full)
    s2 = s * s
    e = xp.unsqueeze(s2, -2) - xp.unsqueeze(s2, -1)
    utgu = _mT(xp, u) @ gu
    vtgv = vh @ _mT(xp, gvh)
    k = _off_diag_ratio(
        xp,
        (utgu - _mT(xp, utgu)) * xp.unsqueeze(s, -2) + xp.unsqueeze(s, -1) * (vtgv - _mT(xp, vtgv)),
        e,
    ) + _diag_embed(xp, gs)
    if m > n:
        gus = gu / xp.unsqueeze(s, -2)  # (I − U Uᵀ) G_U S⁻¹ Vᵀ
        return (u @ k + gus - u @ (_mT(xp, u) @ gus)) @ vh
    if m < n:
        gvs = gvh / xp.unsqueeze(s, -1)  # U S⁻¹ G_Vᵀ (I − V Vᵀ)
        return u @ (k @ vh + gvs - (gvs @ _mT(xp, vh)) @ vh)
    return u @ k @ vh


def _svd_tangent(xp, t, a, out, m, n, full):
    # P = Uᵀ dA V: dS = diag(P), dU = U (P S + S Pᵀ)/E + (I − UUᵀ) dA V S⁻¹,
    # dV = V (S P + Pᵀ S)/E + (I − VVᵀ) dAᵀ U S⁻¹; the extra columns of full factors
    # get zero tangents (they are any orthonormal completion)
    u, s, vh = _svd_parts(xp, out, m, n, full)
    v, da = _mT(xp, vh), t[0]
    p = _mT(xp, u) @ da @ v
    e = xp.unsqueeze(s, -2) ** 2 - xp.unsqueeze(s, -1) ** 2
    row, col = xp.unsqueeze(s, -2), xp.unsqueeze(s, -1)
    du = u @ _off_diag_ratio(xp, p * row + col * _mT(xp, p), e)
    dv = v @ _off_diag_ratio(xp, col * p + _mT(xp, p) * row, e)
    if m > n:
        du = du + (da @ v - u @ (_mT(xp, u) @ da @ v)) / row
        if full:
            du = S.cat([du, xp.expand(du[..., :1] * 0, (*du.shape[:-1], m - n))], -1)
    if m < n:
        dat_u = _mT(xp, da) @ u
        dv = dv + (dat_u - v @ (vh @ dat_u)) / row
        if full:
            dv = S.cat([dv, xp.expand(dv[..., :1] * 0, (*dv.shape[:-1], n - m))], -1)
    return _pack_tensors((du, _diag(xp, p), _mT(xp, dv)), tuple(a.shape[:-2]))


SVD = OpDef(
    "LinalgSvdBackward0",
    _svd_forward,
    saves_out=True,
    params=("m", "n", "full_matrices"),
    grads=[_svd_grad],
    jvp=_svd_tangent,
)


# ---------------------------------------------------------------- checks and results
_TYPE_NAMES = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
    "float16": "Half",
}


def matrix_sizes(name, a, square=True):
    """Check that ``a`` is a floating batch of (square) matrices; return (m, n)."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{name}(): expected a Tensor as A, got {type(a).__name__}")
    data = a._data
    if data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    kind = str(data.dtype).rsplit(".", 1)[-1]  # NumPy's "float64", array_api_strict.float64
    if kind == "float16":
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")
    if kind not in ("float32", "float64"):
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{_TYPE_NAMES.get(kind, kind)}"
        )
    m, n = data.shape[-2:]
    if square and m != n:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {m} by {n} matrices"
        )
    return m, n


def return_type(name, fields):
    """A tuple type with named fields printed as ``torch.return_types.<name>``."""

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    namespace = {
        "__slots__": (),
        "__new__": lambda cls, *values: tuple.__new__(cls, values),
        "__repr__": __repr__,
        "_fields": tuple(fields),
    }
    for i, f in enumerate(fields):
        namespace[f] = property(lambda self, i=i: self[i])
    return type(name, (tuple,), namespace)


SlogdetResult = return_type("linalg_slogdet", ("sign", "logabsdet"))
QRResult = return_type("linalg_qr", ("Q", "R"))
EighResult = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
SVDResult = return_type("linalg_svd", ("U", "S", "Vh"))


def _parts(packed, cores):
    return _unpack(tensor_xp, packed, cores)


# ---------------------------------------------------------------- public functions
def det(A):
    """The determinant of each square matrix of ``A`` (..., n, n).

    Gradient: ∂det(A)/∂A = det(A) · A⁻ᵀ (for invertible A).
    """
    matrix_sizes("linalg.det", A)
    return apply(DET, (A,))


def slogdet(A):
    """(sign, log|det A|) of each square matrix: the log-determinant without overflow.

    Gradient of logabsdet: A⁻ᵀ; the sign is locally constant.
    """
    matrix_sizes("linalg.slogdet", A)
    sign, logabsdet = _parts(apply(SLOGDET, (A,)), ((), ()))
    return SlogdetResult(sign, logabsdet)


def inv(A):
    """The inverse of each square matrix: A⁻¹; gradient −A⁻ᵀ G A⁻ᵀ.

    Raises ``LinAlgError`` for a singular matrix.
    """
    matrix_sizes("linalg.inv", A)
    try:
        return apply(INV, (A,))
    except np.linalg.LinAlgError:
        raise LinAlgError(
            f"linalg.inv: the inversion could not be completed because the input matrix "
            f"(shape {list(A.shape)}) is singular."
        ) from None


def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A, B, *, left=True):
    """The solution X of A X = B (``left=False``: X A = B) for square invertible A.

    B is a batch of vectors (..., n) or of matrices (..., n, k); batch dims broadcast.
    Gradients: ∂/∂B = A⁻ᵀ G, ∂/∂A = −A⁻ᵀ G Xᵀ.
    """
    matrix_sizes("linalg.solve", A)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): expected a Tensor as B, got {type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A.dtype} and B of type {B.dtype} instead"
        )
    vector = _is_vector_rhs(A, B)
    if not left:
        if vector:
            raise RuntimeError(
                "linalg.solve: Vector broadcasting of the left hand side is "
                "not supported for left=False. In this case linalg.solve is "
                "equivalent to B / A.squeeze(-1)"
            )
        return solve(A.mT, B.mT).mT
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({A.shape[-2]}x{A.shape[-1]} and {rhs.shape[-2]}x{rhs.shape[-1]})"
        )
    x = apply(SOLVE, (A, rhs))
    return x.squeeze(-1) if vector else x


def _not_pd_order(a):
    """The order of the first leading minor of ``a`` that is not positive-definite."""
    for k in range(1, a.shape[-1] + 1):
        try:
            np.linalg.cholesky(a[..., :k, :k])
        except np.linalg.LinAlgError:
            return k
    return a.shape[-1]


def linalg_cholesky(A, *, upper=False):
    """The Cholesky factor L (lower, L Lᵀ = A; ``upper=True``: U = Lᵀ, Uᵀ U = A) of each
    symmetric positive-definite matrix; only the lower triangle of A is read.

    Gradient (Murray 2016): S = L⁻ᵀ Φ(Lᵀ G) L⁻¹, ∂/∂A = (S + Sᵀ)/2, Φ = the lower
    triangle with the diagonal halved.
    """
    matrix_sizes("linalg.cholesky", A)
    try:
        out = apply(CHOLESKY, (A,))
    except np.linalg.LinAlgError:
        raise LinAlgError(
            f"linalg.cholesky: The factorization could not be completed because the input is "
            f"not positive-definite (the leading minor of order {_not_pd_order(A._data)} "
            f"is not positive-definite)."
        ) from None
    return out.mT if upper else out


def linalg_qr(A, mode="reduced"):
    """A = QR with Q orthonormal columns and R upper triangular.

    ``mode``: 'reduced' (Q (m, k), R (k, n), k = min(m, n)), 'complete' (Q (m, m),
    R (m, n); not differentiable when m > n), 'r' (R only; Q is empty).
    Gradient (m ≥ n): (G_Q + Q copyltu(M)) R⁻ᵀ with M = R G_Rᵀ − G_Qᵀ Q.
    """
    m, n = matrix_sizes("linalg.qr", A, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
            f"(default), 'r', or 'complete'"
        )
    row_mode = "complete" if mode == "complete" else "reduced"
    q, r = _parts(apply(QR, (A,), (m, n, row_mode)), _qr_cores(m, n, row_mode))
    if mode == "r":
        q = r.detach().reshape(-1)[:0]
    return QRResult(q, r)


def eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of each symmetric matrix,
    from its lower (``UPLO='L'``) or upper triangle.

    Gradient (distinct eigenvalues): V (diag(G_λ) + skew(Vᵀ G_V) / E) Vᵀ with
    E_ij = λ_j − λ_i.
    """
    n, _ = matrix_sizes("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, v = _parts(apply(EIGH, (A,), (n, UPLO)), ((n,), (n, n)))
    return EighResult(w, v)


def eigvalsh(A, UPLO="L"):
    """The eigenvalues (ascending) of each symmetric matrix (see ``eigh``)."""
    return eigh(A, UPLO)[0]


def linalg_svd(A, full_matrices=True):
    """A = U diag(S) Vh with S descending; ``full_matrices=False``: U (m, k), Vh (k, n).

    Gradient (distinct nonzero singular values): U K Vh plus the parts of G_U, G_Vh outside
    span(U), span(V), where K = skew(Uᵀ G_U) S / E + S skew(Vᵀ G_V) / E + diag(G_S),
    E_ij = s_j² − s_i², skew(X) = X − Xᵀ.
    """
    m, n = matrix_sizes("linalg.svd", A, square=False)
    full = bool(full_matrices) and m != n
    u, s, vh = _parts(apply(SVD, (A,), (m, n, full)), _svd_cores(m, n, full))
    return SVDResult(u, s, vh)


def svdvals(A):
    """The singular values of each matrix, descending."""
    return linalg_svd(A, full_matrices=False)[1]


Tensor.det = det
Tensor.slogdet = slogdet
