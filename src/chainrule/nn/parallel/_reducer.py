"""Gradient averaging for DistributedDataParallel: buckets, hooks and nonblocking allreduce.

The parameters are split, in reverse registration order (roughly the order backward
produces their gradients), into buckets of about ``bucket_cap_mb`` each (the first one
smaller, 1 MiB, so communication starts early).  A bucket owns one flat array that holds
the gradients of all its parameters side by side.

During backward, a hook on each parameter copies its gradient (plus any gradient already
accumulated in ``.grad``, e.g. under ``no_sync``) into its slot of the bucket.  When the
last slot of a bucket is filled, one ``MPI_Iallreduce`` (sum) on the flat array starts and
backward carries on while it runs.  Buckets start in index order on every rank (MPI needs
the collectives in the same order everywhere).  The hook of the last parameter waits for
all buckets, divides by the world size, and hands each parameter its slot:

    .grad_p <- (1/N) sum_r (.grad_p^r + g_p^r)          N = world size, r = rank

``find_unused_parameters``: parameters that the forward output does not reach get no
hook call; they are marked ready (their slot holds their current ``.grad`` or zeros) when
the first hook fires, and a bitmap allreduce tells which were used on any rank: those get
the average, the others keep ``.grad`` untouched.
"""

import weakref

import numpy as np

import chainrule
from chainrule.distributed.process_group import _mpi

__all__ = ["Reducer", "FIRST_BUCKET_BYTES"]

FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's _DEFAULT_FIRST_BUCKET_BYTES

UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by "
    "making sure all `forward` function outputs participate in calculating loss. "
    "Parameter indices which did not receive grad for rank {rank}: {indices}"
)


class _Bucket:
    """Parameters (by index) whose gradients travel together in one flat array."""

    __slots__ = ("members", "offsets", "flat", "pending", "request")

    def __init__(self, members, params):
        self.members = members
        sizes = [params[i].numel() for i in members]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        self.flat = np.zeros(self.offsets[-1], dtype=params[members[0]]._data.dtype)
        self.pending = len(members)
        self.request = None

    def slot(self, k, shape):
        """The part of the flat array that holds the k-th member's gradient, shaped."""
        return self.flat[self.offsets[k] : self.offsets[k + 1]].reshape(shape)


def assign_buckets(params, bucket_bytes, first_bucket_bytes=FIRST_BUCKET_BYTES):
    """Lists of parameter indices, one per bucket: reverse order, one dtype per bucket.

    A bucket closes once it holds at least its limit in bytes (the first bucket's limit is
    the smaller of ``first_bucket_bytes`` and ``bucket_bytes``, the others' is
    ``bucket_bytes``), as PyTorch assigns them.
    """
    first_bucket_bytes = min(first_bucket_bytes, bucket_bytes)
    buckets, open_by_dtype = [], {}
    for i in reversed(range(len(params))):
        dtype = params[i]._data.dtype
        members, size = open_by_dtype.get(dtype, ([], 0))
        members.append(i)
        size += params[i]._data.nbytes
        limit = first_bucket_bytes if not buckets else bucket_bytes
        if size >= limit:
            buckets.append(members)
            open_by_dtype.pop(dtype, None)
        else:
            open_by_dtype[dtype] = (members, size)
    buckets.extend(members for members, _ in open_by_dtype.values())
    return buckets


def _reached_parameters(outputs):
    """ids of the leaf tensors that the graphs of ``outputs`` reach (iterative walk)."""
    stack, seen, leaves = [], set(), set()
    for t in _tensors_in(outputs):
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif t.requires_grad:
            leaves.add(id(t))
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for nxt, _ in fn.next_functions:
            if nxt is None:
                continue
            variable = getattr(nxt, "variable", None)  # AccumulateGrad: a leaf
            if variable is not None:
                leaves.add(id(variable))
            else:
                stack.append(nxt)
    return leaves


def _tensors_in(obj):
    """Every chainrule Tensor inside nested tuples, lists and dicts."""
    if isinstance(obj, chainrule.Tensor):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from _tensors_in(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _tensors_in(item)


def _hook(reducer_ref, index, grad):
    reducer = reducer_ref()
    if reducer is None or not reducer.expect_hooks:
        return None  # no_sync, or a backward that did not come through DDP's forward
    return reducer.gradient_ready(index, grad)


class Reducer:
    """Averages the gradients of ``params`` across ``comm`` during each backward pass."""

    def __init__(self, params, comm, bucket_bytes, find_unused_parameters=False):
        self.params = params
        self.comm = comm
        self.find_unused = find_unused_parameters
        self.buckets = [_Bucket(m, params) for m in assign_buckets(params, bucket_bytes)]
        self.location = {}  # parameter index -> (bucket, member position)
        for bucket in self.buckets:
            for k, i in enumerate(bucket.members):
                self.location[i] = (bucket, k)
        self.expect_hooks = False  # a synchronised backward is due (set by prepare)
        self.started = False  # a hook has fired in this iteration
        self.ready = np.zeros(len(params), dtype=bool)
        self.hooked = np.zeros(len(params), dtype=bool)  # ready through its own hook
        self.used = np.ones(len(params), dtype=np.uint8)
        self.used_request = None
        self.unused = []
        self.next_bucket = 0
        self.remaining = len(params)
        ref = weakref.ref(self)
        self.handles = [
            p.register_hook(lambda g, i=i: _hook(ref, i, g)) for i, p in enumerate(params)
        ]

    # ------------------------------------------------------------ each iteration

    def check_finished(self):
        """Raise PyTorch's error if the last synchronised backward left parameters out."""
        if self.started:
            missing = np.flatnonzero(~self.ready).tolist()
            raise RuntimeError(UNFINISHED.format(rank=self.comm.rank, indices=missing))

    def prepare(self, outputs):
        """Called by DDP's forward: expect one hook per (used) parameter in backward."""
        self.check_finished()
        for bucket in self.buckets:
            bucket.pending = len(bucket.members)
            bucket.request = None
        self.ready[:] = False
        self.hooked[:] = False
        self.next_bucket = 0
        self.remaining = len(self.params)
        self.used_request = None
        if self.find_unused:
            reached = _reached_parameters(outputs)
            self.unused = [i for i, p in enumerate(self.params) if id(p) not in reached]
        self.expect_hooks = True

    def gradient_ready(self, index, grad):
        """The hook body: file ``grad`` in its bucket; launch and finish as buckets fill."""
        if self.ready[index]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. This error is caused by a "
                f"parameter (index {index}, shape {tuple(self.params[index].shape)}) "
                f"receiving a gradient twice in one iteration, e.g. two backward passes "
                f"after one forward through DistributedDataParallel. Run the forward again "
                f"before each backward, or accumulate with no_sync()."
            )
        if not self.started:
            self.started = True
            if self.find_unused:
                self._start_unused()
        self.hooked[index] = True
        self._fill(index, grad._data if grad.grad_fn is None else grad.detach()._data)
        bucket, k = self.location[index]
        if self.remaining == 0:
            self._finish()
        elif self.next_bucket:
            _mpi().Request.Testall([b.request for b in self.buckets[: self.next_bucket]])
        return chainrule.from_numpy(bucket.slot(k, grad.shape))

    def _start_unused(self):
        """Share which parameters this rank used, and mark the unused ones ready."""
        self.used[:] = 1
        self.used[self.unused] = 0
        MPI = _mpi()
        self.used_request = self.comm.Iallreduce(MPI.IN_PLACE, self.used, MPI.MAX)
        for i in self.unused:
            self._fill(i, None)

    def _fill(self, index, grad):
        """Write the gradient ``.grad + grad`` (``.grad`` or zeros when ``grad`` is None)
        into the parameter's slot; start every bucket that is full, in order."""
        bucket, k = self.location[index]
        param = self.params[index]
        slot = bucket.slot(k, param.shape)
        current = param._grad
        if grad is None:
            slot[...] = 0 if current is None else current._data
        elif current is None:
            slot[...] = grad
        else:
            np.add(current._data, grad, out=slot)
        self.ready[index] = True
        self.remaining -= 1
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_full_buckets()

    def _launch_full_buckets(self):
        MPI = _mpi()
        while self.next_bucket < len(self.buckets):
            bucket = self.buckets[self.next_bucket]
            if bucket.pending:
                break
            bucket.request = self.comm.Iallreduce(MPI.IN_PLACE, bucket.flat, MPI.SUM)
            self.next_bucket += 1

    def _finish(self):
        """Wait for every bucket, average, and settle each parameter's ``.grad``.

        Parameters whose hook fired get their slot back from the hook; the engine adds it
        to ``.grad`` after the backward pass, so a ``.grad`` already folded into the slot
        is zeroed here first.
        """
        MPI = _mpi()
        MPI.Request.Waitall([b.request for b in self.buckets])
        size = self.comm.size
        for bucket in self.buckets:
            np.divide(bucket.flat, size, out=bucket.flat)
        if self.used_request is not None:
            self.used_request.Wait()
        for index, param in enumerate(self.params):
            current = param._grad
            if self.hooked[index]:
                if current is not None:
                    current._data[...] = 0
            elif self.used[index]:  # unused here, used on another rank: take the average
                bucket, k = self.location[index]
                slot = bucket.slot(k, param.shape)
                if current is None:
                    param.grad = chainrule.from_numpy(slot.copy())
                else:
                    current._data[...] = slot
                    current._bump_version()
        # expect_hooks stays set: a second backward before the next forward is an error
        self.started = False

    def remove_hooks(self):
        for handle in self.handles:
            handle.remove()
        self.handles = []
