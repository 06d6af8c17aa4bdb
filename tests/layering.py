"""Imports point down only: the core never imports nn, optim, utils, viz or the CLI."""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "src" / "chainrule"
CORE = {"_dtype", "_tensor", "_node", "_grad_mode", "_format", "creation", "ops", "autograd"}
UPPER = {"nn", "optim", "utils", "viz", "func", "serialization", "cli"}


def _imported_top_modules(path):
    """chainrule sub-packages that ``path`` imports (relative or absolute)."""
    tree = ast.parse(path.read_text())
    rel = path.relative_to(PACKAGE)
    depth = len(rel.parts) - 1
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel.parts[: depth - node.level + 1]) if node.level <= depth else []
                parts = base + (node.module.split(".") if node.module else [])
                if not parts:
                    parts = [alias.name for alias in node.names]
                found.add(parts[0])
            elif node.module and node.module.startswith("chainrule."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("chainrule."):
                    found.add(alias.name.split(".")[1])
    return found


def test_core_does_not_import_upper_layers():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if top in CORE:
            bad = _imported_top_modules(path) & UPPER
            if bad:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not offenders, offenders


def test_upper_layers_do_not_import_the_cli():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if top in UPPER - {"cli"} and "cli" in _imported_top_modules(path):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert not offenders, offenders


def test_checker_sees_a_violation(tmp_path, monkeypatch):
    fake = PACKAGE / "ops" / "_layering_probe.py"
    assert not fake.exists()
    tree_text = "from ..nn import Module\n"
    monkeypatch.setattr(pathlib.Path, "read_text", lambda self: tree_text)
    assert "nn" in _imported_top_modules(fake)
