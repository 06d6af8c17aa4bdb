"""Elementwise extras, order statistics and NaN-aware reductions beyond ops/elementwise.py
and ops/reduce.py (median, quantile, nansum, xlogy, ...)."""

__all__ = []
