"""Histograms: ``histc`` (counts in equal bins) and ``histogram`` (counts and bin edges).

Both compute as PyTorch does, in the input's dtype, so counts and edges agree exactly:
an element ``x`` in ``[lo, hi]`` goes to bin ``⌊(x − lo)·bins/(hi − lo)⌋`` (the last bin
also holds ``hi``; elements outside are left out); ``histogram`` then moves an element
that this division puts next to its true bin across the edge it is on, and with explicit
edges finds each bin by binary search.  Edges are PyTorch's ``linspace``: from ``lo``
upwards for the first half and from ``hi`` downwards for the second, each edge rounded
once (``lo + k·step``).
"""

from fractions import Fraction

import numpy as np

from ._tensor import Tensor, wrap

__all__ = ["histc", "histogram"]


class histogram_result(tuple):  # noqa: N801 -- PyTorch's name, torch.return_types.histogram
    """``(hist, bin_edges)``, printed as PyTorch's ``torch.return_types.histogram``."""

    __slots__ = ()

    def __new__(cls, hist, bin_edges):
        return tuple.__new__(cls, (hist, bin_edges))

    hist = property(lambda self: self[0])
    bin_edges = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.histogram(\nhist={self[0]!r},\nbin_edges={self[1]!r})"


def _check_input(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): input must be a Tensor, got {type(input).__name__}")
    if not input.is_floating_point():
        raise NotImplementedError(
            f"{name}(): input must have a floating dtype, got {input.dtype}; convert it "
            f"first, e.g. with .float()"
        )


def _linspace_edges(lo, hi, steps, np_dtype):
    """PyTorch's CPU ``linspace(lo, hi, steps)`` in ``np_dtype``, value for value: edge k
    is ``lo + step·k`` below the middle and ``hi − step·(steps−1−k)`` from it on, each
    computed exactly and rounded once (a fused multiply-add)."""
    dt = np.dtype(np_dtype)
    lo, hi = dt.type(lo), dt.type(hi)
    k = np.arange(steps)
    if dt.itemsize < 8:
        # float32 (and float16, computed in float32): the product step·k is exact in float64
        work = np.float32 if dt.itemsize == 2 else dt.type
        step = work(work(hi) - work(lo)) / work(steps - 1)
        up = np.float64(lo) + np.float64(step) * k
        down = np.float64(hi) - np.float64(step) * (steps - 1 - k)
        return np.where(k < steps // 2, up, down).astype(work).astype(dt)
    step = (float(hi) - float(lo)) / (steps - 1)
    exact = [
        Fraction(float(lo)) + Fraction(step) * i
        if i < steps // 2
        else Fraction(float(hi)) - Fraction(step) * (steps - 1 - i)
        for i in range(steps)
    ]
    return np.array([float(v) for v in exact], dtype=dt)


def _linear_bins(x, lo, hi, bins):
    """Bin index of each element of ``x`` (all in [lo, hi]) by one division, each step
    rounded to x's dtype (float16 too, as PyTorch's Half arithmetic); ``hi`` gives
    ``bins``, which the callers fold into the last bin."""
    work = x.dtype.type
    return ((x - work(lo)) * work(bins) / (work(hi) - work(lo))).astype(np.int64)


def _count(pos, bins, weight, dtype):
    hist = np.zeros(bins, dtype=dtype)
    if weight is None:
        hist += np.bincount(pos, minlength=bins)[:bins].astype(dtype)
    else:
        np.add.at(hist, pos, weight)  # in element order, in the input's dtype
    return hist


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002 -- PyTorch's names
    """Counts of ``input``'s elements in ``bins`` equal bins spanning [min, max].

    With ``min == max`` (the default) the range is the data's smallest and largest
    element; elements outside the range are not counted.  The result has ``input``'s
    dtype.

    Example:
        >>> chainrule.histc(chainrule.tensor([1., 2, 1]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    _check_input("histc", input)
    if out is not None:
        raise NotImplementedError("histc(out=...) is not supported; use the returned tensor")
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    data = input._data.ravel()
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    dt = data.dtype.type
    lo, hi = dt(lo), dt(hi)
    inside = data[(data >= lo) & (data <= hi)]
    pos = np.minimum(_linear_bins(inside, lo, hi, int(bins)), int(bins) - 1)
    return wrap(_count(pos, int(bins), None, data.dtype))


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):  # noqa: A002
    """A histogram of ``input``: ``(hist, bin_edges)``.

    Args:
        bins: the number of equal bins over ``range`` (default: the data's min and max),
            or a 1-D tensor of increasing bin edges.
        weight: a tensor of ``input``'s shape; each element counts with its weight.
        density: divide by the total and by each bin's width, so the histogram
            integrates to 1.

    Each bin holds ``edges[k] ≤ x < edges[k+1]``; the last one also holds its right edge.

    Example:
        >>> chainrule.histogram(chainrule.tensor([1., 2, 1]), bins=4, range=(0., 3.))
    """
    _check_input("histogram", input)
    if out is not None:
        raise NotImplementedError("histogram(out=...) is not supported")
    data = input._data.ravel()
    dt = data.dtype
    w = None
    if weight is not None:
        if not isinstance(weight, Tensor) or tuple(weight.shape) != tuple(input.shape):
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided, it should have the same "
                "shape as the input tensor excluding its innermost dimension"
            )
        w = weight._data.ravel().astype(dt, copy=False)
    if isinstance(bins, Tensor):
        if range is not None:
            raise TypeError("histogram(): range is only accepted with an integer bins")
        edges = bins._data.astype(dt, copy=False)
        if edges.ndim != 1 or edges.size < 2:
            raise RuntimeError(
                "torch.histogramdd: bins tensor should have one dimension and at least 2 "
                f"elements, got shape {list(edges.shape)}"
            )
        if np.any(np.diff(edges) < 0):
            raise RuntimeError("torch.histogramdd: bin edges must be increasing")
        keep = (data >= edges[0]) & (data <= edges[-1])
        pos = np.searchsorted(edges, data[keep], side="right") - 1
        pos = np.minimum(pos, edges.size - 2)  # the last bin holds its right edge
    else:
        n = int(bins)
        if n <= 0:
            raise RuntimeError(f"torch.histogramdd: bins must be > 0, but got {n} for dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif data.size:
            lo, hi = float(data.min()), float(data.max())
        else:
            lo, hi = 0.0, 0.0
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(
                f"torch.histogramdd: dimension 0's range [{lo:g}, {hi:g}] is not finite"
            )
        if lo > hi:
            raise RuntimeError(
                f"torch.histogramdd: min should not exceed max, but got min {lo:g} max {hi:g} "
                f"for dimension 0"
            )
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _linspace_edges(lo, hi, n + 1, dt)
        keep = (data >= edges[0]) & (data <= edges[-1])
        x = data[keep]
        pos = _linear_bins(x, edges[0], edges[-1], n)
        # the division can be off by one next to an edge: take the bin whose edges hold x
        # among the neighbours of the one it gave (an upper bound over edges pos-1 … pos+1)
        first = np.maximum(pos - 1, 0)
        found = first - 1
        for offset in (0, 1, 2):
            k = first + offset
            inside = (k <= n) & (k <= pos + 1)
            found = found + (inside & (edges[np.minimum(k, n)] <= x))
        pos = np.minimum(found, n - 1)
    n_bins = edges.size - 1
    hist = _count(pos, n_bins, None if w is None else w[keep], dt)
    if density:
        hist = hist / hist.sum(dtype=dt)
        hist = (hist / np.diff(edges)).astype(dt, copy=False)
    return histogram_result(wrap(hist), wrap(edges.copy()))
