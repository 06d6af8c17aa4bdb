"""Every row of the op table is reached by at least one OP_DB entry.

Each entry runs twice on chainrule (float64 where it allows) with drawn inputs: its values,
its gradients, and for entries flagged ``gradgrad`` its gradients with ``create_graph=True``
(upstream gradients requiring grad, as in gradgradcheck) and its second derivatives.
Every node reachable from the outputs and from the create_graph gradients through
``grad_fn`` / ``next_functions`` names its row (``type(node).op``). A row that no entry
reaches has no differential test: add an entry to tests/op_db.py.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from op_db import OP_DB, MissingAPI, build_args, flatten_outputs, grad_positions

import chainrule
from chainrule.ops._registry import OpDef

# Rows that no OP_DB entry can reach by design, by grad_fn name, each with the reason.
# (Custom Function rows are made with public=False and are not in OPS at all.)
UNREACHABLE = {}

EXAMPLES = 2  # drawn inputs per entry: rows do not depend on the values


def table_rows():
    """Every row (OpDef) of chainrule's op table: ``OPS`` may be keyed by row (a dict whose
    keys are the rows), map names to rows (its values), or be a set or list of rows."""
    ops = chainrule.ops.OPS
    found = [*ops.keys(), *ops.values()] if isinstance(ops, dict) else list(ops)
    return {r for r in found if isinstance(r, OpDef)}


def rows_in_graph(tensors, rows):
    """Add to ``rows`` the row of every node reachable from ``tensors`` (no recursion)."""
    stack = [t.grad_fn for t in tensors if isinstance(t, chainrule.Tensor) and t.grad_fn]
    seen = set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        op = getattr(type(node), "op", None)
        if isinstance(op, OpDef):
            rows.add(op)
        stack.extend(n for n, _ in node.next_functions)
    return rows


def _tensor(arr, like, requires_grad=False):
    return chainrule.tensor(arr, dtype=like.dtype, requires_grad=requires_grad)


def rows_of_one_run(entry, items, rows):
    """The rows one run of ``entry`` reaches: forward, create_graph backward, second order."""
    dtype = "float64" if "float64" in entry.dtypes else entry.dtypes[0]
    pos = grad_positions(entry, items, dtype)
    args, leaves = build_args(chainrule, items, dtype, pos)
    outs = [o for o in flatten_outputs(entry.fn(chainrule, *args)) if o is not None]
    rows_in_graph(outs, rows)
    diff = [o for o in outs if isinstance(o, chainrule.Tensor) and o.requires_grad]
    if not (entry.differentiable and entry.backward and leaves and diff):
        return rows
    rng = np.random.default_rng(0)
    gs = [_tensor(rng.standard_normal(tuple(o.shape)), o) for o in diff]
    if not entry.gradgrad:  # first order only: the gradients have no graph
        chainrule.autograd.grad(diff, leaves, gs, allow_unused=True)
        return rows
    # upstream gradients that require grad (as in gradgradcheck): the gradient of a map
    # that is linear in its input still records the rows it applies to them
    gs = [_tensor(g.numpy(), g, requires_grad=True) for g in gs]
    grads = chainrule.autograd.grad(diff, leaves, gs, create_graph=True, allow_unused=True)
    rows_in_graph(grads, rows)
    terms = [
        (g * _tensor(rng.standard_normal(tuple(g.shape)), g)).sum()
        for g in grads
        if g is not None and g.requires_grad
    ]
    if terms:  # the second derivative runs (its formulas are rows of the graph walked)
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        rows_in_graph([total], rows)
        chainrule.autograd.grad(total, leaves, allow_unused=True)
    return rows


def rows_reached_by(entry, errors=None):
    """The rows that ``EXAMPLES`` drawn runs of ``entry`` reach. A run that raises is the
    differential suite's failure to report; here it is noted in ``errors`` (name -> error)
    and reaches what it reached before it failed."""
    rows = set()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(items=entry.inputs)
    def run(items):
        try:
            rows_of_one_run(entry, items, rows)
        except MissingAPI:
            pass
        except Exception as e:  # reported by test_every_row_is_reached_by_an_entry
            if errors is None:
                raise
            errors.setdefault(entry.name, f"{type(e).__name__}: {e}")

    run()
    return rows


@pytest.fixture(scope="module")
def reached():
    """(row -> names of the entries that reach it, entry name -> error of a failed run)."""
    by_row, errors = {}, {}
    for entry in OP_DB:
        for row in rows_reached_by(entry, errors):
            by_row.setdefault(row, []).append(entry.name)
    return by_row, errors


def test_every_row_is_reached_by_an_entry(reached):
    by_row, errors = reached
    rows = table_rows()
    missing = sorted(r.name for r in rows if r not in by_row and r.name not in UNREACHABLE)
    failed = "".join(f"\n  {name}: {err}" for name, err in sorted(errors.items()))
    assert not missing, (
        f"{len(missing)} of {len(rows)} rows of the op table are reached by no OP_DB entry "
        f"(add one to tests/op_db.py): {', '.join(missing)}"
        + (
            f"\nentries whose runs raised (see tests/ops/differential.py):{failed}"
            if failed
            else ""
        )
    )


def test_exclusions_name_rows_of_the_table():
    names = {r.name for r in table_rows()}
    stale = sorted(set(UNREACHABLE) - names)
    assert not stale, f"UNREACHABLE names rows that are not in the op table: {stale}"


def test_the_walk_finds_the_rows_of_a_known_graph():
    """The checker can fail: a product of two inputs reaches MulBackward0, and its second
    order adds nothing the table lacks."""
    entry = next(e for e in OP_DB if e.name == "mul.operator")
    names = {r.name for r in rows_reached_by(entry)}
    assert "MulBackward0" in names
    assert table_rows(), "no rows found in chainrule.ops.OPS"
