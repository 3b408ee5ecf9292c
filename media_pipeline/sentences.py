"""One paragraph of Vietnamese news → sentences for narration and read-along highlighting.

Every sentence returned is an exact slice of the paragraph (edge whitespace stripped), and in
order they cover all of its non-space text: the browser finds each one in the page to
highlight it, so nothing here may rewrite a character.

A rule-based scanner rather than underthesea's `sent_tokenize`: that tokenizer cuts inside
URLs and e-mail addresses ("www." | "example.com"), leaves a closing quote at the head of the
next sentence, and its learned abbreviation list holds stray syllables ("bự", "sất") that
suppress real sentence ends. The rules below are the ones news text needs, stated plainly.
"""

from __future__ import annotations

import re

__all__ = ["MAX_SENTENCE_CHARS", "split_sentences"]

# Longer sentences are cut at "; " or ", " so TTS engines and highlighting stay comfortable.
MAX_SENTENCE_CHARS = 300

# Sentence-final marks, then any closing quotes or brackets, then whitespace or the end.
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")

# Abbreviations that stand before a name or number, after which a dot never ends a sentence:
# "TP. Vị Thanh", "Đ/c. Trần Văn Huyến", "PGS. Lê B", "Q. 1", "Tr. 5".
_NO_BREAK_AFTER = frozenset({
    "tp", "tx", "tt", "đ/c", "ts", "ths", "th.s", "tskh", "pgs", "gs", "bs", "ks", "ls", "ds",
    "nsnd", "nsưt", "nxb", "tr", "đt", "sđt", "kp", "mr", "mrs", "ms", "dr", "prof", "st",
    "no", "vol",
})
# Abbreviations that do end sentences when a capital follows: "… hội nghị, v.v. Sau đó …".
_MAY_END = frozenset({"v.v", "vv", "etc"})

_ROMAN = re.compile(r"[IVXLC]+")
_OPENERS = "\"'“‘«([-–—•*"


def _ends_sentence(text: str, start: int, mark: re.Match[str]) -> bool:
    """Whether the punctuation `mark` closes the sentence that began at `start`."""
    rest = text[mark.end():].lstrip()
    if not rest:
        return True
    nxt = rest[0]
    # A sentence never starts in lowercase or with a comma: "tỉnh sẽ... triển khai",
    # "“Tại sao?” ông hỏi", "v.v. và".
    if nxt.islower() or nxt in ",;:":
        return False
    marks = mark.group().rstrip("\"'”’»)]")
    if marks != ".":
        return True  # "?", "!", "…", "..." before a capital or a digit
    words = text[start:mark.start()].split()
    token = words[-1].lstrip(_OPENERS) if words else ""
    lowered = token.lower()
    if lowered in _MAY_END:
        return True
    last = token.rsplit(".", 1)[-1]
    if lowered in _NO_BREAK_AFTER or last.lower() in _NO_BREAK_AFTER:
        return False
    if len(last) == 1 and last.isupper():
        # Initials and "Q. 1", "P. Tân Định", "H. Long Mỹ"; a lowercase "ý." ends a sentence.
        return False
    # A list number or heading at the start: "1. Nội dung…", "II. Nhiệm vụ…".
    if len(words) == 1 and (token.isdigit() or _ROMAN.fullmatch(token)):
        return False
    return True


def _cut(sentence: str) -> list[str]:
    """Split an over-long sentence at "; " or ", " nearest its middle, recursively."""
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence]
    middle = len(sentence) / 2

    def positions(sep: str) -> list[int]:
        # Index just after the punctuation mark: it stays with the left piece.
        return [m.start() + 1 for m in re.finditer(re.escape(sep), sentence)]

    semis, commas = positions("; "), positions(", ")
    # A semicolon is the stronger seam, but not at the price of a tiny piece.
    near = [p for p in semis if abs(p - middle) <= len(sentence) / 4]
    candidates = near or commas or semis or [m.start() for m in re.finditer(r"\s", sentence)]
    if not candidates:
        return [sentence]  # one unbroken token: nothing sensible to cut
    cut = min(candidates, key=lambda p: abs(p - middle))
    left, right = sentence[:cut].strip(), sentence[cut:].strip()
    if not left or not right:
        return [sentence]
    return _cut(left) + _cut(right)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of `paragraph`, each an exact substring with edge whitespace stripped.

    Does not break after abbreviations before names (TP., Đ/c., TS., PGS., ThS., Th.S, Q.,
    P.), inside numbers and dates (1.250, 3,2, 18/1/2021, 18.1.2021), document numbers
    (05-NQ/TU), URLs, or at an ellipsis followed by lowercase. Closing quotes stay with
    their sentence. Sentences over MAX_SENTENCE_CHARS are cut at "; " or ", " near the middle.
    """
    sentences: list[str] = []
    start = 0
    for mark in _END.finditer(paragraph):
        if _ends_sentence(paragraph, start, mark):
            piece = paragraph[start:mark.end()].strip()
            if piece:
                sentences.extend(_cut(piece))
            start = mark.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.extend(_cut(tail))
    return sentences
