"""Clean policy text as PDF extraction and web copies leave it, keeping every character's origin.

The extractor works on paragraphs of cleaned text; each cleaned character remembers its offset in
the source so that a task or target can cite the exact span it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Character fixes, one character for one: half-width punctuation of web copies, PDF glyph mix-ups.
CHAR_MAP = {
    "(": "（",
    ")": "）",
    ";": "；",
    "!": "！",
    "?": "？",
    "‚": "“",  # U+201A as the PDF writes an opening quote
    "‛": "”",  # U+201B as the PDF writes a closing quote
    "臵": "置",
    "業": "业",
    "〃": "·",
    "．": ".",
    "　": " ",
    "\t": " ",
    "\u00a0": " ",
    "﹝": "〔",
    "﹞": "〕",
    "［": "〔",
    "］": "〕",
    "【": "〔",
    "】": "〕",
    "[": "〔",
    "]": "〕",
}
FULLWIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)}
TERMINAL = "。！？；："
PAGE_NUMBER = re.compile(
    r"^\s*[-—–－]\s*\d{1,3}\s*[-—–－]\s*$|^\s*第\s*\d+\s*页(\s*共\s*\d+\s*页)?\s*$"
)
HEADING_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.、](?!\d)|（\d{1,2}）)"
)
TABLE_CAPTION = re.compile(r"^\s*表\s*\d+\s*[-－—]\s*\d+")
# Pinyin a web mirror wrote after some characters: 發(fā)展, 經(jīng)開區(qū).
PINYIN_NOTE = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*\)")


def is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_cjk(ch: str) -> bool:
    """CJK ideographs and the full-width punctuation around them."""
    return (
        is_ideograph(ch)
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or ch in "“”‘’—…·"
    )


@dataclass
class Piece:
    """Cleaned text with the source offset of each character."""

    text: str = ""
    offsets: list[int] = field(default_factory=list)

    def add(self, ch: str, offset: int) -> None:
        self.text += ch
        self.offsets.append(offset)

    def extend(self, other: Piece) -> None:
        self.text += other.text
        self.offsets.extend(other.offsets)

    def span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Return the source span [start, end) of cleaned characters start..end."""
        end = len(self.text) if end is None else end
        if not self.offsets or start >= end:
            return (0, 0)
        return (self.offsets[start], self.offsets[end - 1] + 1)

    def slice(self, start: int, end: int | None = None) -> Piece:
        end = len(self.text) if end is None else end
        return Piece(self.text[start:end], self.offsets[start:end])

    def strip(self) -> Piece:
        start, end = 0, len(self.text)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return self.slice(start, end)


@dataclass
class Line:
    piece: Piece
    heading_hash: bool = False  # a Markdown '#' heading
    bold: bool = False  # wholly wrapped in ** **
    blank_before: bool = False


def map_char(text: str, i: int) -> str:
    ch = text[i]
    if ch in FULLWIDTH_DIGITS:
        return FULLWIDTH_DIGITS[ch]
    if ch in "，,：:" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
        return "," if ch in "，," else ":"  # 1,000 and 9:00 stay numbers
    if ch == ",":
        return "，"
    if ch == ":":
        return "："
    return CHAR_MAP.get(ch, ch)


def clean_line(raw: str, base: int) -> Line:
    """Return one source line cleaned: markers dropped, characters mapped, stray spaces removed."""
    piece = Piece()
    stripped = raw.strip()
    heading_hash = stripped.startswith("#")
    bold = stripped.startswith("**") and stripped.endswith("**") and len(stripped) > 4
    i = 0
    while i < len(raw):
        note = PINYIN_NOTE.match(raw, i) if raw[i] == "(" else None
        if note:
            i = note.end()
            continue
        if raw.startswith("**", i):
            i += 2
            continue
        if raw[i] == "#" and not piece.text.strip():
            i += 1
            continue
        piece.add(map_char(raw, i), base + i)
        i += 1
    return Line(_squeeze_spaces(piece).strip(), heading_hash=heading_hash, bold=bold)


def _squeeze_spaces(piece: Piece) -> Piece:
    """Drop spaces next to CJK text (到 2025 年 → 到2025年); keep one between Latin words."""
    out = Piece()
    t = piece.text
    for i, ch in enumerate(t):
        if ch.isspace():
            prev = out.text[-1:] or " "
            nxt = next((c for c in t[i + 1 :] if not c.isspace()), " ")
            if prev.isspace() or nxt == " " or is_cjk(prev) or is_cjk(nxt):
                continue
            out.add(" ", piece.offsets[i])
        else:
            out.add(ch, piece.offsets[i])
    return out


def source_lines(text: str) -> list[tuple[str, int]]:
    """Split text into lines with the offset at which each starts."""
    lines, pos = [], 0
    for raw in text.splitlines(keepends=True):
        lines.append((raw.rstrip("\r\n"), pos))
        pos += len(raw)
    return lines


def is_short_heading(line: Line) -> bool:
    t = line.piece.text
    if not t or t[-1] in TERMINAL or t[-1] in "，、":
        return False
    if HEADING_MARKER.match(t):
        return len(t) <= 30 and "。" not in t
    return len(t) <= 20 and line.blank_before


def paragraphs(text: str, skip: set[int] | None = None) -> list[Line]:
    """Join the lines of `text` into paragraphs.

    A line continues the paragraph before it unless that paragraph ended with terminal
    punctuation or is a heading, or the line itself starts with a section marker. Page numbers
    and the line numbers in `skip` (tables, handled elsewhere) are left out.
    """
    out: list[Line] = []
    blank = True
    for number, (raw, base) in enumerate(source_lines(text)):
        if skip and number in skip:
            continue
        if not raw.strip() or PAGE_NUMBER.match(raw):
            blank = True
            continue
        line = clean_line(raw, base)
        if not line.piece.text:
            blank = True
            continue
        line.blank_before = blank
        blank = False
        prev = out[-1] if out else None
        starts_new = (
            prev is None
            or prev.heading_hash
            or line.heading_hash
            or prev.bold != line.bold
            or prev.piece.text[-1] in TERMINAL
            or HEADING_MARKER.match(line.piece.text) is not None
            or is_short_heading(prev)
        )
        if starts_new:
            out.append(line)
        else:
            assert prev is not None  # starts_new when there is none
            prev.piece.extend(line.piece)
    return out
