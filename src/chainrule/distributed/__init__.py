"""``chainrule.distributed``: ``torch.distributed``'s API on MPI, for data-parallel training.

Start the same program on N processes with an MPI launcher; each process calls
``init_process_group`` and gets its rank (``0 .. N-1``) and the world size from MPI::

    mpirun -n 2 python train.py

Collectives (``all_reduce``, ``broadcast``, ``all_gather``, ``reduce``, ``gather``,
``scatter``, ``barrier``) work in place on tensors.  An uncaught exception on any rank
aborts the whole job.  Install the MPI with ``pip install 'chainrule[distributed]'``.

Example:
    >>> import chainrule
    >>> import chainrule.distributed as dist
    >>> dist.init_process_group(backend="mpi")
    >>> t = chainrule.ones(3) * (dist.get_rank() + 1)
    >>> dist.all_reduce(t, op=dist.ReduceOp.SUM)   # on 2 ranks: tensor([3., 3., 3.])
"""

from chainrule.distributed.collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    gather,
    reduce,
    scatter,
)
from chainrule.distributed.process_group import (
    Backend,
    GroupMember,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
    launched_world_size,
)

__all__ = [
    "Backend",
    "GroupMember",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "destroy_process_group",
    "gather",
    "get_backend",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "launched_world_size",
    "reduce",
    "scatter",
]
