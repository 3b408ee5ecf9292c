"""Seed the demo content plus N realistic Vietnamese articles, fast (bulk insert).

Run from the repository root against the database the environment names (DATABASE_URL,
REDIS_URL, S3_ENDPOINT_URL, S3_BUCKET), after `flask --app app db upgrade`:

    .venv/bin/python benchmarks/seed_articles.py --articles 10000 [--media]

The demo seed (`flask demo seed --no-video`) comes first: users, sections and the 4 demo
articles with their covers. Then N generated articles, spread over 10 sections, 12 agencies
and the last three years, are inserted in batches with `search_text` filled exactly as the
app fills it (app.services.search.make_search_text), so reader search finds them. The text is
drawn from a fixed seed: every run makes the same articles. Thousands of them speak of
"chuyển đổi số" and of "nông thôn mới" (the benchmark's two search queries), as on a portal
with years of news.

--media also puts a 30 s MP3 and a 10 s MP4 (made with ffmpeg) under audio/ and video/ in the
object store, for time-to-first-byte measurements. The last line printed is a JSON summary:
an article slug, a section slug, the media URLs and the seconds taken.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project, when it is not installed in the interpreter

from slugify import slugify  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Article, ArticleStatus, ListenSource  # noqa: E402
from app.services.accounts import unit_named  # noqa: E402
from app.services.search import (  # noqa: E402
    folded_words,
    make_search_exact,
    make_search_text,
)
from app.services.sections import category_named  # noqa: E402

BATCH = 1000
SECTIONS = ["Thời sự", "Kinh tế", "Văn hóa xã hội", "Xây dựng Đảng", "Quốc phòng – An ninh",
            "Nông nghiệp – Nông thôn", "Giáo dục", "Y tế", "Du lịch", "Pháp luật"]
UNITS = ["Văn phòng Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy", "Sở Nông nghiệp và Phát triển nông thôn",
         "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Văn hóa, Thể thao và Du lịch",
         "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Hội Nông dân tỉnh", "Tỉnh đoàn Hòa An",
         "Ủy ban MTTQ Việt Nam tỉnh", "Sở Thông tin và Truyền thông"]
AUTHORS = ["Minh Thư", "Quốc Huy", "Thanh Tâm", "Ngọc Hân", "Văn Đức", "Hoàng Yến", "Trúc Linh",
           "Bảo Ngọc", "Hữu Phước", "Kim Ngân"]
PLACES = ["huyện Châu Thành", "huyện Phụng Hiệp", "thị xã Long Mỹ", "thành phố Vị Thanh",
          "thành phố Ngã Bảy", "huyện Vị Thủy", "huyện Long Mỹ", "huyện Châu Thành A",
          "xã Hỏa Tiến", "phường Lái Hiếu", "xã Tân Phước Hưng", "thị trấn Một Ngàn"]
ACTIONS = ["triển khai", "sơ kết 6 tháng thực hiện", "tổng kết công tác", "ra quân",
           "khai mạc hội nghị về", "kiểm tra tiến độ", "phát động phong trào", "tập huấn",
           "đẩy mạnh", "đánh giá kết quả", "ký kết phối hợp về", "trao đổi kinh nghiệm"]
TOPICS = ["chuyển đổi số", "chuyển đổi số trong cơ quan nhà nước", "xây dựng nông thôn mới",
          "nông thôn mới nâng cao", "cải cách hành chính", "phòng, chống sốt xuất huyết",
          "giảm nghèo bền vững", "an toàn giao thông", "bảo vệ môi trường",
          "giải ngân vốn đầu tư công", "phát triển du lịch cộng đồng", "bảo hiểm y tế toàn dân",
          "tuyển sinh đầu cấp", "phòng cháy, chữa cháy", "phát triển kinh tế tập thể",
          "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
          "sản xuất lúa chất lượng cao", "chăm lo gia đình chính sách"]
PARAGRAPHS = [
    "Theo báo cáo, trong {n} tháng qua, {unit} đã phối hợp với các địa phương thực hiện {n2} "
    "nội dung trọng tâm về {topic}, đạt {pct}% kế hoạch năm; nhiều mô hình hay, cách làm sáng "
    "tạo được nhân rộng tại {place}.",
    "Phát biểu tại buổi làm việc, đồng chí {person} đề nghị các cơ quan, đơn vị tiếp tục quán "
    "triệt sâu sắc chủ trương của Tỉnh ủy, UBND tỉnh, tập trung tháo gỡ khó khăn, vướng mắc, "
    "nhất là trong công tác {topic}; người đứng đầu phải chịu trách nhiệm về kết quả cuối cùng.",
    "Bên cạnh kết quả đạt được, công tác {topic} vẫn còn một số hạn chế: nguồn lực đầu tư chưa "
    "đồng bộ, trình độ của một bộ phận cán bộ chưa đáp ứng yêu cầu; tổng kinh phí thực hiện "
    "khoảng {money} tỷ đồng, trong đó ngân sách tỉnh hỗ trợ {pct}%.",
    "Năm {year}, {place} phấn đấu hoàn thành {n2} chỉ tiêu chủ yếu, trong đó ưu tiên chuyển đổi "
    "số, ứng dụng công nghệ thông tin trong giải quyết thủ tục hành chính, nâng tỷ lệ hồ sơ trực "
    "tuyến toàn trình lên {pct}%.",
    "Dịp này, {unit} đã trao {n2} suất quà, mỗi suất trị giá {n}00.000 đồng cho các hộ gia đình "
    "chính sách, hộ nghèo, hộ cận nghèo trên địa bàn {place}; đồng thời khen thưởng {n} tập thể "
    "và {n2} cá nhân có thành tích xuất sắc.",
    "Người dân {place} cho biết, nhờ chương trình xây dựng nông thôn mới, đường giao thông nông "
    "thôn được bê tông hóa, hệ thống điện, nước sạch được đầu tư, thu nhập bình quân đạt "
    "{money} triệu đồng/người/năm, tăng {pct}% so với cùng kỳ.",
    "Ngành y tế khuyến cáo người dân chủ động diệt lăng quăng, vệ sinh môi trường xung quanh "
    "nhà ở; từ đầu năm đến nay, toàn tỉnh ghi nhận {n2} ca mắc, giảm {pct}% so với cùng kỳ, "
    "không có trường hợp tử vong.",
    "Thời gian tới, {unit} sẽ tăng cường kiểm tra, giám sát, kịp thời biểu dương, khen thưởng "
    "những tập thể, cá nhân tiêu biểu; đồng thời chấn chỉnh những nơi thực hiện chưa nghiêm, "
    "bảo đảm hoàn thành thắng lợi các mục tiêu đề ra trong năm {year}.",
]
PEOPLE = ["Phạm Quang Vinh, Phó Bí thư Thường trực Tỉnh ủy", "Nguyễn Thị Mai, Phó Chủ tịch UBND "
          "tỉnh", "Trần Văn Hùng, Trưởng Ban Tuyên giáo Tỉnh ủy", "Lê Minh Tâm, Bí thư Huyện ủy"]


def article_row(i: int, rng: random.Random, sections: list[int], units: list[int],
                now: datetime) -> dict[str, Any]:
    """The i-th generated article as a row of `articles` (published, no cover)."""
    unit = rng.choice(UNITS)
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    published = now - timedelta(seconds=rng.randrange(3 * 365 * 24 * 3600))
    title = f"{unit} {rng.choice(ACTIONS)} {topic} tại {place}"
    values = {"unit": unit, "topic": topic, "place": place, "person": rng.choice(PEOPLE),
              "year": published.year, "n": rng.randint(2, 9), "n2": rng.randint(10, 250),
              "pct": rng.randint(35, 98), "money": f"{rng.randint(1, 90)},{rng.randint(0, 9)}"}
    lede = (f"Ngày {published:%d/%m/%Y}, {unit} tổ chức hội nghị {rng.choice(ACTIONS)} "
            f"{topic} năm {published.year} tại {place}.")
    paragraphs = [p.format(**values) for p in rng.sample(PARAGRAPHS, rng.randint(4, 6))]
    body_html = "".join(f"<p>{p}</p>" for p in paragraphs)
    caption = f"Quang cảnh hội nghị tại {place}"
    return {
        "title": title,
        "slug": f"{slugify(title, max_length=150, word_boundary=True)}-{i}",
        "lede": lede, "body_html": body_html, "author_name": rng.choice(AUTHORS),
        "cover_key": None, "cover_caption": caption,
        "search_title": folded_words([title]), "search_lede": folded_words([lede]),
        "search_text": make_search_text(title, lede, body_html, caption),
        "search_exact": make_search_exact(title, lede, body_html, caption),
        "status": ArticleStatus.published, "published_at": published,
        "created_at": published, "updated_at": published,
        "view_count": int(rng.paretovariate(1.2) * 20), "listen_source": ListenSource.narration,
        "category_id": rng.choice(sections), "unit_id": units[UNITS.index(unit)],
        "created_by_id": None,
    }


def seed_articles(count: int) -> int:
    """Insert `count` generated articles (none if the first already exists); how many went in."""
    rng = random.Random(6)
    sections = [category_named(name).id for name in SECTIONS]
    units = [unit_named(name).id for name in UNITS]
    db.session.commit()
    now = datetime.now(UTC).replace(microsecond=0)
    first = article_row(1, random.Random(6), sections, units, now)["slug"]
    if db.session.scalar(select(Article.id).where(Article.slug == first)):
        return 0
    table = Article.__table__
    for start in range(1, count + 1, BATCH):
        rows = [article_row(i, rng, sections, units, now)
                for i in range(start, min(start + BATCH, count + 1))]
        db.session.execute(insert(table), rows)  # one executemany per batch
        db.session.commit()
    return count


def upload_media() -> dict[str, str]:
    """A 30 s MP3 and a 10 s MP4 in the store's public prefixes; their reader URLs."""
    from app.services.infra import media_url, object_store
    from media_pipeline.samples import make_video

    store = object_store()
    urls = {}
    with tempfile.TemporaryDirectory() as tmp:
        mp3 = Path(tmp) / "bench.mp3"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
                        "-i", "sine=frequency=440:duration=30", "-c:a", "libmp3lame",
                        "-b:a", "64k", str(mp3)], check=True)
        mp4 = make_video(Path(tmp) / "bench.mp4", seconds=10, size=(640, 360))
        for kind, path, content_type in (("audio", mp3, "audio/mpeg"),
                                         ("video", mp4, "video/mp4")):
            key = f"{kind}/benchmark/{path.name}"
            with path.open("rb") as fh:
                store.upload_fileobj(fh, key, content_type)
            urls[f"{kind}_url"] = media_url(key) or ""
            urls[f"{kind}_bytes"] = str(path.stat().st_size)
    return urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="how many to generate")
    parser.add_argument("--media", action="store_true", help="also store an MP3 and an MP4")
    args = parser.parse_args(argv)

    from app.demo import seed as demo_seed
    from app.services.documents import seed_demo_documents
    from app.services.schedules import seed_demo_schedules

    app = create_app()
    with app.app_context():
        t0 = time.perf_counter()
        demo = demo_seed(with_video=False)
        seed_demo_documents()  # as `flask demo seed` does
        seed_demo_schedules()
        # A production portal (the stack runs APP_CONFIG=prod) refuses to start while an
        # account opens with a published password: the demo accounts get private ones.
        from app.demo import DEMO_ACCOUNTS
        from app.models import User

        for user in db.session.scalars(select(User).where(
                User.username.in_([a.username for a in DEMO_ACCOUNTS]))):
            user.set_password(secrets.token_hex(16))
        db.session.commit()
        t_demo = time.perf_counter() - t0
        added = seed_articles(args.articles)
        t_articles = time.perf_counter() - t0 - t_demo
        summary: dict[str, Any] = {
            "article": demo[0].slug,
            "section": demo[0].category.slug if demo[0].category else "",
            "articles_added": added,
            "published": db.session.scalar(select(func.count(Article.id)).where(
                Article.status == ArticleStatus.published)),
            "demo_seconds": round(t_demo, 1),
            "articles_seconds": round(t_articles, 1),
        }
        if args.media:
            summary.update(upload_media())
    print(f"seeded {added} articles in {t_articles:.1f} s (demo content {t_demo:.1f} s)",
          file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
