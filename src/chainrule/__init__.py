"""chainrule: reverse-mode automatic differentiation and neural networks on NumPy.

The public namespace mirrors PyTorch's, so ``import chainrule as torch`` runs PyTorch code
that sticks to the CPU and the supported dtypes.
"""

import warnings

# the core first, then the layers built on it
from . import _dtype, autograd, ops
from ._format import set_printoptions
from ._runtime import autocast, compile, get_num_threads, set_num_threads
from ._device import cuda, device
from ._dtype import (
    can_cast,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from ._tensor import Size, Tensor
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import *  # noqa: F401,F403
from .histogram import histc, histogram
from .ops import *  # noqa: F401,F403
from .ops.conversion import (  # PyTorch's legacy tensor types
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from . import accelerator, backends  # the CPU answers to the GPU preamble
from .backends import (
    are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    use_deterministic_algorithms,
)

from . import distributions, func, linalg, nn, optim, utils
from .serialization import load, save

bool = _dtype.bool_  # noqa: A001 -- PyTorch's name
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
short = int16
half = float16
__version__ = "0.1.0"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


# PyTorch computes inf and nan silently (log(0) = -inf, exp(1000) = inf); NumPy warns.  Keep
# NumPy's RuntimeWarnings quiet when they come from chainrule's own ops, and only there.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"chainrule\.")
