"""How fast reader search answers on 10,000 articles, on PostgreSQL and on SQLite.

    .venv/bin/python benchmarks/search_speed.py [--articles 10000] [--runs 30] [--db postgres]
                                                [--analyze] [--keep]

For each backend: a throwaway portal (benchmarks/stack.py: its own SeaweedFS on port 9033 or
the next free range, Redis db 15, PostgreSQL database `bench_search_<N>` or an SQLite file, so it
can run beside benchmarks/portal.py), seeded with benchmarks/seed_articles.py. Then, in
process, six Vietnamese queries with and without diacritics are timed `--runs` times each:

- page: GET /tim-kiem?q=… through the Flask test client with the page cache off (ranking,
  the page's 20 articles and snippets, documents and schedules, the template);
- search: app.services.search.search() alone (candidates from the database, ranking);
- and once per backend, the same page served from the page cache (a popular query).

Prints a table (median and p95 in milliseconds) and, for PostgreSQL, EXPLAIN ANALYZE of each
statement the first page of the first query runs. `--keep` keeps the seeded PostgreSQL database
for the next run (seeding 100,000 articles takes minutes). Each backend runs in a child
process: the app's config is read from the environment once per process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project, when it is not installed in the interpreter
sys.path.insert(0, str(ROOT / "benchmarks"))

QUERIES = ["chuyển đổi số", "chuyen doi so", "nông thôn mới", "nong thon moi",
           "sốt xuất huyết Vị Thủy", "sot xuat huyet vi thuy"]
REDIS_URL = "redis://127.0.0.1:6379/15"
PG_NAME = "bench_search"
S3_PORT = 9033


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Any, runs: int) -> list[float]:
    fn()  # warm: compiled statements, the word cache, the database's buffers
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def explain(query: str) -> str:
    """EXPLAIN ANALYZE of each statement search() runs for `query` (PostgreSQL): the counts
    and the groups read for the first page; the plan of the slowest in full."""
    from sqlalchemy import event

    from app.extensions import db
    from app.services import search

    ran: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        ran.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        search.search(query)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    lines, slowest = [], (0.0, [""])
    connection = db.session.connection()
    for statement, parameters in ran:
        plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement,
                                          parameters).scalars().all()
        took = float(next(line for line in plan if line.startswith("Execution Time"))
                     .split()[2])
        first = " ".join(statement.split())
        lines.append(f"{took:8.1f} ms  {first[:150]}{'…' if len(first) > 150 else ''}")
        slowest = max(slowest, (took, [statement, *plan]))
    db.session.rollback()
    return "\n".join([f"{len(ran)} statements:", *lines, "", "the slowest:", *slowest[1]])


def measure(kind: str, articles: int, runs: int, analyze: bool = False,
            keep: bool = False) -> dict[str, Any]:
    """In the child process: start the stack, seed, time, return the figures."""
    import stack as stack_module

    stack_module.S3_PORT = S3_PORT
    with stack_module.Stack(articles=articles, db=kind, redis_url=REDIS_URL,
                            pg_name=f"{PG_NAME}_{articles}", keep=keep) as stack:
        os.environ.update(stack.env)
        from app import create_app
        from app.services import search

        app = create_app()
        rows: list[dict[str, Any]] = []
        out: dict[str, Any] = {"db": kind, "rows": rows}
        with app.app_context():
            client = app.test_client()
            if analyze and kind == "postgres":  # as autovacuum does once a table has grown
                from app.extensions import db

                with db.engine.connect() as conn:  # (VACUUM runs outside a transaction)
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        "VACUUM ANALYZE")
            app.config["PAGE_CACHE_TTL"] = 0
            for query in QUERIES:
                hits = search.search(query).total
                page = timed(lambda q=query: client.get("/tim-kiem", query_string={"q": q}),
                             runs)
                service = timed(lambda q=query: search.search(q), runs)
                rows.append({"query": query, "hits": hits, "page": page, "search": service})
            app.config["PAGE_CACHE_TTL"] = 300
            stack.flush_redis()
            cached = timed(lambda: client.get("/tim-kiem", query_string={"q": QUERIES[0]}),
                           runs)
            state = client.get("/tim-kiem", query_string={"q": QUERIES[0]}).headers.get(
                "X-Page-Cache")
            out["cached"] = {"query": QUERIES[0], "page": cached, "state": state}
            if kind == "postgres":
                out["explain"] = explain(QUERIES[0])
        return out


def report(results: list[dict[str, Any]], runs: int) -> None:
    print(f"\nReader search, {runs} runs per figure, milliseconds (median / p95); "
          f"page = GET /tim-kiem with the page cache off, search = the ranking service alone\n")
    header = f"{'db':<9} {'query':<26} {'hits':>5} {'page med':>9} {'page p95':>9} " \
             f"{'search med':>11} {'search p95':>11}"
    print(header)
    print("-" * len(header))
    for result in results:
        for row in result["rows"]:
            print(f"{result['db']:<9} {row['query']:<26} {row['hits']:>5} "
                  f"{statistics.median(row['page']):>9.1f} {percentile(row['page'], .95):>9.1f} "
                  f"{statistics.median(row['search']):>11.1f} "
                  f"{percentile(row['search'], .95):>11.1f}")
        cached = result["cached"]
        print(f"{result['db']:<9} {cached['query'] + ' (page cache)':<26} {'':>5} "
              f"{statistics.median(cached['page']):>9.1f} {percentile(cached['page'], .95):>9.1f}"
              f"   X-Page-Cache: {cached['state']}")
    for result in results:
        if "explain" in result:
            print(f"\nEXPLAIN ANALYZE of what the first page of “{QUERIES[0]}” runs on "
                  f"PostgreSQL:\n")
            print(result["explain"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", nargs="+", default=["postgres", "sqlite"],
                        choices=["postgres", "sqlite"])
    parser.add_argument("--analyze", action="store_true",
                        help="VACUUM ANALYZE first (PostgreSQL), as autovacuum does on a "
                             "portal that grew to this size")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database (bench_search_<articles>) for the "
                             "next run, and use the one an earlier run kept")
    parser.add_argument("--child", choices=["postgres", "sqlite"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.articles, args.runs, args.analyze,
                                 args.keep), ensure_ascii=False))
        return 0
    results = []
    for kind in args.db:
        print(f"{kind}: seeding {args.articles} articles and timing…", file=sys.stderr)
        done = subprocess.run([sys.executable, __file__, "--child", kind, "--articles",
                               str(args.articles), "--runs", str(args.runs),
                               *(["--analyze"] if args.analyze else []),
                               *(["--keep"] if args.keep else [])],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    report(results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
