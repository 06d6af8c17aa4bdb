"""Every layer and activation agrees with PyTorch in value and gradient (float64)."""

import numpy as np
import pytest
import torch
from nn_helpers import as_np, assert_close, copy_params, cr64, th64

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

F64 = {"dtype": chainrule.float64}
T64 = {"dtype": torch.float64}

# name -> (chainrule factory, torch factory, input shape)
LAYERS = {
    "Linear": (lambda: nn.Linear(5, 3, **F64), lambda: torch.nn.Linear(5, 3, **T64), (4, 5)),
    "Linear-nobias": (
        lambda: nn.Linear(5, 3, bias=False, **F64),
        lambda: torch.nn.Linear(5, 3, bias=False, **T64),
        (4, 5),
    ),
    "Linear-batched": (
        lambda: nn.Linear(5, 2, **F64),
        lambda: torch.nn.Linear(5, 2, **T64),
        (2, 3, 5),
    ),
    "Linear-1d": (lambda: nn.Linear(5, 2, **F64), lambda: torch.nn.Linear(5, 2, **T64), (5,)),
    "Identity": (lambda: nn.Identity(), lambda: torch.nn.Identity(), (3, 4)),
    "Flatten": (lambda: nn.Flatten(), lambda: torch.nn.Flatten(), (2, 3, 4)),
    "Flatten-0": (lambda: nn.Flatten(0, 1), lambda: torch.nn.Flatten(0, 1), (2, 3, 4)),
    "ReLU": (lambda: nn.ReLU(), lambda: torch.nn.ReLU(), (4, 6)),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2), (4, 6)),
    "Sigmoid": (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid(), (4, 6)),
    "Tanh": (lambda: nn.Tanh(), lambda: torch.nn.Tanh(), (4, 6)),
    "GELU": (lambda: nn.GELU(), lambda: torch.nn.GELU(), (4, 6)),
    "GELU-tanh": (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh"), (4, 6)),
    "Softmax": (lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1), (4, 6)),
    "Softmax-last": (lambda: nn.Softmax(dim=-1), lambda: torch.nn.Softmax(dim=-1), (2, 3, 4)),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=1), lambda: torch.nn.LogSoftmax(dim=1), (4, 6)),
    "LogSoftmax-0": (lambda: nn.LogSoftmax(dim=0), lambda: torch.nn.LogSoftmax(dim=0), (4, 6)),
    "MLP": (
        lambda: nn.Sequential(
            nn.Linear(6, 8, **F64),
            nn.Tanh(),
            nn.Linear(8, 8, **F64),
            nn.ReLU(),
            nn.Linear(8, 3, **F64),
        ),
        lambda: torch.nn.Sequential(
            torch.nn.Linear(6, 8, **T64),
            torch.nn.Tanh(),
            torch.nn.Linear(8, 8, **T64),
            torch.nn.ReLU(),
            torch.nn.Linear(8, 3, **T64),
        ),
        (5, 6),
    ),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_torch(name):
    make_cr, make_th, shape = LAYERS[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    th_layer, cr_layer = make_th(), make_cr()
    copy_params(th_layer, cr_layer)
    x_np = rng.normal(size=shape) * 2
    x_np.flat[0] = 0.0  # the kink of ReLU-like activations: gradients must agree there too
    x_cr, x_th = cr64(x_np, True), th64(x_np, True)
    out_cr, out_th = cr_layer(x_cr), th_layer(x_th)
    assert tuple(out_cr.shape) == tuple(out_th.shape)
    assert_close(out_cr, out_th, what=f"{name} forward")
    g = rng.normal(size=tuple(out_th.shape))
    (out_cr * cr64(g)).sum().backward()
    (out_th * th64(g)).sum().backward()
    assert_close(x_cr.grad, x_th.grad, what=f"{name} input gradient")
    cr_params = dict(cr_layer.named_parameters())
    for pname, p_th in th_layer.named_parameters():
        assert_close(cr_params[pname].grad, p_th.grad, what=f"{name} grad of {pname}")


def test_functional_activations_match_torch():
    rng = np.random.default_rng(1)
    x_np = rng.normal(size=(3, 5)) * 3
    cases = [
        (lambda x: F.relu(x), torch.nn.functional.relu),
        (lambda x: F.leaky_relu(x), torch.nn.functional.leaky_relu),
        (lambda x: F.gelu(x), torch.nn.functional.gelu),
        (lambda x: F.softplus(x), torch.nn.functional.softplus),
        (lambda x: F.softmax(x, dim=0), lambda x: torch.nn.functional.softmax(x, dim=0)),
        (lambda x: F.log_softmax(x, dim=1), lambda x: torch.nn.functional.log_softmax(x, dim=1)),
    ]
    for fn_cr, fn_th in cases:
        x_cr, x_th = cr64(x_np, True), th64(x_np, True)
        y_cr, y_th = fn_cr(x_cr), fn_th(x_th)
        assert_close(y_cr, y_th)
        y_cr.sum().backward()
        y_th.sum().backward()
        assert_close(x_cr.grad, x_th.grad)


def test_softmax_without_dim_warns_and_picks_torchs_dim():
    x = np.random.default_rng(2).normal(size=(3, 4))
    with pytest.warns(UserWarning, match="dim"):
        out = F.softmax(cr64(x))
    assert_close(out, torch.softmax(th64(x), dim=1))


def test_linear_functional_matches_torch():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    assert_close(
        F.linear(cr64(x), cr64(w), cr64(b)), torch.nn.functional.linear(th64(x), th64(w), th64(b))
    )
    assert_close(F.linear(cr64(x), cr64(w)), torch.nn.functional.linear(th64(x), th64(w)))


def test_linear_default_init_is_uniform_within_pytorch_bound():
    chainrule.manual_seed(0)
    layer = nn.Linear(100, 50)
    bound = 1 / np.sqrt(100)
    w, b = as_np(layer.weight), as_np(layer.bias)
    assert layer.weight.dtype == chainrule.float32
    assert w.shape == (50, 100) and b.shape == (50,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # A uniform on [-bound, bound] has std bound / sqrt(3).
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound
    chainrule.manual_seed(0)
    again = nn.Linear(100, 50)
    np.testing.assert_array_equal(as_np(again.weight), w)


def test_linear_rejects_bad_sizes():
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 3)


def test_dropout_training_and_eval():
    chainrule.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = chainrule.ones(200, 100, dtype=chainrule.float64, requires_grad=True)
    out = drop(x)
    values = as_np(out)
    kept = values != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(values[kept], 1 / 0.75)
    out.sum().backward()
    np.testing.assert_allclose(as_np(x.grad), values)  # d(x * mask)/dx = mask
    drop.eval()
    assert drop(x) is x
    assert F.dropout(x, 1.0).sum().item() == 0
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(cr64([1.0]), approximate="fast")


def test_pad_is_reexported():
    x = chainrule.ones(2, 3)
    assert tuple(F.pad(x, (1, 1)).shape) == (2, 5)


def test_one_hot():
    labels = chainrule.tensor([0, 2, 1])
    np.testing.assert_array_equal(as_np(F.one_hot(labels, 3)), np.eye(3, dtype=np.int64)[[0, 2, 1]])
