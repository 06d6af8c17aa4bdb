"""``chainrule.utils.data``: datasets and mini-batch loading, as in PyTorch."""

from chainrule.utils.data import datasets
from chainrule.utils.data.dataloader import DataLoader, default_collate
from chainrule.utils.data.dataset import Dataset, Subset, TensorDataset, random_split
from chainrule.utils.data.distributed import DistributedSampler

__all__ = [
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "Subset",
    "TensorDataset",
    "datasets",
    "default_collate",
    "random_split",
]
