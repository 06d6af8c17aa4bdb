"""PyTorch is the reference here; one thread keeps it from spinning on a shared 2-core machine."""

import torch

torch.set_num_threads(1)
