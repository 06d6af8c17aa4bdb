"""Distances and the bilinear form as functions (re-exported by
``chainrule.nn.functional``): ``pairwise_distance``, ``pdist`` and ``bilinear``.

Composites of differentiable ops (``norm``, indexing, ``einsum``), so gradients of every
order come from the engine.
"""

import numpy as np

import chainrule

__all__ = ["bilinear", "pairwise_distance", "pdist"]


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm distance between the rows of ``x1`` and ``x2`` (broadcast against each other):

    .. math:: d = \\lVert x_1 - x_2 + \\epsilon \\rVert_p

    along the last dim; ``eps`` keeps the gradient finite when the rows are equal.
    """
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


def pdist(input, p=2.0):
    """p-norm distances between every pair of rows of an (N, M) input: the upper triangle
    (row-major, :math:`i < j`) of the distance matrix, shape ``(N (N - 1) / 2)``."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError(f"pdist only supports non-negative p values, got {p}")
    i, j = np.triu_indices(input.shape[0], 1)
    return (input[chainrule.tensor(i)] - input[chainrule.tensor(j)]).norm(p, 1)


def bilinear(input1, input2, weight, bias=None):
    """Bilinear map :math:`y_k = x_1^T W_k x_2 + b_k`.

    Shape:
        ``input1`` ``(*, H_1)``, ``input2`` ``(*, H_2)``, ``weight`` ``(H_out, H_1, H_2)``,
        ``bias`` ``(H_out)``; output ``(*, H_out)``.
    """
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear: input1 of shape {tuple(input1.shape)} and input2 of shape "
            f"{tuple(input2.shape)} do not match weight of shape {tuple(weight.shape)} "
            "(expected input1[..., H1], input2[..., H2], weight[H_out, H1, H2])"
        )
    lead = tuple(input1.shape[:-1])
    x1, x2 = input1.reshape(-1, weight.shape[1]), input2.reshape(-1, weight.shape[2])
    out = chainrule.einsum("bi,kij,bj->bk", x1, weight, x2).reshape(*lead, weight.shape[0])
    return out if bias is None else out + bias
