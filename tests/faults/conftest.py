"""Fault tests: real worker processes killed, a Redis of their own restarted, SeaweedFS stopped
mid-job, a small disk filled, broken uploads, a long transcode beside a publication. Each test
asserts the settled state, the reason an editor reads, that no job folder or process is left,
and that published media is unchanged.

The workers here run with a fast clock (CLOCK_TICK, RECONCILE_*, WORKER_TTL below): the same
code as in production, on a timescale a test can wait for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.extensions import db
from config import BASE_DIR
from tests.conftest import port_free, throwaway_database, worker_index
from tests.summaries import FAULT

pytestmark = pytest.mark.faults
FAST_CLOCK = {"CLOCK_TICK": "0.5", "RECONCILE_INTERVAL": "2", "RECONCILE_SETTLE": "1",
              "WORKER_TTL": "6", "JOB_MONITORING_INTERVAL": "2"}


@pytest.fixture
def empty_database_url(tmp_path, database_url):
    """A database of its own, empty: SQLite file or a new PostgreSQL database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with throwaway_database(os.environ["TEST_DATABASE_URL"], "docnghexem_empty") as url:
        yield url


def free_s3_port() -> int:
    """A port for a SeaweedFS of a test's own: scripts/services.sh shifts its master, volume,
    filer and gRPC ports by (port - 8333), so those must be free too."""
    # Each pytest-xdist worker starts its search elsewhere, so two never pick the same port.
    for port in range(42000 + 13 * worker_index(), 54000, 89):
        if all(port_free(port + off) for off in (0, 10000, 1000, 11000, 1007, 11007, 555, 10555)):
            return port
    raise AssertionError("no free ports for SeaweedFS")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (already dead, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def ffmpegs(under: Path | None = None) -> list[int]:
    """Running ffmpeg processes, those working in folders `under` a path if given (a test's
    own workers': other tests may be transcoding beside it)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if not cmd or not cmd[0].endswith(b"ffmpeg") or not alive(int(proc.name)):
            continue
        if under is None or any(str(under).encode() in part for part in cmd):
            pids.append(int(proc.name))
    return pids


class WorkerProcess:
    """`python -m workers` for real, on the test's database, Redis and store."""

    def __init__(self, kind: str, env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self.log = log.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "workers", "--kind", kind],
                                     cwd=BASE_DIR, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def horse(self, timeout: float = 60) -> int:
        """The work-horse of the job it runs now (a child in a process group of its own)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for child in children(self.pid):
                try:
                    if os.getpgid(child) == child:
                        return child
                except ProcessLookupError:
                    continue
            time.sleep(0.05)
        raise AssertionError("no work-horse started")

    def kill(self) -> None:
        """SIGKILL to the worker alone: a power cut, the OOM killer."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            for pid in [self.pid, *descendants(self.pid)]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait(10)
        self.log.close()


@pytest.fixture
def job_tmp(tmp_path) -> Path:
    """Where this test's worker processes keep their job folders (their TMPDIR)."""
    path = tmp_path / "job-tmp"
    path.mkdir()
    return path


@pytest.fixture
def worker_env(app, job_tmp) -> Callable[..., dict[str, str]]:
    cfg = app.config

    def env(**extra: str) -> dict[str, str]:
        return {**os.environ, "APP_CONFIG": "test", **FAST_CLOCK, "TMPDIR": str(job_tmp),
                "TEST_DATABASE_URL": cfg["SQLALCHEMY_DATABASE_URI"],
                "TEST_REDIS_URL": cfg["REDIS_URL"], "TEST_S3_ENDPOINT_URL": cfg["S3_ENDPOINT_URL"],
                "TEST_S3_BUCKET": cfg["S3_BUCKET"], **extra}

    return env


@pytest.fixture
def workers(worker_env, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(kind: str = "all", **extra: str) -> WorkerProcess:
        worker = WorkerProcess(kind, worker_env(**extra), tmp_path / f"worker-{kind}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def settle(predicate: Callable[[], object], timeout: float, every: float = 0.2,
           explain: Callable[[], str] = lambda: "") -> float:
    """Wait until `predicate()` is true; returns the seconds it took (AssertionError after
    `timeout`, with what `explain()` says). The session is expired before each look: another
    process writes the rows."""
    started = time.monotonic()
    while True:
        db.session.expire_all()
        db.session.rollback()
        if predicate():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not settled within {timeout:.0f} s {explain()}".rstrip())
        time.sleep(every)


def describe(pids: list[int]) -> str:
    """Each process as `pid state command` (for a failed test's message)."""
    out = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
        except OSError:
            state, cmd = "?", "(gone)"
        out.append(f"{pid} {state} {cmd}")
    return "; ".join(out)


@pytest.fixture
def tally_faults(request):
    """`tally_faults(fault, settled state, seconds to settle, reason shown)`: a row of the table
    printed at the end of the run (tests/summaries.py; kept in test-artifacts/faults/)."""
    def add(fault: str, state: str, seconds: float, reason: str) -> None:
        request.node.user_properties.append((FAULT, (fault, state, seconds, reason)))

    return add
