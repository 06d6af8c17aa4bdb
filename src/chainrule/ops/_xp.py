"""The Tensor namespace the gradient and tangent formulas are written against.

A plain backward pass gives formulas the backend of the data (``chainrule._backend``:
NumPy, CuPy or an Array-API library; arrays in, arrays out, no graph).  ``tensor_xp`` has
the same functions as recorded chainrule ops, for ``create_graph=True`` and forward mode.
"""

import types

from .._backend import _standard_extras
from . import elementwise as E
from . import index as I
from . import mathfn as M
from . import matrix as MX
from . import reduce as R
from . import shape as S
from ._registry import apply


def _cumulative(op, x, axis, include_initial, start):
    out = op(x, axis)
    if not include_initial:
        return out
    first = x[(slice(None),) * (axis % x.ndim) + (slice(0, 1),)] * 0 + start
    return S.cat([first, out], axis)


def _standard_names():
    """The Array API names the shared formula helpers (``chainrule._backend``) call, as
    recorded chainrule ops with the standard's signatures."""
    from .._dtype import from_numpy_dtype

    def astype(x, dtype, copy=True):
        return x.to(from_numpy_dtype(dtype))

    return types.SimpleNamespace(
        sum=lambda x, axis=None, keepdims=False: R.sum(x, axis, keepdims),
        mean=lambda x, axis=None, keepdims=False: R.mean(x, axis, keepdims),
        prod=lambda x, axis=None, keepdims=False: R.prod(x, axis, keepdims),
        max=lambda x, axis=None, keepdims=False: R.amax(x, () if axis is None else axis, keepdims),
        min=lambda x, axis=None, keepdims=False: R.amin(x, () if axis is None else axis, keepdims),
        all=R.all,
        reshape=lambda x, shape: S.reshape(x, tuple(shape)),
        broadcast_to=lambda x, shape: S.expand(x, tuple(shape)),
        permute_dims=lambda x, axes: S.permute(x, tuple(axes)),
        expand_dims=lambda x, axis: S.unsqueeze(x, axis),
        squeeze=lambda x, axis: S.squeeze(x, axis),
        flip=lambda x, axis=None: S.flip(x, axis),
        concat=lambda arrays, axis=0: S.cat(arrays, axis),
        stack=lambda arrays, axis=0: S.stack(arrays, axis),
        cumulative_sum=lambda x, axis=None, include_initial=False: _cumulative(
            R.cumsum, x, axis, include_initial, 0
        ),
        cumulative_prod=lambda x, axis=None, include_initial=False: _cumulative(
            MX.cumprod, x, axis, include_initial, 1
        ),
        where=E.where,
        exp=E.exp,
        zeros_like=lambda x: x * 0,
        ones_like=lambda x: x * 0 + 1,
        astype=astype,
    )


# the Tensor namespace: the shared helpers over the standard names above, then the
# functions whose recorded form is an op row of its own (one node, PyTorch's grad_fn)
tensor_xp = types.ModuleType("chainrule.backend.tensor")
tensor_xp.__dict__.update(_standard_extras(_standard_names()))
tensor_xp.__dict__.update(
    log=E.log,
    exp=E.exp,
    sin=E.sin,
    cos=E.cos,
    sign=E.sign,
    sinh=M.sinh,
    cosh=M.cosh,
    tril=MX.tril,
    triu=MX.triu,
    einsum=MX.einsum,
    where=E.where,
    sigmoid=E.sigmoid,
    swapaxes=S.transpose,
    flip=S.flip,
    permute=S.permute,
    reshape=S.reshape,
    expand=S.expand,
    unsqueeze=S.unsqueeze,
    squeeze=S.squeeze,
    sum=R.sum,
    mean=R.mean,
    cumsum=R.cumsum,
    index=I.getitem,
)


def _matmul(a, b):
    from .linalg import matmul

    return matmul(a, b)


def _cast(x, np_dtype, copy=True):
    from .._dtype import from_numpy_dtype

    return x.to(from_numpy_dtype(np_dtype))


tensor_xp.__dict__.update(
    matmul=_matmul,
    cast=_cast,
    threshold_backward=lambda g, out: apply(E.THRESHOLD_BACKWARD, (g, out)),
    index_backward=lambda g, shape, index, advanced: I.apply(
        I.INDEX_BACKWARD, (g,), (shape, index, advanced)
    ),
    scatter_zeros=lambda g, shape, dim, index: I.apply(I.SCATTER_ZEROS, (g,), (shape, dim, index)),
    gather=lambda g, dim, index: I.apply(I.GATHER, (g,), (tuple(g.shape), dim, index)),
    # piecewise constant: no graph needed
    floor_div=lambda a, b: E.div(a, b, rounding_mode="floor"),
    trunc_div=lambda a, b: E.div(a, b, rounding_mode="trunc"),
)
