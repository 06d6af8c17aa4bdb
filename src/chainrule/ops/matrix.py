"""Matrix-shaped ops: tril, triu, diag, trace, cumprod, addmm and einsum.

Each row: PyTorch's grad_fn name, the NumPy forward, then one formula per tensor input,
``formula(xp, g, *saved, [out], *params)``, with the derivative in a comment.
"""

import numpy as np

from .._dtype import int64, result_type
from .._shape import normalize_dim
from .._tensor import Tensor
from . import shape as S
from ._registry import OpDef, apply
from .linalg import bilinear_tangent, sum_tangents

TRIL = OpDef(
    "TrilBackward0",
    lambda xp, a, k: xp.tril(a, k),
    linear=True,
    params=("diagonal",),
    grads=[lambda xp, g, k: xp.tril(g, k)],
)  # keeps the lower part
TRIU = OpDef(
    "TriuBackward0",
    lambda xp, a, k: xp.triu(a, k),
    linear=True,
    params=("diagonal",),
    grads=[lambda xp, g, k: xp.triu(g, k)],
)  # keeps the upper part
DIAG_EMBED = OpDef(
    "DiagEmbedBackward0",
    lambda xp, v, k, index: xp.diag(v, k),
    linear=True,
    params=("diagonal", "index"),
    grads=[lambda xp, g, k, index: xp.index(g, index)],
)  # read the diagonal back
DIAGONAL = OpDef(
    "DiagonalBackward0",
    lambda xp, a, shape, index: a[index],
    linear=True,
    params=("shape", "index"),
    grads=[lambda xp, g, shape, index: xp.index_backward(g, shape, index, True)],
)  # onto the diagonal
TRACE = OpDef(
    "TraceBackward0",
    lambda xp, a, eye: xp.trace(a),
    linear=True,
    params=("eye",),
    grads=[lambda xp, g, eye: g * eye],
)  # ∂tr(A)/∂A = I
CUMPROD = OpDef(
    "CumprodBackward0",
    lambda xp, a, dim: xp.cumprod(a, dim),
    saves=(0,),
    saves_out=True,
    params=("dim",),
    grads=[
        # ∂/∂aⱼ = Σ_{i≥j} gᵢ Π_{k≤i, k≠j} aₖ = out_{j−1} · Sⱼ with Sⱼ = gⱼ + a_{j+1} S_{j+1}
        lambda xp, g, a, out, dim: xp.cumprod_backward(g, a, out, dim)
    ],
    jvp=lambda xp, t, a, out, dim: _cumprod_tangent(t[0], a, out, dim),
)


def _cumprod_tangent(t, a, out, dim):
    """d outᵢ = d outᵢ₋₁ · aᵢ + outᵢ₋₁ · tᵢ (the product rule along ``dim``; zeros exact)."""
    n = a.shape[dim]
    if n == 0:
        return t
    pick = [(slice(None),) * (dim % a.ndim) + (i,) for i in range(n)]
    tangent = [t[pick[0]]]
    for i in range(1, n):
        tangent.append(tangent[-1] * a[pick[i]] + out[pick[i - 1]] * t[pick[i]])
    return S.stack(tangent, dim)


ADDMM = OpDef(
    "AddmmBackward0",
    lambda xp, c, a, b, beta, alpha: beta * c + alpha * xp.matmul(a, b),
    saves=(1, 2),
    jvp=lambda xp, t, c, a, b, out, beta, alpha: sum_tangents(
        None if t[0] is None else t[0] * beta,
        bilinear_tangent(xp.matmul, t[1:], a, b) * alpha if t[1:] != (None, None) else None,
    ),
    params=("beta", "alpha"),
    grads=[
        lambda xp, g, a, b, beta, alpha: g * beta,  # ∂/∂C = β
        lambda xp, g, a, b, beta, alpha: xp.matmul(g, xp.swapaxes(b, 0, 1)) * alpha,  # α G Bᵀ
        lambda xp, g, a, b, beta, alpha: xp.matmul(xp.swapaxes(a, 0, 1), g) * alpha,  # α Aᵀ G
    ],
)


def _einsum_grad(xp, g, other, out_term, other_term, term, shape):
    """Gradient of one operand of ``term,other_term->out_term`` (``other`` may be None):
    contract g with the other operand back to ``term``; letters summed only inside this
    operand come back by broadcasting (their derivative is 1)."""
    have = set(out_term) | set(other_term or "")
    target = "".join(c for c in term if c in have)
    if other is None:
        r = xp.einsum(f"{out_term}->{target}", g)
    else:
        r = xp.einsum(f"{out_term},{other_term}->{target}", g, other)
    if target != term:
        for i, c in enumerate(term):
            if c not in have:
                r = xp.unsqueeze(r, i)
        r = xp.expand(r, shape)
    return r


EINSUM1 = OpDef(
    "EinsumBackward0",
    lambda xp, a, subs, terms, shapes: xp.einsum(subs, a),
    linear=True,
    params=("subscripts", "terms", "shapes"),
    grads=[
        lambda xp, g, subs, terms, shapes: (  # g, broadcast back
            _einsum_grad(xp, g, None, terms[-1], None, terms[0], shapes[0])
        )
    ],
)
EINSUM2 = OpDef(
    "EinsumBackward0",
    lambda xp, a, b, subs, terms, shapes: xp.einsum(subs, a, b),
    saves=(0, 1),
    jvp=lambda xp, t, a, b, out, subs, terms, shapes: bilinear_tangent(
        lambda x, y: apply(EINSUM2, (x, y), (subs, terms, shapes)), t, a, b
    ),
    params=("subscripts", "terms", "shapes"),
    grads=[
        lambda xp, g, a, b, subs, terms, shapes: (  # g contracted with b
            _einsum_grad(xp, g, b, terms[2], terms[1], terms[0], shapes[0])
        ),
        lambda xp, g, a, b, subs, terms, shapes: (  # g contracted with a
            _einsum_grad(xp, g, a, terms[2], terms[0], terms[1], shapes[1])
        ),
    ],
)


def _check_matrix(name, input, ndim=None):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): expected a Tensor, got {type(input).__name__}")
    if ndim is not None and input._data.ndim not in ndim:
        raise RuntimeError(
            f"{name}: expected a {' or '.join(f'{n}-D' for n in ndim)} tensor, "
            f"got one of shape {list(input.shape)}"
        )


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements above ``diagonal`` set to 0)."""
    if input._data.ndim < 2:
        raise RuntimeError(
            f"tril: input tensor must have at least 2 dimensions, got shape {list(input.shape)}"
        )
    return apply(TRIL, (input,), (diagonal,))


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements below ``diagonal`` set to 0)."""
    if input._data.ndim < 2:
        raise RuntimeError(
            f"triu: input tensor must have at least 2 dimensions, got shape {list(input.shape)}"
        )
    return apply(TRIU, (input,), (diagonal,))


def _diagonal_index(rows, cols, k):
    r0, c0 = max(-k, 0), max(k, 0)
    n = max(0, min(rows - r0, cols - c0))
    return (np.arange(n) + r0, np.arange(n) + c0)


def diag(input, diagonal=0):
    """A 1-D tensor → the matrix with it on the ``diagonal``-th diagonal; a 2-D tensor → its
    ``diagonal``-th diagonal as a 1-D tensor."""
    _check_matrix("diag", input, (1, 2))
    if input._data.ndim == 1:
        n = input.shape[0] + abs(diagonal)
        return apply(DIAG_EMBED, (input,), (diagonal, _diagonal_index(n, n, diagonal)))
    shape = input._data.shape
    return apply(DIAGONAL, (input,), (shape, _diagonal_index(*shape, diagonal)))


def trace(input):
    """The sum of the main diagonal of a 2-D tensor."""
    _check_matrix("trace", input, (2,))
    eye = np.eye(*input._data.shape, dtype=input._data.dtype)
    if input._data.dtype.kind in "bi":
        input = input.to(int64)
    return apply(TRACE, (input,), (eye,))


def cumprod(input, dim, *, dtype=None):
    """Running products along ``dim``: outᵢ = Π_{j ≤ i} xⱼ (the gradient is exact also
    where the input has zeros)."""
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bi":
        input = input.to(int64)
    return apply(CUMPROD, (input,), (normalize_dim(dim, input._data.ndim, "cumprod"),))


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta·input + alpha·(mat1 @ mat2); ``input`` broadcasts to the product's shape."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if not isinstance(m, Tensor) or m._data.ndim != 2:
            raise RuntimeError(
                f"addmm: {name} must be a matrix, got shape {list(getattr(m, 'shape', []))}"
            )
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"addmm: mat1 and mat2 shapes cannot be multiplied "
            f"({mat1.shape[0]}x{mat1.shape[1]} and "
            f"{mat2.shape[0]}x{mat2.shape[1]})"
        )
    out_shape = (mat1.shape[0], mat2.shape[1])
    try:
        np.broadcast_shapes(tuple(input.shape), out_shape)
    except ValueError:
        raise RuntimeError(
            f"addmm: input of shape {list(input.shape)} cannot be broadcast "
            f"to the product's shape {list(out_shape)}"
        ) from None
    dt = result_type(input, mat1, mat2)
    input, mat1, mat2 = (t if t.dtype == dt else t.to(dt) for t in (input, mat1, mat2))
    if tuple(input.shape) != out_shape:
        input = S.expand(input, out_shape)
    return apply(ADDMM, (input, mat1, mat2), (beta, alpha))


def _parse_einsum(equation, count):
    eq = equation.replace(" ", "")
    if "." in eq:
        raise NotImplementedError(f"einsum: ellipsis ('...') is not supported, got '{equation}'")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != count:
        raise RuntimeError(
            f"einsum(): '{equation}' names {len(terms)} operands but {count} were given"
        )
    for t in terms:
        if not t.isalpha() or len(set(t)) != len(t):
            if t and t.isalpha():
                raise NotImplementedError(
                    f"einsum: an index repeated within one operand "
                    f"('{t}' in '{equation}', a diagonal) is not "
                    f"supported"
                )
            if t:
                raise RuntimeError(f"einsum(): invalid subscript '{t}' in '{equation}'")
    if not arrow:
        letters = "".join(terms)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if (
        not (out.isalpha() or out == "")
        or len(set(out)) != len(out)
        or any(c not in "".join(terms) for c in out)
    ):
        raise RuntimeError(f"einsum(): invalid output subscripts '{out}' in '{equation}'")
    return terms, out


def einsum(equation, *operands):
    """Einstein summation, e.g. ``einsum('ij,jk->ik', a, b)``; operands contract pairwise,
    left to right.  Ellipsis and repeated indices within one operand are not supported."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    terms, out = _parse_einsum(equation, len(operands))
    for t, x in zip(terms, operands):
        if x._data.ndim != len(t):
            raise RuntimeError(
                f"einsum(): the subscript '{t}' names {len(t)} dims for an "
                f"operand of shape {list(x.shape)}"
            )
    dt = result_type(*operands)
    operands = [x if x.dtype == dt else x.to(dt) for x in operands]
    sizes = {}
    for t, x in zip(terms, operands):
        for c, n in zip(t, x._data.shape):
            if sizes.setdefault(c, n) != n:
                raise RuntimeError(
                    f"einsum(): subscript '{c}' has size {n} for an operand "
                    f"of shape {list(x.shape)}, but {sizes[c]} elsewhere"
                )
    if len(operands) == 1:
        return apply(
            EINSUM1,
            (operands[0],),
            (f"{terms[0]}->{out}", (terms[0], out), (tuple(operands[0].shape),)),
        )
    cur, cur_term = operands[0], terms[0]
    for k in range(1, len(operands)):
        if k == len(operands) - 1:
            keep = out
        else:
            later = set(out).union(*terms[k + 1 :])
            keep = "".join(dict.fromkeys(c for c in cur_term + terms[k] if c in later))
        x = operands[k]
        cur = apply(
            EINSUM2,
            (cur, x),
            (
                f"{cur_term},{terms[k]}->{keep}",
                (cur_term, terms[k], keep),
                (tuple(cur.shape), tuple(x.shape)),
            ),
        )
        cur_term = keep
    return cur
