"""Pytrees: nested tuples, lists, dicts and namedtuples whose leaves are tensors (or
anything else), flattened to a list of leaves and a ``TreeSpec`` that rebuilds them.

The transforms take and return pytrees, as ``torch.func`` does: ``grad`` of a function of a
dict of parameters is a dict of gradients.  ``None`` is a leaf, as in
``torch.utils._pytree``.  NumPy arrays are leaves; ``to_tensors`` and ``to_numpy`` convert
them at the edge of a transform ("NumPy in, NumPy out").
"""

import numpy as np

from .._tensor import Tensor

__all__ = [
    "TreeSpec",
    "tree_flatten",
    "tree_unflatten",
    "tree_map",
    "broadcast_prefix",
    "to_tensors",
    "to_numpy",
    "has_numpy",
]


class TreeSpec:
    """The structure of a pytree: a container type, its keys (dict) and child specs.

    A leaf's spec is ``LEAF`` (``kind is None``).
    """

    __slots__ = ("kind", "context", "children", "num_leaves")

    def __init__(self, kind, context, children):
        self.kind = kind
        self.context = context
        self.children = children
        self.num_leaves = 1 if kind is None else sum(c.num_leaves for c in children)

    def is_leaf(self):
        return self.kind is None

    def __eq__(self, other):
        return (
            isinstance(other, TreeSpec)
            and self.kind is other.kind
            and self.context == other.context
            and self.children == other.children
        )

    def __hash__(self):
        return hash((self.kind, len(self.children)))

    def __repr__(self):
        if self.kind is None:
            return "*"
        inner = ", ".join(map(repr, self.children))
        if self.kind is dict:
            inner = ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.context, self.children))
            return "{" + inner + "}"
        if self.kind is list:
            return f"[{inner}]"
        if self.kind is tuple:
            return f"({inner}{',' if len(self.children) == 1 else ''})"
        return f"{self.kind.__name__}({inner})"


LEAF = TreeSpec(None, None, ())


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def tree_flatten(tree):
    """``(leaves, spec)``: the leaves left to right (dicts in their key order)."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    kind = type(tree)
    if kind is tuple or kind is list:
        return TreeSpec(kind, None, tuple(_flatten(x, leaves) for x in tree))
    if isinstance(tree, dict):
        keys = list(tree)
        return TreeSpec(dict, keys, tuple(_flatten(tree[k], leaves) for k in keys))
    if _is_namedtuple(tree):
        return TreeSpec(kind, None, tuple(_flatten(x, leaves) for x in tree))
    leaves.append(tree)
    return LEAF


def tree_unflatten(leaves, spec):
    """The pytree of structure ``spec`` holding ``leaves`` (inverse of ``tree_flatten``)."""
    leaves = list(leaves)
    if len(leaves) != spec.num_leaves:
        raise ValueError(
            f"tree_unflatten: the spec {spec!r} has {spec.num_leaves} leaves, got "
            f"{len(leaves)} values"
        )
    it = iter(leaves)
    return _build(spec, it)


def _build(spec, it):
    kind = spec.kind
    if kind is None:
        return next(it)
    children = [_build(c, it) for c in spec.children]
    if kind is dict:
        return dict(zip(spec.context, children))
    if kind is tuple or kind is list:
        return kind(children)
    return kind(*children)  # a namedtuple


def tree_map(fn, tree):
    """``tree`` with every leaf ``x`` replaced by ``fn(x)``."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix, spec, what="in_dims"):
    """Expand ``prefix`` (a pytree whose leaves apply to whole subtrees of ``spec``) to
    one value per leaf of ``spec``; None on a mismatch of structure."""
    out = []
    if not _broadcast(prefix, spec, out):
        return None
    return out


def _broadcast(prefix, spec, out):
    if spec.kind is None or not (
        type(prefix) in (tuple, list) or isinstance(prefix, dict) or _is_namedtuple(prefix)
    ):
        out.extend([prefix] * spec.num_leaves)
        return True
    if isinstance(prefix, dict):
        if spec.kind is not dict or set(prefix) != set(spec.context):
            return False
        return all(_broadcast(prefix[k], c, out) for k, c in zip(spec.context, spec.children))
    if type(prefix) is not spec.kind or len(prefix) != len(spec.children):
        return False
    return all(_broadcast(p, c, out) for p, c in zip(prefix, spec.children))


# ---------------------------------------------------------------- NumPy at the edges
def has_numpy(tree):
    """Whether any leaf of ``tree`` is a NumPy array or NumPy scalar."""
    leaves, _ = tree_flatten(tree)
    return any(isinstance(x, (np.ndarray, np.generic)) for x in leaves)


def to_tensors(tree):
    """``tree`` with NumPy arrays and NumPy scalars replaced by tensors (sharing memory,
    dtype kept)."""

    def convert(x):
        if isinstance(x, np.ndarray):
            return _from_array(x)
        if isinstance(x, np.generic):
            return _from_array(np.asarray(x))
        return x

    return tree_map(convert, tree)


def _from_array(array):
    from ..creation import as_tensor

    return as_tensor(array)


def to_numpy(tree):
    """``tree`` with tensors replaced by NumPy arrays (detached; memory shared)."""
    return tree_map(lambda x: x.detach().numpy() if isinstance(x, Tensor) else x, tree)
