"""nn.RNN / LSTM / GRU and their cells against PyTorch: names, shapes, init, state dicts,
outputs and gradients (float64 at 1e-10, float32 at 1e-5), errors, and finite differences
for the fused rows of chainrule.ops.rnn_ops."""

import math
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import as_np

import chainrule
from chainrule import nn
from chainrule.autograd import gradcheck
from chainrule.ops import rnn_ops

CLASSES = {
    "LSTM": ({}, "LSTM"),
    "GRU": ({}, "GRU"),
    "RNN-tanh": ({"nonlinearity": "tanh"}, "RNN"),
    "RNN-relu": ({"nonlinearity": "relu"}, "RNN"),
}


def _pair(kind, dtype, **kw):
    """A torch layer and a chainrule layer holding torch's weights (via its state_dict)."""
    extra, cls = CLASSES[kind]
    t = getattr(torch.nn, cls)(3, 4, **extra, **kw).to(getattr(torch, dtype))
    c = getattr(nn, cls)(3, 4, **extra, **kw, dtype=getattr(chainrule, dtype))
    result = c.load_state_dict(t.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    return t, c


def _loss(out, states, weights):
    """A loss that touches the output and every returned state with distinct weights."""
    total = (out * weights[0]).sum()
    for s, w in zip(states, weights[1:]):
        total = total + (s * w).sum()
    return total


def _states(result):
    out, hidden = result
    return out, (list(hidden) if isinstance(hidden, tuple) else [hidden])


def _compare(kind, dtype, shape, hx, tol, **kw):
    t, c = _pair(kind, dtype, **kw)
    rng = np.random.default_rng(0)
    np_dtype = np.float64 if dtype == "float64" else np.float32
    x = rng.standard_normal(shape).astype(np_dtype)
    tx = torch.tensor(x, requires_grad=True)
    cx = chainrule.tensor(x, requires_grad=True)
    targs, cargs = [tx], [cx]
    initial = []
    if hx:
        batched = len(shape) == 3
        dirs = 2 if kw.get("bidirectional") else 1
        layers = kw.get("num_layers", 1)
        hshape = (layers * dirs, shape[0 if kw.get("batch_first") else 1], 4)
        hshape = hshape if batched else (layers * dirs, 4)
        count = 2 if kind == "LSTM" else 1
        arrays = [rng.standard_normal(hshape).astype(np_dtype) for _ in range(count)]
        th = [torch.tensor(a, requires_grad=True) for a in arrays]
        ch = [chainrule.tensor(a, requires_grad=True) for a in arrays]
        targs.append(tuple(th) if count == 2 else th[0])
        cargs.append(tuple(ch) if count == 2 else ch[0])
        initial = list(zip(th, ch))
    tout, tstates = _states(t(*targs))
    cout, cstates = _states(c(*cargs))
    weights = [rng.standard_normal(tuple(o.shape)).astype(np_dtype) for o in [tout, *tstates]]
    _loss(tout, tstates, [torch.tensor(w) for w in weights]).backward()
    _loss(cout, cstates, [chainrule.tensor(w) for w in weights]).backward()
    for a, b in zip([cout, *cstates], [tout, *tstates]):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(as_np(a), as_np(b), rtol=tol, atol=tol)
    np.testing.assert_allclose(as_np(cx.grad), as_np(tx.grad), rtol=tol, atol=tol)
    for th_, ch_ in initial:
        np.testing.assert_allclose(as_np(ch_.grad), as_np(th_.grad), rtol=tol, atol=tol)
    cparams = dict(c.named_parameters())
    for name, p in t.named_parameters():
        np.testing.assert_allclose(
            as_np(cparams[name].grad), as_np(p.grad), rtol=tol, atol=tol, err_msg=name
        )


@pytest.mark.parametrize("kind", list(CLASSES))
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"num_layers": 2, "bidirectional": True},
        {"batch_first": True, "bias": False},
        {"num_layers": 2, "batch_first": True, "bidirectional": True, "dropout": 0.3},
    ],
    ids=["plain", "2layer-bidir", "batch_first-nobias", "all"],
)
def test_sequence_layer_matches_torch_float64(kind, kw):
    # dropout is only active in training mode: compare in eval mode where it is set
    if "dropout" in kw:
        t, c = _pair(kind, "float64", **kw)
        t.eval(), c.eval()
        x = np.random.default_rng(1).standard_normal((2, 5, 3))
        np.testing.assert_allclose(
            as_np(c(chainrule.tensor(x))[0]), as_np(t(torch.tensor(x))[0]), rtol=1e-10
        )
        return
    shape = (2, 5, 3) if kw.get("batch_first") else (5, 2, 3)
    _compare(kind, "float64", shape, hx=True, tol=1e-10, **kw)
    _compare(kind, "float64", shape, hx=False, tol=1e-10, **kw)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_unbatched_input_float64(kind):
    _compare(kind, "float64", (5, 3), hx=True, tol=1e-10, num_layers=2, bidirectional=True)
    _compare(kind, "float64", (5, 3), hx=False, tol=1e-10, batch_first=True)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_long_sequences_float64(kind):
    # from 64 rows of per-step GEMMs (steps x batch) the rows fold the gate scale into a
    # contiguous copy of the recurrent weights: the other code path of the forward
    _compare(kind, "float64", (17, 4, 3), hx=True, tol=1e-10, bidirectional=True)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN-tanh"])
def test_float32_matches_torch(kind):
    _compare(kind, "float32", (6, 3, 3), hx=True, tol=1e-5, num_layers=2, bidirectional=True)
    _compare(kind, "float32", (40, 2, 3), hx=True, tol=1e-5)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_parameter_names_shapes_and_init(cls):
    kw = {"num_layers": 2, "bidirectional": True}
    t = getattr(torch.nn, cls)(3, 16, **kw)
    c = getattr(nn, cls)(3, 16, **kw)
    assert [(n, tuple(p.shape)) for n, p in c.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in t.named_parameters()
    ]
    assert list(c.state_dict()) == list(t.state_dict())
    bound = 1 / math.sqrt(16)
    for p in c.parameters():
        values = as_np(p)
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound
    big = as_np(c.weight_hh_l1_reverse)  # 16·gates x 16 draws: spread over the whole range
    assert big.max() > 0.9 * bound and big.min() < -0.9 * bound
    # the other direction: chainrule's state dict loads into torch
    t.load_state_dict({k: torch.tensor(as_np(v)) for k, v in c.state_dict().items()})
    np.testing.assert_array_equal(t.weight_ih_l0.detach().numpy(), as_np(c.weight_ih_l0))
    nobias = getattr(nn, cls)(3, 4, bias=False)
    assert [n for n, _ in nobias.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]


def test_repr_matches_torch():
    cases = [
        ("LSTM", (10, 20), {"num_layers": 2, "batch_first": True, "bidirectional": True}),
        ("GRU", (10, 20), {"dropout": 0.5, "num_layers": 3}),
        ("RNN", (10, 20), {"nonlinearity": "relu", "bias": False}),
        ("LSTMCell", (3, 4), {}),
        ("RNNCell", (3, 4), {"nonlinearity": "relu"}),
        ("GRUCell", (3, 4), {"bias": False}),
    ]
    for cls, args, kw in cases:
        assert repr(getattr(nn, cls)(*args, **kw)) == repr(getattr(torch.nn, cls)(*args, **kw))


CELLS = {
    "LSTMCell": {},
    "GRUCell": {},
    "RNNCell": {"nonlinearity": "tanh"},
    "RNNCell-relu": {"nonlinearity": "relu"},
}


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(name, batched):
    cls = name.split("-")[0]
    t = getattr(torch.nn, cls)(3, 5, **CELLS[name]).double()
    c = getattr(nn, cls)(3, 5, **CELLS[name], dtype=chainrule.float64)
    c.load_state_dict(t.state_dict())
    rng = np.random.default_rng(2)
    lead = (4,) if batched else ()
    x = rng.standard_normal((*lead, 3))
    states = [rng.standard_normal((*lead, 5)) for _ in range(2 if cls == "LSTMCell" else 1)]
    tx, cx = torch.tensor(x, requires_grad=True), chainrule.tensor(x, requires_grad=True)
    ts = [torch.tensor(s, requires_grad=True) for s in states]
    cs = [chainrule.tensor(s, requires_grad=True) for s in states]
    for with_state in (True, False):
        targ = (tuple(ts) if len(ts) == 2 else ts[0]) if with_state else None
        carg = (tuple(cs) if len(cs) == 2 else cs[0]) if with_state else None
        tout, cout = t(tx, targ), c(cx, carg)
        tout = list(tout) if isinstance(tout, tuple) else [tout]
        cout = list(cout) if isinstance(cout, tuple) else [cout]
        for a, b in zip(cout, tout):
            np.testing.assert_allclose(as_np(a), as_np(b), rtol=1e-10, atol=1e-12)
        w = [rng.standard_normal(tuple(o.shape)) for o in tout]
        sum((o * torch.tensor(k)).sum() for o, k in zip(tout, w)).backward()
        sum((o * chainrule.tensor(k)).sum() for o, k in zip(cout, w)).backward()
    for a, b in [(cx, tx), *zip(cs, ts)]:
        np.testing.assert_allclose(as_np(a.grad), as_np(b.grad), rtol=1e-10, atol=1e-12)
    cparams = dict(c.named_parameters())
    for n, p in t.named_parameters():
        np.testing.assert_allclose(as_np(cparams[n].grad), as_np(p.grad), rtol=1e-10)


def test_cells_give_second_order_gradients():
    torch.manual_seed(0)
    t = torch.nn.LSTMCell(2, 3).double()
    c = nn.LSTMCell(2, 3, dtype=chainrule.float64)
    c.load_state_dict(t.state_dict())
    x = np.random.default_rng(3).standard_normal((2, 2))
    tx, cx = torch.tensor(x, requires_grad=True), chainrule.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(t(tx)[0].pow(2).sum(), tx, create_graph=True)
    (cg,) = chainrule.autograd.grad(c(cx)[0].pow(2).sum(), cx, create_graph=True)
    tg.sum().backward()
    cg.sum().backward()
    np.testing.assert_allclose(as_np(cx.grad), as_np(tx.grad), rtol=1e-10)


# --------------------------------------------------------------------------- fused rows
def _row_inputs(kind, reverse, seed=4):
    rng = np.random.default_rng(seed)
    gates = {"lstm": 4, "gru": 3, "tanh": 1, "relu": 1}[kind]
    steps, batch, inputs, hidden = 3, 2, 2, 2

    def leaf(*shape):
        return chainrule.tensor(rng.standard_normal(shape) * 0.7, requires_grad=True)

    x, h0 = leaf(steps, batch, inputs), leaf(batch, hidden)
    weights = [leaf(gates * hidden, inputs), leaf(gates * hidden, hidden)]
    weights += [leaf(gates * hidden), leaf(gates * hidden)]
    if kind == "lstm":
        return (x, h0, leaf(batch, hidden), *weights), lambda *a: rnn_ops.lstm_layer(*a, reverse)
    if kind == "gru":
        return (x, h0, *weights), lambda *a: rnn_ops.gru_layer(*a, reverse)
    return (x, h0, *weights), lambda *a: rnn_ops.rnn_layer(*a, reverse, kind)


@pytest.mark.parametrize("kind", ["lstm", "gru", "tanh", "relu"])
@pytest.mark.parametrize("reverse", [False, True])
def test_fused_rows_gradcheck(kind, reverse):
    inputs, fn = _row_inputs(kind, reverse)
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)


def test_fused_row_names_and_layout():
    inputs, fn = _row_inputs("lstm", False)
    out = fn(*inputs)
    assert out.grad_fn.name() == "LstmLayerBackward0"
    assert tuple(out.shape) == (3 + 2, 2, 2)  # h0, three steps, c_n
    np.testing.assert_array_equal(as_np(out[0]), as_np(inputs[1]))  # the initial state
    rev = _row_inputs("lstm", True)[1](*inputs)
    np.testing.assert_array_equal(as_np(rev[3]), as_np(inputs[1]))  # h0 after the steps
    assert _row_inputs("gru", False)[1](*_row_inputs("gru", False)[0]).grad_fn.name() == (
        "GruLayerBackward0"
    )


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN-tanh"])
def test_retain_graph_second_backward_recomputes(kind):
    _, c = _pair(kind, "float64", num_layers=2)
    x = chainrule.tensor(np.random.default_rng(5).standard_normal((4, 2, 3)))
    loss = c(x)[0].pow(2).sum()
    loss.backward(retain_graph=True)
    first = {n: as_np(p.grad).copy() for n, p in c.named_parameters()}
    c.zero_grad()
    loss.backward()
    for n, p in c.named_parameters():
        np.testing.assert_allclose(as_np(p.grad), first[n], rtol=1e-12, err_msg=n)


def test_no_grad_forward_and_buffer_reuse_agree():
    _, c = _pair("LSTM", "float64", num_layers=2, bidirectional=True)
    x = chainrule.tensor(np.random.default_rng(6).standard_normal((5, 2, 3)))
    with chainrule.no_grad():
        first = as_np(c(x)[0]).copy()
        out, (h, cell) = c(x)  # buffers returned to the pool by the first call
        assert out.grad_fn is None and h.grad_fn is None
    np.testing.assert_array_equal(as_np(out), first)
    with_grad = c(x)[0]
    assert with_grad.grad_fn is not None
    np.testing.assert_array_equal(as_np(with_grad), first)


HIGHER_ORDER = [
    ("LSTM", {}),
    ("GRU", {"bidirectional": True}),
    ("RNN-tanh", {"num_layers": 2}),
    ("RNN-relu", {"bidirectional": True}),
]


@pytest.mark.parametrize("kind, kw", HIGHER_ORDER, ids=[k for k, _ in HIGHER_ORDER])
def test_gradients_of_gradients_through_the_layer_match_torch(kind, kw):
    """A gradient penalty: ‖∂L/∂x‖² differentiated again, w.r.t. the input and the weights."""
    t, c = _pair(kind, "float64", **kw)
    x = np.random.default_rng(2).standard_normal((5, 2, 3))

    def run(lib, layer):
        xx = lib.tensor(x, requires_grad=True)
        out, _ = layer(xx)
        (gx,) = lib.autograd.grad((out.tanh() * out).sum(), xx, create_graph=True)
        penalty = (gx * gx).sum()
        params = [p for _, p in sorted(layer.named_parameters())]
        return lib.autograd.grad(penalty, [xx, *params])

    for ours, ref in zip(run(chainrule, c), run(torch, t)):
        np.testing.assert_allclose(as_np(ours), ref.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind, kw", HIGHER_ORDER, ids=[k for k, _ in HIGHER_ORDER])
def test_forward_mode_through_the_layer_matches_torch(kind, kw):
    """func.jvp of the layer's outputs and states, tangents in the input and the state."""
    t, c = _pair(kind, "float64", **kw)
    rng = np.random.default_rng(3)
    dirs = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    x, dx = rng.standard_normal((2, 5, 2, 3))
    h, dh = rng.standard_normal((2, dirs, 2, 4))

    def run(lib, layer):
        def f(x, h):
            hx = (h, h * 0.5) if kind == "LSTM" else h
            out, states = layer(x, hx)
            return out, states

        primals = (lib.tensor(x), lib.tensor(h))
        return lib.func.jvp(f, primals, (lib.tensor(dx), lib.tensor(dh)))

    ours, ref = run(chainrule, c), run(torch, t)
    flat_ours, flat_ref = list(_flatten(ours)), list(_flatten(ref))
    assert len(flat_ours) == len(flat_ref) == (6 if kind == "LSTM" else 4)
    for a, b in zip(flat_ours, flat_ref):
        np.testing.assert_allclose(as_np(a), b.detach().numpy(), rtol=1e-10, atol=1e-12)


def _flatten(items):
    for item in items:
        if isinstance(item, (tuple, list)):
            yield from _flatten(item)
        else:
            yield item


def test_output_modified_in_place_before_backward_is_an_error():
    _, c = _pair("GRU", "float64")
    out, _ = c(chainrule.tensor(np.ones((2, 1, 3)), dtype=chainrule.float64))
    loss = out.sum()
    out.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        loss.backward()


def test_dropout_between_layers_in_training():
    chainrule.manual_seed(0)
    c = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = chainrule.randn(6, 2, 3)
    c.eval()
    reference = as_np(c(x)[0])
    c.train()
    dropped = as_np(c(x)[0])
    assert not np.allclose(dropped, reference)
    single = nn.GRU(3, 4)
    single.dropout = 0.5  # one layer: nothing to drop between
    np.testing.assert_array_equal(as_np(single(x)[0]), as_np(single.eval()(x)[0]))


def test_errors_match_torch():
    with pytest.raises(ValueError, match="only supported for LSTM"):
        nn.RNN(3, 4, proj_size=2)
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.LSTM(3, 0)
    with pytest.raises(TypeError, match="hidden_size should be of type int"):
        nn.GRU(3, 4.0)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        nn.LSTM(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="dropout should be a number"):
        nn.LSTM(3, 4, dropout=2)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sig'"):
        nn.RNN(3, 4, nonlinearity="sig")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.LSTM(3, 4, dropout=0.5)
    assert "non-zero dropout expects num_layers greater than 1" in str(caught[0].message)
    m = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="Expected 3, got 7"):
        m(chainrule.randn(5, 2, 7))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        m(chainrule.randn(5, 2, 3, 1))
    with pytest.raises(
        RuntimeError, match=r"Expected hidden\[1\] size \(1, 2, 4\), got \[1, 3, 4\]"
    ):
        m(chainrule.randn(5, 2, 3), (chainrule.randn(1, 2, 4), chainrule.randn(1, 3, 4)))
    with pytest.raises(RuntimeError, match="hx and cx should also be 2-D"):
        m(chainrule.randn(5, 3), (chainrule.randn(1, 2, 4), chainrule.randn(1, 2, 4)))
    with pytest.raises(ValueError, match="does not match weight dtype"):
        m(chainrule.randn(5, 2, 3, dtype=chainrule.float64))
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        nn.GRU(3, 4)(chainrule.randn(5, 2, 3), chainrule.randn(2, 2, 4))
    with pytest.raises(RuntimeError, match="sequence length to be larger than 0"):
        m(chainrule.randn(0, 2, 3))
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(RuntimeError, match="inconsistent input_size: got 5 expected 3"):
        cell(chainrule.randn(2, 5))
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D, got 3D"):
        cell(chainrule.randn(2, 2, 3))
    with pytest.raises(RuntimeError, match="doesn't match hidden0 batch size 3"):
        cell(chainrule.randn(2, 3), (chainrule.randn(3, 4), chainrule.randn(3, 4)))


def test_module_conveniences():
    m = nn.LSTM(3, 4, num_layers=2)
    m.flatten_parameters()  # a no-op, as on CPU in PyTorch
    assert [len(ws) for ws in m.all_weights] == [4, 4]
    assert m.all_weights[1][0] is m.weight_ih_l1
    m.double()
    out, (h, c) = m(chainrule.randn(2, 1, 3, dtype=chainrule.float64))
    assert out.dtype == h.dtype == c.dtype == chainrule.float64
