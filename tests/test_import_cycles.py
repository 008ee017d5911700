"""No two modules of ipcenter lean on each other, however long the way round and however hidden the import.

Imports inside functions count (they only put the cycle off until the call); a package's `__init__` is a module
like any other; imports under `if TYPE_CHECKING:` never run and do not count.
"""
import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import ipcenter

PACKAGE_ROOT = Path(ipcenter.__file__).parent


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name; a package is named by its `__init__.py`."""
    modules = {}
    for path in PACKAGE_ROOT.rglob("*.py"):
        parts = ("ipcenter", *path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = module_files()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", None) == "TYPE_CHECKING"


def _import_statements(node: ast.AST):
    """Every import statement under `node`, in functions too, except those only a type checker runs."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child):
            for statement in child.orelse:
                yield from _import_statements(ast.Module(body=[statement], type_ignores=[]))
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        yield from _import_statements(child)


def _ipcenter_module(name: str) -> str | None:
    """The ipcenter module `name` loads: itself, or the nearest enclosing one (a class imported from it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(module: str, statement: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    base = statement.module or ""
    if statement.level:
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        anchor = package[:len(package) - statement.level + 1]
        base = ".".join(anchor + ([statement.module] if statement.module else []))
    # `from package import module` loads that module; `from module import name` loads the module.
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in statement.names]


def imports_of(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = {_ipcenter_module(name) for statement in _import_statements(tree)
             for name in _imported_names(module, statement)}
    return found - {None, module}


def test_the_walk_sees_imports_inside_functions_and_skips_type_checking_blocks():
    assert "ipcenter.cases.operations" in imports_of("ipcenter.cli")  # inside register_commands
    assert "ipcenter.accounts.models" not in imports_of("ipcenter.cases.models")  # under TYPE_CHECKING only


def test_no_import_cycle_between_ipcenter_modules():
    graph = {module: imports_of(module) for module in MODULES}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as cycle:
        raise AssertionError("modules import each other: " + " -> ".join(cycle.args[1])) from None
