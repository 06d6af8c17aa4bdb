"""Before init_process_group everything fails as in PyTorch (no MPI started here)."""

import pytest
import torch
import torch.distributed as torch_dist
import torch.utils.data.distributed as torch_distributed

import chainrule
import chainrule.distributed as dist
from chainrule.nn.parallel import DistributedDataParallel
from chainrule.utils.data import DistributedSampler


def calls(lib, t):
    return {
        "get_rank": lambda: lib.get_rank(),
        "get_world_size": lambda: lib.get_world_size(),
        "barrier": lambda: lib.barrier(),
        "all_reduce": lambda: lib.all_reduce(t),
        "broadcast": lambda: lib.broadcast(t, 0),
        "all_gather": lambda: lib.all_gather([t], t),
        "reduce": lambda: lib.reduce(t, 0),
        "gather": lambda: lib.gather(t),
        "scatter": lambda: lib.scatter(t),
        "destroy_process_group": lambda: lib.destroy_process_group(),
    }


def raised(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("name", list(calls(dist, None)))
def test_collectives_before_init_fail_as_torch(name):
    assert not dist.is_initialized() and not torch_dist.is_initialized()
    ours = raised(calls(dist, chainrule.ones(2))[name])
    theirs = raised(calls(torch_dist, torch.ones(2))[name])
    assert ours == theirs


def test_ddp_and_sampler_before_init_fail_as_torch():
    ours = raised(lambda: DistributedDataParallel(chainrule.nn.Linear(2, 2)))
    theirs = raised(lambda: torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2)))
    assert ours == theirs
    ours = raised(lambda: DistributedSampler(range(4)))
    theirs = raised(lambda: torch_distributed.DistributedSampler(range(4)))
    assert ours == theirs


def test_not_launched_means_one_process_and_no_mpi_import(monkeypatch):
    for name in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    assert dist.launched_world_size() == 1
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    assert dist.launched_world_size() == 4
    assert dist.is_available()
    with pytest.raises(ValueError, match="only the 'mpi' backend"):
        dist.init_process_group(backend="nccl")
    assert not dist.is_initialized()


def test_reduce_op_names_and_values_as_torch():
    for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
        ours, theirs = getattr(dist.ReduceOp, name), getattr(torch_dist.ReduceOp, name)
        assert (int(ours), str(ours), repr(ours)) == (int(theirs), str(theirs), repr(theirs))
