"""DataLoader with worker processes gives the batches of num_workers=0, in order; samplers,
batch samplers and the loader's options follow PyTorch (orders compared where no random
generator is involved, since the two libraries' generators differ)."""

import os
import time

import numpy as np
import pytest
import torch

import chainrule
from chainrule.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    get_worker_info,
)


def _tensor_dataset(n=23):
    x = chainrule.arange(n * 3, dtype=chainrule.float32).reshape(n, 3)
    return TensorDataset(x, chainrule.arange(n))


class Squares(Dataset):
    """A Python dataset: each sample says which process (and worker) built it."""

    def __init__(self, n=17, fail_at=None, sleep=0.0):
        self.n, self.fail_at, self.sleep = n, fail_at, sleep

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise ValueError(f"sample {i} is broken")
        time.sleep(self.sleep)
        info = get_worker_info()
        worker = -1 if info is None else info.id
        return {"x": np.array([i, i * i], dtype=np.float64), "worker": worker, "pid": os.getpid()}


def _flatten(batches):
    """Batches (lists of tensors or dicts) as nested lists of plain numbers."""
    out = []
    for batch in batches:
        fields = batch.values() if isinstance(batch, dict) else batch
        out.append([f.tolist() if hasattr(f, "tolist") else f for f in fields])
    return out


def _epochs(loader, n=2):
    return [_flatten(loader) for _ in range(n)]


def test_workers_give_the_batches_of_one_process_shuffled_over_two_epochs():
    def loader(workers):
        return DataLoader(
            _tensor_dataset(),
            batch_size=4,
            shuffle=True,
            num_workers=workers,
            generator=chainrule.Generator().manual_seed(5),
        )

    single = _epochs(loader(0))
    assert single[0] != single[1]  # reshuffled
    assert _epochs(loader(2)) == single
    assert _epochs(loader(3)) == single


def test_python_dataset_dicts_and_worker_round_robin():
    ds = Squares()
    single = list(DataLoader(ds, batch_size=3))
    batches = list(DataLoader(ds, batch_size=3, num_workers=2, prefetch_factor=1))
    assert len(batches) == len(single) == 6
    for k, (ours, ref) in enumerate(zip(batches, single)):
        np.testing.assert_array_equal(ours["x"].numpy(), ref["x"].numpy())
        assert ours["worker"].tolist() == [k % 2] * len(ours["worker"])  # batch k -> worker k % 2
        assert set(ours["pid"].tolist()).isdisjoint({os.getpid()})  # really other processes
    assert set(single[0]["worker"].tolist()) == {-1} and get_worker_info() is None


def _record_init(worker_id):
    info = get_worker_info()
    assert info.id == worker_id and info.num_workers == 3
    assert isinstance(info.dataset, Squares)
    # the seed of the worker: chainrule's generator was seeded with it
    info.dataset.seen = (worker_id, info.seed, chainrule.initial_seed())


class _InitProbe(Squares):
    def __getitem__(self, i):
        worker_id, seed, initial = self.seen
        return np.array([worker_id, seed % 1000, initial % 1000])


def test_worker_init_fn_and_seeds():
    loader = DataLoader(
        _InitProbe(9),
        batch_size=3,
        num_workers=3,
        worker_init_fn=_record_init,
        generator=chainrule.Generator().manual_seed(0),
    )
    batches = [b.numpy() for b in loader]
    workers = [int(b[0, 0]) for b in batches]
    assert workers == [0, 1, 2]
    seeds = [int(b[0, 1]) for b in batches]
    assert [int(b[0, 2]) for b in batches] == seeds  # manual_seed(base_seed + worker_id)
    assert (seeds[1] - seeds[0]) % 1000 == 1 and (seeds[2] - seeds[1]) % 1000 == 1


def test_persistent_workers_are_started_once():
    ds = Squares(8)
    loader = DataLoader(ds, batch_size=2, num_workers=2, persistent_workers=True)
    first = list(loader)
    pids = {pid for batch in first for pid in batch["pid"].tolist()}
    partial = iter(loader)
    next(partial)  # an epoch abandoned half-way must not leak into the next one
    del partial
    second = list(loader)
    assert {pid for batch in second for pid in batch["pid"].tolist()} == pids
    assert _flatten(b["x"] for b in second) == _flatten(b["x"] for b in first)
    for batch in second:
        assert len(batch["x"]) == 2


def test_worker_errors_reach_the_parent():
    loader = DataLoader(Squares(10, fail_at=7), batch_size=2, num_workers=2)
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1") as e:
        list(loader)
    assert "sample 7 is broken" in str(e.value) and "Traceback" in str(e.value)


def _failing_init(worker_id):
    raise KeyError("no config")


def test_worker_init_errors_reach_the_parent():
    loader = DataLoader(Squares(4), batch_size=2, num_workers=1, worker_init_fn=_failing_init)
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0") as e:
        list(loader)
    assert "_failing_init" in str(e.value)  # the worker's traceback


def test_timeout():
    loader = DataLoader(Squares(2, sleep=0.8), batch_size=1, num_workers=1, timeout=0.2)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(loader)


def test_spawn_context():
    ds = _tensor_dataset(10)
    batches = list(DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn"))
    assert _flatten(batches) == _flatten(DataLoader(ds, batch_size=4))


# ------------------------------------------------------------------------ samplers vs torch


def _same(ours, theirs):
    assert [list(map(int, b)) for b in ours] == [list(map(int, b)) for b in theirs]


def test_sequential_and_batch_samplers_match_torch():
    for n, size, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False)]:
        ours = BatchSampler(SequentialSampler(range(n)), size, drop)
        theirs = torch.utils.data.BatchSampler(
            torch.utils.data.SequentialSampler(range(n)), size, drop
        )
        _same(ours, theirs)
        assert len(ours) == len(theirs)
        _same(BatchSampler([4, 1, 3, 2, 0], 2, drop), torch.utils.data.BatchSampler(
            [4, 1, 3, 2, 0], 2, drop))  # fmt: skip
    for lib in (chainrule, torch):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            lib.utils.data.BatchSampler(range(3), 0, False)
        with pytest.raises(ValueError, match="drop_last should be a boolean value"):
            lib.utils.data.BatchSampler(range(3), 2, 1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 4},
        {"batch_size": 4, "drop_last": True},
        {"batch_size": None},
        {"sampler": [5, 3, 1, 0], "batch_size": 3},
        {"batch_sampler": [[0, 4], [2], [7, 6, 5]]},
    ],
)
def test_loader_batches_match_torch(kwargs):
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    ours = DataLoader(TensorDataset(chainrule.from_numpy(x)), **kwargs)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x)),
                                         **kwargs)  # fmt: skip
    assert len(ours) == len(theirs)
    assert _flatten(ours) == _flatten(theirs)
    if kwargs.get("batch_sampler") is None:
        assert type(ours.sampler).__name__ == type(theirs.sampler).__name__ or "sampler" in kwargs
    assert (ours.batch_size, ours.drop_last) == (theirs.batch_size, theirs.drop_last)


def test_random_samplers_are_reproducible_permutations():
    def draw(sampler_cls, *args, seed=0, **kwargs):
        return list(sampler_cls(*args, generator=chainrule.Generator().manual_seed(seed), **kwargs))

    order = draw(RandomSampler, range(20))
    assert sorted(order) == list(range(20)) and order == draw(RandomSampler, range(20))
    assert order != draw(RandomSampler, range(20), seed=1)
    with_replacement = draw(RandomSampler, range(5), replacement=True, num_samples=40)
    assert len(with_replacement) == 40 and set(with_replacement) <= set(range(5))
    assert len(set(with_replacement)) < 40
    longer = draw(RandomSampler, range(4), num_samples=10)  # whole permutations, cut
    assert sorted(longer[:4]) == [0, 1, 2, 3] and len(longer) == 10
    subset = draw(SubsetRandomSampler, [10, 20, 30, 40])
    assert sorted(subset) == [10, 20, 30, 40] and len(SubsetRandomSampler([1, 2])) == 2
    weighted = draw(WeightedRandomSampler, [0.0, 1.0, 0.0, 3.0], 200)
    assert set(weighted) == {1, 3} and weighted.count(3) > weighted.count(1)
    unique = draw(WeightedRandomSampler, [1.0, 2.0, 3.0, 4.0], 4, replacement=False)
    assert sorted(unique) == [0, 1, 2, 3]
    for lib in (chainrule, torch):
        data = lib.utils.data
        with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
            data.RandomSampler(range(3), num_samples=0)
        with pytest.raises(TypeError, match="replacement should be a boolean value"):
            data.RandomSampler(range(3), replacement=1)
        with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
            data.WeightedRandomSampler([1.0], 0)
        with pytest.raises(ValueError, match="weights should be a 1d sequence"):
            data.WeightedRandomSampler([[1.0, 2.0]], 2)


def test_loader_options_are_checked_as_torch():
    bad = [
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"batch_sampler": [[0, 1]], "batch_size": 2},
        {"batch_sampler": [[0, 1]], "drop_last": True},
        {"sampler": [0, 1], "shuffle": True},
        {"batch_size": None, "drop_last": True},
        {"multiprocessing_context": "fork"},
        {"num_workers": 1, "multiprocessing_context": "bogus"},
    ]
    for kwargs in bad:
        messages = []
        for lib in (chainrule, torch):
            ds = lib.utils.data.TensorDataset(lib.zeros(4))
            with pytest.raises(ValueError) as e:
                lib.utils.data.DataLoader(ds, **kwargs)
            messages.append(str(e.value))
        assert messages[0] == messages[1], kwargs


def test_pin_memory_warns_as_torch():
    for lib in (chainrule, torch):
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.zeros(4)),
                                           batch_size=2, pin_memory=True)  # fmt: skip
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no acc"):
            assert len(list(loader)) == 2
