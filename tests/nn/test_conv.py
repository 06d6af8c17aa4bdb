"""Convolutions (conv1d, conv2d, conv_transpose1d/2d and their layers) against PyTorch:
values and gradients in float64 (1e-10) and float32 (1e-5) over a grid of strides,
paddings, dilations and groups; second order, forward mode, finite differences, errors,
reprs, initialisation and state_dict interchange."""

import math

import numpy as np
import pytest
import torch
from nn_helpers import as_np

import chainrule
from chainrule.autograd import forward_ad, gradcheck, gradgradcheck

# torch warns once per process (a performance note) that padding="same" with an even
# kernel pads a copy: whichever test meets it first in a worker sees it
pytestmark = pytest.mark.filterwarnings(
    "ignore:Using padding='same' with even kernel lengths:UserWarning"
)

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-5)}


def _pair(array, dtype):
    """The same values as a torch and a chainrule tensor that require grad."""
    a = np.asarray(array, dtype=dtype)
    return (
        torch.tensor(a, requires_grad=True),
        chainrule.tensor(a, requires_grad=True),
    )


def _check(fn_name, x_shape, w_shape, kwargs, dtype, bias=True, seed=0):
    """Forward and backward of F.<fn_name> in both libraries; compare everything."""
    rng = np.random.default_rng(seed)
    out_channels = w_shape[1] * kwargs.get("groups", 1) if "transpose" in fn_name else w_shape[0]
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        arrays.append(rng.standard_normal(out_channels))
    pairs = [_pair(a, dtype) for a in arrays]
    t_args, c_args = [p[0] for p in pairs], [p[1] for p in pairs]
    t_out = getattr(torch.nn.functional, fn_name)(*t_args, **kwargs)
    c_out = getattr(chainrule.nn.functional, fn_name)(*c_args, **kwargs)
    assert tuple(c_out.shape) == tuple(t_out.shape)
    assert c_out.dtype == getattr(chainrule, dtype)
    tol = TOL[dtype]
    np.testing.assert_allclose(as_np(c_out), as_np(t_out), **tol, err_msg="forward")
    g = rng.standard_normal(tuple(t_out.shape)).astype(dtype)
    t_out.backward(torch.tensor(g))
    c_out.backward(chainrule.tensor(g))
    for name, t, c in zip(("input", "weight", "bias"), t_args, c_args):
        np.testing.assert_allclose(as_np(c.grad), as_np(t.grad), **tol, err_msg=f"d/d{name}")
    return c_out


CONV2D_CASES = [
    ((2, 3, 7, 6), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding=1)),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(stride=2, padding=(1, 0))),
    ((2, 3, 9, 8), (4, 3, 3, 3), dict(stride=(2, 3), padding=2, dilation=(2, 1))),
    ((2, 4, 7, 6), (6, 2, 3, 3), dict(groups=2, padding=1)),
    ((2, 4, 7, 6), (4, 1, 3, 3), dict(groups=4, stride=2)),  # depthwise
    ((2, 3, 7, 6), (4, 3, 4, 2), dict(padding="same")),  # even kernel: extra pad at the end
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding="same", dilation=2)),
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding="valid")),
    ((1, 2, 5, 5), (3, 2, 1, 1), dict(stride=2)),  # 1x1 kernel
    ((2, 3, 5, 6), (2, 3, 5, 6), {}),  # kernel as large as the input
    ((6, 5, 4), (4, 3, 2, 2), dict(groups=2, padding=1)),  # unbatched (C, H, W)
]


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV2D_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv2d_matches_torch(x_shape, w_shape, kwargs, dtype):
    out = _check("conv2d", x_shape, w_shape, kwargs, dtype)
    expected = "SqueezeBackward1" if len(x_shape) == 3 else "ConvolutionBackward0"
    assert out.grad_fn.name() == expected


def test_conv2d_without_bias():
    _check("conv2d", (2, 3, 6, 6), (4, 3, 3, 3), dict(stride=2, padding=1), "float64", False)


CONV1D_CASES = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 3, 9), (4, 3, 3), dict(stride=2, padding=1)),
    ((2, 4, 11), (6, 2, 3), dict(groups=2, dilation=3, padding=2)),
    ((2, 3, 9), (4, 3, 4), dict(padding="same", dilation=2)),
    ((3, 9), (4, 3, 2), dict(stride=3)),  # unbatched (C, L)
]


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV1D_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv1d_matches_torch(x_shape, w_shape, kwargs, dtype):
    _check("conv1d", x_shape, w_shape, kwargs, dtype)


TRANSPOSE2D_CASES = [
    ((2, 3, 4, 5), (3, 4, 3, 3), {}),
    ((2, 3, 4, 5), (3, 4, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 3, 4), (4, 3, 3, 3), dict(stride=(2, 3), groups=2, output_padding=(1, 2))),
    ((2, 3, 4, 5), (3, 2, 3, 3), dict(dilation=2, padding=(1, 2))),
    ((2, 3, 4, 5), (3, 2, 2, 2), dict(dilation=2, output_padding=1)),  # out_pad ≥ stride
    ((3, 4, 5), (3, 2, 3, 3), dict(stride=2)),  # unbatched
]


@pytest.mark.parametrize("x_shape, w_shape, kwargs", TRANSPOSE2D_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv_transpose2d_matches_torch(x_shape, w_shape, kwargs, dtype):
    _check("conv_transpose2d", x_shape, w_shape, kwargs, dtype)


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs",
    [
        ((2, 3, 5), (3, 4, 3), dict(stride=2, padding=1, output_padding=1)),
        ((2, 4, 5), (4, 3, 2), dict(groups=2, dilation=2)),
    ],
)
def test_conv_transpose1d_matches_torch(x_shape, w_shape, kwargs):
    _check("conv_transpose1d", x_shape, w_shape, kwargs, "float64")


# --------------------------------------------------------------------------- higher order
SECOND_ORDER_CASES = [
    ("conv2d", (2, 4, 5, 6), (6, 2, 3, 3), dict(groups=2, stride=(2, 1), padding=1)),
    ("conv2d", (1, 2, 5, 5), (3, 2, 2, 3), dict(padding="same", dilation=2)),
    ("conv1d", (2, 3, 7), (2, 3, 3), dict(stride=2, padding=2)),
    ("conv_transpose2d", (2, 4, 3, 4), (4, 3, 3, 2), dict(stride=2, groups=2, output_padding=1)),
    ("conv_transpose2d", (1, 2, 3, 3), (2, 2, 2, 2), dict(dilation=2, output_padding=1)),
]


@pytest.mark.parametrize("fn_name, x_shape, w_shape, kwargs", SECOND_ORDER_CASES)
def test_second_order_matches_torch(fn_name, x_shape, w_shape, kwargs):
    """d/d(x, w, g) of ⟨v, ∂L/∂(x, w, b)⟩ with g = ∂L/∂y itself differentiable: exercises
    the differentiable input- and weight-gradient rows."""
    rng = np.random.default_rng(1)
    groups = kwargs.get("groups", 1)
    out_channels = w_shape[1] * groups if "transpose" in fn_name else w_shape[0]
    x, w, b = (
        _pair(rng.standard_normal(s), "float64") for s in (x_shape, w_shape, (out_channels,))
    )
    out_shape = tuple(getattr(torch.nn.functional, fn_name)(x[0], w[0], **kwargs).shape)
    g_values = rng.standard_normal(out_shape)
    results = []
    for lib, k in ((torch, 0), (chainrule, 1)):
        out = getattr(lib.nn.functional, fn_name)(x[k], w[k], b[k], **kwargs)
        g = lib.tensor(g_values, requires_grad=True)
        grads = lib.autograd.grad(out, (x[k], w[k], b[k]), g, create_graph=True)
        if lib is chainrule:
            # the input gradient of a transposed conv is a conv (cut to size if needed)
            assert grads[0].grad_fn.name() in (
                "ConvolutionBackwardBackward0",
                "ConvolutionBackward0",
                "SliceBackward0",
            )
            assert grads[1].grad_fn.name() == "ConvolutionBackwardBackward0"
        vs = [
            lib.tensor(np.random.default_rng(2 + i).standard_normal(tuple(t.shape)))
            for i, t in enumerate(grads)
        ]
        total = sum((t * v).sum() for t, v in zip(grads, vs))
        results.append([grads, lib.autograd.grad(total, (x[k], w[k], g), allow_unused=True)])
    for t, c in zip(results[0][0] + results[0][1], results[1][0] + results[1][1]):
        if t is None:
            assert c is None or np.all(as_np(c) == 0)
            continue
        np.testing.assert_allclose(as_np(c), as_np(t), **TOL["float64"])


@pytest.mark.parametrize("fn_name, x_shape, w_shape, kwargs", SECOND_ORDER_CASES[:4])
def test_gradcheck_and_gradgradcheck(fn_name, x_shape, w_shape, kwargs):
    rng = np.random.default_rng(3)
    groups = kwargs.get("groups", 1)
    out_channels = w_shape[1] * groups if "transpose" in fn_name else w_shape[0]
    inputs = tuple(
        chainrule.tensor(rng.standard_normal(s), requires_grad=True)
        for s in (x_shape, w_shape, (out_channels,))
    )
    fn = getattr(chainrule.nn.functional, fn_name)

    def f(x, w, b):
        return fn(x, w, b, **kwargs)

    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


@pytest.mark.parametrize("fn_name, x_shape, w_shape, kwargs", SECOND_ORDER_CASES[::2])
def test_forward_mode_matches_torch(fn_name, x_shape, w_shape, kwargs):
    rng = np.random.default_rng(4)
    groups = kwargs.get("groups", 1)
    out_channels = w_shape[1] * groups if "transpose" in fn_name else w_shape[0]
    shapes = (x_shape, w_shape, (out_channels,))
    primals = [rng.standard_normal(s) for s in shapes]
    tangents = [rng.standard_normal(s) for s in shapes]
    outs = []
    for lib in (torch, chainrule):
        fad = lib.autograd.forward_ad if lib is torch else forward_ad
        with fad.dual_level():
            duals = [fad.make_dual(lib.tensor(p), lib.tensor(t)) for p, t in zip(primals, tangents)]
            out = getattr(lib.nn.functional, fn_name)(*duals, **kwargs)
            outs.append(fad.unpack_dual(out).tangent)
    np.testing.assert_allclose(as_np(outs[1]), as_np(outs[0]), **TOL["float64"])


def test_weight_gradient_twice_with_retain_graph():
    """The forward's columns serve the first backward pass; a second one recomputes them."""
    rng = np.random.default_rng(5)
    x, w = (
        _pair(rng.standard_normal((2, 3, 6, 6)), "float64"),
        _pair(rng.standard_normal((4, 3, 3, 3)), "float64"),
    )
    t_out = torch.nn.functional.conv2d(x[0], w[0], padding=1).square().sum()
    c_out = chainrule.nn.functional.conv2d(x[1], w[1], padding=1).square().sum()
    for _ in range(2):
        t_out.backward(retain_graph=True)
        c_out.backward(retain_graph=True)
        np.testing.assert_allclose(as_np(w[1].grad), as_np(w[0].grad), **TOL["float64"])


# --------------------------------------------------------------------------- errors
ERROR_CASES = [
    ("conv2d", (2, 4, 6, 6), (6, 2, 3, 3), {}, None),  # channel mismatch
    ("conv2d", (2, 4, 6, 6), (5, 2, 3, 3), dict(groups=2), None),  # out channels vs groups
    ("conv2d", (2, 4, 2, 2), (6, 4, 3, 3), {}, None),  # kernel larger than padded input
    ("conv2d", (2, 4, 6, 6), (6, 4, 3, 3), dict(stride=2, padding="same"), None),
    ("conv2d", (2, 4, 6, 6), (6, 4, 3, 3), dict(padding="full"), None),
    ("conv2d", (2, 4, 6, 6), (6, 4, 3, 3), dict(padding=-1), None),
    ("conv2d", (2, 4, 6, 6), (6, 4, 3, 3), dict(stride=0), None),
    ("conv2d", (2, 4, 6, 6), (6, 4, 3, 3), dict(padding=(1, 2, 3)), None),
    ("conv2d", (6, 6), (6, 4, 3, 3), {}, None),  # 2-D input
    ("conv2d", (2, 4, 6, 6), (6, 4, 3, 3), {}, (5,)),  # bias size
    ("conv1d", (2, 4, 6), (6, 4, 3, 3), {}, None),  # weight dims
    ("conv_transpose2d", (2, 4, 6, 6), (3, 3, 3, 3), {}, None),  # channels
    ("conv_transpose2d", (2, 4, 6, 6), (4, 3, 3, 3), dict(stride=2, output_padding=2), None),
]


@pytest.mark.parametrize("fn_name, x_shape, w_shape, kwargs, bias_shape", ERROR_CASES)
def test_bad_arguments_raise_like_torch(fn_name, x_shape, w_shape, kwargs, bias_shape):
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = None if bias_shape is None else rng.standard_normal(bias_shape)
    raised = []
    for lib in (torch, chainrule):
        args = [lib.tensor(x), lib.tensor(w)] + ([] if b is None else [lib.tensor(b)])
        with pytest.raises((RuntimeError, ValueError)) as info:
            getattr(lib.nn.functional, fn_name)(*args, **kwargs)
        raised.append(info.type)
    assert raised[0] is raised[1]


def test_dtype_mismatch_names_both_types():
    x = chainrule.randn(1, 2, 5, 5, dtype=chainrule.float64)
    w = chainrule.randn(3, 2, 3, 3)
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        chainrule.nn.functional.conv2d(x, w)
    b = chainrule.zeros(3, dtype=chainrule.float64)
    with pytest.raises(RuntimeError, match=r"Input type \(float\) and bias type \(double\)"):
        chainrule.nn.functional.conv2d(x.float(), w, b)


def test_integer_input_is_rejected_with_advice():
    x = chainrule.zeros(1, 2, 5, 5, dtype=chainrule.int64)
    with pytest.raises(RuntimeError, match="floating point"):
        chainrule.nn.functional.conv2d(x, x[:1].to(chainrule.int64))


# --------------------------------------------------------------------------- layers
LAYERS = [
    ("Conv1d", (3, 6, 3), {}, (2, 3, 9)),
    ("Conv2d", (1, 6, 5), dict(padding=2), (2, 1, 8, 8)),
    (
        "Conv2d",
        (4, 8, (3, 2)),
        dict(stride=2, padding=1, dilation=2, groups=2, bias=False),
        (2, 4, 9, 9),
    ),
    ("Conv2d", (4, 8, 4), dict(padding="same"), (2, 4, 6, 6)),
    ("Conv2d", (4, 6, 3), dict(padding=1, padding_mode="reflect"), (2, 4, 6, 5)),
    ("Conv2d", (4, 6, 3), dict(padding=(2, 1), padding_mode="replicate"), (2, 4, 6, 5)),
    ("Conv2d", (4, 6, 3), dict(padding=1, padding_mode="circular", groups=2), (2, 4, 6, 5)),
    ("Conv2d", (4, 6, 4), dict(padding="same", padding_mode="reflect"), (2, 4, 6, 5)),
    ("Conv1d", (4, 6, 3), dict(padding=2, padding_mode="circular"), (2, 4, 7)),
    ("ConvTranspose2d", (4, 8, 3), dict(stride=2, output_padding=1), (2, 4, 3, 3)),
    (
        "ConvTranspose2d",
        (4, 6, (3, 2)),
        dict(groups=2, padding=1, dilation=2, bias=False),
        (2, 4, 3, 4),
    ),
    ("ConvTranspose1d", (4, 8, 3), dict(groups=2, dilation=2), (2, 4, 5)),
]


@pytest.mark.parametrize("name, args, kwargs, x_shape", LAYERS)
def test_layer_matches_torch_after_loading_its_state_dict(name, args, kwargs, x_shape):
    t_layer = getattr(torch.nn, name)(*args, **kwargs).double()
    c_layer = getattr(chainrule.nn, name)(*args, **kwargs, dtype=chainrule.float64)
    assert repr(c_layer) == repr(t_layer)
    t_params = dict(t_layer.named_parameters())
    c_params = dict(c_layer.named_parameters())
    assert list(c_params) == list(t_params)
    for k in t_params:
        assert tuple(c_params[k].shape) == tuple(t_params[k].shape), k
    assert list(c_layer.state_dict()) == list(t_layer.state_dict())
    c_layer.load_state_dict({k: v.detach().numpy().copy() for k, v in t_layer.state_dict().items()})
    x = np.random.default_rng(7).standard_normal(x_shape)
    tx, cx = _pair(x, "float64")
    t_out, c_out = t_layer(tx), c_layer(cx)
    np.testing.assert_allclose(as_np(c_out), as_np(t_out), **TOL["float64"])
    t_out.square().sum().backward()
    c_out.square().sum().backward()
    np.testing.assert_allclose(as_np(cx.grad), as_np(tx.grad), **TOL["float64"])
    for k in t_params:
        np.testing.assert_allclose(
            as_np(c_params[k].grad), as_np(t_params[k].grad), **TOL["float64"]
        )


def test_torch_loads_a_chainrule_state_dict():
    c_layer = chainrule.nn.Conv2d(3, 5, 3, stride=2)
    t_layer = torch.nn.Conv2d(3, 5, 3, stride=2)
    t_layer.load_state_dict({k: torch.tensor(v.numpy()) for k, v in c_layer.state_dict().items()})
    x = np.random.default_rng(8).standard_normal((2, 3, 7, 7)).astype(np.float32)
    np.testing.assert_allclose(
        as_np(c_layer(chainrule.tensor(x))), as_np(t_layer(torch.tensor(x))), **TOL["float32"]
    )


@pytest.mark.parametrize(
    "name, args, fan_in",
    [
        ("Conv2d", (8, 64, 5), 8 * 25),
        ("Conv2d", (8, 64, 3, 1, 1, 1, 4), 2 * 9),
        ("ConvTranspose2d", (64, 8, 5), 8 * 25),
        ("Conv1d", (16, 64, 3), 16 * 3),
    ],
)
def test_default_init_is_pytorchs_uniform(name, args, fan_in):
    """kaiming_uniform_(a=√5) bounds the weight by 1/√fan_in; the bias has the same bound;
    a uniform draw has standard deviation bound/√3."""
    chainrule.manual_seed(0)
    layer = getattr(chainrule.nn, name)(*args)
    bound = 1 / math.sqrt(fan_in)
    w, b = as_np(layer.weight), as_np(layer.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert abs(w.mean()) < 0.05 * bound


def test_conv_transpose_output_size_picks_output_padding():
    t_layer = torch.nn.ConvTranspose2d(2, 3, 3, stride=3).double()
    c_layer = chainrule.nn.ConvTranspose2d(2, 3, 3, stride=3, dtype=chainrule.float64)
    c_layer.load_state_dict({k: v.detach().numpy() for k, v in t_layer.state_dict().items()})
    x = np.random.default_rng(9).standard_normal((1, 2, 4, 4))
    for size in ((12, 13), (1, 2, 14, 12)):
        t_out = t_layer(torch.tensor(x), output_size=size)
        c_out = c_layer(chainrule.tensor(x), output_size=size)
        np.testing.assert_allclose(as_np(c_out), as_np(t_out), **TOL["float64"])
    with pytest.raises(ValueError):
        c_layer(chainrule.tensor(x), output_size=(20, 12))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(groups=3),
        dict(padding="same", stride=2),
        dict(padding_mode="mirror"),
        dict(padding="full"),
    ],
)
def test_layer_constructor_errors_like_torch(kwargs):
    with pytest.raises(ValueError) as t_info:
        torch.nn.Conv2d(4, 8, 3, **kwargs)
    with pytest.raises(ValueError) as c_info:
        chainrule.nn.Conv2d(4, 8, 3, **kwargs)
    if "{" in str(t_info.value):  # the message lists a set, in hash order
        assert str(c_info.value).split("{")[0] == str(t_info.value).split("{")[0]
    else:
        assert str(c_info.value) == str(t_info.value)
