"""Turn a normalised document into lines, and lines into cell tokens.

Real tables reach us as HTML/DOCX/PDF grids or flattened to text in many ways: pipe rows
(``a | 1 | 2 |``), one cell per line (``0 |`` with a lone ``|`` for an empty cell and ``||``
at a row end), one cell per line without pipes, tab-separated rows, Markdown rows, and
whitespace-aligned PDF text. All of them become one stream of tokens — LABEL, VALUE, BLANK,
NA (printed "-", "/", "—", "无") and BREAK (a known row end) — which the table readers
consume by label, never by absolute position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from nianbao.parse.normalise import label_key
from nianbao.vocabulary.loader import load

LABEL, VALUE, BLANK, NA, BREAK = "label", "value", "blank", "na", "break"

_VALUE = re.compile(r"^(?P<sign>[减增+\-−])?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<rest>.*)$", re.S)
# "1.属于国家秘密", "2、重复申请", "(3)…": numbering of a label, not a number.
_NUMBERED_LABEL = re.compile(r"^\(?\d{1,2}\)?[.、)]\s*[^\d\s]")
_NA_TEXTS = frozenset({"-", "—", "——", "/", "无", "－", "–", "x", "X", "×"})
_UNITS = ("万元", "元", "件", "条", "项", "个", "宗", "次", "起", "%")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")
_ALL_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_MARKDOWN_RULE = re.compile(r"^[\s|:\-]+$")
# Page furniture of PDF text: "- 3 -", "— 12 —", "第3页", "第 3 页 共 12 页".
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)$")


@dataclass(frozen=True)
class Value:
    number: float
    text: str  # the printed cell text
    unit: str | None = None
    note: str | None = None  # printed words beside the number ("准予撤诉")
    digits_only: bool = False  # a bare run of digits (candidate for no-separator recovery)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str = ""
    key: str = ""  # label_key(text) for labels
    value: Value | None = None


@dataclass(slots=True)
class Line:
    """One line of the document. ``cells`` is set when the line is a row of a real grid."""

    text: str
    cells: list[str | None] | None = None


BREAK_TOKEN = Token(BREAK)
# The end of a row that lists every slot of its grid (tab-separated or Markdown): merged
# slots show as empty fields *before* the values, so a row's values are its last fields.
SLOTS_BREAK_TOKEN = Token(BREAK, "slots")
BLANK_TOKEN = Token(BLANK)
# The end of a line of plain text inside a Markdown table: a label there is no cell of the pipe
# rows around it (a PDF-to-Markdown extraction slips labels out of their rows).
TEXT_BREAK_TOKEN = Token(BREAK, "text")


def parse_value(text: str) -> Value | None:
    """Read a printed cell as a number, or None when it is not one."""
    t = text.strip()
    if not t or _NUMBERED_LABEL.match(t):
        return None
    m = _VALUE.match(t)
    if not m:
        return None
    number = float(m["num"].replace(",", ""))
    if m["sign"] in ("减", "-", "−"):
        number = -number
    rest = m["rest"].strip()
    unit = None
    for u in _UNITS:
        if rest.startswith(u):
            unit, rest = u, rest[len(u):].strip()
            break
    if rest and not _CJK.search(rest) and not rest.isalpha():
        # "12 34" or "1-2": not one number
        return None
    digits_only = m["sign"] is None and unit is None and not rest and m["num"].isdigit()
    return Value(number, t, unit, rest or None, digits_only)


@lru_cache(maxsize=1 << 16)
def classify(cell: str) -> Token:
    t = cell.strip().replace("\n", "")
    if not t:
        return BLANK_TOKEN
    if t in _NA_TEXTS:
        return Token(NA, t)
    v = parse_value(t)
    if v is not None:
        return Token(VALUE, t, value=v)
    return Token(LABEL, t, key=label_key(t))


# A number inside running text: an optional sign, digits (thousands commas, decimals) and a unit.
_NUMBER_IN_TEXT = re.compile(
    r"(?P<year>(?:19|20)\d\d年)"  # a year is label text (2019年项目数量)
    # a count with its unit inside running text is prose ("累计公示行政许可28911条、行政处罚614条"):
    # table cells print bare numbers (or amounts in 元 / 万元)
    r"|(?P<count>\d[\d,]*(?:\.\d+)?余?[万亿]?余?(?:件|条|项|个|宗|次|起|人|名|家|篇|期|场|天|日|月|年|户|份|批|所|余|亿))"
    r"|(?P<num>(?:[减增]|[+\-−](?=\d))?\d+(?:,\d{3})*(?:\.\d+)?(?:万元|元|%)?)")
# Where a row label begins inside a label: its numbering, "(一)" or "一、" (not "第(一)项").
_INNER_NUMBERING = re.compile(r"(?<!第)\([一二三四五六七八九十]{1,2}\)|(?<![第\d一二三四五六七八九十])[一二三四五六七八九十]{1,2}、")
_LABEL_END = re.compile(r"\d")  # a numbered label runs to the next digit
_LEADING_NUMBERING = re.compile(r"^(?:\(?[一二三四五六七八九十]{1,2}[)、]|\d[.、])")
# Words printed after a number in the same cell ("13准予撤诉"): at most this many characters.
_MAX_NOTE = 4


@lru_cache(maxsize=1 << 12)
def _names_a_row(text: str) -> bool:
    """Whether a short text after a number is a table label ("0行政强制"), not a note printed in
    the cell ("13准予撤诉")."""
    key = label_key(text)
    return any(e.matches(key) for e in _row_entries()) or any(label.startswith(key) for label in _row_label_keys())


@cache
def _row_entries() -> tuple:
    v = load()
    return (*v.disclosure_items, *v.flows, *v.outcomes, *v.outcome_categories, v.t3_total_row, *v.proceedings, *v.results)


@cache
def _row_label_keys() -> tuple[str, ...]:
    """The vocabulary's row labels as label keys: a short text after a number that begins one
    ("12规范性 文件") is the label's first part, not a note."""
    return tuple(k for k in (label_key(e.label_zh) for e in _row_entries()) if k)


def _label_pieces(text: str) -> list[str]:
    """A label split where another numbered row label starts inside it ("三、本年度办理结果(一)予以公开")."""
    starts = [m.start() for m in _INNER_NUMBERING.finditer(text) if m.start() > 0]
    if not starts:
        return [text]
    bounds = [0, *starts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if text[a:b]]


@lru_cache(maxsize=1 << 14)
def word_pieces(word: str) -> tuple[tuple[str, str], ...]:
    """A word of running text as (kind, text) pieces, kind "label" or "value".

    A flattened page runs labels and cells together ("数量713000074二、上年结转…",
    "1.属于国家秘密00000002.其他…"): the word is cut where a number starts or ends, the digit
    before "N." or "N、" is the next row's numbering, and a short text after the last number
    of the word stays with it ("13准予撤诉"). A word that reads as one cell stays whole."""
    tok = classify(word)
    if tok.kind != LABEL:
        note = tok.value.note if tok.value is not None else None
        if note is None or (len(note) <= _MAX_NOTE and _ALL_CJK.match(note) and not _names_a_row(note)):
            return ((tok.kind, word),)
    pieces: list[list[str]] = []  # [kind, text]

    def add(kind: str, text: str, new: bool = False) -> None:
        if not text:
            return
        if pieces and pieces[-1][0] == kind == "label" and not new:
            pieces[-1][1] += text
        else:
            pieces.append([kind, text])

    pos = 0
    for m in _NUMBER_IN_TEXT.finditer(word):
        if m.group("year") or m.group("count"):
            continue
        start, end = m.span()
        if start < pos:
            continue
        add("label", word[pos:start])
        number = m.group()
        if end < len(word) and word[end] in ".、" and (end + 1 == len(word) or not word[end + 1].isdigit()) \
                and number[-1].isdigit():
            # "…00000002.其他": the last digit numbers the next row
            add("value", number[:-1] if number[:-1] and number[-2:-1].isdigit() else "")
            m2 = _LABEL_END.search(word, end)
            add("label", word[end - 1:m2.start() if m2 else len(word)], new=True)
            pos = m2.start() if m2 else len(word)
            continue
        add("value", number)
        pos = end
    rest = word[pos:]
    if rest and pieces and pieces[-1][0] == "value" and len(rest) <= _MAX_NOTE and _ALL_CJK.match(rest) \
            and not _names_a_row(rest):
        pieces[-1][1] += rest  # a note printed in the cell
    else:
        add("label", rest)
    out: list[tuple[str, str]] = []
    for kind, text in pieces:
        if kind == "label":
            out += [("label", p) for p in _label_pieces(text)]
        else:
            out.append((kind, text))
    return tuple(out)


def _whitespace_tokens(line: str) -> list[Token]:
    """A PDF-like or flattened line: label words merged, numbers separate, and labels found
    wherever they stand inside a word (word_pieces)."""
    out: list[Token] = []
    label_words: list[str] = []
    for word in line.split():
        pieces = word_pieces(word) if _DIGIT.search(word) or _INNER_NUMBERING.search(word) else (("label", word),)
        for i, (kind, text) in enumerate(pieces):
            if kind == "label":
                if label_words and (i > 0 or _LEADING_NUMBERING.match(text)):
                    out.append(classify("".join(label_words)))
                    label_words = []
                label_words.append(text)
                continue
            if label_words:
                out.append(classify("".join(label_words)))
                label_words = []
            out.append(classify(text))
    if label_words:
        out.append(classify("".join(label_words)))
    return out


def _is_markdown_rule(s: str) -> bool:
    return "-" in s and s.startswith("|") and _MARKDOWN_RULE.match(s) is not None


def tokenise_line(line: Line, markdown: bool = False) -> list[Token]:
    """Tokens of one line. ``markdown``: the region holds a Markdown table (a ``|---|`` rule),
    so a leading ``|`` opens the row; elsewhere a line that starts with ``|`` begins with an
    empty cell (`` | 0 | 3 |`` is a pipe row whose first cell is blank)."""
    if line.cells is not None:
        return list(_cells_tokens(tuple([c for c in line.cells if c is not None])))
    return list(_text_tokens(line.text, markdown))


@lru_cache(maxsize=1 << 15)
def _cells_tokens(cells: tuple[str, ...]) -> tuple[Token, ...]:
    return (*[classify(c) for c in cells], BREAK_TOKEN)


@lru_cache(maxsize=1 << 15)
def _text_tokens(raw: str, markdown: bool) -> tuple[Token, ...]:
    """Tokens of a line of flattened text (cached: table lines repeat across reports — "0 |",
    "|", header rows, zero rows)."""
    return tuple(_tokenise_text(raw, markdown))


def _tokenise_text(raw: str, markdown: bool) -> list[Token]:
    if "\t" in raw and raw.strip():
        # a spreadsheet row: every tab-separated field is a slot, empty ones included
        return [classify(p) for p in raw.split("\t")] + [SLOTS_BREAK_TOKEN]
    s = raw.strip()
    if not s:
        return []
    if (s[0] in "-—–－第") and _PAGE_NUMBER.match(s):
        return []  # a page number printed inside a table
    if "|" in s:
        if s.strip("| ") == "":
            if markdown and s.startswith("|") and s.count("|") > 2:
                # a Markdown row of empty cells (its label slipped out of it)
                return [BLANK_TOKEN] * (s.count("|") - 1) + [SLOTS_BREAK_TOKEN]
            return [BLANK_TOKEN] if s.count("|") == 1 else [BREAK_TOKEN]
        if _is_markdown_rule(s):
            return [BREAK_TOKEN]
        parts = s.split("|")
        slots = markdown and s.startswith("|")
        if slots:
            parts = parts[1:]
        if s.endswith("|"):
            parts = parts[:-1]
        if len(parts) == 1:  # one cell per line
            return [classify(parts[0])]
        return [classify(p) for p in parts] + [SLOTS_BREAK_TOKEN if slots else BREAK_TOKEN]
    if " " in s or ((_DIGIT.search(s) or _INNER_NUMBERING.search(s)) and len(word_pieces(s)) > 1):
        toks = _whitespace_tokens(s)
        if markdown:
            return toks + [TEXT_BREAK_TOKEN]
        if len(toks) > 1:
            return toks + [BREAK_TOKEN]
        return toks
    return [classify(s), TEXT_BREAK_TOKEN] if markdown else [classify(s)]


def tokenise(lines: list[Line]) -> list[Token]:
    markdown = any(ln.cells is None and "-" in ln.text and _is_markdown_rule(ln.text.strip()) for ln in lines)
    out: list[Token] = []
    extend = out.extend
    for line in lines:
        cells = line.cells
        if cells is not None:
            extend(_cells_tokens(tuple([c for c in cells if c is not None])))
        else:
            extend(_text_tokens(line.text, markdown))
    return out
