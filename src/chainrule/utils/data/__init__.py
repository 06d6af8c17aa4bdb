"""``chainrule.utils.data``: datasets and mini-batch loading, as in PyTorch."""

from chainrule.utils.data import datasets
from chainrule.utils.data.dataloader import DataLoader, default_collate
from chainrule.utils.data.dataset import Dataset, Subset, TensorDataset, random_split

__all__ = [
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "datasets",
    "default_collate",
    "random_split",
]
