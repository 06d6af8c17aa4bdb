"""Printing tensors in PyTorch's format: ``tensor([1.0000, 2.5000], requires_grad=True)``."""

import numpy as np

from . import _dtype

PRECISION = 4
THRESHOLD = 1000  # summarise tensors with more elements than this
EDGEITEMS = 3
LINEWIDTH = 80


def _float_formatter(values):
    """Choose one format for all elements, as PyTorch does: integer, fixed or scientific."""
    finite = values[np.isfinite(values)]
    nonzero = np.abs(finite[finite != 0])
    if nonzero.size == 0:
        return lambda v: _special(v) or "{:.0f}.".format(v)
    lo, hi = float(nonzero.min()), float(nonzero.max())
    if np.all(finite == np.ceil(finite)):
        if hi / lo > 1000.0 or hi > 1.0e8:
            fmt = "{:.%de}" % PRECISION
        else:
            fmt = "{:.0f}."
    elif hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
        fmt = "{:.%de}" % PRECISION
    else:
        fmt = "{:.%df}" % PRECISION
    return lambda v: _special(v) or fmt.format(v)


def _special(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def _element_formatter(data):
    kind = data.dtype.kind
    if kind == "b":
        return lambda v: "True" if v else "False"
    if kind in "iu":
        return str
    return _float_formatter(data.ravel().astype(np.float64))


def _summarized(data):
    if data.ndim == 0:
        return data
    if data.shape[0] > 2 * EDGEITEMS:
        data = np.concatenate([data[:EDGEITEMS], data[-EDGEITEMS:]])
    return np.stack([_summarized(row) for row in data]) if data.ndim > 1 else data


def _format_array(data, fmt, width, indent, summarize):
    if data.ndim == 0:
        return fmt(data.item()).rjust(width)
    n = data.shape[0]
    rows = range(n)
    if summarize and n > 2 * EDGEITEMS:
        rows = list(range(EDGEITEMS)) + [None] + list(range(n - EDGEITEMS, n))
    if data.ndim == 1:
        items = [" ..." if i is None else fmt(data[i].item()).rjust(width) for i in rows]
        per_line = max(1, (LINEWIDTH - indent) // (width + 2))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    sep = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    parts = [
        "..." if i is None else _format_array(data[i], fmt, width, indent + 1, summarize)
        for i in rows
    ]
    return "[" + sep.join(parts) + "]"


def format_tensor(t, prefix="tensor("):
    data = t._data
    summarize = data.size > THRESHOLD
    sample = _summarized(data) if summarize else data
    indent = len(prefix)
    if data.size == 0:
        body = "[]"
    else:
        fmt = _element_formatter(sample)
        flat = sample.ravel()
        if flat.dtype.kind == "f":  # PyTorch sizes columns by the finite nonzero values
            chosen = flat[np.isfinite(flat) & (flat != 0)]
            flat = chosen if chosen.size else flat
        width = max(len(fmt(v)) for v in flat.tolist())
        body = _format_array(data, fmt, width, indent, summarize)
    suffixes = []
    d = t.dtype
    if data.size == 0 and data.ndim != 1:
        suffixes.append(f"size={tuple(data.shape)}")
    if d not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool_) or (
        data.size == 0 and d is not _dtype.get_default_dtype()
    ):
        suffixes.append(f"dtype={d}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def _add_suffixes(text, suffixes, indent):
    """Append ``, dtype=…`` etc., moving a suffix to its own line past the line width."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"
