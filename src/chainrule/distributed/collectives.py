"""Collectives on tensors, with ``torch.distributed``'s names, over MPI.

Each call works in place on the tensors' NumPy memory (no copy when a tensor is
C-contiguous) and maps onto one MPI collective:

    all_reduce  x_r <- op_k x_k            MPI_Allreduce(IN_PLACE)   AVG = SUM / world size
    broadcast   x_r <- x_src               MPI_Bcast
    all_gather  out_r[k] <- x_k            MPI_Allgather
    reduce      x_dst <- op_k x_k          MPI_Reduce(IN_PLACE on dst)
    gather      list_dst[k] <- x_k         MPI_Gather
    scatter     x_r <- list_src[r]         MPI_Scatter
    barrier                                MPI_Barrier

With ``async_op=True`` the nonblocking form (``MPI_Iallreduce`` ...) is started and a
:class:`Work` is returned; ``work.wait()`` completes it.
"""

import enum

import numpy as np

from chainrule import Tensor
from chainrule.distributed.process_group import _check_group, _comm, _mpi

__all__ = [
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "gather",
    "reduce",
    "scatter",
]


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    __str__ = enum.Enum.__str__  # "RedOpType.SUM", as PyTorch prints it


class ReduceOp:
    """How ``all_reduce`` and ``reduce`` combine the ranks' tensors: ``ReduceOp.SUM`` ..."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


# For bool tensors (viewed as uint8 0/1): a sum or maximum is "any", a product or minimum
# is "all", as the logical ops give.
_BOOL_OPS = {"SUM": "MAX", "PRODUCT": "MIN", "BAND": "MIN", "BOR": "MAX"}
_MPI_OP_NAMES = {"SUM": "SUM", "AVG": "SUM", "PRODUCT": "PROD", "MIN": "MIN", "MAX": "MAX"}
_MPI_OP_NAMES.update(BAND="BAND", BOR="BOR", BXOR="BXOR")


class Work:
    """A collective started with ``async_op=True``; ``wait()`` completes it.

    ``finish`` (if any) runs once, after MPI has completed: it averages, copies a staged
    buffer back into the tensor and bumps its version.
    """

    def __init__(self, requests, finish=None):
        self._requests = list(requests)
        self._finish = finish

    def _complete(self):
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()

    def wait(self, timeout=None):
        """Block until the collective has completed on this rank; returns True."""
        if self._requests:
            _mpi().Request.Waitall(self._requests)
            self._requests = []
        self._complete()
        return True

    def is_completed(self):
        """Whether the collective has completed (never blocks)."""
        if self._requests and not _mpi().Request.Testall(self._requests):
            return False
        self._requests = []
        self._complete()
        return True

    def is_success(self):
        return self.is_completed()


def _check_tensor(value, name):
    if not isinstance(value, Tensor):
        raise TypeError(
            f"Invalid function argument. Expected parameter `{name}` of type torch.Tensor "
            f"but got {type(value)} instead."
        )


def _check_tensor_list(value, name):
    if not isinstance(value, list) or not all(isinstance(t, Tensor) for t in value):
        raise TypeError(
            f"Invalid function argument. Expected parameter `{name}` of type "
            f"List[torch.Tensor] but got {type(value)} instead."
        )


def _check_rank(rank, comm, op, name):
    if rank is None:
        raise ValueError(f"{op}: Must specify global_rank or group_rank ({name}=)")
    if not isinstance(rank, int) or not 0 <= rank < comm.size:
        raise ValueError(
            f"{op}: {name}={rank!r} is not a rank of the group; ranks are 0 .. {comm.size - 1}"
        )
    return rank


class _Staged:
    """A tensor's memory as an MPI buffer: the array itself when it is C-contiguous and of
    a dtype MPI handles natively (bool is viewed as uint8), else a staged copy that
    ``finish`` writes back."""

    def __init__(self, tensor):
        self.tensor = tensor
        data = tensor._data
        contiguous = data.flags.c_contiguous and data.flags.writeable
        if data.dtype == np.float16:  # MPI has no half-precision reduction: use float32
            buf, self.staged = data.astype(np.float32), True
        elif contiguous:
            buf, self.staged = data, False
        else:
            buf, self.staged = np.ascontiguousarray(data), True
        self.buf = buf.view(np.uint8) if buf.dtype == np.bool_ else buf

    def finish(self):
        """Write a staged copy back, and record the in-place change on the tensor."""
        tensor = self.tensor
        if self.staged:
            buf = self.buf
            tensor._data[...] = buf.view(np.bool_) if tensor._data.dtype == np.bool_ else buf
        tensor._bump_version()


def _mpi_op(op, dtype, where):
    """The MPI op for ``op`` on arrays of ``dtype``, and whether to divide by the size."""
    try:
        name = RedOpType(op).name
    except ValueError:
        raise ValueError(f"{where}: unknown reduce op {op!r}; use a dist.ReduceOp") from None
    average = name == "AVG"
    if average and dtype.kind != "f":
        raise ValueError(
            f"{where}: ReduceOp.AVG needs a floating-point tensor, got {dtype}; "
            f"use ReduceOp.SUM and divide, or convert the tensor with .double()"
        )
    if name in ("BAND", "BOR", "BXOR") and dtype.kind not in "iub":
        raise ValueError(f"{where}: ReduceOp.{name} needs an integer or bool tensor, got {dtype}")
    if dtype == np.bool_:
        name = _BOOL_OPS.get(name, name)
    return getattr(_mpi(), _MPI_OP_NAMES[name]), average


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Combine ``tensor`` across all ranks with ``op``; every rank gets the result in place.

    ``x_r <- x_0 (op) x_1 (op) ... (op) x_{N-1}``; ``ReduceOp.AVG`` is the sum over ``N``.

    Args:
        tensor: input and output, the same shape and dtype on every rank.
        op: a ``ReduceOp`` (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR).
        async_op: return a :class:`Work` to ``wait()`` on instead of blocking.

    Example:
        >>> t = chainrule.tensor([1.0 + dist.get_rank()])
        >>> dist.all_reduce(t)          # on 2 ranks: tensor([3.])
    """
    _check_tensor(tensor, "tensor")
    comm = _comm()
    _check_group(group, "all_reduce")
    staged = _Staged(tensor)
    mpi_op, average = _mpi_op(op, tensor._data.dtype, "all_reduce")
    MPI = _mpi()

    def finish():
        if average:
            np.divide(staged.buf, comm.size, out=staged.buf)
        staged.finish()

    if async_op:
        return Work([comm.Iallreduce(MPI.IN_PLACE, staged.buf, mpi_op)], finish)
    comm.Allreduce(MPI.IN_PLACE, staged.buf, mpi_op)
    finish()
    return None


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` from rank ``src`` into ``tensor`` on every other rank, in place."""
    comm = _comm()
    _check_group(group, "broadcast")
    src = _check_rank(src if group_src is None else group_src, comm, "broadcast", "src")
    _check_tensor(tensor, "tensor")
    staged = _Staged(tensor)
    finish = staged.finish if comm.rank != src else None
    if async_op:
        return Work([comm.Ibcast(staged.buf, root=src)], finish)
    comm.Bcast(staged.buf, root=src)
    if finish is not None:
        finish()
    return None


def _check_list_shapes(tensors, tensor, comm, op, name):
    if len(tensors) != comm.size:
        raise ValueError(
            f"{op}: `{name}` must hold one tensor per rank ({comm.size}), got {len(tensors)}"
        )
    for i, t in enumerate(tensors):
        if t.shape != tensor.shape or t.dtype != tensor.dtype:
            raise ValueError(
                f"{op}: {name}[{i}] has shape {tuple(t.shape)} and dtype {t.dtype}, but "
                f"`tensor` has shape {tuple(tensor.shape)} and dtype {tensor.dtype}; they "
                f"must be equal"
            )


def _stack_buffer(tensor, count):
    """An empty ``(count, *tensor.shape)`` array in the dtype MPI moves for ``tensor``."""
    dtype = {np.dtype(np.bool_): np.uint8, np.dtype(np.float16): np.float32}.get(
        tensor._data.dtype, tensor._data.dtype
    )
    return np.empty((count, *tensor._data.shape), dtype=dtype)


def _unstack(stacked, tensors):
    def finish():
        for t, part in zip(tensors, stacked):
            t._data[...] = part.view(np.bool_) if t._data.dtype == np.bool_ else part
            t._bump_version()

    return finish


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Every rank receives every rank's ``tensor``: ``tensor_list[k] <- tensor`` of rank k."""
    _check_tensor_list(tensor_list, "tensor_list")
    _check_tensor(tensor, "tensor")
    comm = _comm()
    _check_group(group, "all_gather")
    _check_list_shapes(tensor_list, tensor, comm, "all_gather", "tensor_list")
    send = _Staged(tensor).buf
    stacked = _stack_buffer(tensor, comm.size)
    finish = _unstack(stacked, tensor_list)
    if async_op:
        return Work([comm.Iallgather(send, stacked)], finish)
    comm.Allgather(send, stacked)
    finish()
    return None


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Combine ``tensor`` across ranks with ``op`` into ``tensor`` on rank ``dst`` only."""
    _check_tensor(tensor, "tensor")
    comm = _comm()
    _check_group(group, "reduce")
    dst = _check_rank(dst if group_dst is None else group_dst, comm, "reduce", "dst")
    staged = _Staged(tensor)
    mpi_op, average = _mpi_op(op, tensor._data.dtype, "reduce")
    MPI = _mpi()
    root = comm.rank == dst
    send, recv = (MPI.IN_PLACE, staged.buf) if root else (staged.buf, None)

    def finish():
        if root:
            if average:
                np.divide(staged.buf, comm.size, out=staged.buf)
            staged.finish()

    if async_op:
        return Work([comm.Ireduce(send, recv, mpi_op, root=dst)], finish)
    comm.Reduce(send, recv, mpi_op, root=dst)
    finish()
    return None


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Rank ``dst`` receives every rank's ``tensor`` in ``gather_list`` (rank order)."""
    _check_tensor(tensor, "tensor")
    if gather_list:
        _check_tensor_list(gather_list, "gather_list")
    comm = _comm()
    _check_group(group, "gather")
    if dst is None and group_dst is None:
        dst = 0
    dst = _check_rank(dst if group_dst is None else group_dst, comm, "gather", "dst")
    root = comm.rank == dst
    if root and not gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    if not root and gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    send = _Staged(tensor).buf
    stacked, finish = None, None
    if root:
        _check_list_shapes(gather_list, tensor, comm, "gather", "gather_list")
        stacked = _stack_buffer(tensor, comm.size)
        finish = _unstack(stacked, gather_list)
    if async_op:
        return Work([comm.Igather(send, stacked, root=dst)], finish)
    comm.Gather(send, stacked, root=dst)
    if finish is not None:
        finish()
    return None


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank ``r`` receives ``scatter_list[r]`` of rank ``src`` into ``tensor``."""
    _check_tensor(tensor, "tensor")
    if scatter_list:
        _check_tensor_list(scatter_list, "scatter_list")
    comm = _comm()
    _check_group(group, "scatter")
    if src is None and group_src is None:
        src = 0
    src = _check_rank(src if group_src is None else group_src, comm, "scatter", "src")
    root = comm.rank == src
    if root and not scatter_list:
        raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
    if not root and scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    send = None
    if root:
        _check_list_shapes(scatter_list, tensor, comm, "scatter", "scatter_list")
        send = np.stack([_Staged(t).buf for t in scatter_list])
    staged = _Staged(tensor)
    if async_op:
        return Work([comm.Iscatter(send, staged.buf, root=src)], staged.finish)
    comm.Scatter(send, staged.buf, root=src)
    staged.finish()
    return None


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Wait until every rank has reached this call."""
    comm = _comm()
    _check_group(group, "barrier")
    if async_op:
        return Work([comm.Ibarrier()])
    comm.Barrier()
    return None


def all_gather_object(object_list, obj, group=None):
    """``object_list[k] <- obj`` of rank k, for any picklable Python object."""
    comm = _comm()
    _check_group(group, "all_gather_object")
    if len(object_list) != comm.size:
        raise ValueError(
            f"all_gather_object: object_list must have one slot per rank ({comm.size}), "
            f"got {len(object_list)}"
        )
    object_list[:] = comm.allgather(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace the items of ``object_list`` on every rank by those of rank ``src``."""
    comm = _comm()
    _check_group(group, "broadcast_object_list")
    if src is None and group_src is None:
        src = 0
    src = _check_rank(src if group_src is None else group_src, comm, "broadcast_object_list", "src")
    object_list[:] = comm.bcast(list(object_list) if comm.rank == src else None, root=src)
