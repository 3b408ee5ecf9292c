"""The fault table: each fault injected for real, its settled state, the time to settle and the
reason an editor reads.

    .venv/bin/python benchmarks/faults.py            # SQLite, ~5 minutes
    .venv/bin/python benchmarks/faults.py --pg       # on PostgreSQL (127.0.0.1:5432)

It runs the fault suite (tests/faults: killed work-horses and workers, ffmpeg killed, a time
limit, a full disk, a broken upload, a Redis restart, the store down, a long transcode beside
a publication) on the tests' services and prints the table it records, as Markdown. Times are
this machine's, with the fast worker clock the suite uses (tests/faults/conftest.py FAST_CLOCK);
production's reconciler looks every RECONCILE_INTERVAL (30 s) instead of 2 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "test-artifacts" / "faults" / "table.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", action="store_true", help="on PostgreSQL instead of SQLite")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.pg:
        env["TEST_DATABASE_URL"] = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    TABLE.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/faults/test_workers.py", "tests/faults/test_services.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if not TABLE.exists():
        print(done.stdout[-3000:], done.stderr[-2000:], file=sys.stderr)
        return 1
    print(f"# Faults ({'PostgreSQL' if args.pg else 'SQLite'}), "
          f"{done.stdout.strip().splitlines()[-1]}\n")
    print(TABLE.read_text(encoding="utf-8"))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
