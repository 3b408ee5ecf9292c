"""media_pipeline must stay free of Flask, SQLAlchemy, RQ and the app (ARCHITECTURE.md)."""

import ast
from pathlib import Path

import media_pipeline

FORBIDDEN = {"flask", "flask_sqlalchemy", "sqlalchemy", "rq", "app", "workers", "redis"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_media_pipeline_imports_nothing_from_the_web_or_queue_layers():
    package = Path(media_pipeline.__file__).parent
    offenders = {p.name: imported_roots(p) & FORBIDDEN for p in package.glob("*.py")}
    assert {name: bad for name, bad in offenders.items() if bad} == {}
