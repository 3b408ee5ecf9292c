"""Subtitles an editor attaches to a video: SRT or WebVTT in, checked WebVTT out.

Browsers only play WebVTT in `<track>`, so SRT is converted (comma → dot in the timestamps,
the SRT index kept as the cue id); WebVTT is checked and passed through. Anything else is
refused with a reason the editor can act on.
"""

from __future__ import annotations

import re

from .errors import InvalidMediaError

MAX_BYTES = 1024 * 1024  # what the editor may upload

EMPTY = "Tệp phụ đề trống."
NOT_UTF8 = "Tệp phụ đề phải là văn bản mã hóa UTF-8."
NOT_TEXT = "Tệp phụ đề không phải là văn bản."
NOT_SUBTITLES = "Tệp phụ đề không đúng định dạng SRT hoặc WebVTT."
NO_CUES = "Tệp phụ đề không có câu phụ đề nào."
BAD_TIME = "Mốc thời gian trong tệp phụ đề không hợp lệ."

# Control characters that never occur in subtitle text (tab, newlines and form feed may).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
_TIMING = re.compile(r"^[ \t]*(\S+)[ \t]*-->[ \t]*(\S+)(?:[ \t]+(.*))?$")
_SRT_TIME = re.compile(r"^(\d{1,3}):(\d{2}):(\d{2})[,.](\d{3})$")
_VTT_TIME = re.compile(r"^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})$")
_VTT_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_VTT_OTHER_BLOCKS = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t].*)?$")


def to_webvtt(data: bytes) -> str:
    """WebVTT text for an uploaded SRT or WebVTT file; InvalidMediaError for anything else."""
    text = _decode(data)
    if text.startswith("WEBVTT"):
        _check_webvtt(text)
        return text
    return _srt_to_webvtt(text)


_TAG = re.compile(r"<[^>]*>")


def cue_text(vtt: str) -> str:
    """The words said in a WebVTT file, cue after cue, without timings, ids or markup
    (what reader search indexes)."""
    said: list[str] = []
    for block in _blocks(vtt.replace("\r\n", "\n")):
        timing = next((i for i, line in enumerate(block) if "-->" in line), None)
        if timing is None:  # header, NOTE, STYLE, REGION
            continue
        said.extend(_TAG.sub("", line).strip() for line in block[timing + 1:])
    return " ".join(line for line in said if line)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise InvalidMediaError(EMPTY)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidMediaError(NOT_UTF8, f"byte {exc.start}") from None
    text = text.removeprefix("\ufeff")
    if _CONTROL.search(text):
        raise InvalidMediaError(NOT_TEXT)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InvalidMediaError(EMPTY)
    return text.strip("\n") + "\n"


def _blocks(text: str) -> list[list[str]]:
    return [block.split("\n") for block in _BLANK_LINES.split(text.strip("\n")) if block.strip()]


def _seconds(match: re.Match[str]) -> float:
    hours, minutes, seconds, millis = (int(g or 0) for g in match.groups())
    if minutes > 59 or seconds > 59:
        raise ValueError("minutes or seconds over 59")
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _timing(line: str, time_re: re.Pattern[str], number: int) -> tuple[float, float]:
    """Start and end of a cue's timing line, checked: well formed, end not before start."""
    match = _TIMING.match(line)
    start = time_re.match(match.group(1)) if match else None
    end = time_re.match(match.group(2)) if match else None
    try:
        if start is None or end is None:
            raise ValueError("malformed")
        begin, finish = _seconds(start), _seconds(end)
        if finish < begin:
            raise ValueError("ends before it starts")
    except ValueError:
        raise InvalidMediaError(BAD_TIME, f"câu {number}: {line.strip()}") from None
    return begin, finish


def _clock(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _srt_to_webvtt(text: str) -> str:
    out = ["WEBVTT", ""]
    for number, lines in enumerate(_blocks(text), start=1):
        if "-->" in lines[0]:
            cue_id, timing, body = "", lines[0], lines[1:]
        elif len(lines) > 1 and "-->" in lines[1]:
            cue_id, timing, body = lines[0].strip(), lines[1], lines[2:]
        elif number == 1:
            raise InvalidMediaError(NOT_SUBTITLES)
        else:
            raise InvalidMediaError(NOT_SUBTITLES, f"khối {number} không có mốc thời gian")
        start, end = _timing(timing, _SRT_TIME, number)
        if cue_id:
            out.append(cue_id)
        out.append(f"{_clock(start)} --> {_clock(end)}")
        # "-->" would end the cue text early in WebVTT; write its arrow as a character reference.
        out.extend(line.replace("-->", "--&gt;") for line in body)
        out.append("")
    return "\n".join(out)


def _check_webvtt(text: str) -> None:
    blocks = _blocks(text)
    if not _VTT_HEADER.match(blocks[0][0]):
        raise InvalidMediaError(NOT_SUBTITLES, "dòng đầu phải là WEBVTT")
    cues = 0
    for number, lines in enumerate(blocks[1:], start=2):
        if _VTT_OTHER_BLOCKS.match(lines[0]):
            continue
        if "-->" in lines[0]:
            timing = lines[0]
        elif len(lines) > 1 and "-->" in lines[1]:
            timing = lines[1]
        else:
            raise InvalidMediaError(NOT_SUBTITLES, f"khối {number} không có mốc thời gian")
        cues += 1
        _timing(timing, _VTT_TIME, cues)
    if cues == 0:
        raise InvalidMediaError(NO_CUES)
