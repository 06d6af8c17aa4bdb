"""Paint a ``Drawing`` with matplotlib, for PNG and PDF files (no system library needed).

The page is drawn in the SVG's own units: one SVG pixel is one point, so the font sizes and
line widths match the SVG, and the file is written at ``scale`` times 72 dots per inch.
matplotlib is imported here only, when a PNG or PDF is asked for.
"""

from ._layout import FONT, LINE, SMALL
from ._svg import _FILL, _STROKE, BLUE, INK, RED

__all__ = ["save_raster"]


def save_raster(drawing, path, scale=2.0):
    """Write ``drawing`` to ``path`` (``.png`` or ``.pdf``)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
    except ImportError:
        raise ImportError(
            "saving a PNG or PDF picture needs matplotlib: "
            "pip install 'chainrule[viz]' (or pip install matplotlib)"
        ) from None

    w, h = drawing.width, drawing.height
    fig = Figure(figsize=(w / 72, h / 72))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.axis("off")
    font = {"family": ["DejaVu Sans"]}

    for f in drawing.frames:
        ax.add_patch(
            FancyBboxPatch(
                (f.x0, f.y0),
                f.x1 - f.x0,
                f.y1 - f.y0,
                boxstyle="round,pad=0,rounding_size=8",
                fc="#f7f7f7",
                ec="#888888",
                ls=(0, (5, 4)),
                lw=1,
            )
        )
        ax.text(f.x0 + 8, f.y0 + LINE, f.title, fontsize=SMALL, color="#555555", **font)
    for wire in drawing.wires:
        pts = wire.points
        xs, ys = zip(*pts[:-1])
        ax.plot(xs, ys, color=INK, lw=1.4, solid_capstyle="butt")
        ax.add_patch(
            FancyArrowPatch(
                pts[-2],
                pts[-1],
                arrowstyle="-|>,head_length=7,head_width=3.5",
                color=INK,
                lw=1.4,
                shrinkA=0,
                shrinkB=0,
            )
        )
        _lines(ax, wire.value_lines, wire.value_at, BLUE, font)
        _lines(ax, wire.grad_lines, wire.grad_at, RED, font)
    for b in drawing.boxes:
        v = b.vertex
        style = {"fc": _FILL[v.kind], "ec": _STROKE[v.kind], "lw": 1.5}
        if b.round:
            ax.add_patch(Circle((b.x, b.y), b.w / 2, **style))
        else:
            radius = 9 if v.kind == "op" else 5
            ax.add_patch(
                FancyBboxPatch(
                    (b.x - b.w / 2, b.y - b.h / 2),
                    b.w,
                    b.h,
                    boxstyle=f"round,pad=0,rounding_size={radius}",
                    **style,
                )
            )
        ax.text(
            b.x,
            b.y + FONT * 0.36,
            v.label,
            fontsize=FONT,
            ha="center",
            color=INK,
            fontweight="bold" if v.kind != "op" else "normal",
            **font,
        )
    for k, text in enumerate(drawing.notes):
        ax.text(
            drawing.notes_at[0],
            drawing.notes_at[1] + k * LINE,
            text,
            fontsize=SMALL,
            color="#555555",
            **font,
        )
    ax.add_patch(Rectangle((0, 0), w, h, fc="white", zorder=-10))
    suffix = str(path).rsplit(".", 1)[-1].lower()
    fig.savefig(path, format=suffix, dpi=72 * scale, facecolor="white")


def _lines(ax, lines, at, color, font):
    x, y = at
    for k, text in enumerate(lines):
        ax.text(x, y + k * LINE, text, fontsize=SMALL, ha="center", color=color, **font)
