"""``explain``: the backward pass as numbered chain-rule steps in plain words.

The steps go from the output back to the leaves, depth first, the order a person uses on
paper: the output's own gradient (∂L/∂L = 1), then the first input of the last op and
everything behind it, then the next input.  There is one step per edge.  Each step names the
local derivative of the op, the gradient that has arrived from the output, and their
product; when a value is used several times (by several ops, or twice by one op as in
``x + x``), each step gives that use's share and the step for its last use adds them up.
The numbers come from the engine (see ``chainrule.viz``), the words from ``_ops``.  Values
that ``backward()`` freed are named as such, with a closing note on how to keep them.
"""

from typing import NamedTuple

from . import _trace
from ._format import FREED, number, one_line
from ._ops import TIGHT

__all__ = ["Step", "explain", "steps"]


class Step(NamedTuple):
    """One step: ``edge`` (an index into the trace's edges) gets its gradient, ``grad``."""

    number: int
    edge: int
    text: str
    markdown: str
    grad: object


def explain(tensor, format="text", names=None, module=None, file=None):
    """Explain the backward pass from ``tensor`` as numbered chain-rule steps.

    For ``L = (a + 3b)·c²`` at ``a, b, c = 2, 3, 4`` the steps find, in this order,
    ∂L/∂L = 1, ∂L/∂q = 16, ∂L/∂a = 16, ∂L/∂(3b) = 16, ∂L/∂b = 48, ∂L/∂r = 11, ∂L/∂c = 88.

    Args:
        tensor: the output, usually a scalar loss.  If no backward pass has gone through it
            yet, one is run without touching any ``.grad`` (see ``chainrule.viz``).
        format: ``'text'`` (Unicode, one step per line) or ``'markdown'`` (a numbered list).
        names: optional ``{name: tensor}``, as for ``draw``; name intermediate values
            (``{'q': q, 'r': r}``) to have the steps use your names.
        module: an ``nn.Module`` whose parameter names to use, as for ``draw``.
        file: where to also print the explanation (e.g. ``sys.stdout``); by default
            nothing is printed.

    Returns:
        The explanation as a string.

    Example::

        >>> print(chainrule.viz.explain(L, names={'q': q, 'r': r}))
    """
    if format not in ("text", "markdown"):
        raise ValueError(f"explain: format must be 'text' or 'markdown', got {format!r}")
    trace = _trace.trace(tensor, names=names, module=module, grads=True)
    found = steps(trace)
    out = trace.output.name
    if format == "text":
        lines = [f"Backpropagation through {out}, one step per edge, back to the inputs:"]
        width = len(str(len(found)))
        lines += [f"{s.number:>{width}}. {s.text}" for s in found]
    else:
        title = f"**Backpropagation through {_md(out)}**, one step per edge, back to the inputs:"
        lines = [title, ""]
        lines += [f"{s.number}. {s.markdown}" for s in found]
    if trace.freed:
        lines += [
            "",
            (
                f"Values marked '{FREED}' (and their gradients) were released by "
                f"backward() to save memory; explain before backward, or pass "
                f"retain_graph=True, to see them."
            ),
        ]
    result = "\n".join(lines) + "\n"
    if file is not None:
        print(result, end="", file=file)
    return result


def steps(trace):
    """The steps for a trace with gradients, one per edge, in backward order."""
    index = {id(e): i for i, e in enumerate(trace.edges)}
    order = trace.backward_order()
    rank = {v: i for i, v in enumerate(order)}
    found = []
    for v in order[1:]:
        uses = sorted(v.uses, key=lambda e: rank[e.dst])
        for k, e in enumerate(uses):
            last = len(uses) > 1 and k == len(uses) - 1
            plain, md = _sentence(trace, e, uses if last else None)
            found.append(Step(len(found) + 1, index[id(e)], plain, md, e.grad))
    return found


def _d(v):
    """The name of a value as it stands after ∂: brackets around a sum or product."""
    return v.name if v.prec >= TIGHT else f"({v.name})"


def _factor(x):
    """A number as a factor in a product: negative numbers in brackets."""
    text = number(x)
    return f"({text})" if text.startswith("-") else text


def _md(text):
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def _sentence(trace, e, summed):
    """Plain and Markdown text of the step for edge ``e``; ``summed`` is the list of all
    the uses of ``e.src`` when this step is its last one."""
    x, y, out = e.src, e.dst, trace.output
    L = out.name
    many = len(x.uses) > 1
    if y is out:
        if out.value.size == 1:
            lead = f"∂{L}/∂{L} = {number(out.grad)}"
            why = "We start at the output: the derivative of a value with respect to itself is 1."
        else:
            lead = f"∂{L}/∂{L} = {one_line(out.grad)}"
            why = "We start at the output with the gradient that was passed to backward()."
        return lead + ". " + why, f"**{_md(lead)}.** {_md(why)}"
    if e.grad is not None:
        share = one_line(e.grad)
    else:
        share = one_line(None, x.shape) if x.value is None else "not recorded separately"
    lead = f"∂{L}/∂{_d(x)} through {_use(e)} = {share}" if many else f"∂{L}/∂{_d(x)} = {share}"
    why = _reason(trace, e)
    if summed is not None:
        why += " " + _sum(trace, x, summed)
    return lead + ". " + why, f"**{_md(lead)}.** {_md(why)}"


_ORDINAL = ("1st", "2nd", "3rd")


def _use(e):
    """Which use of ``e.src`` edge ``e`` is: the op's label, and which of its inputs when the
    value goes into that op more than once (``x + x``)."""
    same = [u for u in e.src.uses if u.dst is e.dst]
    alike = {u.dst for u in e.src.uses if u.dst.label == e.dst.label}
    op = e.dst.label if len(alike) == 1 else f"the {e.dst.label} that makes {e.dst.name}"
    if len(same) == 1:
        return op
    k = sorted(u.slot for u in same).index(e.slot)
    return f"{op} ({_ORDINAL[k] if k < 3 else f'{k + 1}th'} input)"


def _arrived(y, L):
    """The gradient that has reached op ``y``, as text."""
    if y.grad is not None:
        return f"∂{L}/∂{_d(y)} = {one_line(y.grad)}"
    return f"∂{L}/∂{_d(y)} ({one_line(None, y.shape) if y.value is None else 'not recorded'})"


def _reason(trace, e):
    """Why the gradient along ``e`` is what it is: the local derivative times the gradient
    that has reached the op."""
    x, y, L = e.src, e.dst, trace.output.name
    row = y.row
    site = _trace.Site(y)
    how = row.how[e.slot](site) if row is not None and e.slot < len(row.how) else None
    if e.local is not None and how is not None:
        words = row.deriv[e.slot](site) if e.slot < len(row.deriv) else None
        local = number(e.local)
        formula = f"{words} = {local}" if words and words != local else local
        text = f"How did we get from {x.name} to {y.name}? {how}. "
        if y.uses and y.uses[0].dst is trace.output:
            if len(x.uses) > 1:
                return text + f"So the share of ∂{L}/∂{_d(x)} along this edge is {formula}."
            return text + f"So ∂{L}/∂{_d(x)} = {formula}."
        share = "?" if e.grad is None else number(e.grad)
        return (
            text + f"So ∂{_d(y)}/∂{_d(x)} = {formula}. Times the gradient so far, "
            f"∂{L}/∂{_d(y)} = {number(y.grad)}, that gives {number(y.grad)} · "
            f"{_factor(e.local)} = {share}."
        )
    op = y.op or "the op"
    if e.grad is None:
        why = (
            "backward() freed it"
            if x.value is None or y.value is None
            else "it is not recorded on its own"
        )
        return (
            f"{x.name} goes into {y.label}; the engine's rule for {op} sends it a share of "
            f"∂{L}/∂{_d(y)}, but {why}."
        )
    return (
        f"{x.name} goes into {y.label}; the engine's rule for {op} (a vector-Jacobian "
        f"product) takes {_arrived(y, L)} back to this input."
    )


_TIMES = {1: "once", 2: "twice"}


def _uses(x, uses):
    """``a feeds 2 ops``, ``x is used twice, both times by +``, or a count per op."""
    ops = list(dict.fromkeys(e.dst for e in uses))
    n = len(uses)
    if len(ops) == n:
        return f"{x.name} feeds {n} ops"
    count = _TIMES.get(n, f"{n} times")
    if len(ops) == 1:
        return f"{x.name} is used {count}, {'both' if n == 2 else 'all'} times by {ops[0].label}"
    labels = [y.label for y in ops]
    each = ", ".join(
        f"{_TIMES.get(k, f'{k} times')} by "
        + (y.label if labels.count(y.label) == 1 else f"the {y.label} that makes {y.name}")
        for y in ops
        for k in [sum(e.dst is y for e in uses)]
    )
    return f"{x.name} is used {count} ({each})"


def _sum(trace, x, uses):
    """The sentence that adds the shares of a value used several times."""
    L = trace.output.name
    if x.grad is not None:
        total = one_line(x.grad)
    else:
        total = one_line(None, x.shape) if x.value is None else "not recorded"
    head = (
        f"{_uses(x, uses)}, so its gradient is the sum of the shares that come back "
        f"along each: ∂{L}/∂{_d(x)} = "
    )
    if all(e.grad is not None and e.grad.size == 1 for e in uses):
        parts = number(uses[0].grad)
        for e in uses[1:]:
            text = number(e.grad)
            parts += f" - {text[1:]}" if text.startswith("-") else f" + {text}"
        return head + f"{parts} = {total}."
    return head + f"{total}."
