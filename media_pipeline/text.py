"""Article HTML → the blocks of text a narrator reads, and the pictures among them, in page
order."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser

# Elements whose end closes a block (a paragraph of speech).
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
           "figcaption", "caption", "section", "article", "dt", "dd", "pre"}
_CELLS = {"td", "th"}
_SKIP = {"script", "style", "noscript", "template", "audio", "video", "iframe", "svg"}


@dataclass(frozen=True)
class Block:
    """One paragraph of page text; `kind` tells how to speak it (captions get a prefix)."""

    text: str
    kind: str = "p"


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class BodyPicture:
    """A picture in the body: its address, its figure's caption ("" when it has none) and
    the block it stands beside (for the body: the first block after it; for
    `article_pictures`: that block's index among `article_blocks`)."""

    src: str
    caption: str
    block: int


class _BlockCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._kind = "p"
        self._skip_depth = 0
        self.pictures: list[BodyPicture] = []
        self._figure: list[int] | None = None  # indexes of the pictures in the open <figure>

    def _flush(self) -> None:
        text = _fold("".join(self._parts)).strip(" ,")
        if text:
            if self._kind == "caption" and self._figure:
                for i in self._figure:  # a figure's caption belongs to its pictures
                    self.pictures[i] = replace(self.pictures[i], caption=text)
            self.blocks.append(Block(text, self._kind))
        self._parts, self._kind = [], "p"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag == "figure":
            self._flush()
            self._figure = []
        elif tag == "img" and not self._skip_depth:
            src = dict(attrs).get("src") or ""
            if src:
                if self._figure is not None:
                    self._figure.append(len(self.pictures))
                self.pictures.append(BodyPicture(src, "", len(self.blocks)))
        elif tag in _BLOCKS or tag == "br":
            self._flush()
            if tag in ("figcaption", "caption"):
                self._kind = "caption"
            elif tag == "tr":
                self._kind = "row"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "figure":
            self._flush()
            self._figure = None
        elif tag in _CELLS:
            self._parts.append(", ")  # a table row is read as one sentence, cell by cell
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _collect(html: str) -> _BlockCollector:
    collector = _BlockCollector()
    collector.feed(html or "")
    collector.close()
    return collector


def html_blocks(html: str) -> list[Block]:
    """Visible text of `html`, one Block per paragraph, list item, caption or table row."""
    return _collect(html).blocks


def html_to_paragraphs(html: str) -> list[str]:
    return [block.text for block in html_blocks(html)]


def _layout(title: str, lede: str, body_html: str, read_captions: bool
            ) -> tuple[list[Block], list[BodyPicture]]:
    body = _collect(body_html)
    blocks = [Block(_fold(title), "title"), Block(_fold(lede), "lede"), *body.blocks]
    kept = [b.text != "" and (read_captions or b.kind != "caption") for b in blocks]
    # where each of the article's blocks lands once the empty or unread ones are left out
    position, landed = 0, []
    for keep in kept:
        landed.append(position)
        position += keep
    last = max(position - 1, 0)
    pictures = [replace(p, block=min(landed[2 + p.block] if 2 + p.block < len(landed)
                                     else position, last)) for p in body.pictures]
    return [b for b, keep in zip(blocks, kept, strict=True) if keep], pictures


def article_blocks(title: str, lede: str, body_html: str,
                   read_captions: bool = True) -> list[Block]:
    """What the narrator reads, in order: title, lede, then the body (captions optional)."""
    return _layout(title, lede, body_html, read_captions)[0]


def article_pictures(title: str, lede: str, body_html: str,
                     read_captions: bool = True) -> list[BodyPicture]:
    """The body's pictures in page order, each with the index (in `article_blocks`, the
    narration's `block`) of the block it stands beside: its caption when captions are read,
    else the paragraph after it (the last block for a picture at the very end)."""
    return _layout(title, lede, body_html, read_captions)[1]


def _as_sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in ".!?…:;":
        text += "."
    return text


def spoken_text(title: str, lede: str, body_html: str) -> str:
    """The article's readable text, one block per line (what narration is made from)."""
    return "\n".join(_as_sentence(b.text) for b in article_blocks(title, lede, body_html))


def has_words(text: str) -> bool:
    """True when `text` holds at least one letter or digit to say."""
    return any(ch.isalnum() for ch in text)
