"""The layers hold: which package may import which, counting imports inside functions, and
no import cycles at all. Read from the source with ast, so nothing is imported to check."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kernels", "tui_backprop")

#: layer -> the layers of this project it may import (besides itself).
ALLOWED = {
    "kernels": set(),
    "core": {"kernels"},
    "teach": {"core", "kernels"},
    "io": {"core", "teach"},
    "app": {"core", "teach", "io", "kernels"},
    "estimators": {"core", "io", "app", "kernels"},
    "cli": {"core", "teach", "io", "app", "estimators", "kernels", "package"},
    "package": {"estimators", "cli"},  # tui_backprop/__init__.py and __main__.py
}
#: Third-party packages a layer must not import.
FORBIDDEN = {
    "kernels": {"textual", "rich", "plotext", "textual_plotext", "argparse", "sklearn"},
    "core": {"textual", "rich", "plotext", "textual_plotext", "argparse", "sklearn"},
    "teach": {"textual", "rich", "plotext", "textual_plotext", "argparse", "sklearn"},
    "io": {"textual", "rich", "plotext", "textual_plotext", "argparse", "sklearn"},
    "app": {"argparse"},
    "estimators": {"argparse"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "kernels":
        return "kernels"
    if len(parts) == 1 or parts[1] == "__main__":
        return "package"
    return parts[1]


def source_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


MODULES = frozenset(module_name(p) for p in source_files())


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (functions included), as absolute
    names; ``from x import y`` counts as importing x.y when that is a module, else x."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in MODULES else target)
    return found


def project_modules() -> set[str]:
    return set(MODULES)


def graph() -> dict[str, set[str]]:
    """module -> the project's modules it imports."""
    modules = project_modules()
    return {
        module_name(p): {m for m in imports_of(p) if m in modules and m != module_name(p)}
        for p in source_files()
    }


def test_the_checker_sees_imports_inside_functions(tmp_path):
    path = ROOT / "tui_backprop" / "cli" / "main.py"
    assert "tui_backprop.io.lessons" in imports_of(path)  # imported inside invocation()


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_the_layers_below_it(path):
    module = module_name(path)
    layer = layer_of(module)
    modules = project_modules()
    for imported in imports_of(path):
        top = imported.split(".")[0]
        assert top not in FORBIDDEN.get(layer, set()), f"{module} imports {imported}"
        if imported in modules:
            other = layer_of(imported)
            assert other == layer or other in ALLOWED[layer], f"{module} imports {imported}"


def test_only_the_command_line_knows_argparse():
    users = {module_name(p) for p in source_files() if "argparse" in imports_of(p)}
    assert users and all(m.startswith("tui_backprop.cli.") for m in users), users


def test_no_import_cycles():
    edges = graph()
    # A package imports its own modules through __init__ only when it re-exports them;
    # that is not a cycle of meaning, but it is one of imports, and there are none.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for other in sorted(edges[module]):
            if state.get(other) == 1:
                cycle = stack[stack.index(other) :] + [other]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if other not in state:
                visit(other)
        stack.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
