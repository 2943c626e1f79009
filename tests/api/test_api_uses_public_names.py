"""The API is a second door onto the same rules (issue 13): it asks each app's permissions and selectors, and uses
its pages' helpers only by their public names. A private name of a view module (`_office_only`, `_may`) is a
check the page may rename or change without knowing the API depends on it."""

import ast
from pathlib import Path

API_VIEWS = Path(__file__).resolve().parents[2] / "api" / "views"


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """alias → module for `from package import module as alias` and `import package.module as alias`."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for name in node.names:
                aliases[name.asname or name.name] = f"{node.module}.{name.name}"
        elif isinstance(node, ast.Import):
            for name in node.names:
                if name.asname:
                    aliases[name.asname] = name.name
    return aliases


def test_x_14_the_api_uses_no_private_name_of_another_module():
    private = []
    for path in sorted(API_VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _module_aliases(tree)
        for node in ast.walk(tree):
            named = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
            if named and node.attr.startswith("_") and not node.attr.startswith("__"):
                private.append(f"{path.name}:{node.lineno} {aliases[node.value.id]}.{node.attr}")
    assert private == []
