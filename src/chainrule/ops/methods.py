"""Tensor methods and Python operators, each bound to its op function (one line each)."""

import numpy as np

from .._construct import tensor
from .._dtype import bool_, float16, float32, float64, int8, int16, int32, int64, uint8
from .._tensor import Tensor
from . import conversion as C
from . import elementwise as E
from . import index as I
from . import inplace as P
from . import linalg as L
from . import mathfn as M
from . import matrix as MX
from . import nn_ops as N
from . import query as Q
from . import reduce as R
from . import scattering as SC
from . import shape as S
from . import sorting as SO
from ._registry import as_tensor_operand


def _reflected(fn):
    def method(self, other):
        return fn(as_tensor_operand(other), self)

    method.__name__ = f"__r{fn.__name__}__"
    return method


def _matmul_operand(other):
    other = as_tensor_operand(other)
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul: expected a Tensor operand, got {type(other).__name__}")
    return other


# ---------------------------------------------------------------- operators
Tensor.__add__ = E.add
Tensor.__radd__ = E.add  # commutative: 3 + x records add(x, 3), as PyTorch does
Tensor.__sub__ = E.sub
Tensor.__rsub__ = E.rsub
Tensor.__mul__ = E.mul
Tensor.__rmul__ = E.mul
Tensor.__truediv__ = E.div
Tensor.__rtruediv__ = lambda self, other: M.reciprocal(self) * other  # as PyTorch: 1/x · c
Tensor.__floordiv__ = lambda self, other: E.div(self, other, rounding_mode="floor")
Tensor.__rfloordiv__ = lambda self, other: E.div(other, self, rounding_mode="floor")
Tensor.__mod__ = M.remainder
Tensor.__rmod__ = _reflected(M.remainder)
Tensor.__pow__ = E.pow
Tensor.__rpow__ = lambda self, other: E.pow(as_tensor_operand(other), self)
Tensor.__matmul__ = lambda self, other: L.matmul(self, _matmul_operand(other))
Tensor.__rmatmul__ = lambda self, other: L.matmul(_matmul_operand(other), self)
Tensor.__neg__ = E.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = E.abs
Tensor.__invert__ = E.bitwise_not
Tensor.__and__ = E.logical_and
Tensor.__or__ = E.logical_or
Tensor.__xor__ = E.logical_xor
Tensor.__eq__ = E.eq
Tensor.__ne__ = E.ne
Tensor.__lt__ = E.lt
Tensor.__le__ = E.le
Tensor.__gt__ = E.gt
Tensor.__ge__ = E.ge
Tensor.__getitem__ = I.getitem
Tensor.__setitem__ = I.setitem
Tensor.__iadd__ = P.add_
Tensor.__isub__ = P.sub_
Tensor.__imul__ = P.mul_
Tensor.__itruediv__ = P.div_

# ---------------------------------------------------------------- elementwise methods
Tensor.add = E.add
Tensor.sub = E.sub
Tensor.mul = E.mul
Tensor.div = E.div
Tensor.pow = E.pow
Tensor.neg = E.neg
Tensor.abs = E.abs
Tensor.exp = E.exp
Tensor.log = E.log
Tensor.log1p = E.log1p
Tensor.expm1 = E.expm1
Tensor.sqrt = E.sqrt
Tensor.rsqrt = E.rsqrt
Tensor.sin = E.sin
Tensor.cos = E.cos
Tensor.tan = E.tan
Tensor.tanh = E.tanh
Tensor.sigmoid = E.sigmoid
Tensor.relu = E.relu
Tensor.erf = E.erf
Tensor.sign = E.sign
Tensor.square = E.square
Tensor.clamp = E.clamp
Tensor.clip = E.clamp
Tensor.maximum = E.maximum
Tensor.minimum = E.minimum
Tensor.where = lambda self, condition, other: E.where(condition, self, other)
Tensor.eq = E.eq
Tensor.ne = E.ne
Tensor.lt = E.lt
Tensor.le = E.le
Tensor.gt = E.gt
Tensor.ge = E.ge
Tensor.logical_and = E.logical_and
Tensor.logical_or = E.logical_or
Tensor.logical_xor = E.logical_xor
Tensor.logical_not = E.logical_not
Tensor.isnan = E.isnan
Tensor.isinf = E.isinf
Tensor.isfinite = E.isfinite
Tensor.equal = E.equal
Tensor.allclose = E.allclose
Tensor.isclose = E.isclose
Tensor.floor = E.floor
Tensor.ceil = E.ceil
Tensor.round = E.round
Tensor.trunc = E.trunc
Tensor.reciprocal = M.reciprocal
Tensor.log2 = M.log2
Tensor.log10 = M.log10
Tensor.exp2 = M.exp2
Tensor.sinh = M.sinh
Tensor.cosh = M.cosh
Tensor.asin = M.asin
Tensor.arcsin = M.asin
Tensor.acos = M.acos
Tensor.arccos = M.acos
Tensor.atan = M.atan
Tensor.arctan = M.atan
Tensor.atan2 = M.atan2
Tensor.arctan2 = M.atan2
Tensor.hypot = M.hypot
Tensor.logaddexp = M.logaddexp
Tensor.erfc = M.erfc
Tensor.clamp_min = M.clamp_min
Tensor.clamp_max = M.clamp_max
Tensor.remainder = M.remainder
Tensor.fmod = M.fmod
Tensor.lerp = M.lerp

# ---------------------------------------------------------------- reductions
Tensor.sum = R.sum
Tensor.mean = R.mean
Tensor.var = R.var
Tensor.std = R.std
Tensor.prod = R.prod
Tensor.max = R.max
Tensor.min = R.min
Tensor.amax = R.amax
Tensor.amin = R.amin
Tensor.logsumexp = R.logsumexp
Tensor.norm = R.norm
Tensor.argmax = R.argmax
Tensor.argmin = R.argmin
Tensor.cumsum = R.cumsum
Tensor.all = R.all
Tensor.any = R.any
Tensor.sort = SO.sort
Tensor.argsort = SO.argsort
Tensor.topk = SO.topk
Tensor.nonzero = Q.nonzero
Tensor.count_nonzero = Q.count_nonzero
Tensor.unique = Q.unique

# ---------------------------------------------------------------- shape and indexing
Tensor.reshape = S.reshape
Tensor.view = S.view
Tensor.view_as = lambda self, other: S.view(self, other.shape)
Tensor.reshape_as = lambda self, other: S.reshape(self, other.shape)
Tensor.flatten = S.flatten
Tensor.squeeze = S.squeeze
Tensor.unsqueeze = S.unsqueeze
Tensor.transpose = S.transpose
Tensor.swapaxes = S.transpose
Tensor.t = S.t
Tensor.permute = S.permute
Tensor.T = property(lambda self: S.permute(self, tuple(range(self.ndim))[::-1]))
Tensor.mT = property(lambda self: S.transpose(self, -2, -1))
Tensor.expand = S.expand
Tensor.expand_as = S.expand_as
Tensor.broadcast_to = S.broadcast_to
Tensor.repeat = S.repeat
Tensor.flip = lambda self, *dims: S.flip(
    self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims
)
Tensor.split = S.split
Tensor.chunk = S.chunk
Tensor.unbind = S.unbind
Tensor.gather = I.gather
Tensor.index_select = I.index_select
Tensor.masked_fill = I.masked_fill
Tensor.masked_fill_ = SC.masked_fill_
Tensor.scatter = SC.scatter
Tensor.scatter_ = SC.scatter_
Tensor.scatter_add = SC.scatter_add
Tensor.scatter_add_ = SC.scatter_add_
Tensor.index_add = SC.index_add
Tensor.index_add_ = SC.index_add_

# ---------------------------------------------------------------- products, softmax
Tensor.matmul = L.matmul
Tensor.mm = L.mm
Tensor.bmm = L.bmm
Tensor.mv = L.mv
Tensor.dot = L.dot
Tensor.outer = L.outer
Tensor.tril = MX.tril
Tensor.triu = MX.triu
Tensor.diag = MX.diag
Tensor.trace = MX.trace
Tensor.cumprod = MX.cumprod
Tensor.addmm = MX.addmm
Tensor.tril_ = lambda self, diagonal=0: P.inplace(self, lambda s: MX.tril(s, diagonal))
Tensor.triu_ = lambda self, diagonal=0: P.inplace(self, lambda s: MX.triu(s, diagonal))
Tensor.softmax = N.softmax
Tensor.log_softmax = N.log_softmax

# ---------------------------------------------------------------- Python and NumPy protocols
Tensor.__float__ = C.tensor_float  # warns once if it requires grad, as PyTorch
Tensor.__complex__ = C.tensor_complex
Tensor.__array__ = C.tensor_array
Tensor.__copy__ = C.tensor_copy

# ---------------------------------------------------------------- copies, dtypes, in place
Tensor.clone = P.clone
Tensor.to = P.to
Tensor.type = C.tensor_type
Tensor.float = lambda self: P.to(self, float32)
Tensor.double = lambda self: P.to(self, float64)
Tensor.long = lambda self: P.to(self, int64)
Tensor.int = lambda self: P.to(self, int32)
Tensor.short = lambda self: P.to(self, int16)
Tensor.char = lambda self: P.to(self, int8)
Tensor.byte = lambda self: P.to(self, uint8)
Tensor.half = lambda self: P.to(self, float16)
Tensor.bool = lambda self: P.to(self, bool_)
Tensor.type_as = lambda self, other: P.to(self, other.dtype)
Tensor.add_ = P.add_
Tensor.sub_ = P.sub_
Tensor.mul_ = P.mul_
Tensor.div_ = P.div_
Tensor.pow_ = P.pow_
Tensor.clamp_ = P.clamp_
Tensor.clip_ = P.clamp_
Tensor.neg_ = P.neg_
Tensor.exp_ = P.exp_
Tensor.sqrt_ = P.sqrt_
Tensor.relu_ = P.relu_
Tensor.abs_ = P.abs_
Tensor.sigmoid_ = P.sigmoid_
Tensor.tanh_ = P.tanh_
Tensor.clamp_min_ = P.clamp_min_
Tensor.clamp_max_ = P.clamp_max_
Tensor.fill_ = P.fill_
Tensor.zero_ = P.zero_
Tensor.copy_ = P.copy_
Tensor.uniform_ = P.uniform_
Tensor.normal_ = P.normal_
Tensor.bernoulli_ = P.bernoulli_
Tensor.random_ = P.random_


def _new_tensor(self, data, dtype=None, requires_grad=False):
    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_filled(fill):
    def method(self, *size, dtype=None, requires_grad=False):
        from ..creation import _filled

        return _filled(fill, size, dtype or self.dtype, requires_grad)

    return method


Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_filled(np.zeros)
Tensor.new_ones = _new_filled(np.ones)
Tensor.new_empty = _new_filled(np.zeros)


def _new_full(self, size, fill_value, *, dtype=None, requires_grad=False):
    from ..creation import full

    return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _cuda(self, device=None, non_blocking=False):
    raise AssertionError("Torch not compiled with CUDA enabled")


def _pin_memory(self, device=None):
    raise RuntimeError("Cannot access accelerator device when none is available.")


Tensor.new_full = _new_full
Tensor.cuda = _cuda  # PyTorch's CPU build answers so too
Tensor.pin_memory = _pin_memory
# real tensors: the conjugate is the tensor itself, H and mH are transposes
Tensor.conj = Tensor.resolve_conj = lambda self: self
Tensor.H = property(lambda self: self.T if self.dim() == 2 else _not_matrix(self, "H"))
Tensor.mH = property(lambda self: self.mT)


def _not_matrix(self, name):
    raise RuntimeError(
        f"tensor.{name} is only supported on matrices (2-D tensors). Got {self.dim()}-D tensor."
    )


# ---------------------------------------------------------------- sampling and histograms
def _bernoulli(self, p=None, *, generator=None):
    from ..random import bernoulli

    return bernoulli(self, p, generator=generator)


def _multinomial(self, num_samples, replacement=False, *, generator=None):
    from ..random import multinomial

    return multinomial(self, num_samples, replacement, generator=generator)


def _histc(self, bins=100, min=0, max=0):  # noqa: A002 -- PyTorch's names
    from ..histogram import histc

    return histc(self, bins, min, max)


def _histogram(self, bins, *, range=None, weight=None, density=False):  # noqa: A002
    from ..histogram import histogram

    return histogram(self, bins, range=range, weight=weight, density=density)


Tensor.bernoulli = _bernoulli
Tensor.multinomial = _multinomial
Tensor.histc = _histc
Tensor.histogram = _histogram
