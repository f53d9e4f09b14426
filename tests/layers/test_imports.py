"""The import rules import-linter cannot state (README, "Layout"; issue 15).

- An import inside a function dodges the import order: each one says why, on its line or in a comment just
  above it, so the dodge is a decision and not a habit.
- A blueprint's views are its own: no other package imports them (only the app factory registers them).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules():
    for path in sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "workers").rglob("*.py")]):
        yield path.relative_to(ROOT), path.read_text(encoding="utf-8")


def _function_imports(text: str):
    """The `from app… import` statements inside functions, with their line numbers."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("app"):
                    yield inner.lineno


def _explained(lines: list[str], number: int) -> bool:
    """A comment on the import's line, or on the line above its run of imports."""
    index = number - 1
    if "#" in lines[index]:
        return True
    above = index - 1
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def test_every_import_inside_a_function_says_why():
    unexplained = []
    for path, text in _modules():
        lines = text.splitlines()
        unexplained += [f"{path}:{n}: {lines[n - 1].strip()}" for n in sorted(set(_function_imports(text)))
                        if not _explained(lines, n)]
    assert unexplained == [], "imports inside functions without a comment saying why:\n" + "\n".join(unexplained)


def test_no_package_imports_another_packages_views():
    found = []
    for path, text in _modules():
        if path == Path("app/__init__.py"):
            continue  # the factory registers every blueprint
        package = path.parts[1]
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".views"):
                parts = node.module.split(".")
                if parts[0] == "app" and len(parts) > 2 and parts[1] != package:
                    found.append(f"{path}:{node.lineno}: from {node.module} import …")
    assert found == [], "views imported by another package:\n" + "\n".join(found)
