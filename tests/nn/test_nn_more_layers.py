"""The newer activations, losses and stateful layers agree with PyTorch (float64)."""

import warnings

import numpy as np
import pytest
import torch
from nn_helpers import as_np, assert_close, copy_params, cr64, th64

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

F64 = {"dtype": chainrule.float64}
T64 = {"dtype": torch.float64}
TF = torch.nn.functional

# name -> (chainrule factory, torch factory, input shape)
LAYERS = {
    "ELU": (lambda: nn.ELU(), lambda: torch.nn.ELU(), (4, 6)),
    "ELU-alpha": (lambda: nn.ELU(0.5), lambda: torch.nn.ELU(0.5), (4, 6)),
    "SiLU": (lambda: nn.SiLU(), lambda: torch.nn.SiLU(), (4, 6)),
    "Softplus": (lambda: nn.Softplus(), lambda: torch.nn.Softplus(), (4, 6)),
    "Softplus-beta": (lambda: nn.Softplus(2.0, 5.0), lambda: torch.nn.Softplus(2.0, 5.0), (4, 6)),
    "LogSigmoid": (lambda: nn.LogSigmoid(), lambda: torch.nn.LogSigmoid(), (4, 6)),
    "Hardtanh": (lambda: nn.Hardtanh(), lambda: torch.nn.Hardtanh(), (4, 6)),
    "Hardtanh-range": (
        lambda: nn.Hardtanh(-0.5, 2.0),
        lambda: torch.nn.Hardtanh(-0.5, 2.0),
        (4, 6),
    ),
    "ReLU6": (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6(), (4, 6)),
    "Softmin": (lambda: nn.Softmin(dim=1), lambda: torch.nn.Softmin(dim=1), (4, 6)),
    "PReLU": (lambda: nn.PReLU(**F64), lambda: torch.nn.PReLU(**T64), (4, 6)),
    "PReLU-channels": (
        lambda: nn.PReLU(3, 0.1, **F64),
        lambda: torch.nn.PReLU(3, 0.1, **T64),
        (4, 3, 5),
    ),
    "Unflatten": (
        lambda: nn.Unflatten(1, (2, 3)),
        lambda: torch.nn.Unflatten(1, (2, 3)),
        (4, 6, 2),
    ),
    "Unflatten-last": (
        lambda: nn.Unflatten(-1, (3, 2)),
        lambda: torch.nn.Unflatten(-1, (3, 2)),
        (4, 6),
    ),
    "LayerNorm": (lambda: nn.LayerNorm(6, **F64), lambda: torch.nn.LayerNorm(6, **T64), (4, 6)),
    "LayerNorm-2d": (
        lambda: nn.LayerNorm((3, 4), eps=1e-3, **F64),
        lambda: torch.nn.LayerNorm((3, 4), eps=1e-3, **T64),
        (2, 3, 4),
    ),
    "LayerNorm-noaffine": (
        lambda: nn.LayerNorm(6, elementwise_affine=False, **F64),
        lambda: torch.nn.LayerNorm(6, elementwise_affine=False, **T64),
        (4, 6),
    ),
    "LayerNorm-nobias": (
        lambda: nn.LayerNorm(6, bias=False, **F64),
        lambda: torch.nn.LayerNorm(6, bias=False, **T64),
        (4, 6),
    ),
    "BatchNorm1d": (
        lambda: nn.BatchNorm1d(6, **F64),
        lambda: torch.nn.BatchNorm1d(6, **T64),
        (8, 6),
    ),
    "BatchNorm1d-3d": (
        lambda: nn.BatchNorm1d(3, **F64),
        lambda: torch.nn.BatchNorm1d(3, **T64),
        (4, 3, 5),
    ),
    "BatchNorm1d-nobias": (
        lambda: nn.BatchNorm1d(6, bias=False, **F64),
        lambda: torch.nn.BatchNorm1d(6, bias=False, **T64),
        (8, 6),
    ),
    "BatchNorm1d-noaffine": (
        lambda: nn.BatchNorm1d(6, affine=False, **F64),
        lambda: torch.nn.BatchNorm1d(6, affine=False, **T64),
        (8, 6),
    ),
}


def _randomise(th_layer, rng):
    """Non-trivial parameters (LayerNorm and BatchNorm start at 1 and 0)."""
    with torch.no_grad():
        for p in th_layer.parameters():
            p.copy_(torch.tensor(rng.normal(size=tuple(p.shape)), dtype=p.dtype))


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_torch(name):
    make_cr, make_th, shape = LAYERS[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    th_layer, cr_layer = make_th(), make_cr()
    if "Norm" in name or "PReLU" in name:
        _randomise(th_layer, rng)
    copy_params(th_layer, cr_layer)
    x_np = rng.normal(size=shape) * 3
    x_np.flat[0] = 0.0  # the kink of ReLU-like activations: gradients must agree there too
    x_np.flat[1] = 1.0  # Hardtanh's edge
    x_cr, x_th = cr64(x_np, True), th64(x_np, True)
    out_cr, out_th = cr_layer(x_cr), th_layer(x_th)
    assert tuple(out_cr.shape) == tuple(out_th.shape)
    assert_close(out_cr, out_th, what=f"{name} forward")
    g = rng.normal(size=tuple(out_th.shape))
    (out_cr * cr64(g)).sum().backward()
    (out_th * th64(g)).sum().backward()
    assert_close(x_cr.grad, x_th.grad, what=f"{name} input gradient")
    cr_params = dict(cr_layer.named_parameters())
    assert set(cr_params) == {n for n, _ in th_layer.named_parameters()}
    for pname, p_th in th_layer.named_parameters():
        assert_close(cr_params[pname].grad, p_th.grad, what=f"{name} grad of {pname}")
    assert repr(cr_layer) == repr(th_layer)


def test_activations_far_from_zero():
    """Large inputs: no overflow, no NaN in the value or the gradient."""
    x_np = np.array([-800.0, -50.0, -20.5, -1e-3, 0.0, 1e-3, 20.5, 50.0, 800.0])
    cases = [
        (F.elu, TF.elu),
        (F.silu, TF.silu),
        (F.logsigmoid, TF.logsigmoid),
        (F.softplus, TF.softplus),
        (lambda x: F.elu(x, 2.0), lambda x: TF.elu(x, 2.0)),
    ]
    for fn_cr, fn_th in cases:
        x_cr, x_th = cr64(x_np, True), th64(x_np, True)
        out_cr, out_th = fn_cr(x_cr), fn_th(x_th)
        assert_close(out_cr, out_th)
        out_cr.sum().backward()
        out_th.sum().backward()
        assert_close(x_cr.grad, x_th.grad)


def test_functional_helpers_match_torch():
    rng = np.random.default_rng(3)
    a_np, b_np = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    cases = [
        (lambda a, b: F.normalize(a), lambda a, b: TF.normalize(a)),
        (lambda a, b: F.normalize(a, p=1.0, dim=0), lambda a, b: TF.normalize(a, p=1.0, dim=0)),
        (lambda a, b: F.normalize(a, p=3.0, dim=-1), lambda a, b: TF.normalize(a, p=3.0, dim=-1)),
        (lambda a, b: F.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b)),
        (
            lambda a, b: F.cosine_similarity(a, b, dim=0),
            lambda a, b: TF.cosine_similarity(a, b, dim=0),
        ),
        (lambda a, b: F.cosine_similarity(a, b[:1]), lambda a, b: TF.cosine_similarity(a, b[:1])),
        (lambda a, b: F.softmin(a, dim=0), lambda a, b: TF.softmin(a, dim=0)),
        (lambda a, b: F.relu6(a * 4), lambda a, b: TF.relu6(a * 4)),
        (lambda a, b: F.hardtanh(a, -0.3, 0.4), lambda a, b: TF.hardtanh(a, -0.3, 0.4)),
        (
            lambda a, b: F.layer_norm(a, (5,), b[0], b[1]),
            lambda a, b: TF.layer_norm(a, (5,), b[0], b[1]),
        ),
    ]
    for i, (fn_cr, fn_th) in enumerate(cases):
        a_cr, b_cr = cr64(a_np, True), cr64(b_np, True)
        a_th, b_th = th64(a_np, True), th64(b_np, True)
        out_cr, out_th = fn_cr(a_cr, b_cr), fn_th(a_th, b_th)
        assert tuple(out_cr.shape) == tuple(out_th.shape), i
        assert_close(out_cr, out_th, what=f"case {i}")
        g = rng.normal(size=tuple(out_th.shape))
        (out_cr * cr64(g)).sum().backward()
        (out_th * th64(g)).sum().backward()
        assert_close(a_cr.grad, a_th.grad, what=f"case {i} grad a")
        if b_th.grad is not None:
            assert_close(b_cr.grad, b_th.grad, what=f"case {i} grad b")


def test_one_hot_matches_torch():
    labels = np.array([[0, 3], [2, 1]])
    for num_classes in (-1, 6):
        ours = F.one_hot(chainrule.tensor(labels), num_classes)
        theirs = TF.one_hot(torch.tensor(labels), num_classes)
        assert ours.dtype == chainrule.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# --------------------------------------------------------------------------- losses

LOSSES = {
    "SmoothL1Loss": (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, {}),
    "SmoothL1Loss-beta": (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, {"beta": 0.4}),
    "SmoothL1Loss-beta0": (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, {"beta": 0.0}),
    "HuberLoss": (nn.HuberLoss, torch.nn.HuberLoss, {}),
    "HuberLoss-delta": (nn.HuberLoss, torch.nn.HuberLoss, {"delta": 2.5}),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_regression_losses_match_torch(name, reduction):
    cr_cls, th_cls, kwargs = LOSSES[name]
    rng = np.random.default_rng(7)
    x_np, y_np = rng.normal(size=(5, 4)) * 2, rng.normal(size=(5, 4)) * 2
    x_cr, y_cr, x_th, y_th = cr64(x_np, True), cr64(y_np, True), th64(x_np, True), th64(y_np, True)
    out_cr = cr_cls(reduction=reduction, **kwargs)(x_cr, y_cr)
    out_th = th_cls(reduction=reduction, **kwargs)(x_th, y_th)
    assert_close(out_cr, out_th)
    g = rng.normal(size=tuple(out_th.shape))
    (out_cr * cr64(g)).sum().backward()
    (out_th * th64(g)).sum().backward()
    assert_close(x_cr.grad, x_th.grad)
    assert_close(y_cr.grad, y_th.grad)


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
def test_kl_div_matches_torch(reduction, log_target):
    rng = np.random.default_rng(11)
    x_np = np.log(rng.dirichlet(np.ones(5), size=4))
    y_np = rng.dirichlet(np.ones(5), size=4)
    y_np[0, 0] = 0.0  # 0 log 0 = 0
    if log_target:
        y_np = np.log(y_np + 0.1)
    x_cr, y_cr, x_th, y_th = cr64(x_np, True), cr64(y_np, True), th64(x_np, True), th64(y_np, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_cr = nn.KLDivLoss(reduction, log_target)(x_cr, y_cr)
        out_th = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)(x_th, y_th)
    assert_close(out_cr, out_th)
    g = rng.normal(size=tuple(out_th.shape))
    (out_cr * cr64(g)).sum().backward()
    (out_th * th64(g)).sum().backward()
    assert_close(x_cr.grad, x_th.grad)
    if log_target:
        assert_close(y_cr.grad, y_th.grad)
    else:  # torch's gradient at y = 0 is -inf (log 0); compare the others
        np.testing.assert_allclose(
            as_np(y_cr.grad).flat[1:], as_np(y_th.grad).flat[1:], rtol=1e-10, atol=1e-12
        )


def test_loss_options_are_checked():
    with pytest.raises(ValueError, match="batchmean"):
        nn.KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match="-1"):
        F.smooth_l1_loss(cr64([1.0]), cr64([0.0]), beta=-1)
    with pytest.raises(ValueError, match="0"):
        F.huber_loss(cr64([1.0]), cr64([0.0]), delta=0.0)
    with pytest.raises(ValueError, match="'avg'"):
        nn.HuberLoss(reduction="avg")
    with pytest.raises(RuntimeError, match="parameter numbers = 3 and channel size = 4"):
        F.prelu(cr64(np.ones((2, 4))), cr64([0.1, 0.2, 0.3]))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(cr64([0.0]), cr64([1.0]))


# --------------------------------------------------------------------------- batch norm


@pytest.mark.parametrize(
    "kwargs", [{}, {"momentum": 0.3}, {"momentum": None}, {"affine": False, "eps": 1e-3}]
)
@pytest.mark.parametrize("shape", [(8, 4), (5, 4, 3)])
def test_batchnorm_running_stats_and_eval_match_torch(kwargs, shape):
    rng = np.random.default_rng(5)
    th_bn = torch.nn.BatchNorm1d(4, **kwargs, **T64)
    cr_bn = nn.BatchNorm1d(4, **kwargs, **F64)
    _randomise(th_bn, rng)
    copy_params(th_bn, cr_bn)
    for _ in range(4):
        x_np = rng.normal(size=shape) * 2 + 1
        out_cr, out_th = cr_bn(cr64(x_np)), th_bn(th64(x_np))
        assert_close(out_cr, out_th, what="train output")
    for key, value in th_bn.state_dict().items():
        assert_close(cr_bn.state_dict()[key], value, what=key)
    assert cr_bn.num_batches_tracked.item() == 4
    assert cr_bn.num_batches_tracked.dtype == chainrule.int64
    cr_bn.eval()
    th_bn.eval()
    x_np = rng.normal(size=shape)
    x_cr, x_th = cr64(x_np, True), th64(x_np, True)
    out_cr, out_th = cr_bn(x_cr), th_bn(x_th)
    assert_close(out_cr, out_th, what="eval output")
    out_cr.sum().backward()
    out_th.sum().backward()
    assert_close(x_cr.grad, x_th.grad, what="eval gradient")
    assert_close(cr_bn.running_mean, th_bn.running_mean)  # eval leaves the statistics alone


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    rng = np.random.default_rng(6)
    th_bn = torch.nn.BatchNorm1d(3, track_running_stats=False, **T64).eval()
    cr_bn = nn.BatchNorm1d(3, track_running_stats=False, **F64).eval()
    x_np = rng.normal(size=(6, 3))
    assert_close(cr_bn(cr64(x_np)), th_bn(th64(x_np)))
    assert list(cr_bn.state_dict()) == list(th_bn.state_dict()) == ["weight", "bias"]
    assert repr(cr_bn) == repr(th_bn)


def test_stateful_layers_state_dict_keys_match_torch():
    pairs = [
        (nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)),
        (nn.BatchNorm1d(4, affine=False), torch.nn.BatchNorm1d(4, affine=False)),
        (nn.LayerNorm(4), torch.nn.LayerNorm(4)),
        (
            nn.LayerNorm(4, elementwise_affine=False),
            torch.nn.LayerNorm(4, elementwise_affine=False),
        ),
        (nn.Embedding(5, 3, padding_idx=1), torch.nn.Embedding(5, 3, padding_idx=1)),
        (nn.PReLU(3), torch.nn.PReLU(3)),
        (
            nn.ModuleDict({"a": nn.Linear(2, 2), "bn": nn.BatchNorm1d(2)}),
            torch.nn.ModuleDict({"a": torch.nn.Linear(2, 2), "bn": torch.nn.BatchNorm1d(2)}),
        ),
        (
            nn.ParameterList([nn.Parameter(chainrule.ones(2)), nn.Parameter(chainrule.zeros(3))]),
            torch.nn.ParameterList(
                [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.zeros(3))]
            ),
        ),
    ]
    for ours, theirs in pairs:
        assert list(ours.state_dict()) == list(theirs.state_dict()), repr(theirs)
        assert repr(ours) == repr(theirs)
    # torch's state dict loads into ours and back
    th_bn = torch.nn.BatchNorm1d(4, **T64)
    th_bn(torch.randn(6, 4, **T64))
    cr_bn = nn.BatchNorm1d(4, **F64)
    copy_params(th_bn, cr_bn)
    assert cr_bn.num_batches_tracked.item() == 1
    assert_close(cr_bn.running_var, th_bn.running_var)


# --------------------------------------------------------------------------- embedding


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(padding_idx):
    rng = np.random.default_rng(8)
    th_emb = torch.nn.Embedding(6, 4, padding_idx=padding_idx, **T64)
    cr_emb = nn.Embedding(6, 4, padding_idx=padding_idx, **F64)
    if padding_idx is not None:
        np.testing.assert_array_equal(cr_emb.weight.detach().numpy()[padding_idx], 0.0)
    copy_params(th_emb, cr_emb)
    idx = np.array([[0, 2, 2, 5], [1, 0, 0, 0], [5, 4, 3, 2]])  # repeated indices accumulate
    out_cr, out_th = cr_emb(chainrule.tensor(idx)), th_emb(torch.tensor(idx))
    assert_close(out_cr, out_th)
    g = rng.normal(size=tuple(out_th.shape))
    (out_cr * cr64(g)).sum().backward()
    (out_th * th64(g)).sum().backward()
    assert_close(cr_emb.weight.grad, th_emb.weight.grad)
    assert repr(cr_emb) == repr(th_emb)
    assert cr_emb.padding_idx == th_emb.padding_idx


def test_embedding_functional_and_from_pretrained():
    w_np = np.arange(12.0).reshape(4, 3)
    out = F.embedding(chainrule.tensor([3, 0]), cr64(w_np))
    np.testing.assert_array_equal(out.numpy(), w_np[[3, 0]])
    emb = nn.Embedding.from_pretrained(cr64(w_np))
    assert not emb.weight.requires_grad and tuple(emb.weight.shape) == (4, 3)
    with pytest.raises(TypeError, match="integers"):
        F.embedding(cr64([0.0]), cr64(w_np))


# --------------------------------------------------------------------------- containers


def test_module_dict():
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
    assert list(heads) == ["cls", "reg"] and len(heads) == 2 and "cls" in heads
    heads["extra"] = nn.ReLU()
    assert list(heads.keys()) == ["cls", "reg", "extra"]
    assert len(list(heads.parameters())) == 4
    assert isinstance(heads.pop("extra"), nn.ReLU) and len(heads) == 2
    heads.update([("z", nn.Linear(2, 2))])
    assert [k for k, _ in heads.items()] == ["cls", "reg", "z"]
    heads.clear()
    assert len(heads) == 0


def test_parameter_list():
    params = nn.ParameterList([nn.Parameter(chainrule.ones(2)), chainrule.zeros(3)])
    assert len(params) == 2 and all(isinstance(p, nn.Parameter) for p in params)
    params.append(chainrule.ones(1))
    assert [n for n, _ in params.named_parameters()] == ["0", "1", "2"]
    assert params[-1] is list(params)[2]
    (params[0] * 2).sum().backward()
    np.testing.assert_array_equal(params[0].grad.numpy(), [2.0, 2.0])


# --------------------------------------------------------------------------- training end to end


def _text_models():
    """Embedding, LayerNorm, SiLU, mean over positions, Linear, BatchNorm1d, PReLU, Linear.

    The SiLU makes LayerNorm's bias matter: BatchNorm would cancel a constant shift.
    """

    def build(lib):
        n = lib.nn

        class Net(n.Module):
            def __init__(self):
                super().__init__()
                self.emb = n.Embedding(10, 6, padding_idx=0)
                self.norm = n.LayerNorm(6)
                self.act = n.SiLU()
                self.head = n.Sequential(
                    n.Linear(6, 8), n.BatchNorm1d(8), n.PReLU(8), n.Dropout(0.0), n.Linear(8, 3)
                )

            def forward(self, tokens):
                return self.head(self.act(self.norm(self.emb(tokens))).mean(1))

        return Net().double()

    torch.manual_seed(1)
    theirs, ours = build(torch), build(chainrule)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def test_training_a_network_of_new_layers_matches_torch():
    ours, theirs = _text_models()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    opt_ours = chainrule.optim.RMSprop(ours.parameters(), lr=1e-2, momentum=0.5)
    opt_theirs = torch.optim.RMSprop(theirs.parameters(), lr=1e-2, momentum=0.5, foreach=False)
    rng = np.random.default_rng(9)
    for _ in range(15):
        tokens = rng.integers(0, 10, size=(6, 5))
        labels = tokens[:, 0] % 3
        for model, opt, lib in ((ours, opt_ours, chainrule), (theirs, opt_theirs, torch)):
            opt.zero_grad()
            out = model(lib.tensor(tokens))
            loss = lib.nn.functional.cross_entropy(out, lib.tensor(labels))
            loss = loss + 0.1 * lib.nn.functional.smooth_l1_loss(out, lib.zeros_like(out))
            loss.backward()
            opt.step()
    state_theirs = theirs.state_dict()
    for key, value in ours.state_dict().items():
        np.testing.assert_allclose(
            as_np(value), state_theirs[key].numpy(), rtol=1e-8, atol=1e-12, err_msg=key
        )
    np.testing.assert_array_equal(ours.emb.weight.detach().numpy()[0], 0.0)  # padding row
    ours.eval()
    theirs.eval()
    tokens = rng.integers(0, 10, size=(4, 5))
    assert_close(ours(chainrule.tensor(tokens)), theirs(torch.tensor(tokens)), rtol=1e-8, atol=1e-9)
