"""Graphviz DOT and TikZ source for a drawn graph.

DOT is for readers who have Graphviz: it carries the structure (``rankdir=LR``, one cluster
per module) and lets ``dot`` do its own layout.  TikZ is for lecture notes: it keeps this
package's layout, placing every box, wire and label at the coordinates of the SVG (one SVG
pixel is one TeX point), and needs only ``\\usepackage{tikz}`` and
``\\usetikzlibrary{arrows.meta}``.
"""

from ._svg import _FILL, _STROKE, BLUE, RED

__all__ = ["dot", "tikz"]


# ------------------------------------------------------------------ DOT
def dot(drawing):
    """Graphviz source: one node per vertex, one edge per edge, labels in value/grad order."""
    out = [
        "digraph chainrule {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=12];',
        '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.7];',
    ]
    for b in sorted(drawing.boxes, key=lambda b: b.vertex.id):
        v = b.vertex
        shape = "circle" if b.round else "box"
        out.append(
            f'  v{v.id} [label="{_dot_text(v.label)}", shape={shape}, '
            f'style="rounded,filled", fillcolor="{_FILL[v.kind]}", '
            f'color="{_STROKE[v.kind]}"];'
        )
    for wire in drawing.wires:
        e = wire.edge
        rows = [f'<font color="{BLUE}">{_html(t)}</font>' for t in wire.value_lines]
        rows += [f'<font color="{RED}">{_html(t)}</font>' for t in wire.grad_lines]
        out.append(f"  v{e.src.id} -> v{e.dst.id} [label=<{'<br/>'.join(rows)}>];")
    for i, (title, members) in enumerate(drawing.trace.groups.items()):
        ids = " ".join(f"v{v.id};" for v in members)
        out.append(f'  subgraph cluster_{i} {{ label="{_dot_text(title)}"; style=dashed; {ids} }}')
    if drawing.notes:
        out.append(
            f'  label="{_dot_text(" ".join(drawing.notes))}"; labelloc=b; labeljust=l; fontsize=10;'
        )
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_text(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _html(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------ TikZ
_TEX = {
    "×": r"$\times$",
    "÷": r"$\div$",
    "−": r"$-$",
    "·": r"$\cdot$",
    "‖": r"$\|$",
    "²": r"$^2$",
    "³": r"$^3$",
    "⁻": r"$^-$",
    "¹": r"$^1$",
    "ᵀ": r"$^\top$",
    "σ": r"$\sigma$",
    "∂": r"$\partial$",
    "→": r"$\to$",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "^": r"\^{}",
    "~": r"\~{}",
    "\\": r"\textbackslash{}",
}


def _tex(text):
    return "".join(_TEX.get(ch, ch) for ch in text)


def _rgb(hex_color):
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"{{rgb,255:red,{r};green,{g};blue,{b}}}"


def tikz(drawing):
    """A ``tikzpicture`` with the same layout as the SVG."""
    styles = [
        "x=1pt, y=-1pt, every node/.style={font=\\sffamily, inner sep=1pt}",
        f"value/.style={{text={_rgb(BLUE)}, font=\\sffamily\\small, anchor=base}}",
        f"grad/.style={{text={_rgb(RED)}, font=\\sffamily\\small, anchor=base}}",
        "wire/.style={-{Stealth[length=6pt]}, line width=0.8pt}",
    ]
    for kind in ("leaf", "op", "output"):
        styles.append(
            f"{kind}/.style={{draw={_rgb(_STROKE[kind])}, fill={_rgb(_FILL[kind])}, "
            f"line width=0.8pt, inner sep=0pt}}"
        )
    out = [
        "% chainrule computation graph: needs \\usetikzlibrary{arrows.meta}",
        "\\begin{tikzpicture}[" + ",\n  ".join(styles) + "]",
    ]
    for f in drawing.frames:
        out.append(
            f"\\draw[dashed, rounded corners=6pt, gray] ({f.x0:.1f},{f.y0:.1f}) "
            f"rectangle ({f.x1:.1f},{f.y1:.1f});"
        )
        out.append(
            f"\\node[anchor=base west, gray, font=\\sffamily\\small] at "
            f"({f.x0 + 8:.1f},{f.y0 + 15:.1f}) {{{_tex(f.title)}}};"
        )
    for wire in drawing.wires:
        path = " -- ".join(f"({x:.1f},{y:.1f})" for x, y in wire.points)
        out.append(f"\\draw[wire] {path};")
        for cls, lines, (x, y) in (
            ("value", wire.value_lines, wire.value_at),
            ("grad", wire.grad_lines, wire.grad_at),
        ):
            for k, text in enumerate(lines):
                out.append(f"\\node[{cls}] at ({x:.1f},{y + 15 * k:.1f}) {{{_tex(text)}}};")
    for b in drawing.boxes:
        v = b.vertex
        if b.round:
            shape = f"circle, minimum size={b.w:.0f}pt"
        else:
            shape = f"rounded corners=5pt, minimum width={b.w:.0f}pt, minimum height={b.h:.0f}pt"
        text = f"\\textbf{{{_tex(v.label)}}}" if v.kind != "op" else _tex(v.label)
        out.append(f"\\node[{v.kind}, {shape}] (v{v.id}) at ({b.x:.1f},{b.y:.1f}) {{{text}}};")
    for k, text in enumerate(drawing.notes):
        x, y = drawing.notes_at
        out.append(
            f"\\node[anchor=base west, gray, font=\\sffamily\\small] at "
            f"({x:.1f},{y + 15 * k:.1f}) {{{_tex(text)}}};"
        )
    out.append("\\end{tikzpicture}")
    return "\n".join(out) + "\n"
