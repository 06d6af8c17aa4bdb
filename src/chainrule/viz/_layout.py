"""Place a ``Trace`` on a page: boxes, wires and labels in pixels, left to right.

The layered layout is igraph's Sugiyama layout (layer assignment is ours, crossing
reduction and coordinates are igraph's): each op sits in the column just before the op that
uses it, leaves start in column 0 (in a network, a parameter sits just before its first use
and each module box gets columns of its own), and the output is the last column.

Each edge's labels, forward value above (blue) and gradient below (red), sit on a level
stretch: a short stub leaving the source when the source has one use, otherwise the
flattest stretch of the edge's route; column gaps are sized so the labels fit there.

Everything here is geometry; ``_svg``, ``_raster`` and ``_export`` only paint it.
"""

import math

from ._format import FREED, FREED_HINT, lines, value_lines

__all__ = ["FONT", "LINE", "SMALL", "Drawing", "layout", "text_width"]

FONT = 14  # node labels, px
SMALL = 12.5  # edge labels, px
LINE = 15  # line height of edge labels, px
_MARGIN = 24
_PAD = 14  # space between an edge label and the ends of its stretch
_RADIUS = 19  # circles hold labels of one or two characters
_BOX_H = 34
_FRAME_PAD = 12  # between a module's boxes and its dashed border
_FAN = 40  # how far a value with several uses fans out before its wires run level
_NARROW = set("il.,:;'|!1() ·[]")


def text_width(text, size):
    """A close estimate of the width of ``text`` in a sans-serif font (no font files read)."""
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 0.33
        elif ch.isupper() or ch in "mw×÷‖@":
            width += 0.78
        elif ch.isdigit():
            width += 0.64
        else:
            width += 0.6
    return width * size


class Box:
    """A vertex on the page: centre ``x, y``; ``w, h``; ``round`` for a circle."""

    def __init__(self, vertex, w, h, round_):
        self.vertex, self.w, self.h, self.round = vertex, w, h, round_
        self.x = self.y = 0.0


class Wire:
    """An edge on the page: a polyline, and where its two label blocks sit."""

    def __init__(self, edge, points, value_lines, grad_lines):
        self.edge = edge
        self.points = points
        self.value_lines = value_lines  # text lines above the wire (blue)
        self.grad_lines = grad_lines  # text lines below the wire (red); [] before backward
        self.value_at = self.grad_at = (0.0, 0.0)  # baseline centre of the first line
        self.stretch = (0.0, 0.0, 0.0, 0.0)  # the stretch that carries the labels
        self.level = True  # whether that stretch is horizontal


class Frame:
    """A module's box: a dashed rectangle with a title."""

    def __init__(self, title, x0, y0, x1, y1):
        self.title, self.x0, self.y0, self.x1, self.y1 = title, x0, y0, x1, y1


class Drawing:
    """Everything a painter needs: boxes, wires, frames, notes under the graph (lines of
    text starting at ``notes_at``) and the page size, in pixels."""

    def __init__(self, trace, boxes, wires, frames, width, height):
        self.trace, self.boxes, self.wires, self.frames = trace, boxes, wires, frames
        self.width, self.height = width, height
        self.notes = []
        if trace.freed:
            self.notes.append(
                f"{FREED}: backward() released these values and their "
                f"gradients to save memory; {FREED_HINT} to see them."
            )
        self.notes_at = (0.0, 0.0)


def _box(v):
    w = text_width(v.label, FONT) + 22
    if v.kind == "op" and len(v.label) <= 2:
        return Box(v, 2 * _RADIUS, 2 * _RADIUS, True)
    return Box(v, max(w, 40), _BOX_H, False)


def _layers(trace):
    """Column of each vertex: ops as late as possible, leaves first (or just before use)."""
    depth = {}
    for v in trace.backward_order():
        depth[v] = max((depth[e.dst] + 1 for e in v.uses), default=0)
    last = max(depth.values())
    column = {v: last - depth[v] for v in trace.vertices}
    for v in trace.vertices:
        if v.kind == "leaf":
            first_use = min((column[e.dst] for e in v.uses), default=1)
            column[v] = first_use - 1 if v.group is not None else 0
    _separate_groups(trace, column)
    return column


def _separate_groups(trace, column):
    """Give each module box columns of its own: where a box would start in a column that an
    earlier box, or a value that flows into it (the activation before a layer), still
    occupies, move the box and everything after it to the right."""
    done = set()
    for members in sorted(trace.groups.values(), key=lambda m: max(column[v] for v in m)):
        feeders = {
            e.src for v in members for e in v.inputs if e is not None and e.src not in members
        }
        start = min(column[v] for v in members)
        end = max((column[v] for v in done | feeders), default=-1)
        if start <= end:
            for v in trace.vertices:
                if column[v] >= start and v not in done and v not in feeders:
                    column[v] += end - start + 1
        done.update(members)
    for v in trace.vertices:  # inputs before the ops that use them
        for e in v.uses:
            column[e.dst] = max(column[e.dst], column[v] + 1)


def layout(trace):
    """Compute a ``Drawing`` of ``trace``."""
    try:
        import igraph
    except ImportError:
        raise ImportError(
            "drawing a graph needs python-igraph for its layout: "
            "pip install 'chainrule[viz]' (or pip install python-igraph)"
        ) from None

    order = trace.backward_order()
    index = {v: i for i, v in enumerate(order)}
    column = _layers(trace)
    graph = igraph.Graph(
        n=len(order), edges=[(index[e.src], index[e.dst]) for e in trace.edges], directed=True
    )
    placed = graph.layout_sugiyama(layers=[column[v] for v in order], hgap=1, vgap=1)
    boxes = {v: _box(v) for v in order}
    plans = _plan_edges(trace, placed, index)
    rows = max(max(len(p.value), len(p.grad)) for p in plans)
    row_h = 2 * rows * LINE + 36

    columns = max(column.values()) + 1
    col_w = [40.0] * columns
    for v, b in boxes.items():
        col_w[column[v]] = max(col_w[column[v]], b.w)
    gap = [60.0] * columns
    for p in plans:
        (pos0, c), (pos1, _) = p.route[p.k], p.route[p.k + 1]
        need = p.width + 2 * _PAD + p.lead + (40 if p.stub else 10 + 0.9 * abs(pos1 - pos0) * row_h)
        c = round(c)
        gap[c] = max(gap[c], need)
    x_of, x = [], _MARGIN
    for c in range(columns):
        x_of.append(x + col_w[c] / 2)
        x += col_w[c] + gap[c]

    def page(pos, col):
        return x_of[round(col)], pos * row_h

    for v, b in boxes.items():
        b.x, b.y = page(*placed[index[v]])
    wires = [_wire(p, boxes, page) for p in plans]
    _place_labels(wires, boxes.values(), _borders(trace, boxes, row_h))
    frames = _frames(trace, boxes, wires)
    return _fit(Drawing(trace, list(boxes.values()), wires, frames, 0, 0))


def _fit(d):
    """Size the page to what is on it, with a margin all round (labels of steep wires can
    stand out further than the boxes)."""
    xs = [b.x - b.w / 2 for b in d.boxes] + [b.x + b.w / 2 for b in d.boxes]
    ys = [b.y - b.h / 2 for b in d.boxes] + [b.y + b.h / 2 for b in d.boxes]
    for w in d.wires:
        half = max((text_width(t, SMALL) for t in w.value_lines + w.grad_lines), default=0) / 2
        xs += [w.value_at[0] - half, w.value_at[0] + half]
        ys += [w.value_at[1] - SMALL, w.grad_at[1] + (len(w.grad_lines) - 1) * LINE + 4]
    for f in d.frames:
        xs += [f.x0, f.x1]
        ys += [f.y0, f.y1]
    if d.notes:
        d.notes_at = (min(xs), max(ys) + 10 + SMALL)
        xs.append(min(xs) + max(text_width(t, SMALL) for t in d.notes))
        ys.append(d.notes_at[1] + (len(d.notes) - 1) * LINE + 4)
    dx, dy = _MARGIN - min(xs), _MARGIN - min(ys)
    d.notes_at = (d.notes_at[0] + dx, d.notes_at[1] + dy)
    for b in d.boxes:
        b.x, b.y = b.x + dx, b.y + dy
    for w in d.wires:
        w.points = [(x + dx, y + dy) for x, y in w.points]
        w.value_at = (w.value_at[0] + dx, w.value_at[1] + dy)
        w.grad_at = (w.grad_at[0] + dx, w.grad_at[1] + dy)
    for f in d.frames:
        f.x0, f.x1, f.y0, f.y1 = f.x0 + dx, f.x1 + dx, f.y0 + dy, f.y1 + dy
    d.width = max(xs) - min(xs) + 2 * _MARGIN
    d.height = max(ys) - min(ys) + 2 * _MARGIN
    return d


class _Plan:
    """An edge's route in layout units and where its labels go, before pixels are known."""

    def __init__(self, edge, route, value, grad):
        self.edge, self.route, self.value, self.grad = edge, route, value, grad
        self.width = max(text_width(t, SMALL) for t in value + grad + [""])
        self.stub = False  # labels on a short level stretch leaving the source
        self.k = 0  # otherwise on stretch k of the route
        self.offset = 0.0  # parallel edges (a * a) are bowed apart by this much
        # an edge leaving a module box starts its labels past the box's border
        src, dst = edge.src, edge.dst
        self.lead = _FRAME_PAD + 6 if src.group is not None and dst.group != src.group else 0


def _plan_edges(trace, placed, index):
    plans, bundles = [], {}
    for k, e in enumerate(trace.edges):
        route = (
            [tuple(placed[index[e.src]])]
            + [tuple(p) for p in placed.edge_routing[k]]
            + [tuple(placed[index[e.dst]])]
        )
        bundle = bundles.setdefault((e.src, e.dst), [])
        if bundle:
            route = bundle[0].route  # parallel edges share one route, then bow
        plan = _Plan(e, route, *_edge_lines(trace, e))
        bundle.append(plan)
        plan.stub = len(e.src.uses) == 1 and route[0][0] != route[1][0]
        plan.k = 0 if plan.stub else _label_stretch(route, late=len(e.src.uses) > 1)
        plans.append(plan)
    for bundle in bundles.values():
        step = 2 * LINE * max(len(bundle[0].value), len(bundle[0].grad), 1) + 14
        for i, plan in enumerate(bundle):
            plan.offset = (i - (len(bundle) - 1) / 2) * step if len(bundle) > 1 else 0.0
    return plans


def _wire(plan, boxes, page):
    """Pixels for one edge: out of the source's right side, through igraph's bends, into the
    target, with the labelled stretch level (a stub) or bowed (parallel edges)."""
    src, dst = boxes[plan.edge.src], boxes[plan.edge.dst]
    points = [page(*p) for p in plan.route]
    points[0] = (src.x + src.w / 2, src.y)
    k = plan.k
    if plan.stub:
        points.insert(1, (points[0][0] + plan.lead + plan.width + 2 * _PAD, points[0][1]))
    (x0, y0), (x1, y1) = points[k], points[k + 1]
    if plan.stub:
        x0 += plan.lead
    if plan.offset:
        d = (x1 - x0) / 4
        points[k + 1 : k + 1] = [(x0 + d, y0 + plan.offset), (x1 - d, y1 + plan.offset)]
        y0, y1 = y0 + plan.offset, y1 + plan.offset
    elif len(points) == 2 and y0 != y1 and len(plan.edge.src.uses) > 1:
        # one of several uses, straight to a box on another row: fan out first, then run
        # level into the box, so the labels sit on a level stretch of their own
        fan = min(_FAN, (x1 - x0) / 3)
        points.insert(1, (x0 + fan, y1))
        x0, y0 = x0 + fan, y1
    points[-1] = _entry(dst, points[-2])
    if k + 2 == len(points) and not plan.offset:  # the last stretch ends at the box's side
        t = _until(x0, x1, dst.x - dst.w / 2)
        x1, y1 = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
    wire = Wire(plan.edge, points, plan.value, plan.grad)
    wire.stretch = (x0, y0, x1, y1)
    wire.level = plan.stub or y0 == y1
    return wire


def _until(x0, x1, x):
    """How far along ``x0 -> x1`` (0 to 1) the line ``x`` lies, clipped to the stretch."""
    return 1.0 if x1 == x0 else max(0.0, min(1.0, (x - x0) / (x1 - x0)))


_ALONG = (0.5, 0.35, 0.65, 0.22, 0.78, 0.12, 0.88)  # where on a stretch to try the labels


def _borders(trace, boxes, row_h):
    """The left and right sides of each module's frame, as segments (the frames themselves
    are drawn round the labels, so only their sides are known before the labels go)."""
    sides = []
    for members in trace.groups.values():
        bs = [boxes[v] for v in members]
        top, bottom = min(b.y for b in bs) - row_h / 2, max(b.y for b in bs) + row_h / 2
        for x in (
            min(b.x - b.w / 2 for b in bs) - _FRAME_PAD,
            max(b.x + b.w / 2 for b in bs) + _FRAME_PAD,
        ):
            sides.append((None, (x, top), (x, bottom)))
    return sides


def _place_labels(wires, boxes, borders=()):
    """Put each wire's value above and gradient below its labelled stretch: at the middle,
    unless that covers a box, another wire, a module's side or labels already placed; then a
    little towards either end (the least crowded spot wins if none is free)."""
    taken = [(b.x - b.w / 2, b.y - b.h / 2, b.x + b.w / 2, b.y + b.h / 2) for b in boxes]
    segments = [(w, p, q) for w in wires for p, q in zip(w.points, w.points[1:])]
    segments += list(borders)
    for w in sorted(wires, key=lambda w: not w.level):
        x0, y0, x1, y1 = w.stretch
        width = max((text_width(t, SMALL) for t in w.value_lines + w.grad_lines), default=0)
        slope = abs(y1 - y0) / max(abs(x1 - x0), 1.0)
        lift = 5 + min(slope, 3.0) * width / 2
        others = [(p, q) for v, p, q in segments if v is not w]
        best = None
        for t in _ALONG:
            xm, ym = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            value_at = (xm, ym - lift - (len(w.value_lines) - 1) * LINE - 3)
            grad_at = (xm, ym + lift + SMALL * 0.8 + 1)
            rects = _label_rects(w, width, value_at, grad_at)
            hits = sum(_overlap(r, o) for r in rects for o in taken) + sum(
                _crosses(p, q, r) for r in rects for p, q in others
            )
            if best is None or hits < best[0]:
                best = (hits, value_at, grad_at)
            if hits == 0:
                break
        w.value_at, w.grad_at = best[1], best[2]
        taken += _label_rects(w, width, w.value_at, w.grad_at)


def _label_rects(w, width, value_at, grad_at):
    (x, top), (_, base) = value_at, grad_at
    rects = [
        (x - width / 2, top - SMALL * 0.8, x + width / 2, top + (len(w.value_lines) - 1) * LINE + 3)
    ]
    if w.grad_lines:
        rects.append(
            (
                x - width / 2,
                base - SMALL * 0.8,
                x + width / 2,
                base + (len(w.grad_lines) - 1) * LINE + 3,
            )
        )
    return rects


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(p, q, rect):
    """Whether segment ``p -> q`` passes through ``rect`` (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for step, room in (
        (-dx, x0 - rect[0]),
        (dx, rect[2] - x0),
        (-dy, y0 - rect[1]),
        (dy, rect[3] - y0),
    ):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        if step < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def _label_stretch(route, late):
    """Which stretch of an edge gets its labels: the flattest; on a tie the first, or the
    last if ``late`` (a value with several uses, whose edges all start at one point)."""
    best, k_best = None, 0
    for k in range(len(route) - 1):
        rise = abs(route[k + 1][0] - route[k][0])
        if best is None or rise < best or (late and rise == best):
            best, k_best = rise, k
    return k_best


def _edge_lines(trace, e):
    value = value_lines(e.src.value, e.src.shape)
    grad = lines(e.grad) if trace.has_grad and e.grad is not None else []
    return value, grad


def _entry(box, towards):
    """Where a wire coming from ``towards`` meets the left side of ``box``."""
    dx, dy = towards[0] - box.x, towards[1] - box.y
    if box.round:
        d = math.hypot(dx, dy) or 1.0
        return box.x + dx / d * _RADIUS, box.y + dy / d * _RADIUS
    x = box.x - box.w / 2
    if dx >= 0:
        return x, box.y
    t = (box.w / 2) / -dx
    return x, box.y + max(-box.h / 2 + 4, min(box.h / 2 - 4, dy * t))


def _frames(trace, boxes, wires):
    """One frame per module: around its boxes and the labels of the wires inside it."""
    frames = []
    for title, members in trace.groups.items():
        bs = [boxes[v] for v in members]
        inside = [w for w in wires if w.edge.src in members and w.edge.dst in members]
        top = [b.y - b.h / 2 for b in bs] + [w.value_at[1] - SMALL for w in inside]
        bottom = [b.y + b.h / 2 for b in bs] + [
            w.grad_at[1] + (len(w.grad_lines) - 1) * LINE + 4 for w in inside if w.grad_lines
        ]
        x0 = min(b.x - b.w / 2 for b in bs) - _FRAME_PAD
        x1 = max(b.x + b.w / 2 for b in bs) + _FRAME_PAD
        frames.append(Frame(title, x0, min(top) - 8 - LINE, x1, max(bottom) + 8))
    return frames
