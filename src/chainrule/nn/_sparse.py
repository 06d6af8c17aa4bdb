"""``embedding_bag`` as a function (re-exported by ``chainrule.nn.functional``).

Each bag's rows are looked up by indexing and combined by a (bags × lookups) matrix
product (sum, mean) or a masked ``amax`` (max), so gradients reach ``weight`` and
``per_sample_weights`` through the engine.
"""

import numpy as np

import chainrule

__all__ = ["embedding_bag"]


def _bags(input, offsets, include_last_offset, fn):
    """Flat lookups and the bag of each: from a (B, L) input, or a 1-D input with offsets."""
    labels = input.numpy()
    if labels.ndim == 2:
        if offsets is not None:
            raise ValueError(
                f"{fn}: if input is 2D, then offsets has to be None, as input is treated as a "
                "mini-batch of fixed length sequences"
            )
        n_bags, length = labels.shape
        return labels.reshape(-1), np.repeat(np.arange(n_bags), length), n_bags
    if labels.ndim != 1 or offsets is None:
        raise ValueError(
            f"{fn}: input has to be 1D (with offsets) or 2D (without), got "
            f"{labels.ndim}D input" + (" without offsets" if offsets is None else "")
        )
    starts = np.asarray(offsets.numpy(), dtype=np.int64).reshape(-1)
    if include_last_offset:
        starts = starts[:-1]
    n_bags = len(starts)
    if n_bags and (starts[0] != 0 or np.any(np.diff(starts) < 0) or starts[-1] > len(labels)):
        raise ValueError(
            f"{fn}: offsets must start at 0, not decrease and stay within the input's "
            f"{len(labels)} lookups, got {starts.tolist()}"
        )
    bag = np.searchsorted(starts, np.arange(len(labels)), side="right") - 1
    return labels, bag, n_bags


def embedding_bag(
    input,
    weight,
    offsets=None,
    max_norm=None,
    norm_type=2,
    scale_grad_by_freq=False,
    mode="mean",
    sparse=False,
    per_sample_weights=None,
    include_last_offset=False,
    padding_idx=None,
):
    """Sums, means or maxima of bags of embeddings, without building the (bags, L, D)
    lookups for sum and mean.

    .. math:: y_b = \\sum_{i \\in b} w_i\\, W_{x_i} \\quad (\\text{mean: divided by } |b|,
        \\; \\text{max: elementwise maximum})

    Bags are the rows of a 2-D ``input``, or the runs of a 1-D ``input`` starting at
    ``offsets``. Lookups of ``padding_idx`` are left out (and not counted by the mean);
    an empty bag gives zeros. ``per_sample_weights`` (:math:`w_i`, input's shape) only
    with ``mode='sum'``.
    """
    fn = "embedding_bag"
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{fn}: mode has to be one of sum, mean or max, got {mode!r}")
    if max_norm is not None or scale_grad_by_freq:
        raise NotImplementedError(
            f"{fn}: max_norm and scale_grad_by_freq are not supported by chainrule; "
            "renormalise the weight yourself (weight.renorm) or leave them at their defaults"
        )
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            f"{fn}: per_sample_weights was not None. per_sample_weights is only supported "
            f"for mode='sum' (got mode='{mode}'). Please open a feature request on GitHub."
        )
    labels, bag, n_bags = _bags(input, offsets, include_last_offset, fn)
    keep = np.ones(len(labels), dtype=bool)
    if padding_idx is not None:
        keep = labels != padding_idx % weight.shape[0]
    member = (bag[None, :] == np.arange(n_bags)[:, None]) & keep[None, :]  # (B, n)
    rows = weight[chainrule.tensor(labels)]  # (n, D)
    if mode == "max":
        stacked = chainrule.where(chainrule.tensor(member[:, :, None]), rows.unsqueeze(0), -np.inf)
        empty = chainrule.tensor(~member.any(1, keepdims=True))
        return chainrule.where(empty, 0.0, stacked.amax(1))
    mix = chainrule.tensor(member, dtype=weight.dtype)
    if mode == "mean":
        mix = mix / chainrule.tensor(np.maximum(member.sum(1, keepdims=True), 1))
    if per_sample_weights is not None:
        mix = mix * per_sample_weights.reshape(1, -1)
    return mix @ rows
