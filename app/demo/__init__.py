"""Demo content for `make run`: users, sections, articles with generated covers and a video.

Idempotent: articles are matched by slug, users by name; media is made once.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from media_pipeline.samples import make_video

from ..extensions import db
from ..media import lifecycle, storage_keys
from ..models import Article, Banner, Role, User
from ..services import drafting, site, workflow
from ..services.accounts import unit_named
from ..services.banners import BannerInput, save_banner
from ..services.importer import import_article
from ..services.infra import init_storage, object_store
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
    """A landscape standing in for a press photo: sky, sun, hills, fields and a river in the
    section's colours. No words in it: a real photo carries none, and a title drawn into the
    picture would be said twice wherever the picture goes with its title."""
    (r1, g1, b1), (r2, g2, b2) = PALETTE[index % len(PALETTE)]
    w, h = size
    seed = sum(map(ord, title))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(h * (0.5 + (seed % 7) / 70))
    for y in range(horizon):  # sky: the palette's colours paling towards the horizon
        t = y / horizon
        draw.line([(0, y), (w, y)], fill=(int(r1 + (255 - r1) * t * 0.8),
                                          int(g1 + (230 - g1) * t * 0.8),
                                          int(b1 + (200 - b1) * t * 0.8)))
    sun_x = int(w * (0.2 + (seed % 5) / 8))
    draw.ellipse([sun_x - 60, horizon - 190, sun_x + 60, horizon - 70], fill=(255, 236, 170))
    for n, shade in enumerate((0.55, 0.75)):  # two ranges of hills
        top = horizon - 90 + n * 45
        points = [(0, horizon)] + [
            (x, top + int(40 * math.sin((x + seed * (n + 1)) / (90 + 40 * n)))) for x in
            range(0, w + 20, 20)] + [(w, horizon)]
        draw.polygon(points, fill=(int(r2 * shade), int(g2 * shade * 1.1), int(b2 * shade)))
    for y in range(horizon, h):  # fields in rows, darker towards the viewer
        t = (y - horizon) / (h - horizon)
        row = 1 if ((y - horizon) // max(4, int(6 + 30 * t))) % 2 else 0.9
        draw.line([(0, y), (w, y)], fill=(int((60 + 40 * t) * row), int((130 - 40 * t) * row),
                                          int(50 * row)))
    river = [(int(w * 0.55 + 260 * t + 60 * math.sin(t * 5)), horizon + int((h - horizon) * t))
             for t in (i / 20 for i in range(21))]
    for dx in range(-10 - 50 * 1, 10 + 50):  # a river widening towards the viewer
        draw.line([(x + dx * (y - horizon) // (h - horizon + 1) + dx // 4, y)
                   for x, y in river], fill=(150, 190, 215), width=3)
    return image


# Pictures in the demo articles' bodies: (article index, after paragraph, caption, look).
BODY_PICTURES = [
    (1, 1, "Du khách tham quan khu trưng bày “Làng nghề Hòa An” trong tối khai mạc.", 3),
    (2, 1, "Thiết bị bay không người lái phun thuốc trên cánh đồng lúa xã Tân Lập.", 1),
    (2, 3, "Đ/c Võ Minh Tâm, Giám đốc Sở Nông nghiệp và Môi trường, phát biểu kết luận hội "
           "thảo.", 0),
]


def seed_body_pictures(articles: list[Article]) -> None:
    """Pictures with captions in some bodies, placed as the editor's tool places them: the
    portal shows them among the paragraphs, and the briefing video shows each while the
    sentences near it are read."""
    for index in sorted({i for i, *_ in BODY_PICTURES}):
        if index >= len(articles) or "<figure" in (articles[index].body_html or ""):
            continue
        article = articles[index]
        paragraphs = [f"{p}</p>" for p in article.body_html.split("</p>") if p.strip()]
        for _, after, caption, look in sorted(
                (p for p in BODY_PICTURES if p[0] == index), key=lambda p: -p[1]):
            buf = io.BytesIO()
            cover_image(caption, look, (1200, 800)).save(buf, "JPEG", quality=88)
            buf.seek(0)
            image = drafting.add_body_image(article, buf, caption, None)
            figure = (f'<figure><img src="{object_store().url(storage_keys.shown(image.key))}"'
                      f' alt="{escape(caption)}" width="{image.width}" '
                      f'height="{image.height}"><figcaption>{escape(caption)}</figcaption>'
                      "</figure>")
            paragraphs.insert(after, figure)
        data = ArticleInput(
            title=article.title, lede=article.lede, body_html="".join(paragraphs),
            author_name=article.author_name, cover_caption=article.cover_caption,
            category_id=article.category_id, unit_id=article.unit_id)
        workflow.save(article, data, None, actor="demo")


def banner_image(text: str, size: tuple[int, int] = (1200, 300)) -> Image.Image:
    """A public-service notice: the message on the portal's colours."""
    (r1, g1, b1), (r2, g2, b2) = PALETTE[0]
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(w):
        t = x / w
        draw.line([(x, 0), (x, h)], fill=(int(r1 + (r2 - r1) * t), int(g1 + (g2 - g1) * t),
                                          int(b1 + (b2 - b1) * t)))
    draw.ellipse([w - 420, -160, w + 160, 420], outline=(255, 255, 255), width=6)
    lines = textwrap.wrap(text, 34)[:2]
    y = (h - 70 * len(lines)) // 2
    for line in lines:
        draw.text((60, y), line, font=_font(54), fill=(255, 255, 255))
        y += 70
    return image


# The fictional province's portal, as its footer states it (Decree 42/2022): consistent with
# the articles, documents and schedules (Văn phòng Tỉnh ủy runs the portal; phường Phú Hòa).
# The emblem is the default one (static/img/emblem.png), itself fictional.
DEMO_IDENTITY = {
    "name": "Cổng thông tin điện tử tỉnh Hòa An",
    "governing_body": "Tỉnh ủy Hòa An",
    "responsible": "Nguyễn Văn Thành, Chánh Văn phòng Tỉnh ủy",
    "licence_number": "152/GP-TTĐT",
    "licence_date": "2024-06-14",
    "address": "Số 1 đường Trần Hưng Đạo, phường Phú Hòa, tỉnh Hòa An",
    "phone": "0200 3812 345",
    "email": "banbientap@hoaan.test",
    "banner_label": "propaganda",
}


def seed_identity() -> None:
    """The portal's identity, unless an admin has set any of it already."""
    if not site.anything_set():
        site.save(DEMO_IDENTITY, actor="demo")


def seed_banner() -> None:
    """One banner in the slot: a public-service notice ("Thông tin tuyên truyền"), as such
    portals carry."""
    if db.session.scalar(select(Banner)) is not None:
        return
    image = banner_image("Dịch vụ công trực tuyến: nộp hồ sơ mọi lúc, mọi nơi")
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
    seed_body_pictures(articles)
    seed_identity()
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
