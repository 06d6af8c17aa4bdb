"""Attention against PyTorch: F.scaled_dot_product_attention, nn.MultiheadAttention,
nn.TransformerEncoderLayer/TransformerEncoder (values and gradients in float64 at 1e-10,
masks, shapes, initialisation, errors)."""

import math
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import as_np

import chainrule
from chainrule import nn
from chainrule.nn import functional as F

RTOL = ATOL = 1e-10


def _both(array, grad=False):
    return torch.tensor(array, requires_grad=grad), chainrule.tensor(array, requires_grad=grad)


def _close(c, t, tol=RTOL):
    np.testing.assert_allclose(as_np(c), as_np(t), rtol=tol, atol=tol)


# --------------------------------------------------------------------------- SDPA
SDPA_CASES = {
    "plain": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {}),
    "causal-short": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"is_causal": True}),
    "causal-long": ((1, 2, 6, 3), (1, 2, 4, 3), (1, 2, 4, 3), {"is_causal": True}),
    "bool-mask": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"mask": ("bool", (4, 6))}),
    "bool-batched": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), {"mask": ("bool", (2, 1, 4, 6))}),
    "float-mask": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"mask": ("float", (4, 6))}),
    "scale": ((3, 4, 5), (3, 6, 5), (3, 6, 5), {"scale": 0.3}),
    "2d": ((4, 5), (6, 5), (6, 2), {}),
    "gqa": ((1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3), {"enable_gqa": True}),
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case):
    qs, ks, vs, kw = SDPA_CASES[case]
    rng = np.random.default_rng(0)
    tq, cq = _both(rng.standard_normal(qs), True)
    tk, ck = _both(rng.standard_normal(ks), True)
    tv, cv = _both(rng.standard_normal(vs), True)
    kw = dict(kw)
    tm = cm = None
    if "mask" in kw:
        kind, shape = kw.pop("mask")
        if kind == "bool":
            m = rng.random(shape) > 0.4
            m[..., 1, :] = False  # a query that may attend nothing: zeros, not NaN
        else:
            m = rng.standard_normal(shape)
        tm, cm = _both(m)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, **kw)
    cout = F.scaled_dot_product_attention(cq, ck, cv, attn_mask=cm, **kw)
    _close(cout, tout)
    assert np.all(np.isfinite(as_np(cout)))
    w = rng.standard_normal(tuple(tout.shape))
    (tout * torch.tensor(w)).sum().backward()
    (cout * chainrule.tensor(w)).sum().backward()
    for c, t in ((cq, tq), (ck, tk), (cv, tv)):
        _close(c.grad, t.grad)


def test_sdpa_float32_and_errors():
    rng = np.random.default_rng(1)
    q = rng.standard_normal((2, 2, 5, 4)).astype(np.float32)
    tq, cq = _both(q)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tq, tq, is_causal=True)
    cout = F.scaled_dot_product_attention(cq, cq, cq, is_causal=True)
    assert cout.dtype == chainrule.float32
    _close(cout, tout, 1e-5)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(cq, cq, cq, attn_mask=cq[0, 0] > 0, is_causal=True)


def test_sdpa_dropout():
    chainrule.manual_seed(0)
    q = chainrule.randn(2, 3, 8, 4, dtype=chainrule.float64)
    plain = as_np(F.scaled_dot_product_attention(q, q, q))
    assert np.all(as_np(F.scaled_dot_product_attention(q, q, q, dropout_p=1.0)) == 0)
    dropped = as_np(F.scaled_dot_product_attention(q, q, q, dropout_p=0.5))
    assert not np.allclose(dropped, plain)
    chainrule.manual_seed(3)
    a = as_np(F.scaled_dot_product_attention(q, q, q, dropout_p=0.5))
    chainrule.manual_seed(3)
    np.testing.assert_array_equal(as_np(F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)), a)


# --------------------------------------------------------------------------- MultiheadAttention
def _mha_pair(**kw):
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(8, 2, **kw).double()
    c = nn.MultiheadAttention(8, 2, **kw, dtype=chainrule.float64)
    result = c.load_state_dict(t.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    return t, c


MHA_CASES = {
    "self": ({}, {}),
    "self-batch_first": ({"batch_first": True}, {}),
    "no-weights": ({}, {"need_weights": False}),
    "per-head-weights": ({}, {"average_attn_weights": False}),
    "cross": ({}, {"cross": True}),
    "kv-same": ({}, {"kv_same": True}),
    "kdim-vdim": ({"kdim": 3, "vdim": 5}, {"cross": True}),
    "bias_kv-zero_attn": ({"add_bias_kv": True, "add_zero_attn": True}, {}),
    "no-bias": ({"bias": False}, {"need_weights": False}),
    "padding-bool": ({}, {"kpm": "bool"}),
    "padding-bool-fast": ({"batch_first": True}, {"kpm": "bool", "need_weights": False}),
    "attn-mask-float": ({}, {"mask": "float"}),
    "attn-mask-bool-3d": ({}, {"mask": "bool3"}),
    "causal": ({}, {"mask": "causal", "is_causal": True, "need_weights": False}),
    "causal-weights": ({}, {"mask": "causal", "is_causal": True}),
    "unbatched": ({}, {"unbatched": True, "kpm": "bool"}),
}


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_matches_torch(case):
    ctor, opts = MHA_CASES[case]
    opts = dict(opts)
    t, c = _mha_pair(**ctor)
    rng = np.random.default_rng(2)
    L, S, N = 4, 5, 3
    kdim, vdim = ctor.get("kdim", 8), ctor.get("vdim", 8)
    unbatched = opts.pop("unbatched", False)
    cross = opts.pop("cross", False) or opts.pop("kv_same", False) or case == "kv-same"

    def shape(length, width):
        if unbatched:
            return (length, width)
        return (N, length, width) if ctor.get("batch_first") else (length, N, width)

    tq, cq = _both(rng.standard_normal(shape(L, 8)), True)
    if case == "kv-same":
        tk, ck = _both(rng.standard_normal(shape(S, 8)), True)
        tv, cv = tk, ck
    elif cross:
        tk, ck = _both(rng.standard_normal(shape(S, kdim)), True)
        tv, cv = _both(rng.standard_normal(shape(S, vdim)), True)
    else:
        tk, ck, tv, cv = tq, cq, tq, cq
    src = tk.shape[-2] if unbatched else tk.shape[1 if ctor.get("batch_first") else 0]
    kpm = opts.pop("kpm", None)
    if kpm:
        m = rng.random((src,) if unbatched else (N, src)) > 0.6
        m[..., 0] = False  # every query keeps one key
        opts["key_padding_mask"] = _both(m)
    mask = opts.pop("mask", None)
    if mask == "float":
        opts["attn_mask"] = _both(rng.standard_normal((L, src)))
    elif mask == "bool3":
        m = rng.random((N * 2, L, src)) > 0.6
        m[..., 0] = False
        opts["attn_mask"] = _both(m)
    elif mask == "causal":
        causal = np.triu(np.full((L, src), -np.inf), 1)
        opts["attn_mask"] = _both(causal)
    targs = {k: v[0] if isinstance(v, tuple) else v for k, v in opts.items()}
    cargs = {k: v[1] if isinstance(v, tuple) else v for k, v in opts.items()}
    tout, tw = t(tq, tk, tv, **targs)
    cout, cw = c(cq, ck, cv, **cargs)
    _close(cout, tout)
    if tw is None:
        assert cw is None
    else:
        _close(cw, tw)
    w = rng.standard_normal(tuple(tout.shape))
    (tout * torch.tensor(w)).sum().backward()
    (cout * chainrule.tensor(w)).sum().backward()
    for a, b in ((cq, tq), (ck, tk), (cv, tv)):
        _close(a.grad, b.grad)
    cparams = dict(c.named_parameters())
    for name, p in t.named_parameters():
        _close(cparams[name].grad, p.grad)


def test_multihead_attention_names_init_and_errors():
    t, c = torch.nn.MultiheadAttention(16, 4), nn.MultiheadAttention(16, 4)
    assert list(c.state_dict()) == list(t.state_dict())
    assert repr(c) == repr(t)
    assert np.all(as_np(c.in_proj_bias) == 0) and np.all(as_np(c.out_proj.bias) == 0)
    bound = math.sqrt(6 / (16 + 48))  # xavier_uniform_ on (3E, E)
    w = as_np(c.in_proj_weight)
    assert np.abs(w).max() <= bound and w.max() > 0.9 * bound
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="must be greater than 0"):
        nn.MultiheadAttention(0, 2)
    x = chainrule.randn(3, 2, 16)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        c(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask"):
        c(x, x, x, attn_mask=chainrule.zeros(2, 2))
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        c(x, x[0], x[0])


def test_multihead_attention_dropout_only_in_training():
    chainrule.manual_seed(0)
    c = nn.MultiheadAttention(8, 2, dropout=0.5, dtype=chainrule.float64)
    x = chainrule.randn(4, 2, 8, dtype=chainrule.float64)
    train = as_np(c(x, x, x)[0])
    c.eval()
    evaluated = as_np(c(x, x, x)[0])
    np.testing.assert_array_equal(as_np(c(x, x, x)[0]), evaluated)
    assert not np.allclose(train, evaluated)


# --------------------------------------------------------------------------- encoder
ENCODER_CASES = {
    "post-norm": {},
    "pre-norm-gelu": {"norm_first": True, "activation": "gelu"},
    "batch_first": {"batch_first": True, "activation": "gelu-fn"},
    "module-activation": {"activation": "module"},
    "no-bias": {"bias": False},
}


def _activation(lib, name):
    if name == "gelu-fn":
        return lib.nn.functional.gelu
    if name == "module":
        return lib.nn.GELU(approximate="tanh")
    return name


def _encoder_pair(kw, layers=None, norm=False):
    kw = dict(kw)
    act = kw.pop("activation", "relu")
    torch.manual_seed(0)
    t = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, _activation(torch, act), **kw).double()
    c = nn.TransformerEncoderLayer(
        8, 2, 16, 0.0, _activation(chainrule, act), **kw, dtype=chainrule.float64
    )
    if layers:
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            tnorm = torch.nn.LayerNorm(8).double() if norm else None
            t = torch.nn.TransformerEncoder(t, layers, tnorm)
        with warnings.catch_warnings(record=True) as cw:
            warnings.simplefilter("always")
            cnorm = nn.LayerNorm(8, dtype=chainrule.float64) if norm else None
            c = nn.TransformerEncoder(c, layers, cnorm)
        assert [str(w.message) for w in cw] == [str(w.message) for w in tw]
    c.load_state_dict(t.state_dict())
    return t, c


@pytest.mark.parametrize("case", list(ENCODER_CASES))
@pytest.mark.parametrize("masks", [False, True])
def test_encoder_layer_matches_torch(case, masks):
    kw = ENCODER_CASES[case]
    t, c = _encoder_pair(kw)
    assert repr(c) == repr(t)
    rng = np.random.default_rng(3)
    shape = (3, 5, 8) if kw.get("batch_first") else (5, 3, 8)
    tx, cx = _both(rng.standard_normal(shape), True)
    targs, cargs = {}, {}
    if masks:
        causal = np.triu(np.full((5, 5), -np.inf), 1)
        pad = rng.random((3, 5)) > 0.7
        pad[:, 0] = False
        (targs["src_mask"], cargs["src_mask"]) = _both(causal)
        (targs["src_key_padding_mask"], cargs["src_key_padding_mask"]) = _both(pad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: mismatched mask types are deprecated
        tout, cout = t(tx, **targs), c(cx, **cargs)
    _close(cout, tout)
    w = rng.standard_normal(shape)
    (tout * torch.tensor(w)).sum().backward()
    (cout * chainrule.tensor(w)).sum().backward()
    _close(cx.grad, tx.grad)
    cparams = dict(c.named_parameters())
    for name, p in t.named_parameters():
        _close(cparams[name].grad, p.grad)


@pytest.mark.parametrize("kw", [{"batch_first": True}, {"norm_first": True}])
def test_encoder_stack_matches_torch(kw):
    t, c = _encoder_pair(kw, layers=2, norm=True)
    assert list(c.state_dict()) == list(t.state_dict())
    assert c.layers[0].linear1.weight is not c.layers[1].linear1.weight
    rng = np.random.default_rng(4)
    shape = (3, 6, 8) if kw.get("batch_first") else (6, 3, 8)
    tx, cx = _both(rng.standard_normal(shape), True)
    causal = np.triu(np.full((6, 6), -np.inf), 1)
    tm, cm = _both(causal)
    tout, cout = t(tx, mask=tm), c(cx, mask=cm)
    _close(cout, tout)
    tout.pow(2).sum().backward()
    cout.pow(2).sum().backward()
    _close(cx.grad, tx.grad)
    t.eval(), c.eval()
    with torch.no_grad(), chainrule.no_grad():
        _close(c(cx, is_causal=True, mask=cm), t(tx, is_causal=True, mask=tm))


# --------------------------------------------------------------------------- decoder, Transformer
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_torch(norm_first):
    torch.manual_seed(0)
    kw = {"dropout": 0.0, "norm_first": norm_first}
    t = torch.nn.TransformerDecoderLayer(8, 2, 16, **kw).double()
    c = nn.TransformerDecoderLayer(8, 2, 16, **kw, dtype=chainrule.float64)
    c.load_state_dict(t.state_dict())
    assert repr(c) == repr(t)
    rng = np.random.default_rng(5)
    ttgt, ctgt = _both(rng.standard_normal((4, 3, 8)), True)
    tmem, cmem = _both(rng.standard_normal((6, 3, 8)), True)
    pad = rng.random((3, 6)) > 0.6
    pad[:, 0] = False
    tpad, cpad = _both(pad)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    cmask = nn.Transformer.generate_square_subsequent_mask(4, dtype=chainrule.float64)
    _close(cmask, tmask)
    tout = t(ttgt, tmem, tgt_mask=tmask, memory_key_padding_mask=tpad, tgt_is_causal=True)
    cout = c(ctgt, cmem, tgt_mask=cmask, memory_key_padding_mask=cpad, tgt_is_causal=True)
    _close(cout, tout)
    tout.pow(2).sum().backward()
    cout.pow(2).sum().backward()
    _close(ctgt.grad, ttgt.grad)
    _close(cmem.grad, tmem.grad)


def test_transformer_matches_torch():
    kw = {"num_encoder_layers": 2, "num_decoder_layers": 1, "dim_feedforward": 16}
    kw.update(dropout=0.0, batch_first=True)
    torch.manual_seed(0)
    t = torch.nn.Transformer(8, 2, **kw).double()
    c = nn.Transformer(8, 2, **kw, dtype=chainrule.float64)
    assert list(c.state_dict()) == list(t.state_dict())
    bound = math.sqrt(6 / (16 + 8))  # xavier_uniform_ of linear1.weight (16, 8)
    assert np.abs(as_np(c.encoder.layers[0].linear1.weight)).max() <= bound
    c.load_state_dict(t.state_dict())
    rng = np.random.default_rng(6)
    tsrc, csrc = _both(rng.standard_normal((2, 5, 8)), True)
    ttgt, ctgt = _both(rng.standard_normal((2, 4, 8)), True)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    cmask = nn.Transformer.generate_square_subsequent_mask(4, dtype=chainrule.float64)
    tout, cout = t(tsrc, ttgt, tgt_mask=tmask), c(csrc, ctgt, tgt_mask=cmask)
    _close(cout, tout)
    tout.sum().backward()
    cout.sum().backward()
    _close(csrc.grad, tsrc.grad)
    cparams = dict(c.named_parameters())
    for name, p in t.named_parameters():
        _close(cparams[name].grad, p.grad)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        c(csrc, ctgt[:1])
    with pytest.raises(RuntimeError, match="must be equal to d_model"):
        c(csrc[..., :4], ctgt)
