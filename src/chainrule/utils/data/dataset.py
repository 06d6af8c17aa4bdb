"""Datasets: ``Dataset``, ``TensorDataset``, ``Subset`` and ``random_split``."""

import math

import numpy as np

import chainrule
from chainrule import Tensor


class Dataset:
    """A map-style dataset: ``dataset[i]`` is the i-th sample and ``len(dataset)`` the count.

    Subclass it and define ``__getitem__`` and ``__len__``.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def _get_batch(self, indices):
        """The collated samples at ``indices`` (an int64 NumPy array).

        The default gathers samples one by one; ``TensorDataset`` and ``Subset``
        override it to index whole tensors at once.
        """
        from chainrule.utils.data.dataloader import default_collate

        return default_collate([self[int(i)] for i in indices])


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension.

    Example:
        >>> ds = TensorDataset(features, labels)     # shapes (N, F) and (N,)
        >>> x, y = ds[0]
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset expects chainrule Tensors, got {type(t).__name__}")
            if t.ndim == 0:
                raise ValueError("TensorDataset tensors need a first (sample) dimension")
        sizes = [t.shape[0] for t in tensors]
        if any(size != sizes[0] for size in sizes):
            raise ValueError(f"Size mismatch between tensors: first dimensions are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def _get_batch(self, indices):
        index = chainrule.from_numpy(indices)
        return [t[index] for t in self.tensors]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index):
        if isinstance(index, (list, tuple)):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)

    def _get_batch(self, indices):
        inner = np.asarray(self.indices, dtype=np.int64)[indices]
        if isinstance(self.dataset, Dataset):
            return self.dataset._get_batch(inner)
        from chainrule.utils.data.dataloader import default_collate

        return default_collate([self.dataset[int(i)] for i in inner])


def _permutation(n, generator):
    """A random permutation of ``range(n)`` drawn from ``generator`` (or the global one)."""
    keys = chainrule.rand((n,), generator=generator, dtype=chainrule.float64)
    return np.argsort(keys.numpy(), kind="stable")


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    Args:
        dataset: the dataset to split.
        lengths: sizes that add up to ``len(dataset)``, or fractions that add up to 1
            (sizes are then ``floor(fraction * n)``, the remainder dealt one by one
            to the subsets in order, as PyTorch does).
        generator: a ``chainrule.Generator`` for a reproducible split.

    Example:
        >>> g = chainrule.Generator().manual_seed(0)
        >>> train, test = random_split(ds, [0.8, 0.2], generator=g)
    """
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1")
        sizes = [math.floor(n * frac) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if any(length < 0 for length in lengths):
        raise ValueError(f"random_split: lengths must be non-negative, got {lengths}")
    if sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths ({sum(lengths)}) does not equal the length of the input "
            f"dataset ({n})"
        )
    order = _permutation(n, generator)
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start : start + length]))
        start += length
    return subsets
