"""IterableDataset (with DataLoader, with and without workers), ChainDataset, ConcatDataset,
StackDataset, Subset and random_split behave as PyTorch's: the same batches in the same order,
the same lengths, indices and errors."""

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import chainrule
import chainrule.utils.data as cdata

LIBS = {"chainrule": (chainrule, cdata), "torch": (torch, tdata)}


def _make_stream(data):
    class Stream(data.IterableDataset):
        """``range(start, stop)``, shared out among the workers (``get_worker_info``);
        worker 0 also gets the remainder, so the workers' streams have unequal lengths."""

        def __init__(self, start, stop):
            self.start, self.stop = start, stop

        def __iter__(self):
            info = data.get_worker_info()
            if info is None:
                return iter(range(self.start, self.stop))
            per = (self.stop - self.start) // info.num_workers
            lo = self.start + info.id * per
            hi = self.stop if info.id == 0 else lo + per
            if info.id == 0:
                return iter(
                    list(range(lo, lo + per))
                    + list(range(self.start + per * info.num_workers, self.stop))
                )
            return iter(range(lo, hi))

        def __len__(self):
            return self.stop - self.start

    return Stream


STREAMS = {name: _make_stream(data) for name, (_, data) in LIBS.items()}


def _values(batches):
    return [b.tolist() if hasattr(b, "tolist") else b for b in batches]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 4},
        {"batch_size": 4, "drop_last": True},
        {"batch_size": None},
        {"batch_size": 3, "num_workers": 2},
        {"batch_size": 5, "num_workers": 2, "drop_last": True},
        {"batch_size": None, "num_workers": 2},
        {"batch_size": 4, "num_workers": 2, "persistent_workers": True},
    ],
    ids=str,
)
def test_iterable_dataset_batches_match_torch(kwargs):
    out = {}
    for name, (_, data) in LIBS.items():
        loader = data.DataLoader(STREAMS[name](3, 26), **kwargs)
        out[name] = [_values(loader), _values(loader), len(loader)]  # two epochs
    assert out["chainrule"] == out["torch"]
    assert out["chainrule"][0]  # not empty


def test_iterable_dataset_collate_and_dicts():
    class Records(cdata.IterableDataset):
        def __iter__(self):
            return ({"x": np.array([i, -i]), "i": i} for i in range(5))

    batches = list(cdata.DataLoader(Records(), batch_size=2))
    assert [b["i"].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[1]["x"].tolist() == [[2, -2], [3, -3]]
    custom = list(cdata.DataLoader(Records(), batch_size=3, collate_fn=len))
    assert custom == [3, 2]


def test_iterable_dataset_errors_match_torch():
    for name, (_, data) in LIBS.items():
        ds = STREAMS[name](0, 4)
        for kwargs in ({"shuffle": True}, {"sampler": [0, 1]}, {"batch_sampler": [[0]]}):
            with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
                data.DataLoader(ds, **kwargs)
        with pytest.raises(TypeError, match="abstract"):
            data.IterableDataset()


def test_worker_error_reaches_the_parent():
    class Broken(cdata.IterableDataset):
        def __iter__(self):
            yield 1
            raise KeyError("bad record")

    with pytest.raises(KeyError, match="bad record"):
        list(cdata.DataLoader(Broken(), batch_size=1, num_workers=1))


def test_chain_dataset_matches_torch():
    out = {}
    for name, (_, data) in LIBS.items():
        chained = data.ChainDataset([STREAMS[name](0, 3), STREAMS[name](10, 12)])
        plus = STREAMS[name](0, 2) + STREAMS[name](5, 6)
        out[name] = (list(chained), len(chained), list(plus), type(plus).__name__)
    assert out["chainrule"] == out["torch"]
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(cdata.ChainDataset([cdata.TensorDataset(chainrule.zeros(2))]))


def _tensor_dataset(lib, data, start, n):
    return data.TensorDataset(lib.arange(start, start + n), lib.arange(n) * 10)


def test_concat_dataset_matches_torch():
    out = {}
    for name, (lib, data) in LIBS.items():
        parts = [_tensor_dataset(lib, data, 0, 3), _tensor_dataset(lib, data, 100, 0),
                 _tensor_dataset(lib, data, 50, 4)]  # fmt: skip
        ds = data.ConcatDataset(parts)
        both = parts[0] + parts[2]
        items = [tuple(int(v) for v in ds[i]) for i in range(-len(ds), len(ds))]
        batches = [[b.tolist() for b in batch] for batch in data.DataLoader(ds, batch_size=3)]
        out[name] = (len(ds), ds.cumulative_sizes, items, batches, len(both), type(both).__name__)
        with pytest.raises(ValueError, match="absolute value of index"):
            ds[-8]
        with pytest.raises(IndexError):
            ds[7]
        with pytest.raises(AssertionError, match="should not be an empty iterable"):
            data.ConcatDataset([])
    assert out["chainrule"] == out["torch"]
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        cdata.ConcatDataset([STREAMS["chainrule"](0, 2)])


def test_stack_dataset_matches_torch():
    out = {}
    for name, (lib, data) in LIBS.items():
        a, b = _tensor_dataset(lib, data, 0, 4), lib.arange(4) * 2.0
        as_tuple, as_dict = data.StackDataset(a, b), data.StackDataset(x=a, y=b)
        first = as_tuple[1]
        out[name] = (
            len(as_tuple),
            [int(v) for v in first[0]] + [float(first[1])],
            sorted(as_dict[2]),
            float(as_dict[2]["y"]),
            [sorted(batch) for batch in data.DataLoader(as_dict, batch_size=3)],
        )
        with pytest.raises(ValueError, match="Size mismatch"):
            data.StackDataset(a, lib.arange(3))
        with pytest.raises(ValueError, match="both types are given"):
            data.StackDataset(a, y=b)
    assert out["chainrule"] == out["torch"]


@pytest.mark.parametrize("lengths", [[0.5, 0.3, 0.2], [0.34, 0.33, 0.33], [3, 7, 1], [0.9, 0.1]])
def test_random_split_sizes_match_torch_and_partition(lengths):
    n = 11
    theirs = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    g = chainrule.Generator().manual_seed(0)
    ours = cdata.random_split(cdata.TensorDataset(chainrule.arange(n)), lengths, generator=g)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    seen = sorted(int(s[i][0]) for s in ours for i in range(len(s)))
    assert seen == list(range(n))  # a partition
    again = cdata.random_split(
        cdata.TensorDataset(chainrule.arange(n)),
        lengths,
        generator=chainrule.Generator().manual_seed(0),
    )
    assert [s.indices for s in again] == [s.indices for s in ours]  # reproducible


def test_random_split_errors_and_warnings_match_torch():
    for data in (cdata, tdata):
        with pytest.raises(ValueError, match="Sum of input lengths"):
            data.random_split(range(5), [2, 2])
        with pytest.warns(UserWarning, match="Length of split at index 2 is 0"):
            data.random_split(range(3), [0.5, 0.4, 0.1])


def test_subset_matches_torch():
    out = {}
    for name, (lib, data) in LIBS.items():
        sub = data.Subset(_tensor_dataset(lib, data, 20, 6), [5, 0, 3])
        out[name] = (len(sub), [int(sub[i][0]) for i in (0, 1, 2, -1)])
    assert out["chainrule"] == out["torch"]
