"""Printing tensors in PyTorch's format: ``tensor([1.0000, 2.5000], requires_grad=True)``."""

import numpy as np

from . import _dtype

PRECISION = 4
THRESHOLD = 1000  # summarise tensors with more elements than this
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE = None  # True: always scientific, False: never, None: PyTorch's automatic choice

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """Set how tensors print, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: tensors with more elements are summarised with ``...`` (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'`` (every element) first resets the
            other four; given ones then override it.
        sci_mode: ``True`` always scientific notation, ``False`` never, ``None`` (the
            default, also when omitted) chosen from the values.
    """
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    options = {}
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: unknown profile {profile!r}; use one of {list(_PROFILES)}"
            )
        options.update(_PROFILES[profile])
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems)
    options.update({k: v for k, v in dict(given, linewidth=linewidth).items() if v is not None})
    PRECISION = options.get("precision", PRECISION)
    THRESHOLD = options.get("threshold", THRESHOLD)
    EDGEITEMS = options.get("edgeitems", EDGEITEMS)
    LINEWIDTH = options.get("linewidth", LINEWIDTH)
    SCI_MODE = sci_mode


def _float_formatter(values):
    """Choose one format for all elements, as PyTorch does: integer, fixed or scientific."""
    finite = values[np.isfinite(values)]
    nonzero = np.abs(finite[finite != 0])
    if nonzero.size == 0:
        return lambda v: _special(v) or "{:.0f}.".format(v)
    lo, hi = float(nonzero.min()), float(nonzero.max())
    if np.all(finite == np.ceil(finite)):
        wide = hi / lo > 1000.0 or hi > 1.0e8
        fmt = "{:.%de}" % PRECISION if _scientific(wide) else "{:.0f}."
    elif _scientific(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4):
        fmt = "{:.%de}" % PRECISION
    else:
        fmt = "{:.%df}" % PRECISION
    return lambda v: _special(v) or fmt.format(v)


def _scientific(automatic):
    return automatic if SCI_MODE is None else SCI_MODE


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
            flat = flat[np.isfinite(flat) & (flat != 0)]
        width = max((len(fmt(v)) for v in flat.tolist()), default=1)
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
