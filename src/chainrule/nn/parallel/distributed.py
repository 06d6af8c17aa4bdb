"""``DistributedDataParallel``: one model replica per process, gradients averaged by MPI."""

import contextlib

import numpy as np

import chainrule
from chainrule.distributed import process_group
from chainrule.nn.modules.module import Module
from chainrule.nn.parallel._reducer import Reducer

__all__ = ["DistributedDataParallel"]

DEFAULT_BUCKET_CAP_MB = 25


class DistributedDataParallel(Module):
    """Data parallelism across processes: each rank runs ``module`` on its share of the batch
    and backward leaves every rank with the same averaged gradient,

        grad_p = (1/N) sum_r dL_r/dp            (N ranks, L_r the loss of rank r)

    so that with equal shares and a mean loss the update equals one process's on the whole
    batch.  At construction rank 0's parameters and buffers are broadcast to all ranks (after
    checking that every rank has the same parameter shapes).  Gradients travel in flattened
    buckets of about ``bucket_cap_mb`` MiB; a bucket's allreduce starts as soon as backward
    has produced all its gradients, overlapping the rest of backward, and the last
    gradient's hook waits for all of them, so ``optimizer.step()`` sees averaged ``.grad``.

    Args:
        module: the model to replicate.
        broadcast_buffers: copy rank 0's buffers (e.g. BatchNorm running statistics) to all
            ranks at the start of each forward (default True).
        bucket_cap_mb: bucket size in MiB (default 25; the first bucket is 1 MiB).
        find_unused_parameters: find, at each forward, the parameters that the output does
            not depend on, so that backward does not wait for their gradients.
        init_sync: broadcast rank 0's state at construction (default True).
        device_ids, output_device: must be None (chainrule runs on the CPU).
        dim, process_group, check_reduction, gradient_as_bucket_view, static_graph:
            accepted for PyTorch compatibility; they change nothing here.

    Example:
        >>> dist.init_process_group(backend="mpi")
        >>> model = DistributedDataParallel(nn.Linear(10, 1))
        >>> loss = loss_fn(model(x_local), y_local)
        >>> loss.backward()          # .grad now holds the average over all ranks
        >>> optimizer.step()
    """

    def __init__(
        self,
        module,
        device_ids=None,
        output_device=None,
        dim=0,
        broadcast_buffers=True,
        init_sync=True,
        process_group=None,
        bucket_cap_mb=None,
        find_unused_parameters=False,
        check_reduction=False,
        gradient_as_bucket_view=False,
        static_graph=False,
    ):
        super().__init__()
        comm = _default_comm(process_group)
        if device_ids or output_device is not None:
            raise ValueError(
                f"DistributedDataParallel device_ids and output_device arguments only work "
                f"with GPU modules; chainrule runs on the CPU, so leave them unset (got "
                f"device_ids {device_ids}, output_device {output_device})"
            )
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: module must be a chainrule.nn.Module, got "
                f"{type(module).__name__}"
            )
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any "
                "parameter that requires a gradient."
            )
        self.module = module
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.static_graph = static_graph
        self.gradient_as_bucket_view = gradient_as_bucket_view
        cap = DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap * 1024 * 1024)
        _verify_same_parameters(comm, module)
        if init_sync:
            _broadcast_coalesced(comm, list(module.parameters()) + _buffers(module))
        params = [p for _, p in named]
        self.reducer = Reducer(params, comm, self.bucket_bytes_cap, find_unused_parameters)

    def forward(self, *inputs, **kwargs):
        """Run ``module`` (after syncing buffers), and arm the gradient hooks for backward."""
        sync = chainrule.is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            self.reducer.check_finished()
        if self.broadcast_buffers and self.training:
            buffers = _buffers(self.module)
            if buffers:
                _broadcast_coalesced(self.reducer.comm, buffers)
        outputs = self.module(*inputs, **kwargs)
        if sync:
            self.reducer.prepare(outputs)
        elif chainrule.is_grad_enabled():
            self.reducer.expect_hooks = False  # no_sync: gradients accumulate locally
        return outputs

    @contextlib.contextmanager
    def no_sync(self):
        """Accumulate gradients locally, without communication, inside this block.

        The forward and backward passes of the steps to accumulate go inside; the first
        forward-backward after the block averages everything accumulated so far.

        Example:
            >>> with ddp.no_sync():
            ...     for x, y in micro_batches[:-1]:
            ...         loss_fn(ddp(x), y).backward()
            >>> loss_fn(ddp(x_last), y_last).backward()   # averaged over ranks here
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _default_comm(group):
    comm = process_group._comm()  # PyTorch's ValueError when init_process_group wasn't called
    process_group._check_group(group, "DistributedDataParallel")
    return comm


def _buffers(module):
    return [b for b in module.buffers() if b is not None]


def _describe(module):
    return [(name, tuple(p.shape), str(p.dtype)) for name, p in module.named_parameters()]


def _verify_same_parameters(comm, module):
    """Every rank must hold the same parameters (count, shapes, dtypes) as rank 0."""
    mine = _describe(module)
    everyone = comm.allgather(mine)
    reference = everyone[0]
    for rank, theirs in enumerate(everyone):
        if len(theirs) != len(reference):
            raise RuntimeError(
                f"DDP expects same model across all ranks, but Rank {rank} has "
                f"{len(theirs)} params, while rank 0 has inconsistent {len(reference)} params."
            )
        for i, (ours, ref) in enumerate(zip(theirs, reference)):
            if ours[1:] != ref[1:]:
                raise RuntimeError(
                    f"DistributedDataParallel: [{rank}]: params[{i}] ({ours[0]!r}) in process "
                    f"{rank} with sizes {list(ours[1])} and dtype {ours[2]} appears not to "
                    f"match sizes of the same param in process 0 ({ref[0]!r}: sizes "
                    f"{list(ref[1])}, dtype {ref[2]}). Build the same model on every rank."
                )


def _broadcast_coalesced(comm, tensors):
    """Copy rank 0's values of ``tensors`` to every rank: one Bcast per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    for dtype, group in by_dtype.items():
        flat = np.concatenate([t._data.ravel() for t in group]) if comm.rank == 0 else None
        if flat is None:
            flat = np.empty(sum(t._data.size for t in group), dtype=dtype)
        comm.Bcast(flat.view(np.uint8) if dtype == np.bool_ else flat, root=0)
        if comm.rank != 0:
            start = 0
            for t in group:
                t._data[...] = flat[start : start + t._data.size].reshape(t._data.shape)
                t._bump_version()
                start += t._data.size
