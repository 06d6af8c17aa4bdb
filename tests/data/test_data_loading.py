"""Dataset, TensorDataset, DataLoader (shuffle, drop_last, collation), random_split, datasets."""

import numpy as np
import pytest

import chainrule
from chainrule.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    datasets,
    default_collate,
    random_split,
)


def _dataset(n=10):
    x = chainrule.arange(n * 2, dtype=chainrule.float32).reshape(n, 2)
    y = chainrule.arange(n)
    return TensorDataset(x, y)


def _order(loader):
    return np.concatenate([yb.numpy() for _, yb in loader])


class Squares(Dataset):
    """A plain Python dataset: sample i is (tensor [i, i^2], int label, float weight)."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return chainrule.tensor([float(i), float(i * i)]), i % 3, 0.5 * i


def test_tensor_dataset_indexing():
    ds = _dataset()
    assert len(ds) == 10
    x, y = ds[3]
    np.testing.assert_array_equal(x.numpy(), [6.0, 7.0])
    assert y.item() == 3
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(chainrule.zeros(3, 2), chainrule.zeros(4))


def test_loader_in_order_batches_and_last_partial_batch():
    loader = DataLoader(_dataset(), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [tuple(xb.shape) for xb, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    np.testing.assert_array_equal(_order(loader), np.arange(10))
    assert batches[0][1].dtype == chainrule.int64


def test_drop_last():
    loader = DataLoader(_dataset(), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(yb) for _, yb in loader] == [4, 4]


def test_seeded_shuffle_is_reproducible_and_a_permutation():
    def orders(seed):
        loader = DataLoader(
            _dataset(50),
            batch_size=8,
            shuffle=True,
            generator=chainrule.Generator().manual_seed(seed),
        )
        return _order(loader), _order(loader)

    first_epoch, second_epoch = orders(0)
    assert sorted(first_epoch) == list(range(50))
    assert not np.array_equal(first_epoch, np.arange(50))
    assert not np.array_equal(first_epoch, second_epoch)  # reshuffled every epoch
    again = orders(0)
    np.testing.assert_array_equal(again[0], first_epoch)
    np.testing.assert_array_equal(again[1], second_epoch)
    assert not np.array_equal(orders(1)[0], first_epoch)


def test_shuffle_follows_the_global_seed_without_generator():
    def order():
        chainrule.manual_seed(7)
        return _order(DataLoader(_dataset(30), batch_size=5, shuffle=True))

    np.testing.assert_array_equal(order(), order())


def test_batches_are_the_rows_of_the_dataset():
    ds = _dataset(20)
    loader = DataLoader(
        ds, batch_size=6, shuffle=True, generator=chainrule.Generator().manual_seed(3)
    )
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.numpy(), ds.tensors[0].numpy()[yb.numpy()])


def test_collation_of_tuples_from_a_python_dataset():
    xb, labels, weights = next(iter(DataLoader(Squares(), batch_size=4)))
    np.testing.assert_array_equal(xb.numpy(), [[0, 0], [1, 1], [2, 4], [3, 9]])
    assert labels.dtype == chainrule.int64 and labels.tolist() == [0, 1, 2, 0]
    assert weights.dtype == chainrule.float64 and weights.tolist() == [0.0, 0.5, 1.0, 1.5]
    assert [len(b[1]) for b in DataLoader(Squares(), batch_size=4)] == [4, 3]


def test_custom_collate_fn_and_dict_samples():
    loader = DataLoader(Squares(), batch_size=3, collate_fn=lambda samples: len(samples))
    assert list(loader) == [3, 3, 1]
    batch = default_collate([{"a": 1, "b": np.ones(2)}, {"a": 2, "b": np.zeros(2)}])
    assert batch["a"].tolist() == [1, 2] and tuple(batch["b"].shape) == (2, 2)


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_dataset(), batch_size=0)


def test_random_split_lengths_and_fractions():
    ds = _dataset(10)
    gen = chainrule.Generator().manual_seed(0)
    train, test = random_split(ds, [7, 3], generator=gen)
    assert isinstance(train, Subset) and (len(train), len(test)) == (7, 3)
    labels = [train[i][1].item() for i in range(7)] + [test[i][1].item() for i in range(3)]
    assert sorted(labels) == list(range(10))
    # floor(11 * f) = 5, 3, 2; the one left over goes to the first subset (as in PyTorch).
    assert [len(p) for p in random_split(_dataset(11), [0.5, 0.3, 0.2])] == [6, 3, 2]
    assert [len(p) for p in random_split(_dataset(13), [0.25] * 4)] == [4, 3, 3, 3]


def test_random_split_is_reproducible_and_loads_in_batches():
    def split(seed):
        generator = chainrule.Generator().manual_seed(seed)
        parts = random_split(_dataset(20), [15, 5], generator=generator)
        return [list(p.indices) for p in parts]

    assert split(4) == split(4) and split(4) != split(5)
    train, _ = random_split(_dataset(20), [15, 5], generator=chainrule.Generator().manual_seed(4))
    got = _order(DataLoader(train, batch_size=4))
    np.testing.assert_array_equal(got, train.indices)


def test_random_split_errors():
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(_dataset(10), [5, 6])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(_dataset(10), [11, -1])


def test_bundled_datasets():
    digits = datasets.load_digits()
    assert digits.features.shape == (1797, 64) and digits.n_classes == 10
    assert digits.task == "multiclass" and set(np.unique(digits.targets)) == set(range(10))
    ds = digits.to_dataset()
    x, y = ds[0]
    assert x.dtype == chainrule.float32 and y.dtype == chainrule.int64 and len(ds) == 1797
    cancer = datasets.load("breast_cancer")
    assert cancer.features.shape == (569, 30) and cancer.task == "binary"
    diabetes = datasets.load("diabetes")
    assert diabetes.task == "regression" and diabetes.to_dataset()[0][1].dtype == chainrule.float32
    with pytest.raises(ValueError, match="unknown data set"):
        datasets.load("mnist")
