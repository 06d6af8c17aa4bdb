"""``chainrule.nn.parallel``: data parallelism across processes (over MPI).

Example:
    >>> import chainrule.distributed as dist
    >>> from chainrule.nn.parallel import DistributedDataParallel as DDP
    >>> dist.init_process_group(backend="mpi")
    >>> model = DDP(nn.Linear(10, 1))
"""

from chainrule.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
