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

__all__ = ["abs", "add", "allclose", "amax", "amin", "argmax", "argmin", "bitwise_not", "bmm",
           "broadcast_to", "cat", "chunk", "clamp", "clip", "clone", "concat", "concatenate",
           "cos", "div", "dot", "eq", "equal", "erf", "exp", "expand", "expm1", "flatten",
           "flip", "gather", "ge", "gt", "index_select", "isfinite", "isinf", "isnan", "le",
           "log", "log1p", "log_softmax", "logical_and", "logical_not", "logical_or",
           "logical_xor", "logsumexp", "lt", "masked_fill", "matmul", "max", "maximum", "mean",
           "min", "minimum", "mm", "mul", "mv", "ne", "neg", "norm", "outer", "permute",
           "pow", "prod", "relu", "repeat", "reshape", "rsqrt", "sigmoid", "sign", "sin",
           "softmax", "softplus", "split", "sqrt", "square", "squeeze", "stack", "std", "sub",
           "sum", "swapaxes", "t", "tan", "tanh", "transpose", "unbind", "unsqueeze",
           "var", "view", "where"]
