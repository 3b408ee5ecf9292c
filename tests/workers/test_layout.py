"""The media lifecycle's layout holds: every job the queues name exists, the web process never
loads the job code or the heavy media code, and nothing in app/ or workers/ hides an import
inside a function (where it would hide a cycle)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

from app.media import queues

ROOT = Path(__file__).resolve().parents[2]


def test_every_job_the_queues_name_is_a_function_of_the_job_module():
    names = {*queues.JOB_NAMES, *(policy.func for policy in queues.POLICIES.values())}
    for name in names:
        module, function = name.rsplit(".", 1)
        assert module == "app.media.jobs"
        assert callable(getattr(importlib.import_module(module), function, None)), name


def test_the_web_process_loads_neither_the_jobs_nor_the_media_code():
    probe = ("import sys; from app import create_app; create_app(); "
             "print(sorted(m for m in sys.modules if m in ('app.media.jobs', 'app.media.runner') "
             "or m.startswith(('media_pipeline.video', 'media_pipeline.briefing', "
             "'media_pipeline.narration'))))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_import_hides_inside_a_function():
    hidden = []
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("workers/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert hidden == []
