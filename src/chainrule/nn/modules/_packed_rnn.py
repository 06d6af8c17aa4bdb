"""Recurrent layers over a ``PackedSequence``: each sequence runs for its own length.

The batch is sorted by decreasing length, so at step t the running sequences are the
first ``batch_sizes[t]``.  Steps where that count stays the same form a segment, and each
segment is one call of the fused layer row on the running sequences:

* forward direction: segments in time order; a sequence that has ended keeps its state;
* reverse direction: segments from the last step back; a sequence joins, from its initial
  state, at its own last step.

So the final states are taken at each sequence's own end (h, and c for the LSTM), as in
PyTorch, and nothing is computed on padding.
"""

import chainrule
from chainrule.nn import functional as F


def _segments(batch_sizes):
    """[(start, stop, running)] over the steps, in time order."""
    out, start = [], 0
    for t in range(1, len(batch_sizes) + 1):
        if t == len(batch_sizes) or batch_sizes[t] != batch_sizes[start]:
            out.append((start, t, batch_sizes[start]))
            start = t
    return out


def _padded(data, batch_sizes, batch):
    """The packed ``data`` as a (T, N, F) batch, zeros past each sequence's end."""
    zero = chainrule.zeros((1,) + tuple(data.shape[1:]), dtype=data.dtype)
    rows = chainrule.cat([data, zero], 0)
    index, offset = [], 0
    for size in batch_sizes:
        index.append([offset + i if i < size else len(data) for i in range(batch)])
        offset += size
    return rows[chainrule.tensor(index)]


def _packed(padded, batch_sizes):
    """The running entries of a (T, N, F) batch, step by step (the inverse of _padded)."""
    steps, batch = padded.shape[0], padded.shape[1]
    index = [t * batch + i for t in range(steps) for i in range(batch_sizes[t])]
    return padded.reshape(steps * batch, -1)[chainrule.tensor(index)]


def _direction(module, layer_input, initial, weights, reverse, batch_sizes):
    """One layer and direction over the segments: (T, N, H) outputs and final states."""
    batch = layer_input.shape[1]
    hidden = initial[0].shape[-1]
    states = list(initial)  # the states of all N sequences, sorted order
    pieces = []
    order = _segments(batch_sizes)
    for start, stop, running in reversed(order) if reverse else order:
        length = stop - start
        now = [s[:running] for s in states]
        packed = module._layer(layer_input[start:stop, :running], now, weights, reverse)
        out = packed[0:length] if reverse else packed[1 : length + 1]
        finals = [packed[0] if reverse else packed[length]]
        if len(states) == 2:
            finals.append(packed[length + 1])
        states = [chainrule.cat([f, s[running:]], 0) for f, s in zip(finals, states)]
        if running < batch:  # the ended (or not yet started) sequences: zeros there
            rest = chainrule.zeros((length, batch - running, hidden), dtype=out.dtype)
            out = chainrule.cat([out, rest], 1)
        pieces.append(out)
    if reverse:
        pieces.reverse()
    return chainrule.cat(pieces, 0), states


def run_packed(module, sequence, states):
    """``module``'s layers over PackedSequence ``sequence`` from the initial ``states``
    (tensors or ``None``, in the batch's original order): a PackedSequence of outputs and
    the final states, in the original order."""
    from chainrule.nn.utils.rnn import PackedSequence

    batch_sizes = [int(b) for b in sequence.batch_sizes.tolist()]
    batch = batch_sizes[0]
    data = sequence.data
    if data.dim() != 2 or data.shape[1] != module.input_size:
        raise RuntimeError(
            f"{type(module).__name__}: packed data must be (steps, {module.input_size}), "
            f"got {list(data.shape)}"
        )
    sorted_indices, unsorted = sequence.sorted_indices, sequence.unsorted_indices
    directions = 2 if module.bidirectional else 1
    prepared = module._initial_states(states, batch, data.dtype)
    if sorted_indices is not None:  # given states follow the batch's original order
        prepared = [
            s if given is None else s[:, sorted_indices] for s, given in zip(prepared, states)
        ]
    layer_input = _padded(data, batch_sizes, batch)
    finals = [[] for _ in prepared]
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(directions):
            index = layer * directions + direction
            initial = [s[index] for s in prepared]
            weights = module._layer_weights(index)
            out, last = _direction(
                module, layer_input, initial, weights, direction == 1, batch_sizes
            )
            outputs.append(out)
            for f, s in zip(finals, last):
                f.append(s)
        layer_input = outputs[0] if directions == 1 else chainrule.cat(outputs, 2)
        if module.dropout and module.training and layer < module.num_layers - 1:
            layer_input = F.dropout(layer_input, module.dropout, True)
    out = PackedSequence(
        _packed(layer_input, batch_sizes), sequence.batch_sizes, sorted_indices, unsorted
    )
    finals = [chainrule.stack(f, 0) for f in finals]
    if unsorted is not None:
        finals = [f[:, unsorted] for f in finals]
    return out, finals
