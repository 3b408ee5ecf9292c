"""The briefing video as a viewer sees it: which picture is on screen while which sentences are
read, its caption with it (and none without a picture), the title card, the corner mark, and
subtitles that stay in their band."""

import random
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import briefing
from media_pipeline.briefing import MIN_SCENE, Picture, Scene, Story, plan_scenes
from media_pipeline.cards import GOLD, Layout, caption_box, caption_position

FPS = briefing.FPS
GREEN, BLUE = (20, 170, 60), (30, 60, 200)


def sentences(*blocks: tuple[int, float, float, str]) -> list[dict]:
    return [{"block": b, "start": s, "end": e, "text": t} for b, s, e, t in blocks]


def contiguous(scenes: list[Scene], start: float, end: float) -> bool:
    edges = [start] + [edge for s in scenes for edge in (s.start, s.end)] + [end]
    return all(abs(a - b) < 1e-9 for a, b in zip(edges[::2], edges[1::2], strict=True))


# --- what is on screen when ---------------------------------------------------------------

ARTICLE = sentences((0, 0, 4, "Tiêu đề."), (1, 4.2, 12, "Sa pô."), (2, 12.2, 30, "Đoạn một."),
                    (3, 30.2, 33, "Chú thích ảnh."), (4, 33.2, 50, "Đoạn hai."),
                    (5, 50.2, 90, "Đoạn ba rất dài."), (6, 90.2, 120, "Đoạn cuối."))


def test_an_article_without_pictures_is_the_plain_card_after_the_title():
    assert plan_scenes(120, 4, None, [], ARTICLE) == [Scene(4, 120, None)]


def test_the_cover_alone_stays_for_the_whole_narration():
    cover = Picture(Path("cover.jpg"), "Ảnh bìa", 0)
    assert plan_scenes(120, 4, cover, [], ARTICLE) == [Scene(4, 120, cover)]


def test_a_body_picture_is_shown_while_the_sentences_near_it_are_read():
    cover = Picture(Path("cover.jpg"), "Ảnh bìa", 0)
    body = Picture(Path("body.jpg"), "Chú thích ảnh.", 3)
    scenes = plan_scenes(120, 4, cover, [body], ARTICLE)
    assert contiguous(scenes, 4, 120)
    shown = next(s for s in scenes if s.picture is body)
    # from the paragraph before it, through its caption, to the paragraph after it
    assert shown.start == 12.2 and shown.end == 50
    assert scenes[0] == Scene(4, 12.2, cover)
    # a long stretch after it: the cover comes back (its caption is the cover's own)
    assert scenes[-1] == Scene(50, 120, cover)


def test_without_a_cover_the_long_stretches_are_the_plain_card():
    body = Picture(Path("body.jpg"), "", 3)
    scenes = plan_scenes(120, 4, None, [body], ARTICLE)
    assert [s.picture for s in scenes] == [None, body, None]
    assert contiguous(scenes, 4, 120)


def test_a_picture_lingers_over_a_short_gap_instead_of_a_flash_of_cover():
    cover = Picture(Path("cover.jpg"), "", 0)
    first, second = Picture(Path("a.jpg"), "A", 3), Picture(Path("b.jpg"), "B", 6)
    scenes = plan_scenes(120, 4, cover, [first, second], ARTICLE)
    # between the two pictures' paragraphs (50 → 50.2 s… the second's starts at 50.2) there
    # is no cover scene shorter than MIN_SCENE
    assert all(s.length >= MIN_SCENE for s in scenes)
    assert [s.picture for s in scenes] == [cover, first, second]


def test_pictures_side_by_side_each_get_their_time():
    cover = Picture(Path("cover.jpg"), "", 0)
    many = [Picture(Path(f"{n}.jpg"), f"Ảnh {n}", 3) for n in range(4)]
    scenes = plan_scenes(120, 4, cover, many, ARTICLE)
    shown = [s for s in scenes if s.picture in many]
    assert [s.picture for s in shown] == many  # in page order
    assert all(s.length >= MIN_SCENE for s in scenes)
    assert contiguous(scenes, 4, 120)


def test_a_picture_with_no_room_before_the_end_is_left_out():
    short = sentences((0, 0, 3, "Tiêu đề."), (1, 3.1, 7, "Đoạn."), (2, 7.1, 8, "Đoạn."),
                      (3, 8.1, 9, "Ảnh."))
    late = Picture(Path("late.jpg"), "Ảnh muộn", 3)
    scenes = plan_scenes(9.5, 3, None, [late], short)
    assert late not in [s.picture for s in scenes]
    assert contiguous(scenes, 3, 9.5)


def test_any_article_gives_a_timeline_without_gaps_or_flashes():
    rng = random.Random(15)
    for _ in range(300):
        blocks, t = [], 0.0
        for b in range(rng.randint(1, 20)):
            length = rng.uniform(0.5, 40)
            blocks.append((b, t, t + length, "x"))
            t += length + 0.2
        duration, card = t, min(4, t / 3)
        cover = Picture(Path("cover.jpg"), "", 0) if rng.random() < 0.5 else None
        pictures = [Picture(Path(f"{n}.jpg"), "", rng.randint(0, len(blocks)))
                    for n in range(rng.randint(0, 6))]
        scenes = plan_scenes(duration, card, cover, sorted(pictures, key=lambda p: p.block),
                             sentences(*blocks))
        assert contiguous(scenes, card, duration)
        assert all(s.length >= MIN_SCENE - 1e-9 for s in scenes[:-1])
        shown = [s.picture for s in scenes if s.picture not in (cover, None)]
        assert len(shown) == len(set(map(id, shown)))  # none twice
        times = briefing._block_times(sentences(*blocks))
        for scene in scenes:  # a body picture never starts after its sentences are over
            if scene.picture not in (cover, None) and scene.picture.block - 1 in times:
                near = briefing._near(scene.picture, times)
                assert scene.start + MIN_SCENE <= near[1] + 1e-9


# --- the video itself ------------------------------------------------------------------------

def solid(path: Path, colour: tuple[int, int, int], size=(1200, 800)) -> Path:
    Image.new("RGB", size, colour).save(path, quality=95)
    return path


@pytest.fixture(scope="module")
def narration(tmp_path_factory) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("brief") / "narration.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=16",
                    "-ac", "1", "-b:a", "32k", str(path)], check=True)
    return path, 16.0


SCRIPT = sentences(
    (0, 0.0, 3.0, "Tỉnh Hòa An khánh thành cầu mới."),
    (1, 3.2, 6.0, "Sáng nay, cây cầu đã thông xe."),
    (2, 6.2, 8.0, "Ảnh: Lễ cắt băng khánh thành."),
    (3, 8.2, 16.0, "Cây cầu dài 1.200 mét, nối hai bờ sông và rút ngắn quãng đường đi lại "
                   "của người dân hai huyện, giúp hàng hóa lưu thông thuận tiện hơn trước."))
STORY = Story("Tỉnh Hòa An khánh thành cầu mới", "Kinh tế", "Chủ nhật, 06/12/2026",
              "Cổng thông tin điện tử tỉnh Hòa An", Path("static/img/emblem.png"))


def render(tmp: Path, narration, cover, pictures, burn=False, size=briefing.LANDSCAPE) -> Path:
    path, duration = narration
    tmp.mkdir(parents=True, exist_ok=True)
    return briefing.render(STORY, cover, pictures, path, duration, tmp, SCRIPT, size,
                           burn_subtitles=burn)


def frame_at(video: Path, seconds: float) -> Image.Image:
    png = video.with_name(f"frame-{seconds:.2f}.png")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{seconds}", "-i", str(video),
                    "-frames:v", "1", str(png)], check=True)
    return Image.open(png).convert("RGB")


def close(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def share_of(img: Image.Image, colour, box) -> float:
    region = img.crop(box)
    pixels = list(region.get_flattened_data())
    return sum(close(p, colour) for p in pixels) / len(pixels)


@pytest.fixture(scope="module")
def with_pictures(tmp_path_factory, narration):
    tmp = tmp_path_factory.mktemp("pictures")
    cover = Picture(solid(tmp / "cover.jpg", GREEN), "Ảnh bìa: cây cầu nhìn từ trên cao", 0)
    body = Picture(solid(tmp / "body.jpg", BLUE), "Lễ cắt băng khánh thành.", 2)
    return render(tmp / "out", narration, cover, [body]), tmp


def test_the_video_opens_on_a_clean_title_card_then_shows_each_picture_in_turn(with_pictures):
    video, _ = with_pictures
    layout = Layout(briefing.LANDSCAPE)
    title = frame_at(video, 1.0)
    upper = (0, 0, 1280, layout.band_top)
    # the card is the portal's red, no picture behind the title
    assert share_of(title, GREEN, upper) < 0.01 and share_of(title, BLUE, upper) < 0.01
    assert title.getpixel((640, 300))[0] > 90 > title.getpixel((640, 300))[2]
    # the lede is read over the cover; the caption's sentences over the body picture
    assert share_of(frame_at(video, 4.0), GREEN, upper) > 0.6
    assert share_of(frame_at(video, 9.0), BLUE, upper) > 0.6


def test_each_picture_carries_its_own_caption_above_the_band(with_pictures):
    video, _ = with_pictures
    layout = Layout(briefing.LANDSCAPE)
    box = caption_box("Lễ cắt băng khánh thành.", layout)
    x, y = caption_position(box, layout)
    frame = frame_at(video, 9.0)
    assert close(frame.getpixel((x + 2, y + box.height // 2)), GOLD)  # the caption's gold edge
    # the gold edge, followed down the frame, ends above the band: the caption never enters it
    gold_rows = [row for row in range(720) if close(frame.getpixel((x + 2, row)), GOLD)]
    assert gold_rows and max(gold_rows) < layout.band_top


def test_the_portal_mark_sits_in_the_top_right_corner(with_pictures):
    video, _ = with_pictures
    corner = frame_at(video, 9.0).crop((1280 - 420, 0, 1280, 90))
    # the emblem's gold and red, on the blue picture
    colours = list(corner.get_flattened_data())
    assert any(close(p, GOLD, 60) for p in colours)
    assert sum(not close(p, BLUE, 50) for p in colours) > len(colours) * 0.3


def test_a_picture_without_a_caption_shows_no_caption_box(tmp_path, narration):
    body = Picture(solid(tmp_path / "body.jpg", BLUE), "", 2)
    video = render(tmp_path / "out", narration, None, [body])
    layout = Layout(briefing.LANDSCAPE)
    frame = frame_at(video, 9.0)
    below_the_corner_mark = (0, 100, 1280, layout.band_top)
    assert share_of(frame, BLUE, below_the_corner_mark) > 0.99


def test_without_pictures_the_plain_card_has_no_caption(tmp_path, narration):
    video = render(tmp_path / "out", narration, None, [])
    layout = Layout(briefing.LANDSCAPE)
    frame = frame_at(video, 9.0)
    card = Image.open(tmp_path / "out" / "plain.jpg").convert("RGB")
    box = caption_box("x", layout)
    x, y = caption_position(box, layout)
    # what the plain card shows there is the card itself: no gold caption edge
    assert not close(frame.getpixel((x + 2, y + box.height // 2)), GOLD)
    assert close(frame.getpixel((x + 2, y + box.height // 2)),
                 card.getpixel((x + 2, y + box.height // 2)), 25)


def test_the_video_lasts_as_long_as_the_narration(with_pictures, narration):
    video, _ = with_pictures
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries", "stream=nb_read_frames,width,height", "-of",
                          "default=nw=1", str(video)], capture_output=True, text=True,
                         check=True).stdout
    fields = dict(line.split("=") for line in out.split())
    assert (fields["width"], fields["height"]) == ("1280", "720")
    assert abs(int(fields["nb_read_frames"]) - narration[1] * FPS) <= 1


@pytest.mark.parametrize("size", [briefing.LANDSCAPE, briefing.PORTRAIT],
                         ids=["16:9", "9:16"])
def test_burned_subtitles_only_ever_change_the_band(tmp_path, narration, size):
    cover = Picture(solid(tmp_path / "cover.jpg", GREEN), "Ảnh bìa", 0)
    body = Picture(solid(tmp_path / "body.jpg", BLUE), "Lễ cắt băng khánh thành.", 2)
    plain = render(tmp_path / "soft", narration, cover, [body], size=size)
    burned = render(tmp_path / "burned", narration, cover, [body], burn=True, size=size)
    layout = Layout(size)
    changed_rows: set[int] = set()
    for t in (4.0, 7.0, 12.0):  # the lede, the caption, the long last sentence
        a, b = frame_at(plain, t), frame_at(burned, t)
        w, h = a.size
        pa, pb = a.load(), b.load()
        rows = {y for y in range(h) for x in range(0, w, 2)
                if sum(abs(i - j) for i, j in zip(pa[x, y], pb[x, y], strict=True)) > 60}
        assert rows, f"no subtitle at {t} s"
        changed_rows |= rows
    assert min(changed_rows) >= layout.band_top
    assert max(changed_rows) < layout.band_top + layout.band_height


def test_subtitle_cues_fit_two_lines_and_keep_the_sentence_time():
    layout = Layout(briefing.LANDSCAPE)
    long = sentences((1, 10.0, 40.0, " ".join(["Hội nghị tổng kết công tác năm"] * 20)))
    cues = briefing.subtitle_cues(long, layout)
    assert len(cues) > 1 and all(len(lines) <= 2 for _, _, lines in cues)
    assert cues[0][0] == 10.0 and cues[-1][1] == pytest.approx(40.0)
    assert all(a[1] == pytest.approx(b[0]) for a, b in zip(cues, cues[1:], strict=False))
    said = " ".join(" ".join(lines) for _, _, lines in cues)
    assert said == long[0]["text"]
    # the title is on its card: not a subtitle as well
    assert briefing.subtitle_cues(sentences((0, 0, 3, "Tiêu đề")), layout) == []


def test_a_picture_that_cannot_be_read_is_left_out_with_its_caption(tmp_path, narration):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    cover = Picture(solid(tmp_path / "cover.jpg", GREEN), "", 0)
    video = render(tmp_path / "out", narration, cover,
                   [Picture(broken, "Chú thích của một ảnh hỏng", 2)])
    layout = Layout(briefing.LANDSCAPE)
    # the cover stays on where the broken picture would have been, with no caption box
    frame = frame_at(video, 9.0)
    assert share_of(frame, GREEN, (0, 100, 1280, layout.band_top)) > 0.99
    assert not list((tmp_path / "out").glob("caption-*.png"))


def test_the_soft_track_has_the_bands_cues(tmp_path):
    layout = Layout(briefing.LANDSCAPE)
    track = briefing.write_vtt(briefing.subtitle_cues(SCRIPT, layout), layout,
                               tmp_path / "band.vtt")
    text = track.read_text("utf-8")
    assert text.startswith("WEBVTT\n\n")
    cues = [c.splitlines() for c in text.split("\n\n")[1:] if c.strip()]
    assert len(cues) >= len(SCRIPT) - 1  # every sentence but the title, the long one cut
    assert all(len(c) in (3, 4) for c in cues)
    # pinned in the band: a share of the height just under its top edge (588 of 720 px)
    assert cues[0][1] == "00:00:03.200 --> 00:00:06.000 line:84% align:center size:92%"
    # that line, in pixels, is inside the band with room under it for two lines of a player's
    # caption font (5 % of the height a line)
    top = int(cues[0][1].split("line:")[1].split("%")[0]) * 720 / 100
    assert layout.band_top <= top <= layout.band_top + layout.band_height - 2 * 0.05 * 720 * 1.2


def test_pictures_that_find_their_sentences_already_read_are_left_out():
    crowd = [Picture(Path(f"{n}.jpg"), f"Ảnh {n}", 3) for n in range(5)]
    script = sentences((0, 0, 4, "T."), (1, 4.2, 11.8, "L."), (2, 12, 14, "P."),
                       (3, 14.2, 15, "Ảnh."), (4, 15.2, 17, "Sau."), (5, 17.2, 120, "Dài."))
    scenes = plan_scenes(120, 4, None, crowd, script)
    shown = [s for s in scenes if s.picture in crowd]
    assert 1 <= len(shown) <= 2 and all(s.start < 17 for s in shown)


def test_a_web_address_in_the_title_or_a_sentence_stays_inside_the_frame():
    from media_pipeline.cards import font, wrap

    layout = Layout(briefing.LANDSCAPE)
    url = "https://congthongtin.hoaan.gov.vn/" + "tin-tuc-" * 40
    face = font(layout.subtitle_font_size)
    for line in wrap(f"Xem tại {url} để biết thêm", face, layout.subtitle_width):
        assert face.getlength(line) <= layout.subtitle_width
    cues = briefing.subtitle_cues(sentences((1, 0, 10, f"Địa chỉ {url}.")), layout)
    assert all(face.getlength(line) <= layout.subtitle_width for _, _, ls in cues for line in ls)


def test_a_blank_caption_draws_no_box(tmp_path, narration):
    body = Picture(solid(tmp_path / "body.jpg", BLUE), "   ", 2)
    render(tmp_path / "out", narration, None, [body])
    assert not list((tmp_path / "out").glob("caption-*.png"))
