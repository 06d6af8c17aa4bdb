"""The Tensor namespace the gradient and tangent formulas are written against.

A plain backward pass gives formulas the backend of the data (``chainrule._backend``:
NumPy, CuPy or an Array-API library; arrays in, arrays out, no graph).  ``tensor_xp`` has
the same functions as recorded chainrule ops, for ``create_graph=True`` and forward mode.
"""

import numpy as np

from . import elementwise as E
from . import index as I
from . import mathfn as M
from . import matrix as MX
from . import reduce as R
from . import shape as S
from ._registry import apply


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
        return apply(E.THRESHOLD_BACKWARD, (g, out))

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
