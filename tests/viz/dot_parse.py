"""A small reader for the DOT text that ``Graph.dot()`` writes, for structural checks."""

import re

from chainrule.viz._svg import BLUE, RED

_NODE = re.compile(r'^\s*(v\d+) \[label="((?:[^"\\]|\\.)*)"', re.MULTILINE)
_EDGE = re.compile(r"^\s*(v\d+) -> (v\d+) \[label=<(.*)>\];$", re.MULTILINE)
_FONT = re.compile(r'<font color="(#[0-9a-f]{6})">([^<]*)</font>')
_CLUSTER = re.compile(r'subgraph cluster_\d+ \{ label="([^"]*)";[^}]*\}')


def parse(text):
    """``(nodes, edges, clusters)``: nodes ``{id: label}``; edges as tuples ``(source label,
    target label, [blue lines], [red lines])``; cluster titles."""
    nodes = dict(_NODE.findall(text))
    edges = []
    for src, dst, label in _EDGE.findall(text):
        fonts = _FONT.findall(label)
        blue = [t for c, t in fonts if c == BLUE]
        red = [t for c, t in fonts if c == RED]
        edges.append((nodes[src], nodes[dst], blue, red))
    return nodes, edges, _CLUSTER.findall(text)
