"""``chainrule.linalg``: PyTorch's torch.linalg namespace."""

__all__ = []
