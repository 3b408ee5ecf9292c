"""Article HTML → the plain text a narrator reads."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose end closes a spoken sentence/paragraph.
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
           "figcaption", "br", "td", "th", "section", "article"}
_SKIP = {"script", "style", "noscript", "template"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_paragraphs(html: str) -> list[str]:
    """Visible text of `html`, one string per block element, whitespace folded."""
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    text = "".join(collector.parts)
    paragraphs = (re.sub(r"\s+", " ", chunk).strip() for chunk in text.split("\n"))
    return [p for p in paragraphs if p]


def _as_sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in ".!?…:;":
        text += "."
    return text


def spoken_text(title: str, lede: str, body_html: str) -> str:
    """What the narrator reads: title, lede, then the body's paragraphs, one per line."""
    paragraphs = html_to_paragraphs(body_html)
    lines = [_as_sentence(title), _as_sentence(lede), *map(_as_sentence, paragraphs)]
    return "\n".join(line for line in lines if line)


def has_words(text: str) -> bool:
    """True when `text` holds at least one letter or digit to say."""
    return any(ch.isalnum() for ch in text)
