"""DistributedDataParallel on N ranks against one process training on the whole batch.

Every rank also trains a reference copy of the model on the full global batch, without
DDP, so each check compares the ranks' DDP model with what one process would compute.
"""

import copy

import numpy as np
from checks import Checks

import chainrule
import chainrule.distributed as dist
from chainrule import nn, optim
from chainrule.nn.parallel import DistributedDataParallel as DDP

chainrule.set_default_dtype(chainrule.float64)
dist.init_process_group(backend="mpi")
rank, size = dist.get_rank(), dist.get_world_size()
check = Checks(rank)
LOCAL = 4  # rows per rank in each step; the global batch is LOCAL * size
TOL = dict(rtol=1e-10, atol=1e-10)


def mlp(seed):
    chainrule.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)
    )


def batches(steps, seed=7):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = rng.normal(size=(LOCAL * size, 6))
        y = rng.integers(0, 3, size=LOCAL * size)
        yield chainrule.tensor(x), chainrule.tensor(y)


def share(t):
    """This rank's rows of a global batch."""
    return t[rank * LOCAL : (rank + 1) * LOCAL]


def gathered(array):
    """Every rank's copy of ``array``."""
    out = [None] * size
    dist.all_gather_object(out, np.asarray(array))
    return out


def params_of(module):
    return [p.detach().numpy().copy() for p in module.parameters()]


def assert_close_lists(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, **TOL)


def train_both(make_optimizer, steps, set_to_none=True, **ddp_kwargs):
    """Train DDP (rank-local shares) and a full-batch reference side by side."""
    reference = mlp(seed=0)
    model = mlp(seed=rank)  # rank 0's weights must reach every rank at construction
    ddp = DDP(model, **ddp_kwargs)
    opt, ref_opt = make_optimizer(ddp.parameters()), make_optimizer(reference.parameters())
    loss_fn = nn.CrossEntropyLoss()
    first_grads = None
    for x, y in batches(steps):
        opt.zero_grad(set_to_none=set_to_none)
        ref_opt.zero_grad(set_to_none=set_to_none)
        loss_fn(ddp(share(x)), share(y)).backward()
        loss_fn(reference(x), y).backward()
        if first_grads is None:
            first_grads = (
                [p.grad.numpy().copy() for p in model.parameters()],
                [p.grad.numpy().copy() for p in reference.parameters()],
            )
        opt.step()
        ref_opt.step()
    return ddp, model, reference, first_grads


with check("20 SGD steps on 2 ranks equal one process on the full batch (many buckets)"):
    ddp, model, reference, (grads, ref_grads) = train_both(
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9), steps=20, bucket_cap_mb=0.0005
    )
    assert len(ddp.reducer.buckets) > 2, len(ddp.reducer.buckets)
    assert_close_lists(grads, ref_grads)
    assert_close_lists(params_of(model), params_of(reference))
    # and the ranks agree exactly with each other
    for other in gathered(np.concatenate([p.ravel() for p in params_of(model)])):
        np.testing.assert_array_equal(other, np.concatenate([p.ravel() for p in params_of(model)]))

with check("bucket allreduces start during backward, before the last gradient arrives"):
    model = mlp(seed=0)
    launched = []
    # registered before DDP's own hooks, so it runs first when layer 0's weight, the last
    # gradient of the backward pass, arrives: the buckets of the later layers must be out
    model[0].weight.register_hook(lambda g: launched.append(ddp.reducer.next_bucket))
    ddp = DDP(model, bucket_cap_mb=0.0005)
    x, y = next(batches(1))
    nn.CrossEntropyLoss()(ddp(share(x)), share(y)).backward()
    assert len(launched) == 1 and 1 <= launched[0] < len(ddp.reducer.buckets), launched

with check("20 Adam steps, one bucket, zero_grad(set_to_none=False)"):
    ddp, model, reference, _ = train_both(
        lambda p: optim.Adam(p, lr=0.01), steps=20, set_to_none=False
    )
    assert len(ddp.reducer.buckets) == 1
    assert_close_lists(params_of(model), params_of(reference))

with check("construction broadcasts rank 0's parameters and buffers"):
    chainrule.manual_seed(100 + rank)
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    net[1].running_mean.fill_(float(rank))
    DDP(net)
    chainrule.manual_seed(100)
    ref = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    assert_close_lists(params_of(net), params_of(ref))
    np.testing.assert_array_equal(net[1].running_mean.numpy(), np.zeros(4))

with check("buffers are broadcast from rank 0 at each training forward"):
    chainrule.manual_seed(5)
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ddp = DDP(net)
    net[1].running_mean.fill_(99.0 * rank)  # drift on rank 1 ...
    x = chainrule.tensor(np.random.default_rng(0).normal(size=(5, 3)))
    ddp(x).sum().backward()  # ... undone by the forward: rank 0's buffers, same update
    for other in gathered(net[1].running_mean.numpy()):
        np.testing.assert_array_equal(other, net[1].running_mean.numpy())

with check("no_sync accumulates locally; the next synced backward averages the total"):
    reference = mlp(seed=0)
    model = mlp(seed=0)
    ddp = DDP(model)
    loss_fn = nn.CrossEntropyLoss()
    micro = list(batches(3, seed=11))
    with ddp.no_sync():
        for x, y in micro[:2]:
            loss_fn(ddp(share(x)), share(y)).backward()
    local = np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])
    copies = gathered(local)
    assert not np.allclose(copies[0], copies[1]), "no_sync still communicated"
    x, y = micro[2]
    loss_fn(ddp(share(x)), share(y)).backward()
    for x, y in micro:
        loss_fn(reference(x), y).backward()
    assert_close_lists(
        [p.grad.numpy() for p in model.parameters()],
        [p.grad.numpy() for p in reference.parameters()],
    )


class Branches(nn.Module):
    """``shared`` is used by every rank, ``odd`` only by odd ranks, ``idle`` by none."""

    def __init__(self):
        super().__init__()
        self.shared = nn.Linear(3, 2)
        self.odd = nn.Linear(3, 2)
        self.idle = nn.Linear(3, 2)

    def forward(self, x, use_odd):
        out = self.shared(x)
        return out + self.odd(x) if use_odd else out


with check("find_unused_parameters: locally unused get the average, globally unused stay None"):
    chainrule.manual_seed(3)
    model, reference = Branches(), None
    reference = copy.deepcopy(model)
    ddp = DDP(model, find_unused_parameters=True, bucket_cap_mb=0.0001)
    xs = [chainrule.tensor(np.random.default_rng(k).normal(size=(4, 3))) for k in range(size)]
    for _ in range(2):  # twice: the second iteration must start cleanly
        model.zero_grad()
        reference.zero_grad()
        ddp(xs[rank], use_odd=rank % 2 == 1).pow(2).mean().backward()
        total = sum(reference(xs[k], use_odd=k % 2 == 1).pow(2).mean() for k in range(size))
        (total / size).backward()
        for (name, p), q in zip(model.named_parameters(), reference.parameters()):
            if name.startswith("idle"):
                assert p.grad is None and q.grad is None, name
            else:
                np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), **TOL)

with check("DistributedSampler takes the group's size and rank; the shares cover the data once"):
    from chainrule.utils.data import DataLoader, DistributedSampler, TensorDataset

    dataset = TensorDataset(chainrule.arange(10 * size, dtype=chainrule.float64))
    sampler = DistributedSampler(dataset, seed=3)
    assert (sampler.num_replicas, sampler.rank) == (size, rank)
    sampler.set_epoch(2)
    seen = [
        x for (batch,) in DataLoader(dataset, batch_size=3, sampler=sampler) for x in batch.tolist()
    ]
    everyone = [None] * size
    dist.all_gather_object(everyone, seen)
    assert sorted(x for share in everyone for x in share) == list(range(10 * size))

with check("state_dict keys carry the module. prefix, as PyTorch's DDP"):
    model = mlp(seed=0)
    ddp = DDP(model)
    assert list(ddp.state_dict()) == [f"module.{k}" for k in model.state_dict()]
    assert ddp.module is model
    assert repr(ddp).startswith("DistributedDataParallel(\n  (module): Sequential(")

with check("mismatched parameter shapes are an error at construction, on every rank"):
    width = 4 if rank == 0 else 5
    try:
        DDP(nn.Linear(3, width))
    except RuntimeError as exc:
        assert "appears not to match sizes of the same param in process 0" in str(exc), str(exc)
        assert "'weight'" in str(exc) and "[5, 3]" in str(exc) and "[4, 3]" in str(exc)
    else:
        raise AssertionError("no error for different shapes")

with check("a different parameter count is an error at construction"):
    layers = [nn.Linear(3, 3)] + ([nn.Linear(3, 3)] if rank == size - 1 else [])
    try:
        DDP(nn.Sequential(*layers))
    except RuntimeError as exc:
        assert "DDP expects same model across all ranks" in str(exc), str(exc)
    else:
        raise AssertionError("no error for different parameter counts")

with check("a second backward after one forward is an error"):
    ddp = DDP(mlp(seed=0))
    x, y = next(batches(1))
    loss = nn.CrossEntropyLoss()(ddp(share(x)), share(y))
    loss.backward(retain_graph=True)
    try:
        loss.backward()
    except RuntimeError as exc:
        assert "mark a variable ready only once" in str(exc), str(exc)
    else:
        raise AssertionError("no error for a second backward")

# Last: this one leaves a bucket's allreduce unfinished on purpose.
with check("an unused parameter without find_unused_parameters: PyTorch's error next forward"):
    chainrule.manual_seed(3)
    ddp = DDP(Branches())
    x = chainrule.tensor(np.ones((2, 3)))
    ddp(x, use_odd=False).sum().backward()
    try:
        ddp(x, use_odd=False)
    except RuntimeError as exc:
        assert str(exc).startswith("Expected to have finished reduction in the prior"), str(exc)
        assert "find_unused_parameters=True" in str(exc)
    else:
        raise AssertionError("no error for an unfinished reduction")

check.write()
