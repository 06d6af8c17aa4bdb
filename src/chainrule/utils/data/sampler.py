"""Samplers: the order in which a ``DataLoader`` visits a dataset, as in PyTorch.

A sampler is an iterable of dataset indices (``SequentialSampler``, ``RandomSampler``,
``SubsetRandomSampler``, ``WeightedRandomSampler``); a ``BatchSampler`` groups one into lists
of indices, one list per batch.  Every random sampler takes ``generator=`` for a reproducible
order and otherwise draws from chainrule's global generator.
"""

import numpy as np

import chainrule
from chainrule import Tensor
from chainrule.utils.data.dataset import _permutation

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def _index_array(self):
        """This epoch's indices as an int64 array (the loader slices it into batches)."""
        return np.fromiter(iter(self), dtype=np.int64)


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)

    def _index_array(self):
        return np.arange(len(self.data_source), dtype=np.int64)


class RandomSampler(Sampler):
    """A random order: a new permutation each epoch, or ``num_samples`` indices drawn
    uniformly with replacement.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement (default False: a permutation).
        num_samples: how many indices per epoch (default ``len(data_source)``).
        generator: a ``chainrule.Generator`` for a reproducible order.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __len__(self):
        return self.num_samples

    def __iter__(self):
        return iter(self._index_array().tolist())

    def _index_array(self):
        n = len(self.data_source)
        if self.replacement:
            draw = chainrule.randint(0, n, (self.num_samples,), generator=self.generator)
            return draw.numpy().astype(np.int64)
        # whole permutations, then as many as asked for (PyTorch's num_samples > n)
        rounds = -(-self.num_samples // n)
        order = np.concatenate([_permutation(n, self.generator) for _ in range(rounds)])
        return order[: self.num_samples]


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, reshuffled each epoch."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self):
        return len(self.indices)

    def _index_array(self):
        picks = _permutation(len(self.indices), self.generator)
        return np.asarray(self.indices, dtype=np.int64)[picks]


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))``, index ``i`` drawn with probability
    :math:`w_i / \\sum_j w_j` (with or without replacement).

    Example:
        >>> weights = 1.0 / class_counts[labels]          # balance the classes
        >>> sampler = WeightedRandomSampler(weights, num_samples=len(weights))
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        weights = weights if isinstance(weights, Tensor) else np.asarray(weights, np.float64)
        self.weights = chainrule.as_tensor(weights, dtype=chainrule.float64)
        if self.weights.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape "
                f"{tuple(self.weights.shape)}"
            )
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self):
        return self.num_samples

    def _index_array(self):
        draw = chainrule.multinomial(
            self.weights, self.num_samples, self.replacement, generator=self.generator
        )
        return draw.numpy().astype(np.int64)


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``).

    Example:
        >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        for batch in self._index_batches():
            yield batch.tolist()

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _index_batches(self):
        """This epoch's batches as int64 arrays, sliced from one array of indices."""
        if isinstance(self.sampler, Sampler):
            order = self.sampler._index_array()
        else:  # any iterable of indices, e.g. a list or a DistributedSampler
            order = np.fromiter(iter(self.sampler), dtype=np.int64)
        size = self.batch_size
        stop = len(order) // size * size if self.drop_last else len(order)
        return [order[start : start + size] for start in range(0, stop, size)]
