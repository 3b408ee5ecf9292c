"""Same data, same queries, SQLite and PostgreSQL: are the top search results the same?

Seeds the demo content (articles, documents, work schedules) plus N generated articles (a
fixed random seed, so both databases hold identical rows) into a throwaway stack per backend,
asks the running portal `/tim-kiem?q=…` like a reader, and prints the top results side by side.

    .venv/bin/python benchmarks/search_compare.py [--articles 2000] [--top 5]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, log  # noqa: E402

QUERIES = ["hòa an", "hoa an", "đường", "duong", "nông dân", "nong dan",
           "chuyển đổi số", "chuyen doi so", "kế hoạch", "05-NQ/TU", "giao ban"]
# The result tabs compared, and how many results of each.
TABS = {"": 5, "van-ban": 3, "lich-cong-tac": 3}
TAG = {"": "", "van-ban": "[văn bản] ", "lich-cong-tac": "[lịch] "}
RESULT = re.compile(r'<li class="search-result[^"]*">\s*<h3 class="card__title">'
                    r'<a href="([^"]+)">(.*?)</a>', re.S)
COUNT = re.compile(r"Tìm thấy ([\d.,]+) kết quả")


def top_results(base: str, query: str, top: int) -> tuple[str, list[str]]:
    """The total count (all types), the top articles, then the top documents and schedule
    entries from their own tabs."""
    total, found = "0", []
    for tab, n in TABS.items():
        page = requests.get(f"{base}/tim-kiem", params={"q": query, "loai": tab},
                            timeout=120).text
        if tab == "":
            count = COUNT.search(page)
            total = count.group(1) if count else "0"
            n = top
        titles = [html.unescape(re.sub(r"<[^>]+>", "", title)).strip()
                  for _, title in RESULT.findall(page)]
        if tab == "":  # the articles come first on the "all" tab
            titles = [t for t, (href, _) in zip(titles, RESULT.findall(page), strict=True)
                      if href.startswith("/bai-viet/")]
        found += [TAG[tab] + " ".join(t.split()) for t in titles[:n]]
    return total, found


def run(db: str, articles: int, top: int) -> dict[str, tuple[str, list[str]]]:
    with Stack(articles=articles, db=db, redis_url="redis://127.0.0.1:6379/9",
               pg_name="bench_search_compare") as stack:
        base = stack.start_web("portal", "app:create_app()")
        return {q: top_results(base, q, top) for q in QUERIES}


def short(title: str, width: int = 56) -> str:
    return title if len(title) <= width else title[:width - 1] + "…"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    results = {db: run(db, args.articles, args.top) for db in ("sqlite", "postgres")}
    log("done")
    print(f"\n{args.articles} generated articles + the demo content (articles, 8 documents, "
          f"12 schedule entries): hits of all types, top {args.top} articles, top 3 documents "
          "and top 3 schedule entries\n")
    print("| query | hits SQLite | hits PostgreSQL | # | SQLite | PostgreSQL |")
    print("|---|---:|---:|---:|---|---|")
    same_everywhere = True
    for query in QUERIES:
        (n_lite, lite), (n_pg, pg) = results["sqlite"][query], results["postgres"][query]
        same_everywhere &= (n_lite, lite) == (n_pg, pg)
        for i in range(max(len(lite), len(pg), 1)):
            left = lite[i] if i < len(lite) else "—"
            right = pg[i] if i < len(pg) else "—"
            mark = "" if left == right else " ≠"
            head = (f"| {query} | {n_lite} | {n_pg} " if i == 0 else "| | | ")
            print(f"{head}| {i + 1} | {short(left)} | {short(right)}{mark} |")
    print(f"\nSame counts and same ordered top results on both backends: "
          f"{'yes' if same_everywhere else 'NO'}")
    return 0 if same_everywhere else 1


if __name__ == "__main__":
    sys.exit(main())
