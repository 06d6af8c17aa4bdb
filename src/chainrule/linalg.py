"""``chainrule.linalg``: PyTorch's torch.linalg namespace.

Decompositions and matrix functions with their gradients (ops/decompositions.py) and the
functions composed from them (ops/matrix_functions.py), under torch.linalg's names.
"""

from .ops.arrange import diagonal as _diagonal
from .ops.decompositions import (
    LinAlgError,
    det,
    eigh,
    eigvalsh,
    inv,
    slogdet,
    solve,
    svdvals,
)
from .ops.decompositions import linalg_cholesky as cholesky
from .ops.decompositions import linalg_qr as qr
from .ops.decompositions import linalg_svd as svd
from .ops.linalg import matmul
from .ops.matrix_functions import linalg_cross as cross
from .ops.matrix_functions import (
    lstsq,
    matrix_exp,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    norm,
    pinv,
    solve_triangular,
    vecdot,
    vector_norm,
)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The ``offset``-th diagonal of each matrix of ``A`` (torch.diagonal with the last two
    dims as defaults)."""
    return _diagonal(A, offset, dim1, dim2)


__all__ = [
    "LinAlgError",
    "cholesky",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "lstsq",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]
