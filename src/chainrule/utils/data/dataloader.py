"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches, in this process or in
worker processes."""

import contextlib
import itertools
import math
import warnings

import numpy as np

import chainrule
from chainrule import Tensor
from chainrule.utils.data.dataset import Dataset, IterableDataset
from chainrule.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


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


def default_convert(data):
    """One sample as the loader yields it without batching (``batch_size=None``): NumPy
    arrays and numbers become tensors, containers are converted field by field."""
    if isinstance(data, np.ndarray):
        return chainrule.from_numpy(data)
    if isinstance(data, np.generic):
        return chainrule.as_tensor(np.asarray(data))
    if isinstance(data, dict):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data


class _Fetcher:
    """Turns a batch of indices into a batch (a picklable object, so that spawned workers
    can receive it): ``dataset._get_batch`` when the default collation applies (whole-tensor
    indexing for a ``TensorDataset``), else ``collate_fn`` over the samples."""

    def __init__(self, dataset, collate_fn, auto_batching):
        self.dataset = dataset
        self.collate_fn = collate_fn
        self.auto_batching = auto_batching

    def __call__(self, indices):
        if not self.auto_batching:  # one sample per "batch"
            sample = self.dataset[int(indices)]
            return default_convert(sample) if self.collate_fn is None else self.collate_fn(sample)
        if self.collate_fn is None and isinstance(self.dataset, Dataset):
            return self.dataset._get_batch(np.asarray(indices, dtype=np.int64))
        collate = self.collate_fn or default_collate
        return collate([self.dataset[int(i)] for i in indices])


class _Exhausted:
    """What an iterable dataset's fetcher returns once its iterator has ended."""


class _IterableFetcher:
    """Batches drawn from an iterable dataset: ``batch_size`` samples at a time from one
    iterator per process, made anew when a task of a new epoch arrives (a task is
    ``(epoch, k)``). Picklable, so each worker iterates its own copy of the dataset."""

    def __init__(self, dataset, collate_fn, batch_size, drop_last):
        self.dataset = dataset
        self.collate_fn = collate_fn
        self.batch_size = batch_size
        self.drop_last = drop_last
        self._epoch = None
        self._samples = None

    def __call__(self, task):
        epoch = task[0]
        if epoch != self._epoch:
            self._epoch, self._samples = epoch, iter(self.dataset)
        if self.batch_size is None:
            sample = next(self._samples, _Exhausted)
            if sample is _Exhausted:
                return _Exhausted()
            return default_convert(sample) if self.collate_fn is None else self.collate_fn(sample)
        batch = list(itertools.islice(self._samples, self.batch_size))
        if not batch or (self.drop_last and len(batch) < self.batch_size):
            self._samples = iter(())  # ended: later tasks of this epoch get nothing
            return _Exhausted()
        return (self.collate_fn or default_collate)(batch)


class _InfiniteConstantSampler(Sampler):
    """The sampler of an iterable dataset's loader: ``None`` forever (the dataset decides)."""

    def __iter__(self):
        return itertools.repeat(None)


class DataLoader:
    """Iterate over ``dataset`` in mini-batches, optionally loading them in worker processes.

    The order comes from a sampler (``SequentialSampler``, or ``RandomSampler`` with
    ``shuffle=True``, or your ``sampler``), grouped into batches by a ``BatchSampler`` (or
    your ``batch_sampler``).  With ``num_workers > 0``, batch ``k`` is fetched by worker
    process ``k % num_workers`` (the standard library's ``multiprocessing``) and the batches
    come back in order: the same batches as ``num_workers=0``.  Each worker is seeded with
    ``base_seed + worker_id`` (``base_seed`` drawn from ``generator`` or the global generator
    once per epoch, as PyTorch does) and then calls ``worker_init_fn(worker_id)``; inside it,
    ``get_worker_info()`` says which worker it is.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``) or an
            ``IterableDataset``. An iterable one is read in order, ``batch_size`` samples
            per batch; with workers each iterates its own copy and the batches come round
            robin, worker 0's first, then worker 1's, ..., skipping workers that ended.
        batch_size: samples per batch (default 1); ``None`` yields samples one by one.
        shuffle: reshuffle the order at the start of every epoch (default False).
        sampler: an iterable of indices (with ``len``) that sets the order instead.
        batch_sampler: an iterable of lists of indices, one per batch (excludes
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers: worker processes (default 0: load in this process).
        collate_fn: merges a list of samples into a batch (default :func:`default_collate`).
        pin_memory: accepted; there is no accelerator to pin memory for (PyTorch's warning).
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        timeout: seconds to wait for a worker's batch (default 0: no limit).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker, after seeding.
        multiprocessing_context: ``'fork'``, ``'spawn'``, ``'forkserver'`` or a context.
        generator: a ``chainrule.Generator`` for the shuffling and the workers' base seed.
        prefetch_factor: batches in flight per worker (default 2 when ``num_workers > 0``).
        persistent_workers: keep the workers between epochs (default False).

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
        ...                     num_workers=2, generator=chainrule.Generator().manual_seed(0))
        >>> for xb, yb in loader:
        ...     ...
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=None,
        sampler=None,
        batch_sampler=None,
        num_workers=0,
        collate_fn=None,
        pin_memory=False,
        drop_last=False,
        timeout=0,
        worker_init_fn=None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers=False,
        pin_memory_device="",
        in_order=True,
    ):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError(f"prefetch_factor option should be >= 0, got {prefetch_factor}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading "
                f"(num_workers > 0), but got num_workers={num_workers}"
            )
        if isinstance(dataset, IterableDataset):
            _check_iterable_options(shuffle, sampler, batch_sampler)
            sampler = _InfiniteConstantSampler()
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError(
                    "batch_size=None option disables auto-batching and is mutually exclusive "
                    "with drop_last"
                )
        elif not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
            )
        if sampler is None:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._pool = None
        if num_workers > 0:  # fail now on an unknown start method, as PyTorch does
            from chainrule.utils.data._worker import start_method_context

            start_method_context(multiprocessing_context)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):  # as many batches as len(dataset) makes
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def _index_batches(self):
        """This epoch's batches: index arrays (or single indices without batching)."""
        if self.batch_sampler is None:
            return iter(self.sampler)
        if isinstance(self.batch_sampler, BatchSampler):
            return iter(self.batch_sampler._index_batches())
        return (np.asarray(batch, dtype=np.int64) for batch in self.batch_sampler)

    def __iter__(self):
        if self.pin_memory:
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, then device "
                "pinned memory won't be used.",
                UserWarning,
                stacklevel=2,
            )
        if isinstance(self.dataset, IterableDataset):
            return self._iter_iterable()
        fetch = _Fetcher(self.dataset, self.collate_fn, self.batch_sampler is not None)
        if self.num_workers == 0:
            batches = self._index_batches()
            self._draw_base_seed()  # as PyTorch, so that later epochs match with workers
            return (fetch(indices) for indices in batches)
        return self._iter_workers(fetch, self._index_batches())

    def _iter_iterable(self):
        """An iterable dataset's batches: task ``k`` of this epoch goes to worker
        ``k % num_workers``; a worker whose iterator has ended answers ``_Exhausted`` and is
        skipped, so the order is PyTorch's round robin over the workers still running."""
        fetch = _IterableFetcher(self.dataset, self.collate_fn, self.batch_size, self.drop_last)
        self._epochs = getattr(self, "_epochs", 0) + 1
        tasks = ((self._epochs, k) for k in itertools.count())
        if self.num_workers == 0:
            self._draw_base_seed()
            for task in tasks:
                data = fetch(task)
                if isinstance(data, _Exhausted):
                    return
                yield data
        running = set(range(self.num_workers))
        with contextlib.closing(self._iter_workers(fetch, tasks)) as batches:
            for k, data in enumerate(batches):
                if isinstance(data, _Exhausted):
                    running.discard(k % self.num_workers)
                    if not running:
                        return  # closing the batches shuts non-persistent workers down
                else:
                    yield data

    def _draw_base_seed(self):
        """One draw per epoch from the loader's generator (or the global one)."""
        draw = chainrule.randint(0, 2**62, (), generator=self.generator)
        return int(draw.item())

    def _iter_workers(self, fetch, batches):
        from chainrule.utils.data._worker import WorkerPool, start_method_context

        pool = self._pool
        if pool is None:
            pool = WorkerPool(
                fetch,
                self.num_workers,
                start_method_context(self.multiprocessing_context),
                self._draw_base_seed(),
                self.worker_init_fn,
            )
            if self.persistent_workers:
                self._pool = pool
        try:
            yield from pool.run(batches, self.prefetch_factor, self.timeout)
        finally:
            if not self.persistent_workers:
                pool.shutdown()

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()


def _check_iterable_options(shuffle, sampler, batch_sampler):
    """An iterable dataset sets its own order: no shuffle, sampler or batch_sampler."""
    for name, value, unset in (
        ("shuffle", shuffle, shuffle in (None, False)),
        ("sampler", sampler, sampler is None),
        ("batch_sampler", batch_sampler, batch_sampler is None),
    ):
        if not unset:
            raise ValueError(
                f"DataLoader with IterableDataset: expected unspecified {name} option, but "
                f"got {name}={value}"
            )
