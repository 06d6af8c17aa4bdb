"""DistributedSampler against torch's, with num_replicas and rank given (no MPI needed)."""

import itertools

import pytest
import torch.utils.data.distributed as torch_distributed

import chainrule
from chainrule.utils.data import DataLoader, DistributedSampler, TensorDataset

CASES = list(itertools.product([1, 7, 10, 12, 13], [1, 2, 3, 4], [False, True]))


def shares(sampler_class, n, replicas, **kwargs):
    return [list(sampler_class(range(n), replicas, r, **kwargs)) for r in range(replicas)]


@pytest.mark.parametrize("n, replicas, drop_last", CASES)
def test_unshuffled_shares_equal_torch(n, replicas, drop_last):
    ours = shares(DistributedSampler, n, replicas, shuffle=False, drop_last=drop_last)
    theirs = shares(
        torch_distributed.DistributedSampler, n, replicas, shuffle=False, drop_last=drop_last
    )
    assert ours == theirs
    sampler = DistributedSampler(range(n), replicas, 0, drop_last=drop_last)
    reference = torch_distributed.DistributedSampler(range(n), replicas, 0, drop_last=drop_last)
    assert (len(sampler), sampler.num_samples, sampler.total_size) == (
        len(reference),
        reference.num_samples,
        reference.total_size,
    )


@pytest.mark.parametrize("n, replicas, drop_last", CASES)
def test_shuffled_shares_deal_torch_positions_of_one_permutation(n, replicas, drop_last):
    """Shuffled, rank r gets the permutation (seed + epoch) at the positions torch's
    sampler deals to r; so the shares are disjoint and cover the data (exactly once when
    nothing is padded or dropped)."""
    seed, epoch = 5, 3
    perm = chainrule.randperm(n, generator=chainrule.Generator().manual_seed(seed + epoch))
    positions = shares(
        torch_distributed.DistributedSampler, n, replicas, shuffle=False, drop_last=drop_last
    )
    ours = []
    for r in range(replicas):
        sampler = DistributedSampler(range(n), replicas, r, seed=seed, drop_last=drop_last)
        sampler.set_epoch(epoch)
        ours.append(list(sampler))
        assert ours[r] == [int(perm[p]) for p in positions[r]]
    dealt = sorted(itertools.chain(*ours))
    if n % replicas == 0:
        assert dealt == list(range(n))  # every sample exactly once
    elif drop_last:
        assert len(set(dealt)) == len(dealt) == replicas * (n // replicas)
    else:
        assert set(dealt) == set(range(n))
        assert len(dealt) == replicas * -(-n // replicas)


def test_set_epoch_reshuffles_the_same_way_on_every_rank():
    a, b = DistributedSampler(range(40), 2, 0), DistributedSampler(range(40), 2, 1)
    epoch0 = list(a) + list(b)
    a.set_epoch(1)
    b.set_epoch(1)
    epoch1 = list(a) + list(b)
    assert sorted(epoch0) == sorted(epoch1) == list(range(40))
    assert epoch0 != epoch1


def test_invalid_rank_in_torch_words():
    with pytest.raises(ValueError) as ours:
        DistributedSampler(range(10), num_replicas=2, rank=2)
    with pytest.raises(ValueError) as theirs:
        torch_distributed.DistributedSampler(range(10), num_replicas=2, rank=2)
    assert str(ours.value) == str(theirs.value)


def test_dataloader_takes_a_sampler():
    x = chainrule.arange(10, dtype=chainrule.float64)
    dataset = TensorDataset(x)
    sampler = DistributedSampler(dataset, num_replicas=3, rank=1, shuffle=False)
    loader = DataLoader(dataset, batch_size=2, sampler=sampler)
    assert len(loader) == 2
    assert [b[0].tolist() for b in loader] == [[1.0, 4.0], [7.0, 0.0]]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(dataset, sampler=sampler, shuffle=True)
