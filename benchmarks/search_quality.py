"""Does reader search put the right result first? nDCG@5 and best-first over judged queries.

    .venv/bin/python benchmarks/search_quality.py [--articles 10000] [--db postgres sqlite]

The queries and their graded results are in benchmarks/data/search_judgments.json (64 queries
over the demo content and the benchmark seed: every section, documents, schedules, with and
without diacritics, phrases, document numbers, people and places). For each backend a
throwaway portal (benchmarks/stack.py, seeded by benchmarks/seed_articles.py) is searched in
process, as readers search it:

- articles: the first five of app.services.search.search(q); documents and schedule entries:
  the first five of search_documents(q) / search_schedules(q);
- nDCG@5 with gains 2^grade − 1; "best first": the first result has the highest grade any
  result could have; for the queries naming a document by its number also whether the
  document is the first result on the all-results page GET /tim-kiem?q=… (documents shown
  before the articles that mention the number).

It uses only search(), search_documents() and search_schedules(), so it runs unchanged on an
older checkout (git worktree) for before-and-after figures. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path.cwd() if (Path.cwd() / "app").is_dir() else Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

JUDGMENTS = Path(__file__).resolve().parent / "data" / "search_judgments.json"
REDIS_URL = "redis://127.0.0.1:6379/14"
PG_NAME = "bench_quality"
S3_PORT = 9133
FIRST_LINK = re.compile(r'class="search-result[^"]*">\s*<h3 class="card__title"><a href="([^"]+)"')


def rule_grade(rule: dict[str, Any], title: str, body: str) -> int:
    """A generated article's grade: what its title says it is about (seed_articles.py makes
    titles "{unit} {action} {topic} tại {place}")."""
    t = title.lower()
    if "mentions" in rule:
        return rule["grade"] if rule["mentions"].lower() in body.lower() else 0
    topic = not rule.get("topics") or any(x.lower() in t for x in rule["topics"])
    place = not rule.get("place") or f"tại {rule['place'].lower()}" in t
    unit = not rule.get("unit") or t.startswith(rule["unit"].lower())
    if topic and place and unit:
        return int(rule["grade"])
    if topic and unit and rule.get("place"):
        return int(rule["grade"]) - 1
    return 0


def dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def judge(judged: dict[str, Any], client: Any) -> dict[str, Any]:
    """In the app context: the query's first five results, graded, and the figures."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Article, Document, ScheduleEntry
    from app.services import search

    q, kind = judged["q"], judged["kind"]
    if kind == "articles":
        top = [hit.id for hit in search.search(q).hits[:5]]
        grades_by_id: dict[int, int] = {}
        titles = judged.get("titles", {})
        rule = judged.get("generated")
        rows = db.session.execute(select(Article.id, Article.title, Article.body_html)).all()
        for row in rows:
            grade = titles.get(row.title, 0)
            if rule:
                grade = max(grade, rule_grade(rule, row.title, row.body_html or ""))
            if grade:
                grades_by_id[row.id] = grade
    else:
        model, field, wanted = ((Document, "number", judged["numbers"]) if kind == "documents"
                                else (ScheduleEntry, "content", judged["contents"]))
        found = (search.search_documents(q) if kind == "documents"
                 else search.search_schedules(q))
        top = [f.item.id for f in found[:5]]
        grades_by_id = {item.id: 3 for item in db.session.scalars(
            select(model).where(getattr(model, field).in_(wanted)))}
    grades = [grades_by_id.get(i, 0) for i in top]
    ideal = sorted(grades_by_id.values(), reverse=True)[:5]
    ndcg = dcg(grades) / dcg(ideal) if ideal else 0.0
    best = bool(grades) and bool(ideal) and grades[0] == ideal[0]
    out: dict[str, Any] = {"q": q, "kind": kind, "ndcg": ndcg, "best_first": best,
                           "grades": grades, "relevant": len(grades_by_id)}
    if judged.get("names_number"):  # a document named by its number
        page = client.get("/tim-kiem", query_string={"q": q}).get_data(as_text=True)
        links = FIRST_LINK.findall(page)
        slugs = {d.slug for d in db.session.scalars(
            select(Document).where(Document.number.in_(judged["numbers"])))}
        out["first_on_page"] = bool(links) and links[0].rstrip("/").rsplit("/", 1)[-1] in slugs
    return out


def measure(kind: str, articles: int) -> dict[str, Any]:
    import stack as stack_module

    stack_module.S3_PORT = S3_PORT
    queries = json.loads(JUDGMENTS.read_text(encoding="utf-8"))["queries"]
    with stack_module.Stack(articles=articles, db=kind, redis_url=REDIS_URL,
                            pg_name=PG_NAME) as stack:
        os.environ.update(stack.env)
        from app import create_app

        app = create_app()
        with app.app_context():
            app.config["PAGE_CACHE_TTL"] = 0
            client = app.test_client()
            return {"db": kind, "rows": [judge(j, client) for j in queries]}


def report(results: list[dict[str, Any]], label: str) -> None:
    print(f"\n## Search quality{(' — ' + label) if label else ''}\n")
    print("| db | queries | nDCG@5 | best result first | a document's number: the document "
          "first on the all-results page |")
    print("|---|---:|---:|---:|---:|")
    for result in results:
        rows = result["rows"]
        docs = [r for r in rows if "first_on_page" in r]
        print(f"| {result['db']} | {len(rows)} | {statistics.mean(r['ndcg'] for r in rows):.3f} "
              f"| {sum(r['best_first'] for r in rows) / len(rows):.0%} "
              f"| {sum(r['first_on_page'] for r in docs)}/{len(docs)} |")
    for result in results:
        misses = [r for r in result["rows"] if not r["best_first"] or r["ndcg"] < 0.9
                  or r.get("first_on_page") is False]
        print(f"\n{result['db']}: queries below nDCG@5 0.9 or with another result first "
              f"({len(misses)}):")
        for r in misses:
            page = "" if r.get("first_on_page") is not False else ", not first on the page"
            print(f"- “{r['q']}” ({r['kind']}): nDCG@5 {r['ndcg']:.2f}, grades of the first "
                  f"five {r['grades']}, {r['relevant']} judged relevant{page}")
    if len(results) == 2:
        a, b = (r["rows"] for r in results)
        same = sum(x["grades"] == y["grades"] for x, y in zip(a, b, strict=True))
        print(f"\nSame graded first five on both backends: {same}/{len(a)} queries.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"],
                        choices=["postgres", "sqlite"])
    parser.add_argument("--label", default="", help="a name for this run (before, after…)")
    parser.add_argument("--child", choices=["postgres", "sqlite"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.articles), ensure_ascii=False))
        return 0
    results = []
    for kind in args.db:
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind,
                               "--articles", str(args.articles)], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-4000:], file=sys.stderr)
            return done.returncode
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    report(results, args.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
