"""Pooling, padding, interpolation, channel dropout and BatchNorm2d against PyTorch: values,
indices and gradients in float64 (1e-10) and float32 (1e-5), grad_fn names, second order
and forward mode, finite differences, errors, layers' reprs and state_dict interchange."""

import warnings

import numpy as np
import pytest
import torch
from nn_helpers import as_np

import chainrule
from chainrule.autograd import forward_ad, gradcheck, gradgradcheck

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-5)}


def _run(fn_name, x, kwargs, lib):
    return getattr(lib.nn.functional, fn_name)(x, **kwargs)


def _check(fn_name, x_shape, kwargs, dtype="float64", values=None, seed=0):
    """F.<fn_name>(x, **kwargs) in both libraries: outputs (and indices), grad_fn name and
    the gradient of ⟨g, y⟩ must agree."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape) if values is None else values
    x = np.asarray(x, dtype=dtype)
    tx = torch.tensor(x, requires_grad=True)
    cx = chainrule.tensor(x, requires_grad=True)
    t_out, c_out = _run(fn_name, tx, kwargs, torch), _run(fn_name, cx, kwargs, chainrule)
    if isinstance(t_out, tuple):  # (values, indices)
        np.testing.assert_array_equal(as_np(c_out[1]), as_np(t_out[1]))
        assert c_out[1].dtype == chainrule.int64
        t_out, c_out = t_out[0], c_out[0]
    assert tuple(c_out.shape) == tuple(t_out.shape)
    assert c_out.grad_fn.name() == t_out.grad_fn.name().replace("torch::autograd::", "")
    tol = TOL[dtype]
    np.testing.assert_allclose(as_np(c_out), as_np(t_out), **tol, err_msg="forward")
    g = rng.standard_normal(tuple(t_out.shape)).astype(dtype)
    t_out.backward(torch.tensor(g))
    c_out.backward(chainrule.tensor(g))
    np.testing.assert_allclose(as_np(cx.grad), as_np(tx.grad), **tol, err_msg="backward")


# --------------------------------------------------------------------------- max pooling
MAX_POOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),  # overlapping windows
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=3, return_indices=True),
    dict(kernel_size=(2, 3), stride=2, padding=1, dilation=2, return_indices=True),
]


@pytest.mark.parametrize("kwargs", MAX_POOL_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_max_pool2d_matches_torch(kwargs, dtype):
    _check("max_pool2d", (2, 3, 9, 8), kwargs, dtype)


def test_max_pool2d_unbatched():
    _check("max_pool2d", (3, 7, 8), dict(kernel_size=3, stride=2, ceil_mode=True))


def test_max_pool2d_ties_go_to_the_first_maximum():
    """Integer-valued inputs have many equal window elements: PyTorch sends the gradient
    (and the index) to the first maximum in row-major order."""
    values = np.random.default_rng(1).integers(0, 3, (2, 2, 6, 6))
    _check("max_pool2d", None, dict(kernel_size=2, return_indices=True), values=values)
    _check("max_pool2d", None, dict(kernel_size=3, stride=1, padding=1), values=values)


def test_max_pool2d_nan_and_minus_inf_like_torch():
    values = np.random.default_rng(2).standard_normal((1, 2, 4, 4))
    values[0, 0, 1, 1] = np.nan
    values[0, 1, :2, :2] = -np.inf
    for kwargs in (dict(kernel_size=2, return_indices=True), dict(kernel_size=2, padding=1)):
        t = torch.nn.functional.max_pool2d(torch.tensor(values), **kwargs)
        c = chainrule.nn.functional.max_pool2d(chainrule.tensor(values), **kwargs)
        if isinstance(t, tuple):
            np.testing.assert_array_equal(as_np(c[1]), as_np(t[1]))
            t, c = t[0], c[0]
        np.testing.assert_array_equal(as_np(c), as_np(t))


# --------------------------------------------------------------------------- avg pooling
AVG_POOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 1)),
    dict(kernel_size=3, padding=1, divisor_override=5),
]


@pytest.mark.parametrize("kwargs", AVG_POOL_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_avg_pool2d_matches_torch(kwargs, dtype):
    _check("avg_pool2d", (2, 3, 9, 8), kwargs, dtype)


def test_avg_pool2d_unbatched():
    _check("avg_pool2d", (3, 7, 8), dict(kernel_size=3, stride=2, ceil_mode=True))


# --------------------------------------------------------------------------- adaptive
@pytest.mark.parametrize("output_size", [(3, 4), 4, (9, 2), (None, 3), (12, 10), 1, (1, 1), (1, 3)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_adaptive_avg_pool2d_matches_torch(output_size, dtype):
    _check("adaptive_avg_pool2d", (2, 3, 9, 7), dict(output_size=output_size), dtype)


def test_adaptive_avg_pool_unbatched_and_1d():
    _check("adaptive_avg_pool2d", (3, 9, 7), dict(output_size=(4, 5)))
    _check("adaptive_avg_pool1d", (2, 3, 9), dict(output_size=4))


# --------------------------------------------------------------------------- pad
PAD_CASES = [
    ((2, 3, 5, 6), (1, 2, 3, 1)),
    ((2, 5, 6), (2, 3)),
    ((5, 6), (4, 1)),  # 2-D input, last dim
    ((3, 5, 6), (1, 1, 2, 0)),  # unbatched 2-D padding
    ((1, 2, 3, 5, 6), (1, 2, 2, 1, 1, 1)),  # 3-D padding
    ((2, 5, 6), (2, -1)),  # negative: crop
]


@pytest.mark.parametrize("shape, pad", PAD_CASES)
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes_match_torch(shape, pad, mode):
    _check("pad", shape, dict(pad=pad, mode=mode))


def test_pad_constant_still_works_with_value():
    _check("pad", (2, 5, 6), dict(pad=(2, -1, 1, 1), mode="constant", value=3.0))
    _check("pad", (2, 5, 6), dict(pad=(1, 1), mode="reflect"), dtype="float32")


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((2, 3, 5, 5), dict(pad=(1, 1), mode="reflect")),  # 2 pads need 2-D/3-D input
        ((2, 5, 5), dict(pad=(5, 1), mode="reflect")),  # not smaller than the dim
        ((2, 5, 5), dict(pad=(6, 1), mode="circular")),  # wraps more than once
        ((2, 5, 5), dict(pad=(1,), mode="replicate")),  # odd length
        ((2, 5, 5), dict(pad=(1, 1), mode="mirror")),
        ((2, 5, 5), dict(pad=(1, 1), mode="reflect", value=2.0)),
    ],
)
def test_pad_errors_like_torch(shape, kwargs):
    x = np.zeros(shape)
    with pytest.raises((RuntimeError, NotImplementedError)) as t_info:
        torch.nn.functional.pad(torch.tensor(x), **kwargs)
    with pytest.raises((RuntimeError, NotImplementedError)) as c_info:
        chainrule.nn.functional.pad(chainrule.tensor(x), **kwargs)
    assert c_info.type is t_info.type
    assert str(c_info.value) == str(t_info.value)


# --------------------------------------------------------------------------- interpolate
INTERP_CASES = [
    dict(scale_factor=2),
    dict(size=(5, 9)),
    dict(scale_factor=1.7),
    dict(scale_factor=(0.6, 2.5)),
    dict(scale_factor=1.7, recompute_scale_factor=True),
    dict(mode="nearest-exact", size=(5, 9)),
    dict(mode="nearest-exact", scale_factor=0.6),
    dict(mode="bilinear", size=(5, 9)),
    dict(mode="bilinear", size=(5, 9), align_corners=True),
    dict(mode="bilinear", scale_factor=2.3),
    dict(mode="bilinear", scale_factor=0.5, align_corners=True),
    dict(mode="bilinear", size=(28, 28)),
    dict(mode="bilinear", size=(1, 3), align_corners=True),
    dict(mode="area", size=(3, 4)),
]


@pytest.mark.parametrize("kwargs", INTERP_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_interpolate_2d_matches_torch(kwargs, dtype):
    _check("interpolate", (2, 3, 7, 6), kwargs, dtype)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(scale_factor=2),
        dict(mode="linear", size=9),
        dict(mode="linear", size=4, align_corners=True),
        dict(mode="linear", scale_factor=1.5),
        dict(mode="nearest-exact", size=4),
        dict(mode="area", size=3),
    ],
)
def test_interpolate_1d_matches_torch(kwargs):
    _check("interpolate", (2, 3, 7), kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(size=3, scale_factor=2),
        dict(),
        dict(size=(3,)),
        dict(scale_factor=(2, 3, 4)),
        dict(size=3, align_corners=True),
        dict(size=3, mode="linear"),
        dict(size=(0, 3)),
        dict(size=3, mode="cubic"),
    ],
)
def test_interpolate_errors_like_torch(kwargs):
    x = np.zeros((1, 2, 5, 5))
    with pytest.raises((ValueError, RuntimeError, NotImplementedError)) as t_info:
        torch.nn.functional.interpolate(torch.tensor(x), **kwargs)
    with pytest.raises((ValueError, RuntimeError, NotImplementedError)) as c_info:
        chainrule.nn.functional.interpolate(chainrule.tensor(x), **kwargs)
    assert c_info.type is t_info.type
    assert str(c_info.value) == str(t_info.value)


# --------------------------------------------------------------------------- pool errors
@pytest.mark.parametrize(
    "fn_name, shape, kwargs",
    [
        ("max_pool2d", (2, 4, 6, 6), dict(kernel_size=3, padding=2)),
        ("max_pool2d", (2, 4, 6, 6), dict(kernel_size=7)),
        ("max_pool2d", (6, 6), dict(kernel_size=2)),
        ("avg_pool2d", (2, 4, 6, 6), dict(kernel_size=3, padding=2)),
        ("avg_pool2d", (2, 4, 6, 6), dict(kernel_size=2, divisor_override=0)),
        ("adaptive_avg_pool2d", (6, 6), dict(output_size=2)),
    ],
)
def test_pool_errors_like_torch(fn_name, shape, kwargs):
    x = np.zeros(shape)
    with pytest.raises(RuntimeError):
        _run(fn_name, torch.tensor(x), kwargs, torch)
    with pytest.raises(RuntimeError):
        _run(fn_name, chainrule.tensor(x), kwargs, chainrule)


# --------------------------------------------------------------------------- higher order
LINEAR_MAPS = [
    ("max_pool2d", (1, 2, 5, 5), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d", (1, 2, 4, 4), dict(kernel_size=2, stride=1)),  # overlapping
    ("avg_pool2d", (1, 2, 5, 5), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("adaptive_avg_pool2d", (1, 2, 5, 4), dict(output_size=(3, 3))),
    ("pad", (1, 2, 3, 4), dict(pad=(1, 2, 2, 1), mode="reflect")),
    ("pad", (1, 2, 3, 4), dict(pad=(2, 1, 1, 0), mode="replicate")),
    ("pad", (1, 2, 3, 4), dict(pad=(1, 1, 2, 1), mode="circular")),
    ("interpolate", (1, 2, 3, 4), dict(mode="bilinear", size=(5, 6))),
    ("interpolate", (1, 2, 3, 4), dict(mode="nearest", scale_factor=1.5)),
    ("interpolate", (1, 2, 5), dict(mode="linear", size=7, align_corners=True)),
]


@pytest.mark.parametrize("fn_name, shape, kwargs", LINEAR_MAPS)
def test_gradcheck_and_gradgradcheck(fn_name, shape, kwargs):
    x = chainrule.tensor(np.random.default_rng(3).standard_normal(shape), requires_grad=True)

    def f(a):
        # squared, so that the second derivative is not zero
        return _run(fn_name, a * a, kwargs, chainrule)

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


@pytest.mark.parametrize("fn_name, shape, kwargs", LINEAR_MAPS)
def test_double_backward_rows_match_torch(fn_name, shape, kwargs):
    """The gradient of the gradient with respect to grad_output: each op's transpose row
    is differentiable, and its grad_fn is PyTorch's …BackwardBackward0 name."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    out_shape = tuple(_run(fn_name, torch.tensor(x), kwargs, torch).shape)
    g0, v = rng.standard_normal(out_shape), rng.standard_normal(shape)
    grads = []
    for lib in (torch, chainrule):
        xt = lib.tensor(x, requires_grad=True)
        g = lib.tensor(g0, requires_grad=True)
        (dx,) = lib.autograd.grad(_run(fn_name, xt, kwargs, lib), xt, g, create_graph=True)
        if lib is chainrule and kwargs.get("mode") != "circular":  # circular: CopySlices
            assert dx.grad_fn.name().endswith("BackwardBackward0")
        (dg,) = lib.autograd.grad((dx * lib.tensor(v)).sum(), g)
        grads.append(dg)
    np.testing.assert_allclose(as_np(grads[1]), as_np(grads[0]), **TOL["float64"])


# circular padding is written, as in PyTorch, with in-place copies (CopySlices), which do
# not carry forward-mode tangents in chainrule yet
@pytest.mark.parametrize("fn_name, shape, kwargs", [LINEAR_MAPS[i] for i in (0, 3, 4, 7, 9)])
def test_forward_mode_matches_torch(fn_name, shape, kwargs):
    rng = np.random.default_rng(5)
    x, t = rng.standard_normal(shape), rng.standard_normal(shape)
    outs = []
    for lib in (torch, chainrule):
        fad = lib.autograd.forward_ad if lib is torch else forward_ad
        with fad.dual_level():
            dual = fad.make_dual(lib.tensor(x), lib.tensor(t))
            outs.append(fad.unpack_dual(_run(fn_name, dual, kwargs, lib)).tangent)
    np.testing.assert_allclose(as_np(outs[1]), as_np(outs[0]), **TOL["float64"])


# --------------------------------------------------------------------------- dropout
def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    chainrule.manual_seed(0)
    x = chainrule.ones(8, 16, 3, 3, requires_grad=True)
    y = chainrule.nn.functional.dropout2d(x, p=0.25)
    assert y.grad_fn.name() == "MulBackward0"
    channels = as_np(y).reshape(8, 16, 9)
    per_channel = np.unique(channels, axis=2)  # each channel is constant
    assert per_channel.shape == (8, 16, 1)
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / 0.75)}
    assert 0 < (per_channel == 0).sum() < 8 * 16
    y.sum().backward()
    np.testing.assert_array_equal(as_np(x.grad), as_np(y.detach()))
    assert chainrule.nn.functional.dropout2d(x, 0.5, training=False) is x
    assert np.all(as_np(chainrule.nn.functional.dropout2d(x, 1.0)) == 0)


def test_dropout_channel_variants_warn_and_check_like_torch():
    x3 = chainrule.ones(4, 5, 6)
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        y = chainrule.nn.functional.dropout2d(x3, 0.5)
    assert np.unique(as_np(y), axis=2).shape == (4, 5, 1)  # channel-wise over (N, C, L)
    with pytest.raises(ValueError, match="between 0 and 1, but got 2"):
        chainrule.nn.functional.dropout2d(x3, 2)
    y = chainrule.nn.functional.dropout1d(chainrule.ones(5, 6), 0.5)  # unbatched (C, L)
    assert np.unique(as_np(y), axis=1).shape == (5, 1)
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        chainrule.nn.functional.dropout1d(chainrule.ones(2, 5, 6, 7))
    layer = chainrule.nn.Dropout2d(0.3)
    assert repr(layer) == repr(torch.nn.Dropout2d(0.3))
    assert not isinstance(layer, chainrule.nn.Dropout)  # as in PyTorch
    layer.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert layer(chainrule.ones(2, 3, 4, 4)) is not None


# --------------------------------------------------------------------------- layers
POOL_LAYERS = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((3, 2),), dict(stride=1, padding=1, dilation=2, ceil_mode=True)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False)),
    ("AdaptiveAvgPool2d", ((5, None),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("Upsample", (), dict(scale_factor=2)),
    ("Upsample", (), dict(size=(14, 12), mode="bilinear")),
    ("Upsample", (), dict(scale_factor=(1.5, 2), mode="bilinear", align_corners=True)),
    ("UpsamplingNearest2d", (), dict(scale_factor=2)),
    ("UpsamplingBilinear2d", (), dict(size=9)),
]


@pytest.mark.parametrize("name, args, kwargs", POOL_LAYERS)
def test_pool_layers_match_torch(name, args, kwargs):
    t_layer = getattr(torch.nn, name)(*args, **kwargs)
    c_layer = getattr(chainrule.nn, name)(*args, **kwargs)
    assert repr(c_layer) == repr(t_layer)
    x = np.random.default_rng(6).standard_normal((2, 3, 7, 6))
    np.testing.assert_allclose(
        as_np(c_layer(chainrule.tensor(x))), as_np(t_layer(torch.tensor(x))), **TOL["float64"]
    )


def test_max_pool2d_layer_returns_indices():
    x = np.random.default_rng(7).standard_normal((2, 3, 6, 6))
    t_out, t_idx = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    c_out, c_idx = chainrule.nn.MaxPool2d(2, return_indices=True)(chainrule.tensor(x))
    np.testing.assert_array_equal(as_np(c_idx), as_np(t_idx))
    np.testing.assert_array_equal(as_np(c_out), as_np(t_out))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        dict(momentum=None),
        dict(momentum=0.3, eps=1e-3),
        dict(affine=False),
        dict(track_running_stats=False),
    ],
)
def test_batchnorm2d_matches_torch_in_training_and_eval(kwargs):
    rng = np.random.default_rng(8)
    t_bn = torch.nn.BatchNorm2d(3, **kwargs).double()
    c_bn = chainrule.nn.BatchNorm2d(3, **kwargs, dtype=chainrule.float64)
    assert repr(c_bn) == repr(t_bn)
    assert list(c_bn.state_dict()) == list(t_bn.state_dict())
    if kwargs.get("affine", True):
        with torch.no_grad():
            t_bn.weight.uniform_(0.5, 1.5)
            t_bn.bias.uniform_(-0.5, 0.5)
        c_bn.load_state_dict({k: v.detach().numpy().copy() for k, v in t_bn.state_dict().items()})
    for _ in range(3):  # running statistics over several batches
        x = rng.standard_normal((4, 3, 5, 6)) * 2 + 1
        tx, cx = torch.tensor(x, requires_grad=True), chainrule.tensor(x, requires_grad=True)
        t_out, c_out = t_bn(tx), c_bn(cx)
        np.testing.assert_allclose(as_np(c_out), as_np(t_out), **TOL["float64"])
        g = rng.standard_normal(x.shape)
        t_out.backward(torch.tensor(g))
        c_out.backward(chainrule.tensor(g))
        np.testing.assert_allclose(as_np(cx.grad), as_np(tx.grad), rtol=1e-9, atol=1e-10)
    for k, v in t_bn.state_dict().items():
        np.testing.assert_allclose(as_np(c_bn.state_dict()[k]), v.numpy(), **TOL["float64"])
    t_bn.eval()
    c_bn.eval()
    x = rng.standard_normal((2, 3, 5, 6))
    np.testing.assert_allclose(
        as_np(c_bn(chainrule.tensor(x))), as_np(t_bn(torch.tensor(x))), **TOL["float64"]
    )


def test_batchnorm2d_checks_dims_and_loads_torch_state():
    with pytest.raises(ValueError, match="expected 4D input"):
        chainrule.nn.BatchNorm2d(3)(chainrule.ones(2, 3, 4))
    t_bn = torch.nn.BatchNorm2d(3)
    t_bn(torch.randn(4, 3, 2, 2))
    c_bn = chainrule.nn.BatchNorm2d(3)
    c_bn.load_state_dict({k: v.numpy().copy() for k, v in t_bn.state_dict().items()})
    assert int(c_bn.num_batches_tracked) == 1
    assert c_bn.num_batches_tracked.dtype == chainrule.int64
    assert isinstance(c_bn, chainrule.nn.modules.batchnorm._BatchNorm)
    assert not isinstance(c_bn, chainrule.nn.BatchNorm1d)
