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
from functools import lru_cache

from .normalise import label_key

LABEL, VALUE, BLANK, NA, BREAK = "label", "value", "blank", "na", "break"

_VALUE = re.compile(r"^(?P<sign>[减增+\-−])?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<rest>.*)$", re.S)
# "1.属于国家秘密", "2、重复申请", "(3)…": numbering of a label, not a number.
_NUMBERED_LABEL = re.compile(r"^\(?\d{1,2}\)?[.、)]\s*[^\d\s]")
_NA_TEXTS = frozenset({"-", "—", "——", "/", "无", "－", "–", "x", "X", "×"})
_UNITS = ("万元", "元", "件", "条", "项", "个", "宗", "次", "起", "%")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MARKDOWN_RULE = re.compile(r"^[\s|:\-]+$")


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


@dataclass
class Line:
    """One line of the document. ``cells`` is set when the line is a row of a real grid."""

    text: str
    cells: list[str | None] | None = None


BREAK_TOKEN = Token(BREAK)
BLANK_TOKEN = Token(BLANK)


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


def _whitespace_tokens(line: str) -> list[Token]:
    """A PDF-like line: label words merged, numbers separate."""
    out: list[Token] = []
    label_words: list[str] = []
    for word in line.split():
        tok = classify(word)
        if tok.kind == LABEL:
            label_words.append(word)
            continue
        if label_words:
            out.append(classify("".join(label_words)))
            label_words = []
        out.append(tok)
    if label_words:
        out.append(classify("".join(label_words)))
    return out


def tokenise_line(line: Line) -> list[Token]:
    if line.cells is not None:
        toks = [classify(c) for c in line.cells if c is not None]
        return toks + [BREAK_TOKEN]
    s = line.text.strip()
    if not s:
        return []
    if "|" in s:
        if set(s) <= {"|", " "}:
            return [BLANK_TOKEN] if s.count("|") == 1 else [BREAK_TOKEN]
        if s.startswith("|") and _MARKDOWN_RULE.match(s):
            return [BREAK_TOKEN]
        parts = s.split("|")
        if s.startswith("|"):
            parts = parts[1:]
        if s.endswith("|"):
            parts = parts[:-1]
        if len(parts) == 1:  # one cell per line
            return [classify(parts[0])]
        return [classify(p) for p in parts] + [BREAK_TOKEN]
    if "\t" in s:
        return [classify(p) for p in s.split("\t")] + [BREAK_TOKEN]
    if " " in s:
        toks = _whitespace_tokens(s)
        if len(toks) > 1:
            return toks + [BREAK_TOKEN]
        return toks
    return [classify(s)]


def tokenise(lines: list[Line]) -> list[Token]:
    out: list[Token] = []
    for line in lines:
        out.extend(tokenise_line(line))
    return out
