"""``chainrule.utils.data``: datasets and mini-batch loading, as in PyTorch."""

from chainrule.utils.data import datasets
from chainrule.utils.data.dataloader import DataLoader, default_collate
from chainrule.utils.data.dataset import Dataset, Subset, TensorDataset, random_split

__all__ = [
    "Dataset", "TensorDataset", "Subset", "random_split",
    "DataLoader", "default_collate", "datasets",
]
