"""A throwaway portal for the benchmarks: its own object store, database, Redis db and web servers.

    with Stack(articles=10_000, media=True) as stack:
        stack.start_web("portal", "app:create_app()")
        ...  # stack.url("portal", "/"), stack.seed["article"], ...

On entry: SeaweedFS on a free port (scripts/services.sh, data in a temporary folder), a fresh
PostgreSQL database `bench_portal` (or an SQLite file with db="sqlite"), the Redis db flushed,
`flask db upgrade`, `flask storage init`, then benchmarks/seed_articles.py. On exit, even after
Ctrl-C, an error or SIGTERM: the web servers, SeaweedFS and the database go, and the folder too.
Web servers run with gunicorn.conf.py, on free ports of 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-v", "ON_ERROR_STOP=1",
            "-qAt", "-c", "SET client_min_messages = warning", "-c"]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
S3_PORT = 8933  # this work's own SeaweedFS port; another is picked if it is taken
# services.sh shifts all of SeaweedFS's ports by (port - 8333): these are the others' offsets.
S3_SIBLING_OFFSETS = (10000, 1000, 11000, 1007, 11007, 555, 10555)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        # As the servers do: a port whose last connections linger in TIME_WAIT is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_s3_port() -> int:
    """An S3 port whose shifted sibling ports (master, volume, filer, gRPC) are free too."""
    for port in (S3_PORT, *range(41000, 54000, 97)):
        if all(port_free(port + off) for off in (0, *S3_SIBLING_OFFSETS)):
            return port
    raise RuntimeError("no free port range for SeaweedFS")


def wait_http(url: str, seconds: float = 60.0) -> None:
    """Until `url` answers at all (any HTTP status), or RuntimeError."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def _cpu_ticks(root: int) -> int:
    """CPU time (user + system, in clock ticks) of process `root` and its children."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        pid = int(stat.parent.name)
        if pid == root or int(fields[1]) == root:  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


class Stack:
    def __init__(self, articles: int = 0, db: str = "postgres", media: bool = False,
                 redis_url: str = DEFAULT_REDIS, pg_name: str = "bench_portal",
                 keep: bool = False) -> None:
        """`keep`: leave the PostgreSQL database after the run, and use one left before that
        holds at least `articles` articles (migrated, not seeded again: 100,000 take minutes)."""
        if db not in ("postgres", "sqlite"):
            raise ValueError("db must be postgres or sqlite")
        self.articles, self.db_kind, self.media = articles, db, media
        self.redis_url, self.pg_name = redis_url, pg_name
        self.tmp = Path(tempfile.mkdtemp(prefix="docnghexem-bench-"))
        self.s3_dir = self.tmp / "seaweedfs"
        self.s3_port = 0
        self.pg_created = False
        self.keep, self.reused = keep, False
        self.servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        self.seed: dict[str, Any] = {}
        self.env: dict[str, str] = {}
        self.redis: subprocess.Popen[bytes] | None = None

    # --- setup -----------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        # SIGTERM (and a closed terminal) clean up like Ctrl-C does; SIGINT too when this
        # was started in the background, where it would otherwise be ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _raise_interrupt)
        signal.signal(signal.SIGHUP, _raise_interrupt)
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _start(self) -> None:
        self._require(["psql"] if self.db_kind == "postgres" else [])
        self.s3_port = free_s3_port()
        self._start_redis()
        # Production settings that pass its checks (app/deploy_check.py): the pages measured
        # are the ones a province serves. (Plain HTTP on 127.0.0.1: no page here needs a login.)
        self.env = {
            **os.environ,
            "APP_CONFIG": "prod",
            "SECRET_KEY": secrets.token_hex(32),
            "SITE_URL": "https://cong.hoaan.test",
            "REDIS_URL": self.redis_url,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "S3_ACCESS_KEY": "bench-" + secrets.token_hex(6),
            "S3_SECRET_KEY": secrets.token_hex(20),
            "S3_BUCKET": "docnghexem-bench",
            "S3_PUBLIC_URL": "",
            "DATABASE_URL": self._make_database(),
            "FLASK_APP": "app",
            # Stop quickly at the end: a benchmark has no requests worth finishing.
            "WEB_GRACEFUL_TIMEOUT": os.environ.get("WEB_GRACEFUL_TIMEOUT", "3"),
        }
        log(f"SeaweedFS on port {self.s3_port}, data in {self.s3_dir}")
        self._run([str(ROOT / "scripts" / "services.sh"), "seaweedfs", str(self.s3_dir),
                   str(self.s3_port)])
        self.flush_redis()
        log("migrating…")
        self._run([str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"])
        self._run([str(VENV_BIN / "flask"), "--app", "app", "storage", "init"])
        if self.reused:
            log(f"kept database {self.pg_name}: not seeded again")
            return
        log(f"seeding the demo content and {self.articles} articles…")
        cmd = [str(VENV_BIN / "python"), str(ROOT / "benchmarks" / "seed_articles.py"),
               "--articles", str(self.articles)] + (["--media"] if self.media else [])
        out = self._run(cmd, capture=True)
        self.seed = json.loads(out.strip().splitlines()[-1])
        log(f"seeded in {self.seed['demo_seconds'] + self.seed['articles_seconds']:.1f} s "
            f"({self.seed['published']} published articles)")

    def _start_redis(self) -> None:
        """A Redis of the stack's own, with a password as production has (db as asked)."""
        port, password = free_port(), secrets.token_hex(16)
        db = urlsplit(self.redis_url).path.strip("/") or "0"
        self.redis = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
             "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)], stdout=subprocess.DEVNULL, start_new_session=True)
        self.redis_url = f"redis://:{password}@127.0.0.1:{port}/{db}"
        from redis import Redis

        for _ in range(100):
            try:
                Redis.from_url(self.redis_url).ping()
                return
            except OSError:
                time.sleep(0.05)
            except Exception:  # noqa: BLE001 (still starting: a connection error)
                time.sleep(0.05)
        raise RuntimeError("the stack's Redis did not start")

    def _require(self, tools: list[str]) -> None:
        for tool in ("curl", *tools):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing (apt-get install {tool})")

    def _make_database(self) -> str:
        if self.db_kind == "sqlite":
            return f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        if self.keep and self._kept_articles() >= self.articles:
            self.reused = self.pg_created = True
            return PG_URL.format(name=self.pg_name)
        subprocess.run([*PG_ADMIN, f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)"],
                       check=True)
        subprocess.run([*PG_ADMIN, f"CREATE DATABASE {self.pg_name}"], check=True)
        self.pg_created = True
        return PG_URL.format(name=self.pg_name)

    def _kept_articles(self) -> int:
        """Published articles in a database an earlier run kept (-1: none)."""
        done = subprocess.run([*PG_ADMIN[:-1], "-d", self.pg_name, "-c",
                               "SELECT count(*) FROM articles WHERE status = 'published'"],
                              capture_output=True, text=True)
        return int(done.stdout.split()[-1]) if done.returncode == 0 else -1

    def _run(self, cmd: list[str], capture: bool = False) -> str:
        result = subprocess.run(cmd, cwd=ROOT, env=self.env, text=True,
                                stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n"
                               f"{result.stderr[-3000:]}")
        return result.stdout or ""

    def flush_redis(self) -> None:
        """Empty the portal's Redis db: whatever the app caches there starts cold."""
        from redis import Redis

        Redis.from_url(self.redis_url).flushdb()

    # --- web servers -------------------------------------------------------------------------

    def start_web(self, name: str, app: str, check_path: str = "/") -> str:
        """gunicorn -c gunicorn.conf.py APP on a free port; its base URL once it answers."""
        port = free_port()
        logfile = (self.tmp / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT, env={**self.env, "WEB_BIND": f"127.0.0.1:{port}"},
            stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
        self.servers[name] = (proc, port)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(base + check_path)
        except RuntimeError:
            log((self.tmp / f"{name}.log").read_text(errors="replace")[-3000:])
            raise
        return base

    def wait_idle(self, name: str, seconds: float = 300.0) -> None:
        """Until server `name` has finished its backlog: its processes use < 2 % of a core.

        When wrk stops, the requests it left queued are still served (a loaded search page
        takes minutes to drain); the next measurement must not pay for them.
        """
        master = self.servers[name][0].pid
        deadline = time.monotonic() + seconds
        before = _cpu_ticks(master)
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = _cpu_ticks(master)
            # Clock ticks (1/100 s) in half a second; threads waiting on PostgreSQL use no CPU
            # of their own, so its running queries count too.
            if now - before <= 1 and self._pg_active() == 0:
                return
            before = now
        log(f"{name} still busy after {seconds:.0f} s; measuring anyway")

    def _pg_active(self) -> int:
        """Queries running in the benchmark's PostgreSQL database (0 on SQLite)."""
        if not self.pg_created:
            return 0
        out = subprocess.run([*PG_ADMIN, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                              f"'{self.pg_name}' AND state = 'active' "
                              "AND pid <> pg_backend_pid()"],
                             capture_output=True, text=True, check=False).stdout.strip()
        return int(out) if out.isdigit() else 0

    def url(self, name: str, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.servers[name][1]}{path}"

    # --- teardown ----------------------------------------------------------------------------

    def close(self) -> None:
        """Stop everything this stack started; each step runs even if an earlier one fails."""
        for proc, _ in self.servers.values():
            if proc.poll() is None:
                proc.terminate()  # the gunicorn master stops its workers
        for proc, _ in self.servers.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.servers.clear()
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(10)
            self.redis = None
        if self.s3_port:
            subprocess.run([str(ROOT / "scripts" / "services.sh"), "stop-seaweedfs",
                            str(self.s3_dir)], cwd=ROOT, check=False)
            self.s3_port = 0
        if self.pg_created and not self.keep:
            subprocess.run([*PG_ADMIN, f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)"],
                           check=False)
            self.pg_created = False
        shutil.rmtree(self.tmp, ignore_errors=True)
