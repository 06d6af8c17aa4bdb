"""Matrix products: matmul (1-D, 2-D, batched), mm, bmm, mv, dot, outer, and the fused
``linear`` (x Wᵀ + b) that nn.Linear uses.

For C = A B the chain rule gives ∂L/∂A = G Bᵀ and ∂L/∂B = Aᵀ G; 1-D operands are treated
as a row (left) or a column (right) and the extra dim is dropped again.  Batch dims that
were broadcast are summed away by the engine.
"""

from .._tensor import Tensor
from ._registry import OpDef, apply


def _grad_a(xp, g, a, b):
    if b.ndim == 1:
        if a.ndim == 1:
            return g * b  # dot: ∂(a·b)/∂a = b
        return xp.unsqueeze(g, -1) * b  # (…, m) × (n,) → (…, m, n)
    if a.ndim == 1:
        return xp.squeeze(xp.matmul(b, xp.unsqueeze(g, -1)), -1)  # Σ_batch B g
    return xp.matmul(g, xp.swapaxes(b, -1, -2))  # G Bᵀ


def _grad_b(xp, g, a, b):
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return xp.unsqueeze(a, -1) * xp.unsqueeze(g, -2)  # aᵀ g: (n, 1)·(…, 1, p)
    if b.ndim == 1:
        return xp.squeeze(xp.matmul(xp.swapaxes(a, -1, -2), xp.unsqueeze(g, -1)), -1)
    return xp.matmul(xp.swapaxes(a, -1, -2), g)  # Aᵀ G


def bilinear_tangent(product, t, a, b):
    """d(a ∘ b) = da ∘ b + a ∘ db, for a product ∘ linear in each operand."""
    ta, tb = t
    left = None if ta is None else product(ta, b)
    right = None if tb is None else product(a, tb)
    return right if left is None else left if right is None else left + right


def _matmul_row(name):
    return OpDef(
        name,
        lambda xp, a, b: xp.matmul(a, b),
        saves=(0, 1),
        broadcasts=True,  # batch dims
        promotes=True,
        grads=[_grad_a, _grad_b],
        jvp=lambda xp, t, a, b, out: bilinear_tangent(xp.matmul, t, a, b),
    )


def _linear(xp, x, w, b):
    out = xp.matmul(x, xp.swapaxes(w, 0, 1))
    out += b
    return out


def sum_tangents(*parts):
    """The sum of the tangent terms that are not ``None``."""
    present = [p for p in parts if p is not None]
    total = present[0]
    for p in present[1:]:
        total = total + p
    return total


def _linear_tangent(xp, t, x, w, b, out):
    # d(x Wᵀ + b) = dx Wᵀ + x dWᵀ + db
    tx, tw, tb = t
    return sum_tangents(
        None if tx is None else xp.matmul(tx, xp.swapaxes(w, 0, 1)),
        None if tw is None else xp.matmul(x, xp.swapaxes(tw, 0, 1)),
        tb,
    )


MM = _matmul_row("MmBackward0")
MV = _matmul_row("MvBackward0")
DOT = _matmul_row("DotBackward0")
BMM = _matmul_row("BmmBackward0")
MATMUL = _matmul_row("MatmulBackward0")
LINEAR = OpDef(
    "AddmmBackward0",
    _linear,
    saves=(0, 1),
    jvp=_linear_tangent,
    grads=[
        lambda xp, g, x, w: xp.matmul(g, w),  # ∂/∂x = G W
        lambda xp, g, x, w: xp.matmul(xp.swapaxes(g, 0, 1), x),  # ∂/∂W = Gᵀ X
        lambda xp, g, x, w: xp.sum(g, (0,), False),  # ∂/∂b = Σ_rows G
    ],
)


def _operands(name, a, b):
    for x in (a, b):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): expected Tensor arguments, got {type(x).__name__}")
    ad, bd = a._data, b._data
    if ad.ndim == 0 or bd.ndim == 0:
        raise RuntimeError(
            f"{name}: both arguments to matmul need to be at least 1D, but they "
            f"are {ad.ndim}D and {bd.ndim}D"
        )
    k_a = ad.shape[-1]
    k_b = bd.shape[-2] if bd.ndim > 1 else bd.shape[0]
    if k_a != k_b:
        raise RuntimeError(
            f"{name}: mat1 and mat2 shapes cannot be multiplied "
            f"({_shape_str(ad.shape)} and {_shape_str(bd.shape)}): the last dim "
            f"of the first ({k_a}) must equal the "
            f"{'first' if bd.ndim == 1 else 'second-to-last'} dim of the second "
            f"({k_b})"
        )
    return ad, bd


def _shape_str(shape):
    return "x".join(str(s) for s in shape) if len(shape) > 1 else f"{shape[0]}"


def _product(op, name, a, b):
    ad, bd = _operands(name, a, b)
    try:
        return apply(op, (a, b))
    except RuntimeError:
        raise RuntimeError(
            f"{name}: batch dims cannot be broadcast together: shapes "
            f"{list(ad.shape)} and {list(bd.shape)}"
        ) from None


def matmul(input, other):
    """Matrix product with NumPy's rules for 1-D and batched operands (``@``)."""
    na, nb = input.ndim, other.ndim
    if na == 2 and nb == 2:
        op = MM
    elif na == 1 and nb == 1:
        op = DOT
    elif na == 2 and nb == 1:
        op = MV
    elif na == 3 and nb == 3 and input.shape[0] == other.shape[0]:
        op = BMM
    else:
        op = MATMUL
    return _product(op, "matmul", input, other)


def mm(input, mat2):
    """Product of two matrices (2-D only)."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {input.ndim}-D and {mat2.ndim}-D")
    return _product(MM, "mm", input, mat2)


def bmm(input, mat2):
    """Batched product of two 3-D tensors with the same batch size."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got {input.ndim}-D and {mat2.ndim}-D")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: batch sizes differ: {input.shape[0]} and {mat2.shape[0]} "
            f"(shapes {list(input.shape)} and {list(mat2.shape)})"
        )
    return _product(BMM, "bmm", input, mat2)


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"mv: expected a 2-D matrix and a 1-D vector, got {input.ndim}-D and {vec.ndim}-D"
        )
    return _product(MV, "mv", input, vec)


def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    return _product(DOT, "dot", input, other)


def outer(input, vec2):
    """Outer product aᵢ bⱼ of two vectors."""
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


def linear(input, weight, bias=None):
    """y = x Wᵀ + b (one fused node for 2-D inputs with a bias)."""
    if bias is None or input.ndim != 2 or bias.ndim != 1:
        out = matmul(input, weight.mT if weight.ndim == 2 else weight)
        return out if bias is None else out + bias
    xd, wd, bd = input._data, weight._data, bias._data
    if not (xd.dtype == wd.dtype == bd.dtype):
        return matmul(input, weight.mT) + bias
    if xd.shape[1] != wd.shape[1] or wd.shape[0] != bd.shape[0]:
        raise RuntimeError(
            f"linear: input {list(xd.shape)}, weight {list(wd.shape)} and bias "
            f"{list(bd.shape)} do not fit: expected input (N, in), weight "
            f"(out, in), bias (out,)"
        )
    return apply(LINEAR, (input, weight, bias))
