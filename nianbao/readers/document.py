"""The intermediate document every reader yields.

A reader turns a file (text, HTML, PDF, DOCX) into an ordered list of blocks: runs of text
lines and table grids. The table logic reads grids and flattened text alike, so it never
needs to know where a grid came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TextBlock:
    """Lines of running text, in reading order (no trailing newlines)."""

    lines: list[str]


@dataclass
class TableBlock:
    """A table as a rectangular-ish grid of cell texts, row by row.

    Merged cells are resolved: a cell spanning several rows or columns appears once, at its
    top-left slot, and the slots it covers hold ``None`` (so a value is never read twice and
    positions stay aligned). An empty printed cell is ``""``.
    """

    rows: list[list[str | None]]


Block = TextBlock | TableBlock


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    file_format: str = "text"  # text, html, pdf, docx
    encoding: str | None = None  # for text and HTML: the detected encoding
    page_count: int | None = None
    notes: list[str] = field(default_factory=list)  # reader observations worth a parse note

    def text(self) -> str:
        """The whole document flattened to text; tables rendered as pipe rows."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, TextBlock):
                out.extend(block.lines)
            else:
                for row in block.rows:
                    out.append(" | ".join("" if c is None else c for c in row) + " |")
        return "\n".join(out)

    @property
    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]


class UnreadableFile(Exception):
    """Raised by a reader when a file cannot be turned into a document; the message is the
    human-readable rejection reason stored in the warehouse."""


PAGES_CAP = "NIANBAO_MAX_PAGES"


class OverCap(UnreadableFile):
    """A file refused because it is over a cap (a setting): ``setting`` and its ``value``."""

    def __init__(self, message: str, setting: str, value: float):
        super().__init__(message)
        self.setting = setting
        self.value = value
