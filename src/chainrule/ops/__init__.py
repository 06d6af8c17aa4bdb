"""The op table, grouped by family, and its binding to Tensor methods and operators."""

from . import elementwise, index, inplace, linalg, nn_ops, reduce, shape
from ._registry import OPS
from .elementwise import (abs, add, allclose, bitwise_not, clamp, clip, cos, div, eq, equal, erf,
                          exp, expm1, ge, gt, isfinite, isinf, isnan, le, log, log1p,
                          logical_and, logical_not, logical_or, logical_xor, lt, maximum,
                          minimum, mul, ne, neg, pow, relu, rsqrt, sigmoid, sign, sin,
                          softplus, sqrt, square, sub, tan, tanh, where)
from .index import gather, index_select, masked_fill
from .inplace import clone, to
from .linalg import bmm, dot, linear, matmul, mm, mv, outer
from .nn_ops import log_softmax, softmax
from .reduce import (amax, amin, argmax, argmin, logsumexp, max, mean, min, norm, prod,
                     std, sum, var)
from .shape import (broadcast_to, cat, chunk, concat, concatenate, expand, flatten, flip, pad,
                    permute, repeat, reshape, split, squeeze, stack, swapaxes, t, transpose,
                    unbind, unsqueeze, view)
from . import methods  # noqa: F401  (binds Tensor methods and operators)

__all__ = ["OPS", "elementwise", "index", "inplace", "linalg", "nn_ops", "reduce", "shape"]
