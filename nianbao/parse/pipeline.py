"""Parse one report file: bytes → ParseResult (metadata, canonical cells, rules, notes).

Nothing escapes this boundary: a file that cannot be read, or a parser bug on a strange
input, ends as a ``rejected`` result with the reason, so one bad file never stops a batch.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from nianbao.parse.agency import identify
from nianbao.parse.bounds import drop_unstorable_rows, storable_figures
from nianbao.parse.metadata import extract_metadata
from nianbao.parse.model import UNEXPECTED_ERROR, Cell, ParseResult, cap_code
from nianbao.parse.normalise import normalise_text
from nianbao.parse.rules import evaluate_legacy_rules, evaluate_report_rules, narrative_consistency
from nianbao.parse.sections import Section, find_sections, split_glued_headings
from nianbao.parse.stated_figures import read_stated_figures
from nianbao.parse.tables import TableRead, is_table_label, read_table2, read_table3, read_table4
from nianbao.parse.tokens import Line, tokenise
from nianbao.readers.document import Document, OverCap, TableBlock, TextBlock, UnreadableFile
from nianbao.vocabulary.loader import load

_CELL_SEP, _NONE_CELL = "\x1f", "\x1e"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300


def report_id_of(data: bytes) -> tuple[str, str]:
    sha = hashlib.sha256(data).hexdigest()
    return sha[:16], sha


def parse_bytes(data: bytes, filename: str, limits: Limits = Limits()) -> ParseResult:
    rid, sha = report_id_of(data)
    result = ParseResult(rid, sha)
    if len(data) > limits.max_bytes:
        result.rejection_reason = f"file is {len(data):,} bytes, over the cap of {limits.max_bytes:,}"
        return result
    try:
        from nianbao.readers import read_document

        doc = read_document(data, filename, max_pages=limits.max_pages)
    except UnreadableFile as e:
        result.rejection_reason = str(e)
        if isinstance(e, OverCap):
            result.note("error", cap_code(e.setting, e.value), str(e))
        elif e.__cause__ is not None:  # a reader's unexpected error, turned into the refusal
            result.note("error", UNEXPECTED_ERROR, f"{type(e.__cause__).__name__} in the reader")
        return result
    except Exception as e:  # a reader bug must not stop the batch
        result.rejection_reason = f"unreadable: {type(e).__name__}: {e}"
        result.note("error", UNEXPECTED_ERROR, f"{type(e).__name__} in the reader")
        return result
    try:
        parse_document(doc, result)
    except Exception as e:
        result.parse_status = "rejected"
        result.rejection_reason = f"parser error: {type(e).__name__}: {e}"
        result.cells, result.rules = [], []
        result.note("error", UNEXPECTED_ERROR, f"{type(e).__name__} in the parser")
    return result


def document_lines(doc: Document) -> tuple[list[Line], str]:
    """Normalise the whole document in one pass; returns lines and the original script.

    Table rows travel through normalisation as one line each, cells joined by _CELL_SEP (an
    absent slot as _NONE_CELL), and are split back after it."""
    raw: list[str] = []
    is_row: list[bool] = []
    for block in doc.blocks:
        if isinstance(block, TextBlock):
            lines = block.lines
            joined = "\n".join(lines)
            if _CELL_SEP in joined or _NONE_CELL in joined:
                joined = joined.replace(_CELL_SEP, " ").replace(_NONE_CELL, " ")
            pieces = joined.split("\n")  # a line holding a newline becomes two lines
            raw.extend(pieces)
            is_row.extend([False] * len(pieces))
        elif isinstance(block, TableBlock):
            for row in block.rows:
                text = _CELL_SEP.join([_NONE_CELL if c is None else c.replace("\n", "") for c in row])
                if text.count(_CELL_SEP) != len(row) - 1 or text.count(_NONE_CELL) != row.count(None):
                    # a cell holding a separator character itself: blank it out of the cell
                    text = _CELL_SEP.join(_NONE_CELL if c is None else _clean_cell(c) for c in row)
                raw.append(text)
            is_row.extend([True] * len(block.rows))
    norm = normalise_text("\n".join(raw))
    lines: list[Line] = []
    append = lines.append
    for text, row in zip(norm.text.split("\n"), is_row):
        if row:
            cells = text.split(_CELL_SEP)
            if _NONE_CELL in text:
                cells = [None if c == _NONE_CELL else c for c in cells]
                append(Line(" | ".join([c for c in cells if c is not None]), cells))
            else:
                append(Line(" | ".join(cells), cells))
        elif "、" in text:
            lines.extend([Line(piece) for piece in split_glued_headings(text)])
        else:
            append(Line(text))
    return lines, norm.original_script


def _clean_cell(cell: str) -> str:
    return cell.replace("\n", "").replace(_CELL_SEP, " ").replace(_NONE_CELL, " ")


def detect_template(text: str, year: int | None, has_table3: bool) -> str:
    compact = "".join(text.split())
    markers = load().template_markers()
    if year is not None and year < 2019:
        return "pre2019"
    score = {t: sum(1 for m in markers[t] if m in compact) for t in ("2019", "2021")}
    if score["2021"] != score["2019"]:
        return max(score, key=score.get)
    if year is not None:
        return "2019" if year <= 2020 else "2021"
    if not has_table3 and any(m in compact for m in markers["pre2019"]):
        return "pre2019"
    return "unknown"


def _region(lines: list[Line], sections: dict[str, Section], sid: str, anchor: re.Pattern,
            start: int, before: int = 3, span: int = 120) -> list[Line]:
    if sid in sections:
        s = sections[sid]
        return lines[s.start:s.end]  # the heading line too: a flattened page runs the table on after it
    for i in range(start, len(lines)):
        if anchor.search(lines[i].text):
            return lines[max(start, i - before):i + span]
    return []


_T3_ANCHOR = re.compile(r"本年新收|上年结转")
_T4_ANCHOR = re.compile(r"结果维持|结果纠正")
_T2_ANCHOR = re.compile(r"第二十条第")


def parse_document(doc: Document, result: ParseResult) -> None:
    result.file_format = doc.file_format
    result.encoding = doc.encoding
    for n in doc.notes:
        result.note("info", "reader", n)
    lines, script = document_lines(doc)
    result.original_script = script
    texts = [ln.text for ln in lines]
    head_text = "\n".join(texts[:80])
    md, title_idx = extract_metadata(texts, head_text, result.notes)
    md.__dict__.update(identify(md.agency_name, md.index_number))
    result.metadata = md
    start = title_idx if title_idx is not None else 0
    found = find_sections(lines, start)
    sections = {s.id: s for s in found}

    t3_lines = _region(lines, sections, "requests", _T3_ANCHOR, start)
    t3_tokens = tokenise(t3_lines)
    full_text = "\n".join(texts[start:])
    template = detect_template(full_text, md.report_year, bool(t3_tokens))
    result.template = template
    reads: dict[str, TableRead] = {}
    if template != "pre2019":
        reads["t3"] = read_table3(t3_tokens, template)
        reads["t4"] = read_table4(tokenise(_region(lines, sections, "review_litigation", _T4_ANCHOR, start)),
                                  reads["t3"].drops_blanks)
        if "requests" in sections:
            t2_end = sections["requests"].start
        else:
            t2_end = len(lines)
        t2_start = sections["proactive_disclosure"].start if "proactive_disclosure" in sections else start
        t2_lines = lines[t2_start:t2_end] if t2_start < t2_end else _region(lines, {}, "", _T2_ANCHOR, start)
        reads["t2"] = read_table2(tokenise(t2_lines), template, reads["t3"].drops_blanks)
    table_cells: list[Cell] = []
    for read in reads.values():
        drop_unstorable_rows(read)
        table_cells += read.cells
        result.notes += read.notes

    # (a Markdown heading without a sentence in it is a caption — "### 行政诉讼（未经复议直接起诉）" —
    # and a table's row label on a line of its own a cell: their words must not run into the prose)
    prose_lines = [ln.text for ln in lines[start:] if ln.cells is None and "|" not in ln.text
                   and not (ln.text[:1] == "#" and "。" not in ln.text) and not is_table_label(ln.text)]
    # Figures stated outside the national tables (nianbao.parse.stated_figures): every legacy measure of a
    # pre-2019 report, the prose restatements of a 2019+ one, crosswalked onto contract cells;
    # they become facts (source narrative) only where the report's own table is missing.
    stated = read_stated_figures(lines, sections, start, template, md.report_year,
                                 _prose_text(prose_lines, doc.file_format))
    md.outline_family = stated.family
    result.notes += stated.notes
    stated.values = storable_figures(stated.values, result.notes, lambda m: f"legacy measure {m.measure}")
    stated.figures = storable_figures(stated.figures, result.notes,
                                      lambda f: f"{f.table_id} {f.row_id}×{f.col_id} stated outside the table")
    if template == "pre2019":
        result.legacy_measures = stated.values
    figures = stated.figures
    read_tables = {c.table_id for c in table_cells}
    cells = list(table_cells)
    for fig in figures:
        if fig.table_id in read_tables or fig.compare_only:
            continue
        cells.append(fig.cell())
        result.note("info", "prose_figure", f"{fig.table_id} {fig.row_id}×{fig.col_id} = {fig.value:g} stated "
                                            f"outside the table ({', '.join(fig.measures)}): {fig.text}")
    result.cells = cells
    unreadable = {t: r.rows_unreadable for t, r in reads.items()}
    result.rules = (evaluate_report_rules(cells, unreadable)
                    + narrative_consistency(figures, table_cells, unreadable.get("t3", set()))
                    + (evaluate_legacy_rules(stated.by_measure()) if template == "pre2019" else []))
    _set_status(result, reads, figures or stated.values, template)


_SENTENCE_END = frozenset("。；;：:！？!?")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）])")


def _prose_text(prose_lines: list[str], file_format: str | None) -> str:
    """The prose as one text for the figure reader. A PDF text layer breaks a paragraph at the
    page margin ("…本年度新收政府信 / 息公开申请14件"): there a line that does not end a sentence
    runs on into the next one, unless that one opens a numbered heading."""
    if file_format != "pdf":
        return "\n".join(prose_lines)
    out: list[str] = []
    for text in prose_lines:
        t = text.strip()
        if out and out[-1] and out[-1][-1] not in _SENTENCE_END and t and not _HEADING_START.match(t):
            out[-1] += t
        else:
            out.append(t)
    return "\n".join(out)


def _expected_t3_rows(template: str, read_rows: set[str]) -> set[str]:
    v = load()
    expected = {f.id for f in v.flows} | {v.t3_total_row.id}
    for o in v.outcomes_for(template):
        if f"{o.group}_unspecified" in read_rows:
            continue  # the report printed only the category total
        expected.add(o.id)
    if template == "2021" and "other_unspecified" not in read_rows:
        expected -= {"other_processing"}
    return expected


def _set_status(result: ParseResult, reads: dict[str, TableRead], figures, template: str) -> None:
    found = {t for t, r in reads.items() if r.cells}
    md = result.metadata
    if found:
        problems = []
        for t in ("t2", "t3", "t4"):
            if t not in found:
                problems.append(f"table {'二三四'[int(t[1]) - 2]} not found")
        if "t3" in reads and "t3" in found:
            missing = _expected_t3_rows(template, reads["t3"].rows_read) - reads["t3"].rows_read
            if missing:
                problems.append("table 三 rows not read: " + ", ".join(sorted(missing)))
        for t, r in reads.items():
            if r.rows_unreadable and t in found:
                problems.append(f"table {'二三四'[int(t[1]) - 2]} unreadable rows: " + ", ".join(sorted(r.rows_unreadable)))
            if r.rows_total_only and t in found:
                problems.append(f"table {'二三四'[int(t[1]) - 2]} rows read as their printed total only: "
                                + ", ".join(sorted(r.rows_total_only)))
        result.parse_status = "partial" if problems else "complete"
        result.rejection_reason = "; ".join(dict.fromkeys(problems)) or None
    elif figures:
        result.parse_status = "narrative_only"
        result.rejection_reason = ("pre-2019 format: no national table; figures taken from legacy measures"
                                   if template == "pre2019" else "no statistical tables found; figures taken from prose")
    elif md.title or md.report_year:
        result.parse_status = "metadata_only"
        result.rejection_reason = "no statistical tables and no figures in prose"
    else:
        result.parse_status = "rejected"
        result.rejection_reason = "not recognised as an annual report: no report title, tables or figures found"
    if result.parse_status != "rejected" and md.document_kind != "annual_report":
        result.note("warning", "not_annual_report", f"title reads as a {md.document_kind}, not an annual report")
