"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``ConcatDataset``,
``ChainDataset``, ``StackDataset``, ``Subset`` and ``random_split``."""

import bisect
import collections.abc
import itertools
import math
import warnings

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

    def __add__(self, other):
        """``a + b`` is ``ConcatDataset([a, b])``."""
        return ConcatDataset([self, other])

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


class IterableDataset(Dataset, collections.abc.Iterable):
    """A stream of samples: define ``__iter__`` (abstract, as in PyTorch: a subclass without
    it cannot be instantiated); ``DataLoader`` batches what it yields.

    With ``num_workers > 0`` every worker iterates its own copy of the dataset, so a dataset
    that should not repeat its samples splits them with ``get_worker_info()``, as in PyTorch:

    Example:
        >>> class Range(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         info = get_worker_info()
        ...         if info is None:
        ...             return iter(range(self.n))
        ...         return iter(range(info.id, self.n, info.num_workers))
    """

    def __getitem__(self, index):
        raise TypeError(
            f"{type(self).__name__} is an IterableDataset: iterate it, it cannot be indexed"
        )

    def __len__(self):
        raise TypeError(f"object of type '{type(self).__name__}' has no len(); define __len__")

    def __add__(self, other):
        """``a + b`` is ``ChainDataset([a, b])``."""
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other: the samples of ``datasets[0]``, then of
    ``datasets[1]``, and so on."""

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError(  # PyTorch's error type
                    f"ChainDataset only supports IterableDataset, got {type(d).__name__}; "
                    "use ConcatDataset for map-style datasets"
                )
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


class ConcatDataset(Dataset):
    """Map-style datasets end to end: index ``i`` reads dataset ``k`` at
    ``i - cumulative_sizes[k - 1]``, where ``cumulative_sizes[k]`` is the total length of
    datasets ``0..k``. Negative indices count from the end of the whole.
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")  # as PyTorch
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError(
                    "ConcatDataset does not support IterableDataset; use ChainDataset"
                )
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = n + idx
        if idx >= n:
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of length {n}")
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[k - 1] if k > 0 else 0
        return self.datasets[k][idx - start]


class StackDataset(Dataset):
    """Datasets of one length side by side: sample ``i`` is ``(a[i], b[i], ...)`` for
    ``StackDataset(a, b, ...)``, or ``{"x": a[i], "y": b[i]}`` for ``StackDataset(x=a, y=b)``.
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                "input/output, but both types are given."
            )
        datasets = args or tuple(kwargs.values())
        if not datasets:
            raise ValueError("At least one dataset should be passed")
        self._length = len(datasets[0])
        if any(len(d) != self._length for d in datasets):
            raise ValueError(
                f"Size mismatch between datasets: lengths {[len(d) for d in datasets]}"
            )
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: d[index] for key, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


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
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    UserWarning,
                    stacklevel=2,
                )
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
