"""Rank 1 raises while rank 0 waits in a collective: the whole job must end at once."""

import time

import chainrule
import chainrule.distributed as dist

dist.init_process_group(backend="mpi")
t = chainrule.ones(3)
dist.all_reduce(t)
print(f"rank {dist.get_rank()} passed the first allreduce", flush=True)
if dist.get_rank() == 1:
    raise ValueError("rank 1 gives up on purpose")
dist.all_reduce(t)  # rank 0 would wait here forever
time.sleep(60)
print("unreachable: rank 0 should have been ended", flush=True)
