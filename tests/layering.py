"""The import contract: layers, lowest first, and imports point down only.

Every module under src/chainrule is parsed (AST, not imported) and every import in it is
checked, those inside functions (lazy imports) as much as those at the top: a module may
import its own layer and the layers below it. The few upward imports the design keeps are
listed in ``UPWARD`` with the reason; anything else fails the test naming the module, the
line and both layers.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "src" / "chainrule"

# Lowest first. A module's layer is that of its first component below chainrule
# (chainrule.ops.shape -> "ops"). "chainrule" is the package's __init__, the public
# namespace: libraries use it, the core must not (it imports everything, libraries
# included, as torch/__init__ does, and only the edge is above it).
LAYERS = [
    ("base", {"_dtype", "_grad_mode", "_backend", "_device", "_runtime"}),
    ("node", {"_capture", "_node", "_format"}),
    ("tensor", {"_tensor", "_shape", "_construct"}),
    ("ops", {"ops"}),
    ("creation", {"creation", "random", "histogram"}),
    ("autograd", {"autograd"}),
    ("public namespace", {"chainrule", "accelerator", "backends", "linalg"}),
    ("libraries on the core", {"distributed", "distributions", "func", "serialization"}),
    ("libraries", {"nn", "optim", "utils", "viz"}),
    ("edge", {"cli", "__main__"}),
]
LAYER_OF = {name: i for i, (_, names) in enumerate(LAYERS) for name in names}

# Upward imports kept for now, (importer, imported) -> why; each must stay inside a
# function (a module-level one is an import cycle). They are Tensor methods and operand
# conversions that build tensors with the creation functions.  The tensor constructor and
# the shape helpers sit below the ops (_construct, _shape), so an op reaches them directly;
# test_upward_exceptions_are_still_there keeps this list to what is really used.
UPWARD = {
    ("chainrule._tensor", "chainrule.creation"): "Tensor(*args), the legacy constructor",
    ("chainrule._tensor", "chainrule.autograd.engine"): "retain_grad accumulates as the engine",
    ("chainrule.ops.rnn_ops", "chainrule.autograd.engine"): "gradients of gradients through a "
    "fused recurrent layer differentiate its recurrence recomputed as a graph",
    ("chainrule.ops.conversion", "chainrule.creation"): "FloatTensor(...) and the other legacy "
    "types construct with tensor/zeros",
    ("chainrule.ops.inplace", "chainrule.creation"): "random fills draw from the default generator",
    ("chainrule.ops.methods", "chainrule.creation"): "Tensor.new_tensor/new_zeros/... are the "
    "creation functions",
    ("chainrule.ops.methods", "chainrule.random"): "Tensor.bernoulli/multinomial",
    ("chainrule.ops.methods", "chainrule.histogram"): "Tensor.histc/histogram",
    ("chainrule.ops.resample", "chainrule.creation"): "circular pad and adaptive pooling start "
    "from zeros()",
}


def module_name(path):
    """chainrule.ops.shape for src/chainrule/ops/shape.py (packages: their __init__)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(dotted):
    """Whether ``dotted`` (chainrule.x.y) names a module or package of the source tree."""
    rel = pathlib.Path(*dotted.split(".")[1:]) if "." in dotted else pathlib.Path()
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def imports(path):
    """(line, imported chainrule module, inside a function?) for every import in ``path``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, lazy):
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "chainrule":
                        found.append((child.lineno, alias.name, inner))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                if source.split(".")[0] != "chainrule":
                    continue
                for alias in child.names:  # `from x import y`: y may be a submodule
                    sub = f"{source}.{alias.name}"
                    found.append((child.lineno, sub if is_module(sub) else source, inner))
            visit(child, inner)

    visit(tree, False)
    return found


def layer(dotted):
    parts = dotted.split(".")
    return LAYER_OF[parts[1] if len(parts) > 1 else "chainrule"]


def violations(paths):
    """Every import of ``paths`` that points up, except those in UPWARD."""
    bad = []
    edge = LAYER_OF["cli"]
    for path in paths:
        importer = module_name(path)
        mine = layer(importer)
        for line, target, lazy in imports(path):
            theirs = layer(target)
            if importer == "chainrule":  # the namespace re-exports everything but the edge
                if theirs < edge:
                    continue
            elif theirs <= mine or (lazy and (importer, target) in UPWARD):
                continue
            where = "inside a function" if lazy else "at module level"
            bad.append(
                f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} {where}: "
                f"layer '{LAYERS[mine][0]}' must not import layer '{LAYERS[theirs][0]}'"
            )
    return bad


def sources():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_layer():
    unknown = sorted(
        {module_name(p).split(".")[1] for p in sources() if "." in module_name(p)} - set(LAYER_OF)
    )
    assert not unknown, f"modules with no layer in LAYERS (add them): {unknown}"


def test_imports_point_down_only():
    bad = violations(sources())
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_upward_exceptions_are_still_there():
    """An exception in UPWARD that the code no longer needs is removed from the list."""
    present = {(module_name(p), t) for p in sources() for _, t, _ in imports(p)}
    stale = sorted(set(UPWARD) - present)
    assert not stale, f"UPWARD lists imports that no longer exist: {stale}"


@pytest.mark.parametrize(
    "module, text",
    [
        ("ops/_layering_probe.py", "from ..nn import Module\n"),  # core -> library
        ("ops/_layering_probe.py", "def f():\n    from .. import creation\n"),  # lazy, up
        ("_tensor_probe.py", "import chainrule.autograd\n"),  # absolute form
        ("nn/_layering_probe.py", "from ..cli import main\n"),  # library -> edge
    ],
)
def test_the_checker_sees_a_violation(module, text, monkeypatch):
    probe = PACKAGE / module
    assert not probe.exists()
    monkeypatch.setattr(pathlib.Path, "read_text", lambda self, *a, **k: text)
    if module == "_tensor_probe.py":  # a module of the tensor layer
        monkeypatch.setitem(LAYER_OF, "_tensor_probe", LAYER_OF["_tensor"])
    assert violations([probe]), f"{module}: {text!r} was not reported"
