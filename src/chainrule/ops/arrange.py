"""Rearranging, stacking, splitting and selecting: PyTorch's shape functions beyond
ops/shape.py (hstack, tile, roll, narrow, ...)."""

__all__ = []
