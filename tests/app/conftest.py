"""Fixtures for the app tests that the shared tests/conftest.py does not give."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from config import BASE_DIR

TRANSLATIONS = BASE_DIR / "app" / "translations"


def compile_catalogues(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile each .po whose .mo is missing or older (the .mo files are not in git), so the
    interface speaks English in tests without scripts/bootstrap.sh. Returns what it wrote."""
    written = []
    for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)  # fuzzy entries are left out, as pybabel compile does
        written.append(mo)
    return written


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Before any app loads a catalogue (Flask-Babel caches them per app)."""
    compile_catalogues()
