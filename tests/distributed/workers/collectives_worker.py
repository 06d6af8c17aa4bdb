"""Every collective of chainrule.distributed on N ranks, each checked against NumPy.

Rank k's input is drawn from a generator seeded with k, so every rank can rebuild all
inputs and compute the expected result with NumPy.
"""

import numpy as np
from checks import Checks

import chainrule
import chainrule.distributed as dist

dist.init_process_group(backend="mpi")
rank, size = dist.get_rank(), dist.get_world_size()
check = Checks(rank)


def inputs(dtype, shape=(3, 4)):
    """Every rank's input, as NumPy arrays (index = rank)."""
    arrays = []
    for k in range(size):
        rng = np.random.default_rng(100 + k)
        if dtype == np.bool_:
            arrays.append(rng.random(shape) < 0.5)
        elif np.dtype(dtype).kind == "i":
            arrays.append(rng.integers(-5, 6, size=shape).astype(dtype))
        else:
            arrays.append(rng.normal(size=shape).astype(dtype))
    return np.stack(arrays)


def mine(arrays):
    return chainrule.tensor(arrays[rank])


def same(actual, expected, rtol=1e-12):
    actual = actual.numpy() if isinstance(actual, chainrule.Tensor) else actual
    assert actual.dtype == np.asarray(expected).dtype, (actual.dtype, np.asarray(expected).dtype)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0)


with check("rank and world size from the launcher"):
    assert dist.is_initialized()
    assert (rank, size) == (dist.get_rank(), dist.get_world_size())
    assert size == dist.launched_world_size() and size > 1
    assert dist.get_backend() == "mpi"
    ranks = [None] * size
    dist.all_gather_object(ranks, rank)
    assert ranks == list(range(size))

F64 = inputs(np.float64)
REDUCTIONS = {
    dist.ReduceOp.SUM: F64.sum(0),
    dist.ReduceOp.AVG: F64.sum(0) / size,
    dist.ReduceOp.PRODUCT: F64.prod(0),
    dist.ReduceOp.MIN: F64.min(0),
    dist.ReduceOp.MAX: F64.max(0),
}
for op, expected in REDUCTIONS.items():
    with check(f"all_reduce {op.name} float64"):
        t = mine(F64)
        version = t._version
        dist.all_reduce(t, op=op)
        same(t, expected)
        assert t._version > version

with check("all_reduce SUM float32"):
    x = inputs(np.float32)
    t = mine(x)
    dist.all_reduce(t)
    same(t, x.sum(0, dtype=np.float32), rtol=1e-6)

I64 = inputs(np.int64)
INT_REDUCTIONS = {
    dist.ReduceOp.SUM: I64.sum(0),
    dist.ReduceOp.PRODUCT: I64.prod(0),
    dist.ReduceOp.MIN: I64.min(0),
    dist.ReduceOp.MAX: I64.max(0),
    dist.ReduceOp.BAND: np.bitwise_and.reduce(I64, 0),
    dist.ReduceOp.BOR: np.bitwise_or.reduce(I64, 0),
    dist.ReduceOp.BXOR: np.bitwise_xor.reduce(I64, 0),
}
for op, expected in INT_REDUCTIONS.items():
    with check(f"all_reduce {op.name} int64"):
        t = mine(I64)
        dist.all_reduce(t, op=op)
        same(t, expected)

with check("all_reduce bool: SUM is any, PRODUCT is all"):
    b = inputs(np.bool_)
    t_any, t_all = mine(b), mine(b)
    dist.all_reduce(t_any, op=dist.ReduceOp.SUM)
    dist.all_reduce(t_all, op=dist.ReduceOp.PRODUCT)
    same(t_any, b.any(0))
    same(t_all, b.all(0))

with check("all_reduce on a non-contiguous view writes through to its base"):
    base = chainrule.tensor(F64[rank].T.copy())  # (4, 3)
    view = base.t()  # (3, 4), not C-contiguous
    dist.all_reduce(view)
    same(base, F64.sum(0).T)

with check("all_reduce async_op returns a Work"):
    t = mine(F64)
    work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
    assert isinstance(work, dist.Work)
    assert work.wait() is True
    assert work.is_completed()
    same(t, F64.sum(0) / size)

for src in range(size):
    with check(f"broadcast from rank {src}"):
        t = mine(F64)
        dist.broadcast(t, src=src)
        same(t, F64[src])

with check("broadcast async_op, int64"):
    t = mine(I64)
    dist.broadcast(t, src=size - 1, async_op=True).wait()
    same(t, I64[size - 1])

with check("all_gather"):
    out = [chainrule.zeros(3, 4, dtype=chainrule.float64) for _ in range(size)]
    dist.all_gather(out, mine(F64))
    for k in range(size):
        same(out[k], F64[k])

with check("all_gather async_op, bool"):
    b = inputs(np.bool_)
    out = [chainrule.zeros(3, 4, dtype=chainrule.bool) for _ in range(size)]
    dist.all_gather(out, mine(b), async_op=True).wait()
    for k in range(size):
        same(out[k], b[k])

for op, expected in REDUCTIONS.items():
    with check(f"reduce {op.name} to the last rank"):
        dst = size - 1
        t = mine(F64)
        dist.reduce(t, dst=dst, op=op)
        same(t, expected if rank == dst else F64[rank])

with check("gather to rank 0"):
    gather_list = [chainrule.zeros(3, 4, dtype=chainrule.float64) for _ in range(size)]
    dist.gather(mine(F64), gather_list if rank == 0 else None, dst=0)
    if rank == 0:
        for k in range(size):
            same(gather_list[k], F64[k])

with check("gather async_op to the last rank"):
    dst = size - 1
    gather_list = [chainrule.zeros(3, 4, dtype=chainrule.float64) for _ in range(size)]
    dist.gather(mine(F64), gather_list if rank == dst else None, dst=dst, async_op=True).wait()
    if rank == dst:
        for k in range(size):
            same(gather_list[k], F64[k])

with check("scatter from the last rank"):
    src = size - 1
    parts = [chainrule.tensor(F64[src] * (k + 1)) for k in range(size)]
    t = chainrule.zeros(3, 4, dtype=chainrule.float64)
    dist.scatter(t, parts if rank == src else None, src=src)
    same(t, F64[src] * (rank + 1))

with check("scatter async_op from rank 0"):
    parts = [chainrule.tensor(F64[0] - k) for k in range(size)]
    t = chainrule.zeros(3, 4, dtype=chainrule.float64)
    dist.scatter(t, parts if rank == 0 else None, src=0, async_op=True).wait()
    same(t, F64[0] - rank)

with check("gather and scatter lists only on their root, in PyTorch's words"):
    # every rank raises before communicating, so nobody waits
    wrong = [chainrule.zeros(3, 4, dtype=chainrule.float64) for _ in range(size)]
    try:
        dist.gather(mine(F64), None if rank == 0 else wrong, dst=0)
    except ValueError as exc:
        expected = (
            "Argument ``gather_list`` must be specified on destination rank."
            if rank == 0
            else "Argument ``gather_list`` must NOT be specified on non-destination ranks."
        )
        assert str(exc) == expected, str(exc)
    else:
        raise AssertionError("gather with misplaced gather_list did not raise")
    try:
        dist.scatter(mine(F64), None if rank == 0 else wrong, src=0)
    except ValueError as exc:
        expected = (
            "Argument ``scatter_list`` must be specified on source rank."
            if rank == 0
            else "Argument ``scatter_list`` must NOT be specified on non-source ranks."
        )
        assert str(exc) == expected, str(exc)
    else:
        raise AssertionError("scatter with misplaced scatter_list did not raise")

with check("argument errors name the problem"):
    for call, kind, words in (
        (lambda: dist.all_reduce(F64[rank]), TypeError, "of type torch.Tensor"),
        (lambda: dist.all_reduce(mine(I64), op=dist.ReduceOp.AVG), ValueError, "AVG"),
        (lambda: dist.broadcast(mine(F64), src=size), ValueError, "not a rank"),
        (lambda: dist.all_gather([mine(F64)], mine(F64)), ValueError, "one tensor per rank"),
    ):
        try:
            call()
        except kind as exc:
            assert words in str(exc), str(exc)
        else:
            raise AssertionError(f"no {kind.__name__} ({words})")

with check("barrier and object collectives"):
    dist.barrier()
    dist.barrier(async_op=True).wait()
    objects = [{"from": rank}] if rank == 0 else [None]
    dist.broadcast_object_list(objects, src=0)
    assert objects == [{"from": 0}]

with check("init twice is an error; destroy and init again"):
    try:
        dist.init_process_group(backend="mpi")
    except ValueError as exc:
        assert str(exc) == "trying to initialize the default process group twice!"
    else:
        raise AssertionError("second init did not raise")
    dist.destroy_process_group()
    assert not dist.is_initialized()
    try:
        dist.get_rank()
    except ValueError as exc:
        assert "has not been initialized" in str(exc)
    else:
        raise AssertionError("get_rank after destroy did not raise")
    dist.init_process_group()
    t = mine(F64)
    dist.all_reduce(t)
    same(t, F64.sum(0))

check.write()
dist.destroy_process_group()
