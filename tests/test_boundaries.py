"""Domain packages never import the orchestrator or the CLI (DESIGN.md §6, STYLE.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOMAIN = ["records", "extract", "classify", "rubrics", "review", "corpus"]
FORBIDDEN = {"prefect", "prefect_dask", "dask", "click", "flows"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_package_does_not_import_orchestration(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    bad = {str(f.relative_to(ROOT)): sorted(_imports(f) & FORBIDDEN) for f in files}
    assert not {k: v for k, v in bad.items() if v}
