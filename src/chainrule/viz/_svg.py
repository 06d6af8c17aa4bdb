"""Paint a ``Drawing`` as SVG text, written by hand so no system program is needed.

Each edge is a group ``<g class="edge" id="e3">`` holding its path, its blue value text
(class ``value``) and its red gradient text (class ``grad``); the interactive page
(``to_html``) finds the gradients there and reveals them one step at a time.
"""

from xml.sax.saxutils import escape

from ._layout import FONT, LINE, SMALL

__all__ = ["BLUE", "INK", "RED", "svg"]

BLUE = "#1f5fbf"  # forward values
RED = "#c0262d"  # gradients
INK = "#222222"
_FILL = {"leaf": "#fff6d8", "op": "#eef3fb", "output": "#e9f5e9"}
_STROKE = {"leaf": "#b08a18", "op": "#3b5b8c", "output": "#3a7a3a"}
_FONTS = "DejaVu Sans, Helvetica, Arial, sans-serif"


def svg(drawing, all_grads=False, scale=1.0):
    """SVG text for ``drawing``, shown at ``scale`` times its natural size.  ``all_grads``
    keeps a gradient text on every edge, for the interactive page to reveal."""
    w, h = drawing.width, drawing.height
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * scale:.0f}" '
        f'height="{h * scale:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" font-family="{_FONTS}">'
    )
    arrow = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
        'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker></defs>'
    )
    out = [head, arrow, f'<rect width="{w:.0f}" height="{h:.0f}" fill="white"/>']
    for f in drawing.frames:
        out.append(
            f'<g class="module"><rect x="{f.x0:.1f}" y="{f.y0:.1f}" width="{f.x1 - f.x0:.1f}" '
            f'height="{f.y1 - f.y0:.1f}" rx="8" fill="#f7f7f7" stroke="#888" '
            f'stroke-dasharray="5,4"/><text x="{f.x0 + 8:.1f}" y="{f.y0 + LINE:.1f}" '
            f'font-size="{SMALL}" fill="#555">{escape(f.title)}</text></g>'
        )
    for i, wire in enumerate(drawing.wires):
        out.append(_edge(i, wire, all_grads))
    for b in drawing.boxes:
        out.append(_box(b))
    if drawing.notes:
        x, y = drawing.notes_at
        spans = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if k == 0 else LINE}">{escape(t)}</tspan>'
            for k, t in enumerate(drawing.notes)
        )
        out.append(
            f'<text class="note" x="{x:.1f}" y="{y:.1f}" font-size="{SMALL}" '
            f'fill="#555">{spans}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _edge(i, wire, all_grads):
    e = wire.edge
    d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in wire.points)
    title = f"{e.src.name} → {e.dst.name}"
    path = f'<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.4" marker-end="url(#arrow)"/>'
    head = f'<g class="edge" id="e{i}" data-from="v{e.src.id}" data-to="v{e.dst.id}">'
    parts = [
        head,
        f"<title>{escape(title)}</title>",
        path,
        _lines("value", wire.value_lines, wire.value_at, BLUE),
    ]
    if wire.grad_lines or all_grads:
        parts.append(_lines("grad", wire.grad_lines, wire.grad_at, RED))
    parts.append("</g>")
    return "".join(parts)


def _lines(cls, lines, at, color):
    x, y = at
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if k == 0 else LINE}">{escape(t)}</tspan>'
        for k, t in enumerate(lines)
    )
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" font-size="{SMALL}" '
        f'text-anchor="middle" fill="{color}">{spans}</text>'
    )


def _box(b):
    v = b.vertex
    fill, stroke = _FILL[v.kind], _STROKE[v.kind]
    if b.round:
        shape = (
            f'<circle cx="{b.x:.1f}" cy="{b.y:.1f}" r="{b.w / 2:.1f}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"/>'
        )
    else:
        shape = (
            f'<rect x="{b.x - b.w / 2:.1f}" y="{b.y - b.h / 2:.1f}" width="{b.w:.1f}" '
            f'height="{b.h:.1f}" rx="{9 if v.kind == "op" else 5}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"/>'
        )
    weight = ' font-weight="bold"' if v.kind != "op" else ""
    return (
        f'<g class="node {v.kind}" id="v{v.id}"><title>{escape(v.name)}</title>{shape}'
        f'<text x="{b.x:.1f}" y="{b.y + FONT * 0.36:.1f}" font-size="{FONT}"{weight} '
        f'text-anchor="middle" fill="{INK}">{escape(v.label)}</text></g>'
    )
