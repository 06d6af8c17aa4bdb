"""Variable-length sequences for recurrent networks: ``pad_sequence``, ``unpad_sequence``,
``pack_padded_sequence``, ``pad_packed_sequence``, ``pack_sequence``, ``unpack_sequence``
and ``PackedSequence``, as in PyTorch.

A packed batch stores the time steps one after the other, each holding only the sequences
still running: for sequences ``abc`` and ``x``, ``data = [a, x, b, c]`` and
``batch_sizes = [2, 1, 1]``. Packing and padding are written with indexing, so gradients
flow through them (their ``grad_fn`` is ``IndexBackward0``, not PyTorch's fused
``PackPaddedSequenceBackward0``). The recurrent layers do not take a ``PackedSequence``.
"""

from typing import NamedTuple

import numpy as np

import chainrule
from chainrule import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedFields):
    """A packed batch: ``data`` (the running sequences' elements, time step by time step),
    ``batch_sizes`` (how many sequences run at each step, int64), ``sorted_indices`` (the
    batch order by decreasing length, or ``None`` if the input was sorted) and
    ``unsorted_indices`` (its inverse). Build it with :func:`pack_padded_sequence` or
    :func:`pack_sequence`.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """``data`` converted as by ``Tensor.to`` (``self`` if nothing changes)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def double(self):
        return self.to(dtype=chainrule.float64)

    def float(self):
        return self.to(dtype=chainrule.float32)

    def long(self):
        return self.to(dtype=chainrule.int64)

    def int(self):
        return self.to(dtype=chainrule.int32)

    @property
    def is_cuda(self):
        return self.data.is_cuda


def invert_permutation(permutation):
    """The inverse of a 1-D permutation tensor (``None`` stays ``None``)."""
    if permutation is None:
        return None
    inverse = np.empty(permutation.numel(), dtype=np.int64)
    inverse[permutation.numpy()] = np.arange(permutation.numel())
    return chainrule.from_numpy(inverse)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` with
    ``batch_first``), ``T = max L_i``, filling the rest with ``padding_value`` on the
    ``padding_side`` (``'right'`` or ``'left'``).

    Example:
        >>> pad_sequence([torch.ones(3), torch.ones(1)], batch_first=True)
        tensor([[1., 1., 1.],
                [1., 0., 0.]])
    """
    if isinstance(sequences, Tensor) or not hasattr(sequences, "__iter__"):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    longest = max(seq.shape[0] for seq in sequences)
    padded = []
    for seq in sequences:
        fill = chainrule.full(
            (longest - seq.shape[0], *seq.shape[1:]), padding_value, dtype=seq.dtype
        )
        padded.append(chainrule.cat([seq, fill] if padding_side == "right" else [fill, seq]))
    return chainrule.stack(padded, dim=0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The sequences of a padded batch, ``padded[:lengths[b], b]`` for each ``b`` (the
    inverse of :func:`pad_sequence`; unlike PyTorch, the input is not transposed in place)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[: int(length)] for seq, length in zip(padded_sequences, lengths)]


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths.numpy().astype(np.int64)
    return np.asarray(lengths, dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) whose
    sequence ``b`` has ``lengths[b]`` steps.

    With ``enforce_sorted`` the lengths must decrease; otherwise the batch is sorted by
    decreasing length first (stably) and ``sorted_indices`` records the order.
    """
    lengths = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    batch_size = input.shape[batch_dim]
    if lengths.shape != (batch_size,):
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
            f"(batch_size={batch_size})"
        )
    sorted_indices = None
    if enforce_sorted:
        if (np.diff(lengths) > 0).any():
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = chainrule.from_numpy(order)
        input = input.index_select(batch_dim, sorted_indices)
    if lengths[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    steps = input.shape[1 - batch_dim]
    if lengths[0] > steps:
        raise RuntimeError(
            f"pack_padded_sequence: a length of {lengths[0]} exceeds the {steps} time steps "
            f"of the input (shape {tuple(input.shape)})"
        )
    # (t, b) for every running element, time step by time step
    t, b = np.nonzero(np.arange(lengths[0])[:, None] < lengths[None, :])
    index = (b, t) if batch_first else (t, b)
    data = input[tuple(chainrule.from_numpy(i) for i in index)]
    batch_sizes = chainrule.from_numpy(np.bincount(t, minlength=lengths[0]).astype(np.int64))
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack into a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) and
    the lengths, in the batch's original order (the inverse of :func:`pack_padded_sequence`).

    Args:
        total_length: pad to this many steps (at least the longest sequence's).
    """
    batch_sizes = sequence.batch_sizes.numpy().astype(np.int64)
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    batch = int(batch_sizes[0])
    running = np.arange(batch)[None, :] < batch_sizes[:, None]  # (time, batch)
    lengths = running.sum(axis=0).astype(np.int64)
    # each cell reads its element of data, or the padding row appended after them
    n = sequence.data.shape[0]
    source = np.full((steps, batch), n, dtype=np.int64)
    source[: len(batch_sizes)][running] = np.arange(n)
    data = sequence.data
    pad_row = chainrule.full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    padded = chainrule.cat([data, pad_row])[chainrule.from_numpy(source)]
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths = chainrule.from_numpy(lengths)
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices
        padded = padded.index_select(0 if batch_first else 1, unsorted)
        lengths = lengths[unsorted]
    return padded, lengths


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors ``(L_i, *)``: :func:`pad_sequence` then
    :func:`pack_padded_sequence`."""
    lengths = [seq.shape[0] for seq in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences in a :class:`PackedSequence` (the inverse of
    :func:`pack_sequence`)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
