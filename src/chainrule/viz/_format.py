"""How a value is written on a picture: a number when it is small, a summary when it is not.

A scalar prints as a short number (``16``, ``0.3333``, ``-1.2e-05``); a vector of up to four
entries prints in full; anything bigger prints as two lines, its shape and dtype, then its
norm and range, so a weight matrix never floods the picture.  A value that ``backward()``
freed (see ``_shapes``) prints as its shape, when known, and ``freed after backward``.
"""

import math

import numpy as np

__all__ = ["FREED", "FREED_HINT", "lines", "number", "one_line", "shape_text", "value_lines"]

_MAX_LISTED = 4
FREED = "freed after backward"
FREED_HINT = "draw before backward or pass retain_graph=True"


def number(x):
    """A float as the shortest clear text: integers without a point, others to 4 digits."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.4g}"


def shape_text(shape):
    """``(64, 10)`` as ``64×10``; a scalar's shape as ``scalar``."""
    return "×".join(str(s) for s in shape) if len(shape) else "scalar"


def lines(value):
    """The text lines that describe ``value`` (a NumPy array) on an edge."""
    value = np.asarray(value)
    if value.size == 1:
        return [number(value.reshape(()))]
    if value.ndim == 1 and value.size <= _MAX_LISTED:
        return ["[" + ", ".join(number(v) for v in value) + "]"]
    head = f"{shape_text(value.shape)} {value.dtype}"
    if value.size == 0 or value.dtype.kind not in "fiub":
        return [head]
    data = value.astype(np.float64)
    norm = float(np.sqrt(np.sum(data * data)))
    return [head, f"‖·‖ {_short(norm)}  [{_short(data.min())}, {_short(data.max())}]"]


def _short(x):
    """Three significant digits: enough for a summary."""
    return number(float(f"{float(x):.3g}"))


def value_lines(value, shape=None):
    """``lines(value)``; for a freed value (``None``), its shape if known and ``FREED``."""
    if value is not None:
        return lines(value)
    return ([shape_text(shape)] if shape is not None else []) + [FREED]


def one_line(value, shape=None):
    """``value_lines`` joined for places that hold one line (sentences, tooltips)."""
    return ", ".join(value_lines(value, shape))
