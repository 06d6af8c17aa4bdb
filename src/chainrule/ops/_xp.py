"""The two array namespaces the gradient formulas are written against.

``numpy_xp`` works on NumPy arrays (a plain backward pass: no Tensors, no graph);
``tensor_xp`` has the same functions as differentiable chainrule ops (``create_graph``).
A future CuPy backend is one more namespace here.
"""

import numpy as np

from . import elementwise as E
from . import index as I
from . import mathfn as M
from . import matrix as MX
from . import reduce as R
from . import shape as S


def _np_sum_to(x, shape):
    """Sum ``x`` down to ``shape`` (undo NumPy broadcasting)."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0:
        raise ValueError("cannot reduce to a shape with more dims")
    axes = tuple(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and x.shape[lead + i] != 1:
            axes += (lead + i,)
        elif s != x.shape[lead + i]:
            raise ValueError(f"shape {x.shape} cannot be summed to {shape}")
    out = np.sum(x, axes, keepdims=True)
    return out.reshape(shape) if lead else out


def _np_prod_except(a, dims):
    """Π over ``dims`` of all elements but the one at each position (zeros handled)."""
    if not dims or a.size == 0:
        return np.ones_like(a)
    moved = np.moveaxis(a, dims, tuple(range(a.ndim - len(dims), a.ndim)))
    flat = moved.reshape(moved.shape[: a.ndim - len(dims)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.flip(np.cumprod(np.flip(np.concatenate([flat[..., 1:], ones], -1), -1), -1), -1)
    return np.moveaxis(
        (left * right).reshape(moved.shape), tuple(range(a.ndim - len(dims), a.ndim)), dims
    )


class numpy_xp:
    """Formulas' functions on NumPy arrays."""

    log, exp, sin, cos, sign = np.log, np.exp, np.sin, np.cos, np.sign
    sinh, cosh = np.sinh, np.cosh
    tril, triu, einsum = staticmethod(np.tril), staticmethod(np.triu), staticmethod(np.einsum)
    cumprod_backward = staticmethod(MX._np_cumprod_backward)
    where, matmul, swapaxes, flip, cumsum = np.where, np.matmul, np.swapaxes, np.flip, np.cumsum
    sigmoid = staticmethod(E._sigmoid)

    @staticmethod
    def threshold_backward(g, out):
        return g * (out > 0)

    sum_to = staticmethod(_np_sum_to)
    prod_except = staticmethod(_np_prod_except)
    index_backward = staticmethod(I._scatter_add)
    scatter_zeros = staticmethod(I._scatter_along)
    gather = staticmethod(I._gather)

    @staticmethod
    def reshape(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def expand(x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def permute(x, dims):
        return np.transpose(x, dims)

    @staticmethod
    def unsqueeze(x, dim):
        return np.expand_dims(x, dim)

    @staticmethod
    def squeeze(x, dim):
        return np.squeeze(x, dim)

    @staticmethod
    def sum(x, dims, keepdim):
        return np.sum(x, dims, keepdims=keepdim)

    @staticmethod
    def mean(x, dims, keepdim):
        return np.mean(x, dims, keepdims=keepdim)

    @staticmethod
    def index(x, index):
        return x[index]

    @staticmethod
    def cast(x, np_dtype):
        return x.astype(np_dtype)

    @staticmethod
    def floor_div(a, b):
        return np.floor_divide(a, b)

    @staticmethod
    def trunc_div(a, b):
        return np.trunc(np.true_divide(a, b))


class tensor_xp:
    """Formulas' functions as recorded chainrule ops (for higher-order gradients)."""

    log, exp, sin, cos, sign = E.log, E.exp, E.sin, E.cos, E.sign
    sinh, cosh = M.sinh, M.cosh
    tril, triu, einsum = MX.tril, MX.triu, MX.einsum
    cumprod_backward = MX._tensor_cumprod_backward
    where, sigmoid = E.where, E.sigmoid
    swapaxes, flip, permute = S.transpose, S.flip, S.permute
    reshape, expand, unsqueeze, squeeze = S.reshape, S.expand, S.unsqueeze, S.squeeze
    sum, mean, cumsum = R.sum, R.mean, R.cumsum

    @staticmethod
    def matmul(a, b):
        from .linalg import matmul

        return matmul(a, b)

    @staticmethod
    def threshold_backward(g, out):
        return E.binary(E.THRESHOLD_BACKWARD, g, out)

    @staticmethod
    def sum_to(x, shape):
        shape = tuple(shape)
        lead = x.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1
        )
        return R.sum(x, dims, True).reshape(shape) if dims else x

    @staticmethod
    def prod_except(a, dims):
        # Π of the others for each position, as recorded ops (zeros included): O(n²) ops
        # along the reduced dims, which only create_graph pays for
        if not dims:
            return a * 0 + 1
        ndim = a.ndim
        rest = tuple(d for d in range(ndim) if d not in dims)
        order = rest + tuple(dims)
        moved = S.permute(a, order)
        flat = S.reshape(moved, tuple(moved.shape[: len(rest)]) + (-1,))
        n = flat.shape[-1]
        columns = [
            R.prod(S.cat([flat[..., :k], flat[..., k + 1 :]], -1), -1, True) for k in range(n)
        ]
        others = S.reshape(S.cat(columns, -1), tuple(moved.shape))
        return S.permute(others, tuple(np.argsort(order)))

    @staticmethod
    def index_backward(g, shape, index, advanced):
        return I.apply(I.INDEX_BACKWARD, (g,), (shape, index, advanced))

    @staticmethod
    def scatter_zeros(g, shape, dim, index):
        return I.apply(I.SCATTER_ZEROS, (g,), (shape, dim, index))

    @staticmethod
    def gather(g, dim, index):
        return I.apply(I.GATHER, (g,), (tuple(g.shape), dim, index))

    @staticmethod
    def index(x, index):
        return I.getitem(x, index)

    @staticmethod
    def cast(x, np_dtype):
        from .._dtype import from_numpy_dtype

        return x.to(from_numpy_dtype(np_dtype))

    @staticmethod
    def floor_div(a, b):  # piecewise constant: no graph needed
        return E.div(a, b, rounding_mode="floor")

    @staticmethod
    def trunc_div(a, b):
        return E.div(a, b, rounding_mode="trunc")
