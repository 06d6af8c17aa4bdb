"""Worker processes for ``DataLoader(num_workers > 0)``, on the standard library's
``multiprocessing``.

Each worker has its own queue of tasks ``(epoch, task, indices)``; batch ``k`` goes to worker
``k % num_workers``, and every worker puts ``(epoch, task, batch)`` on one shared result queue.
The parent keeps ``prefetch_factor`` tasks per worker in flight and yields the batches in task
order, so the batches are those of ``num_workers=0``, in the same order.

Tensors cross the process boundary as their NumPy arrays: a pool registers a reduction for
``Tensor`` with multiprocessing's own pickler (only there: ``pickle.dumps(tensor)`` still
refuses, since checkpoints are safetensors files).
"""

import multiprocessing
import queue
import random
import sys
import traceback
from multiprocessing.reduction import ForkingPickler

import numpy as np

import chainrule
from chainrule._tensor import Tensor, wrap

__all__ = ["WorkerInfo", "get_worker_info"]

_START_METHODS = ("fork", "spawn", "forkserver")
_POLL_SECONDS = 1.0  # how often a waiting parent checks that its workers are alive


# ---------------------------------------------------------------- tensors across processes


def _rebuild_tensor(cls, array, requires_grad):
    t = wrap(array, cls=cls)
    t._requires_grad = requires_grad
    return t


def _reduce_tensor(t):
    return _rebuild_tensor, (type(t), t._data, t._requires_grad)


def _register_tensor_types():
    """Send ``Tensor`` and every subclass known now (``Parameter`` …) by their arrays."""
    pending = [Tensor]
    while pending:
        cls = pending.pop()
        ForkingPickler.register(cls, _reduce_tensor)
        pending.extend(cls.__subclasses__())


# ---------------------------------------------------------------- inside a worker


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``, ``seed``
    (this worker's seed of ``random`` and chainrule's generator) and ``dataset`` (this
    process's copy)."""

    __slots__ = ("id", "num_workers", "seed", "dataset")

    def __init__(self, id, num_workers, seed, dataset):
        self.id = id
        self.num_workers = num_workers
        self.seed = seed
        self.dataset = dataset

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"WorkerInfo({fields})"


_worker_info = [None]


def get_worker_info():
    """Inside a ``DataLoader`` worker process, its :class:`WorkerInfo`; ``None`` in the main
    process.  Use it in ``worker_init_fn`` or in a dataset to split work between workers."""
    return _worker_info[0]


class _WorkerError:
    """An exception raised in a worker, carried to the parent and raised there again."""

    def __init__(self, worker_id):
        self.exc_type = type(sys.exc_info()[1])
        self.message = (
            f"Caught {self.exc_type.__name__} in DataLoader worker process {worker_id}.\n"
            f"Original {traceback.format_exc()}"
        )

    def reraise(self):
        try:
            error = self.exc_type(self.message)
        except Exception:  # an exception type that needs other arguments
            raise RuntimeError(self.message) from None
        raise error


def _seed_worker(seed, worker_id):
    """Seed ``random``, chainrule's global generator and NumPy's legacy one per worker (a
    forked worker would otherwise repeat the parent's random stream in every worker)."""
    random.seed(seed)
    chainrule.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, seed]).generate_state(4))


def _worker_loop(fetch, tasks, results, base_seed, init_fn, worker_id, num_workers):
    _register_tensor_types()
    seed = base_seed + worker_id
    _seed_worker(seed, worker_id)
    _worker_info[0] = WorkerInfo(worker_id, num_workers, seed, fetch.dataset)
    init_error = None
    if init_fn is not None:
        try:
            init_fn(worker_id)
        except Exception:
            init_error = _WorkerError(worker_id)
    while True:
        try:
            task = tasks.get()
        except (EOFError, OSError, KeyboardInterrupt):  # the parent is gone
            return
        if task is None:  # shut down: batches nobody will read must not hold the exit
            results.cancel_join_thread()
            return
        epoch, task_id, indices = task
        if init_error is not None:
            data = init_error
        else:
            try:
                data = fetch(indices)
            except Exception:
                data = _WorkerError(worker_id)
        results.put((epoch, task_id, data))


# ---------------------------------------------------------------- in the parent


def start_method_context(multiprocessing_context):
    """The multiprocessing context for ``DataLoader(multiprocessing_context=...)``."""
    if multiprocessing_context is None:
        return multiprocessing.get_context()
    if isinstance(multiprocessing_context, str):
        if multiprocessing_context not in multiprocessing.get_all_start_methods():
            raise ValueError(
                f"multiprocessing_context option should specify a valid start method in "
                f"{list(_START_METHODS)}, but got "
                f"multiprocessing_context={multiprocessing_context!r}"
            )
        return multiprocessing.get_context(multiprocessing_context)
    if not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
        raise TypeError(
            f"multiprocessing_context option should be a valid context object or a string "
            f"specifying the start method, but got "
            f"multiprocessing_context={multiprocessing_context!r}"
        )
    return multiprocessing_context


class WorkerPool:
    """The worker processes of one ``DataLoader`` (kept across epochs when persistent)."""

    def __init__(self, fetch, num_workers, context, base_seed, worker_init_fn):
        _register_tensor_types()
        self.results = context.Queue()
        self.task_queues, self.workers = [], []
        self.epoch = 0
        for worker_id in range(num_workers):
            tasks = context.Queue()
            worker = context.Process(
                target=_worker_loop,
                args=(fetch, tasks, self.results, base_seed, worker_init_fn, worker_id,
                      num_workers),
                daemon=True,
            )  # fmt: skip
            worker.start()
            self.task_queues.append(tasks)
            self.workers.append(worker)

    def run(self, batches, prefetch_factor, timeout):
        """Yield the batches fetched for ``batches`` (index arrays), in their order."""
        self.epoch += 1
        epoch, n = self.epoch, len(self.workers)
        pending = iter(enumerate(batches))
        sent = received = 0
        waiting = {}  # batches that arrived before their turn

        def send_next():
            nonlocal sent
            item = next(pending, None)
            if item is None:
                return
            task_id, indices = item
            self.task_queues[task_id % n].put((epoch, task_id, indices))
            sent += 1

        for _ in range(prefetch_factor * n):
            send_next()
        while received < sent:
            while received not in waiting:
                got_epoch, task_id, data = self._get(timeout)
                if got_epoch == epoch:  # earlier epochs' leftovers are dropped
                    waiting[task_id] = data
            data = waiting.pop(received)
            received += 1
            send_next()
            if isinstance(data, _WorkerError):
                data.reraise()
            yield data

    def _get(self, timeout):
        waited = 0.0
        while True:
            step = _POLL_SECONDS if timeout <= 0 else min(_POLL_SECONDS, timeout - waited)
            try:
                return self.results.get(timeout=step)
            except queue.Empty:
                waited += step
            dead = [w.pid for w in self.workers if not w.is_alive()]
            if dead:
                self.shutdown()
                raise RuntimeError(
                    f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited unexpectedly"
                )
            if 0 < timeout <= waited:
                self.shutdown()
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def shutdown(self):
        """Stop the workers (politely, then by force) and close the queues."""
        if not self.workers:
            return
        for tasks in self.task_queues:
            try:
                tasks.put(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for q in (*self.task_queues, self.results):
            q.cancel_join_thread()
            q.close()
        self.workers, self.task_queues = [], []

    def __del__(self):
        try:
            self.shutdown()
        except Exception:
            pass
