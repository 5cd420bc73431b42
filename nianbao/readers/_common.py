"""Small helpers shared by the readers."""
from __future__ import annotations

import re

from nianbao.readers.document import Block, TableBlock, TextBlock

_WS_RE = re.compile(r"[ \t\n\r\f\v\xa0]+")


def collapse_ws(text: str) -> str:
    """HTML-style whitespace collapsing (ASCII whitespace and no-break space → one space).
    Ideographic spaces (U+3000) are content and stay."""
    return _WS_RE.sub(" ", text)


def join_pieces(pieces: list[str]) -> str:
    """Join the wrapped lines of one table cell into one label.

    Chinese labels wrap anywhere (``本年新<br/>制作数量``, ``商业企\\n业``), so the pieces are
    joined without a separator — except between two ASCII letters/digits, where a space keeps
    ``12`` and ``34`` from fusing into ``1234``. Pieces are stripped; empty ones dropped.
    """
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return out


def pad_rows(rows: list[list[str | None]]) -> list[list[str | None]]:
    """Pad rows to the widest row with ``None`` (no printed cell there)."""
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        if len(r) < width:
            r.extend([None] * (width - len(r)))
    return rows


class BlockBuilder:
    """Collects lines and tables into an ordered list of blocks, merging adjacent text."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._lines: list[str] = []

    def line(self, text: str) -> None:
        text = text.strip()
        if text:
            self._lines.append(text)

    def table(self, rows: list[list[str | None]]) -> None:
        self._flush()
        self.blocks.append(TableBlock(rows=rows))

    def continue_table(self, rows: list[list[str | None]]) -> bool:
        """Append ``rows`` to the table just added if nothing came between and the widths
        match (a table running over a page break); False if it is a new table."""
        if self._lines or not self.blocks or not rows:
            return False
        last = self.blocks[-1]
        if not isinstance(last, TableBlock) or not last.rows:
            return False
        if len(last.rows[0]) != len(rows[0]):
            return False
        last.rows.extend(rows)
        return True

    def _flush(self) -> None:
        if self._lines:
            self.blocks.append(TextBlock(lines=self._lines))
            self._lines = []

    def finish(self) -> list[Block]:
        self._flush()
        return self.blocks
