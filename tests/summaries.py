"""Tables printed at the end of a run, from what tests recorded in their `user_properties`
(which pytest-xdist carries back from its workers): the security suite's cases checked per
family, and how each fault settled."""

from __future__ import annotations

from collections import Counter
from typing import Any

from config import BASE_DIR

SECURITY = "security_cases"  # {family: cases checked}
FAULT = "fault_row"          # (fault, settled state, seconds, reason shown)
FAULTS_ARTIFACT = BASE_DIR / "test-artifacts" / "faults" / "table.md"


def _recorded(terminalreporter, name: str) -> list[Any]:
    found = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "") == "call":
                found += [value for key, value in report.user_properties if key == name]
    return found


def security_table(terminalreporter) -> None:
    cases: Counter[str] = Counter()
    tests: Counter[str] = Counter()
    for counts in _recorded(terminalreporter, SECURITY):
        for family, n in counts.items():
            tests[family] += 1
            cases[family] += n
    if not tests:
        return
    terminalreporter.section("security suite: cases checked per family")
    width = max(len(name) for name in tests)
    for name in sorted(tests):
        terminalreporter.write_line(f"{name:<{width}}  {tests[name]:>3} tests  "
                                    f"{cases[name]:>5} cases")


def faults_table(terminalreporter) -> None:
    rows = _recorded(terminalreporter, FAULT)
    if not rows:
        return
    lines = ["| fault | settled state | time to settle | reason shown |", "|---|---|---:|---|"]
    lines += [f"| {fault} | {state} | {seconds:.1f} s | {reason or '—'} |"
              for fault, state, seconds, reason in rows]
    terminalreporter.section("faults: how each one settled")
    for line in lines:
        terminalreporter.write_line(line)
    FAULTS_ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    FAULTS_ARTIFACT.write_text("\n".join(lines) + "\n", encoding="utf-8")
