"""Demo content for `make run`: users, sections, articles with generated covers and a video.

Idempotent: articles are matched by slug, users by name; media is made once.
"""

from __future__ import annotations

import io
import json
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from media_pipeline.samples import make_video

from ..extensions import db
from ..media import lifecycle
from ..models import Article, Banner, Role, User
from ..services import workflow
from ..services.accounts import unit_named
from ..services.banners import BannerInput, save_banner
from ..services.importer import import_article
from ..services.infra import init_storage
from ..services.publishing import ArticleInput, store_cover

DEMO_FILE = Path(__file__).with_name("articles.json")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    password: str  # printed by `make run`: production refuses to start while one opens
    unit: str = ""


DEMO_ACCOUNTS = [DemoAccount("bientap", "Ban Biên tập", Role.editor, "bientap2026"),
                 DemoAccount("quantri", "Quản trị hệ thống", Role.admin, "quantri2026"),
                 DemoAccount("congtacvien", "Cộng tác viên Văn phòng", Role.contributor,
                             "congtacvien2026", unit="Văn phòng Tỉnh ủy")]
PALETTE = [((165, 28, 36), (222, 120, 40)), ((20, 82, 140), (40, 160, 170)),
           ((34, 110, 60), (150, 180, 60)), ((90, 40, 120), (200, 80, 120))]
FONT_PATHS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def cover_image(title: str, index: int, size: tuple[int, int] = (1200, 675)) -> Image.Image:
    """A gradient card with the headline, standing in for a press photo."""
    (r1, g1, b1), (r2, g2, b2) = PALETTE[index % len(PALETTE)]
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(w):
        t = x / w
        draw.line([(x, 0), (x, h)], fill=(int(r1 + (r2 - r1) * t), int(g1 + (g2 - g1) * t),
                                          int(b1 + (b2 - b1) * t)))
    draw.ellipse([w - 420, -160, w + 160, 420], outline=(255, 255, 255), width=6)
    font = _font(54)
    y = h - 80 - 70 * len(textwrap.wrap(title, 34)[:4])
    for line in textwrap.wrap(title, 34)[:4]:
        draw.text((60, y), line, font=font, fill=(255, 255, 255))
        y += 70
    draw.text((60, 50), "ĐỌC · NGHE · XEM", font=_font(30), fill=(255, 235, 200))
    return image


def seed_banner() -> None:
    """One banner in the "Quảng cáo" slot: a public-service notice, as such portals carry."""
    if db.session.scalar(select(Banner)) is not None:
        return
    image = cover_image("Dịch vụ công trực tuyến: nộp hồ sơ mọi lúc, mọi nơi", 2, (1200, 300))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    buf.seek(0)
    save_banner(None, BannerInput(title="Dịch vụ công trực tuyến",
                                  alt_text="Dịch vụ công trực tuyến tỉnh Hòa An: nộp hồ sơ mọi "
                                           "lúc, mọi nơi", link_url="/van-ban/"), buf)


def seed(with_video: bool = True) -> list[Article]:
    init_storage()
    for account in DEMO_ACCOUNTS:
        if db.session.scalar(select(User).where(User.username == account.username)) is None:
            user = User(username=account.username, full_name=account.full_name,
                        role=account.role,
                        unit=unit_named(account.unit, actor="demo") if account.unit else None)
            user.set_password(account.password)
            db.session.add(user)
    db.session.commit()

    articles = []
    for index, item in enumerate(json.loads(DEMO_FILE.read_text(encoding="utf-8"))):
        article = import_article(item, actor="demo")
        if not article.cover_key:
            store_cover(article, cover_image(article.title, index))
        articles.append(article)
    seed_banner()
    seed_newsroom()
    if with_video and articles and articles[0].asset("video") is None:
        with tempfile.TemporaryDirectory() as tmp:
            video = make_video(Path(tmp) / "demo.mp4", seconds=8, size=(1280, 720))
            with video.open("rb") as fh:
                lifecycle.attach_video(articles[0], fh, "gioi-thieu.mp4", "video/mp4")
    return articles


# Units' articles waiting in the newsroom: two for review, one returned with a comment.
NEWSROOM = [
    ("Văn phòng Tỉnh ủy", "congtacvien",
     "Hội nghị sơ kết công tác xây dựng Đảng 11 tháng năm 2026",
     "Chiều 26/11, Văn phòng Tỉnh ủy tổ chức hội nghị sơ kết công tác xây dựng Đảng.",
     "<p>Hội nghị đánh giá kết quả thực hiện các nhiệm vụ trọng tâm và đề ra 05 giải pháp "
     "cho những tháng cuối năm.</p>", None),
    ("Sở Y tế", "",
     "Hơn 12.000 trẻ em được tiêm vắc xin sởi trong đợt tiêm chủng mở rộng",
     "Đợt tiêm chủng bổ sung vắc xin sởi đã hoàn thành tại 9 huyện, thị xã.",
     "<p>Tỷ lệ tiêm đạt 98,5%, không ghi nhận trường hợp phản ứng nặng sau tiêm.</p>", None),
    ("Sở Văn hóa, Thể thao và Du lịch", "",
     "Chuẩn bị Lễ hội Văn hóa các dân tộc tỉnh Hòa An năm 2027",
     "Lễ hội dự kiến diễn ra trong 3 ngày với hơn 20 hoạt động.",
     "<p>Ban tổ chức đang hoàn thiện kế hoạch chi tiết.</p>",
     "Đề nghị bổ sung thời gian, địa điểm cụ thể và ảnh minh họa."),
]


def seed_newsroom() -> None:
    """Articles units have sent: the review queue and a returned article have something in
    them. Submitted by the unit's contributor, or by its own system through the API."""
    editor = db.session.scalar(select(User).where(User.username == "bientap"))
    for unit_name, username, title, lede, body, return_note in NEWSROOM:
        if db.session.scalar(select(Article.id).where(Article.title == title)) is not None:
            continue
        unit = unit_named(unit_name, actor="demo")
        db.session.commit()
        author = db.session.scalar(select(User).where(User.username == username)) \
            if username else None
        data = ArticleInput(title=title, lede=lede, body_html=body, unit_id=unit.id)
        article = workflow.save(None, data, author, then="submit",
                                actor="" if author else f"api:{unit.slug}")
        if return_note:
            workflow.return_to_unit(article, editor, return_note)


def cover_bytes(title: str, index: int = 0) -> bytes:
    buf = io.BytesIO()
    cover_image(title, index).save(buf, "JPEG")
    return buf.getvalue()
