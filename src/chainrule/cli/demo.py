"""``python -m chainrule demo``: the textbook's backpropagation example, run and drawn.

Without options it runs ``L = (a + 3b)·c²`` at ``a, b, c = 2, 3, 4`` exactly as the
textbook's PyTorch snippet does, printing the same lines; then it explains the backward
pass step by step and writes the forward picture, the forward-and-backward picture and the
interactive page into ``--out``.  ``--expr`` and ``--values`` do the same for any expression
of named scalars.  The expression is parsed with ``ast`` and checked against an allow-list
(numbers, names, ``+ - * / **``, unary minus, a few functions); it is never ``eval``-ed.
"""

import ast
import os
import sys

__all__ = [
    "FUNCTIONS",
    "ExpressionError",
    "evaluate",
    "parse_expression",
    "parse_values",
    "register",
    "run",
]

FUNCTIONS = ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sqrt", "abs")
TEXTBOOK = "(a + 3*b) * c**2"
TEXTBOOK_VALUES = {"a": 2.0, "b": 3.0, "c": 4.0}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_FILES = ("forward.svg", "forward.png", "backward.svg", "backward.png", "backprop.html")


class ExpressionError(ValueError):
    """A bad ``--expr`` or ``--values``; the message is one line for the user."""


def register(subparsers):
    """Add the ``demo`` command to an argparse ``subparsers`` object."""
    parser = subparsers.add_parser(
        "demo",
        help="run the textbook's backpropagation example and draw it",
        description="Run L = (a + 3b)·c² (or your own expression), print what PyTorch prints, "
        "explain the backward pass step by step, and write pictures and an "
        "interactive page.",
    )
    parser.add_argument(
        "--out",
        default="chainrule-demo",
        metavar="DIR",
        help="folder for the pictures and the page (default: ./chainrule-demo)",
    )
    parser.add_argument(
        "--expr",
        metavar="EXPR",
        help=f"an expression of named scalars, e.g. {TEXTBOOK!r}; functions: "
        + ", ".join(FUNCTIONS),
    )
    parser.add_argument(
        "--values",
        metavar="NAME=NUMBER,...",
        help="the value of each name in the expression, e.g. a=2,b=3,c=4",
    )
    parser.set_defaults(run=run)
    return parser


def run(args):
    """Run the demo; return the exit code (2 for a bad expression or values)."""
    try:
        values = parse_values(args.values) if args.values is not None else None
        if args.expr is None:
            values = _checked(values or TEXTBOOK_VALUES, parse_expression(TEXTBOOK))
            return _textbook(values, args.out)
        tree = parse_expression(args.expr)
        return _expression(tree, _checked(values or {}, tree), args.out)
    except ExpressionError as e:
        print(f"chainrule demo: error: {e}", file=sys.stderr)
        return 2


# ------------------------------------------------------------------ the safe parser
def parse_expression(text):
    """Parse ``text`` into an ``ast.Expression`` that uses only allowed constructs."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        raise ExpressionError(
            f"cannot parse the expression {text!r}: {getattr(e, 'msg', None) or e}"
        ) from None
    for node in ast.walk(tree):
        _check_node(node)
    return tree


def _check_node(node):
    if isinstance(node, (ast.Expression, ast.Load, ast.UAdd, ast.USub, ast.Name)):
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(f"operator {_show(node)} is not allowed; use + - * / **")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            raise ExpressionError(f"operator in {_show(node)} is not allowed; use + - * / **")
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"{_show(node)} is not a number")
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"{_show(node.func)} is not an allowed function; use one of {', '.join(FUNCTIONS)}"
            )
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(f"{name}() takes exactly one argument, in {_show(node)}")
    elif not isinstance(node, tuple(_BINARY)):
        raise ExpressionError(
            f"{_show(node)} is not allowed in an expression: use numbers, "
            f"names, + - * / **, and the functions {', '.join(FUNCTIONS)}"
        )


def _show(node):
    try:
        return repr(ast.unparse(node))
    except (AttributeError, ValueError):
        return type(node).__name__


def variables(tree):
    """The names an expression uses (not its functions), in order of first use."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    used = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called]
    used.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in used))


def parse_values(text):
    """``"a=2,b=3"`` -> ``{"a": 2.0, "b": 3.0}``."""
    values = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, number = (s.strip() for s in part.partition("="))
        if not sep or not name.isidentifier():
            raise ExpressionError(f"bad value {part!r}: write NAME=NUMBER, e.g. a=2")
        if name in values:
            raise ExpressionError(f"{name} is given twice in --values")
        try:
            values[name] = float(number)
        except ValueError:
            raise ExpressionError(f"bad value for {name}: {number!r} is not a number") from None
    return values


def _checked(values, tree):
    """The values of the expression's names, in order; complain about missing or extra ones."""
    names = variables(tree)
    missing = [n for n in names if n not in values]
    if missing:
        raise ExpressionError(
            f"no value for {', '.join(missing)}: add --values "
            + ",".join(f"{n}=..." for n in missing)
        )
    extra = [n for n in values if n not in names]
    if extra:
        raise ExpressionError(
            f"--values gives {', '.join(extra)}, which the expression does not use"
        )
    if not names:
        raise ExpressionError(
            "the expression has no names to differentiate by; use e.g. 'x**2' with --values x=3"
        )
    return {n: values[n] for n in names}


def evaluate(tree, env, lib, dtype=None):
    """Compute a checked expression with library ``lib`` (chainrule, or torch in tests);
    ``env`` maps names to tensors.  A function of numbers only (``tanh(0.5)``) gets a constant
    tensor of ``dtype`` (default: the library's default dtype), which needs no gradient."""
    node = tree.body if isinstance(tree, ast.Expression) else tree
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        x = evaluate(node.operand, env, lib, dtype)
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.Call):
        x = evaluate(node.args[0], env, lib, dtype)
        return getattr(lib, node.func.id)(_as_tensor(x, lib, dtype))
    a, b = evaluate(node.left, env, lib, dtype), evaluate(node.right, env, lib, dtype)
    op = _BINARY[type(node.op)]
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return a**b


def _as_tensor(x, lib, dtype):
    return x if isinstance(x, lib.Tensor) else lib.tensor(float(x), dtype=dtype)


# ------------------------------------------------------------------ the two scripts
def _textbook(values, out):
    """The textbook's snippet, line for line, then the explanation and the pictures."""
    import chainrule as torch
    from chainrule import viz  # noqa: F401 -- opens the picture capture before the graph

    a, b, c = (torch.tensor(values[n], requires_grad=True, name=n) for n in "abc")
    for name in "abc":
        print(f">>> {name} = torch.tensor({_number(values[name])}, requires_grad=True)")
    print(">>> q = a + 3 * b\n>>> r = c ** 2\n>>> print(q, r)")
    q = a + 3 * b
    r = c**2
    print(q, r)
    print(">>> L = q * r\n>>> L")
    L = q * r
    print(L)
    return _finish(L, [a, b, c], {"q": q, "r": r, "L": L}, out)


def _expression(tree, values, out):
    import chainrule as torch
    from chainrule import viz  # noqa: F401 -- opens the picture capture before the graph

    leaves = [torch.tensor(v, requires_grad=True, name=n) for n, v in values.items()]
    for n, v in values.items():
        print(f">>> {n} = torch.tensor({_number(v)}, requires_grad=True)")
    print(f">>> L = {ast.unparse(tree)}\n>>> L")
    L = evaluate(tree, dict(zip(values, leaves)), torch)
    print(L)
    return _finish(L, leaves, {"L": L}, out)


def _finish(L, leaves, names, out):
    from chainrule import viz

    os.makedirs(out, exist_ok=True)
    forward = viz.draw(L, names=names, show_grad=False)
    forward.save(os.path.join(out, "forward.svg"))
    forward.save(os.path.join(out, "forward.png"))
    print(">>> L.backward()")
    L.backward()
    print(f">>> print({', '.join(t.name + '.grad' for t in leaves)})")
    print(*(t.grad for t in leaves))
    print()
    print(viz.explain(L, names=names), end="")
    backward = viz.draw(L, names=names)
    backward.save(os.path.join(out, "backward.svg"))
    backward.save(os.path.join(out, "backward.png"))
    viz.to_html(L, os.path.join(out, "backprop.html"), names=names)
    print(f"\nWrote {', '.join(_FILES)} to {os.path.abspath(out)}")
    print(
        f"Open {os.path.join(os.path.abspath(out), 'backprop.html')} in a browser to step "
        f"through the backward pass."
    )
    return 0


def _number(x):
    return f"{x:g}." if float(x).is_integer() else f"{x:g}"
