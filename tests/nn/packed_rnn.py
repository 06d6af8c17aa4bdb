"""nn.RNN / LSTM / GRU over a PackedSequence against torch (float64, 1e-12): each sequence
runs for its own length, the final states are taken at each sequence's end, and the
gradients reach the packed data, the initial states and every weight."""

import numpy as np
import pytest
import torch

import chainrule as cr

LENGTHS = [5, 2, 4, 4, 1]
CONFIGS = [
    ("LSTM", {}),
    ("LSTM", {"bidirectional": True, "num_layers": 2}),
    ("GRU", {"bidirectional": True}),
    ("GRU", {"num_layers": 2, "batch_first": True}),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True}),
    ("RNN", {"num_layers": 3}),
]


def _run(L, kind, kw, state, x_np, h_np, sort):
    model = getattr(L.nn, kind)(3, 4, **kw).double()
    model.load_state_dict({k: L.tensor(v) for k, v in state.items()})
    first = kw.get("batch_first", False)
    x = L.tensor(np.swapaxes(x_np, 0, 1) if first else x_np, requires_grad=True)
    lengths = sorted(LENGTHS, reverse=True) if sort else LENGTHS
    packed = L.nn.utils.rnn.pack_padded_sequence(x, lengths, first, enforce_sorted=sort)
    hx = None
    if h_np is not None:
        h = L.tensor(h_np, requires_grad=True)
        hx = (h, h * 0.5) if kind == "LSTM" else h
    out, finals = model(packed, hx)
    finals = finals if isinstance(finals, tuple) else (finals,)
    padded, lens = L.nn.utils.rnn.pad_packed_sequence(out, first)
    loss = (padded * padded.cos()).sum() + sum(
        (f * f * (k + 1.5)).sum() for k, f in enumerate(finals)
    )
    leaves = (
        [x] + ([h] if h_np is not None else []) + [p for _, p in sorted(model.named_parameters())]
    )
    grads = L.autograd.grad(loss, leaves)
    return [out.data, out.batch_sizes, padded, lens, *finals, *grads]


@pytest.mark.parametrize("kind, kw", CONFIGS, ids=[f"{k}-{kw}" for k, kw in CONFIGS])
@pytest.mark.parametrize("sort", [False, True], ids=["unsorted", "sorted"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero-state", "given-state"])
def test_packed_sequences_match_torch(kind, kw, sort, with_state):
    torch.manual_seed(0)
    reference = getattr(torch.nn, kind)(3, 4, **kw).double()
    state = {k: v.detach().numpy().copy() for k, v in reference.state_dict().items()}
    rng = np.random.default_rng(1)
    x_np = rng.standard_normal((5, len(LENGTHS), 3))
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    h_np = rng.standard_normal((layers, len(LENGTHS), 4)) if with_state else None
    ours = _run(cr, kind, kw, state, x_np, h_np, sort)
    theirs = _run(torch, kind, kw, state, x_np, h_np, sort)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        b = b.detach().numpy()
        assert a.shape == b.shape
        np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-12, atol=1e-12)


def test_the_output_is_a_packed_sequence_with_the_input_order():
    lstm = cr.nn.LSTM(3, 2)
    x = cr.randn(4, 3, 3)
    packed = cr.nn.utils.rnn.pack_padded_sequence(x, [2, 4, 3], enforce_sorted=False)
    out, (h, c) = lstm(packed)
    assert isinstance(out, cr.nn.utils.rnn.PackedSequence)
    assert out.batch_sizes.tolist() == packed.batch_sizes.tolist()
    assert out.sorted_indices.tolist() == packed.sorted_indices.tolist()
    assert tuple(h.shape) == tuple(c.shape) == (1, 3, 2)
    with pytest.raises(RuntimeError, match="Expected hidden\\[0\\] size"):
        lstm(packed, (cr.zeros(1, 2, 2), cr.zeros(1, 2, 2)))
