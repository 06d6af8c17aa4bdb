"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches."""

import math

import numpy as np

import chainrule
from chainrule import Tensor
from chainrule.utils.data.dataset import Dataset, _permutation


def default_collate(batch):
    """Stack a list of samples into a batch.

    Tensors are stacked along a new first dimension; Python numbers and NumPy
    arrays become tensors; tuples, lists and dicts are collated field by field.
    """
    first = batch[0]
    if isinstance(first, Tensor):
        return chainrule.stack(list(batch))
    if isinstance(first, np.ndarray):
        return chainrule.from_numpy(np.stack(batch))
    if isinstance(first, (bool, np.bool_)):
        return chainrule.tensor(list(batch), dtype=chainrule.bool)
    if isinstance(first, (int, np.integer)):
        return chainrule.tensor(list(batch), dtype=chainrule.int64)
    if isinstance(first, (float, np.floating)):
        return chainrule.tensor(list(batch), dtype=chainrule.float64)
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # A list of fields, as PyTorch returns for tuple samples too.
        return [default_collate(list(field)) for field in zip(*batch)]
    if isinstance(first, str):
        return list(batch)
    raise TypeError(
        f"default_collate: batch must contain tensors, NumPy arrays, numbers, dicts or "
        f"lists; found {type(first).__name__}"
    )


class DataLoader:
    """Iterate over ``dataset`` in mini-batches.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch (default 1).
        shuffle: reshuffle the order at the start of every epoch (default False).
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        collate_fn: merges a list of samples into a batch (default :func:`default_collate`).
        generator: a ``chainrule.Generator`` that drives the shuffling, for reproducible order.
        sampler: an iterable of indices with ``len`` (e.g. ``DistributedSampler``) that sets
            the order instead of ``shuffle``.

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
        ...                     generator=chainrule.Generator().manual_seed(0))
        >>> for xb, yb in loader:
        ...     ...
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        collate_fn=None,
        generator=None,
        sampler=None,
    ):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self.generator = generator
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        self.sampler = sampler

    def __len__(self):
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return math.ceil(n / self.batch_size)

    def _indices(self):
        if self.sampler is not None:
            return np.fromiter(iter(self.sampler), dtype=np.int64)
        n = len(self.dataset)
        if self.shuffle:
            return _permutation(n, self.generator)
        return np.arange(n, dtype=np.int64)

    def _fetch(self, indices):
        if self.collate_fn is None and isinstance(self.dataset, Dataset):
            return self.dataset._get_batch(indices)
        collate = self.collate_fn or default_collate
        return collate([self.dataset[int(i)] for i in indices])

    def __iter__(self):
        order = self._indices()
        stop = len(self) * self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield self._fetch(order[start : start + self.batch_size])
