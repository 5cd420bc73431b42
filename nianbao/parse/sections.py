"""Find the numbered section headings (一、…七、) of both the 2019+ and the pre-2019 outline."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nianbao.parse.tokens import Line
from nianbao.vocabulary.loader import load

_HEADING = re.compile(r"^\s*([一二三四五六七八九])\s*[、.]\s*(.{2,40})")
_NUMERALS = "一二三四五六七八九"
# A heading glued into a running line (web text that lost its line breaks): " 六、其他需要…",
# also right after the last cell of a flattened table ("…0000000四、政府信息公开行政复议…").
_INNER_HEADING = re.compile(r"(?<![一二三四五六七八九十第])([二三四五六七八九]\s*、)")


@dataclass
class Section:
    id: str
    number: str  # 一, 二 …
    start: int  # index of the heading line
    end: int  # index one past the last line


def split_glued_headings(text: str) -> list[str]:
    """Split a line where a known section heading starts in its middle."""
    if "、" not in text:
        return [text]
    pieces = []
    start = 0
    for m in _INNER_HEADING.finditer(text, 1):
        rest = text[m.end():m.end() + 30].replace(" ", "")
        if section_id(rest):
            pieces.append(text[start:m.start()].rstrip())
            start = m.start()
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


@lru_cache(maxsize=1 << 12)
def section_id(heading_text: str) -> str | None:
    for entry in load().sections:
        if entry.matches(heading_text):
            return entry.id
    return None


def find_sections(lines: list[Line], start: int = 0) -> list[Section]:
    """Sections in order from ``start`` (the title line); one per id, the first heading wins."""
    found: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for i in range(start, len(lines)):
        line = lines[i]
        text = line.text
        if text[:1] == "#":
            text = text.lstrip("# ")  # a Markdown heading ("## 三、收到和处理…")
        first = text[:1]
        if not first or (first not in _NUMERALS and (not first.isspace() or text.lstrip()[:1] not in _NUMERALS)):
            continue  # a heading starts with its numeral (lstrip only when there is a space to strip)
        if line.cells is not None and len(line.cells) > 2:
            continue  # a data row of a grid, not a heading
        m = _HEADING.match(text)
        if not m:
            continue
        sid = section_id(m.group(2).replace(" ", "").lstrip("|"))
        if sid and sid not in seen:
            seen.add(sid)
            found.append((i, sid, m.group(1)))
    sections = []
    for n, (i, sid, num) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(lines)
        sections.append(Section(sid, num, i, end))
    return sections
