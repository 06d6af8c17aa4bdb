"""``draw``: the computation graph behind a tensor, with values and gradients on its edges."""

import os
import pathlib

from . import _export, _layout, _svg, _trace

__all__ = ["Graph", "draw"]


def draw(tensor, names=None, module=None, show_grad=None):
    """Draw the computation graph that produced ``tensor``, left to right.

    Leaves (inputs and parameters) are on the left, ops in the middle (``+``, ``×3``,
    ``square``, ``matmul``, …), the output on the right.  Each edge carries the value that
    flows along it (blue, above) and, when gradients are shown, ∂output/∂value along that
    edge (red, below).  A value used by several ops has one edge per use, and the gradients
    on those edges add up to its full gradient.  Tensors too big to print show their shape,
    dtype, norm and range.

    Args:
        tensor: the output, usually a scalar loss.
        names: optional ``{name: tensor}`` for leaves and intermediate values (``{'q': q}``);
            leaves are otherwise named by ``tensor.name``, by ``module``, or ``x1, x2, …``.
        module: an ``nn.Module``: its parameters are named as in ``named_parameters()``
            (``0.weight``) and each submodule that owns parameters is drawn as a dashed box
            around its parameters and the ops that use them.
        show_grad: ``None`` (default) shows gradients once a backward pass has gone through
            ``tensor``; ``True`` shows them, running a backward pass of its own if none has
            (see ``chainrule.viz`` for how, without touching any ``.grad``); ``False`` shows
            forward values only.

    Returns:
        A ``Graph``: ``.svg()``, ``.dot()``, ``.tikz()``, ``.save(path)``; displayed inline
        in Jupyter.

    Example::

        >>> L = (a + 3 * b) * c ** 2
        >>> L.backward()
        >>> chainrule.viz.draw(L).save("backprop.png")
    """
    if show_grad is None:
        show_grad = _has_backward(tensor)
    return Graph(_trace.trace(tensor, names=names, module=module, grads=show_grad))


def _has_backward(tensor):
    if tensor.grad_fn is None:
        return tensor.grad is not None
    return tensor.grad_fn.grad is not None


class Graph:
    """A drawn computation graph.  Build it with ``draw``."""

    def __init__(self, trace):
        self.trace = trace
        self.drawing = _layout.layout(trace)

    def svg(self):
        """The picture as SVG text."""
        return _svg.svg(self.drawing)

    def dot(self):
        """Graphviz DOT source (render with ``dot -Tsvg``, if you have Graphviz)."""
        return _export.dot(self.drawing)

    def tikz(self):
        """A TikZ picture with the same layout, for LaTeX (needs ``arrows.meta``)."""
        return _export.tikz(self.drawing)

    def save(self, path, scale=2.0):
        """Write the picture; the suffix picks the format: ``.svg``, ``.png`` and ``.pdf``
        (through matplotlib, at ``scale`` × 72 dpi), ``.dot``, ``.tex`` (TikZ).

        Returns the path written, as a ``pathlib.Path``.
        """
        path = pathlib.Path(os.fspath(path))
        suffix = path.suffix.lower()
        writers = {".svg": self.svg, ".dot": self.dot, ".gv": self.dot, ".tex": self.tikz}
        if suffix in writers:
            path.write_text(writers[suffix](), encoding="utf-8")
        elif suffix in (".png", ".pdf"):
            from ._raster import save_raster

            save_raster(self.drawing, str(path), scale=scale)
        else:
            raise ValueError(
                f"Graph.save: cannot write {suffix or 'a file without suffix'} "
                f"({path}); use .svg, .png, .pdf, .dot or .tex"
            )
        return path

    def _repr_svg_(self):
        return self.svg()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg(), "text/plain": repr(self)}

    def __repr__(self):
        grads = "with gradients" if self.trace.has_grad else "forward values only"
        return (
            f"<chainrule.viz.Graph: {len(self.trace.vertices)} boxes, "
            f"{len(self.trace.edges)} edges, {grads}>"
        )
