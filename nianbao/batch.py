"""Parse many files at once: a process pool over all cores, results as columnar rows.

Each distinct content is parsed once (the first path holding it, in path order). A file that
takes longer than the per-file cap is rejected with that reason; nothing a file contains can
stop the batch.
"""
from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .model import ParseResult
from .parse import Limits, parse_bytes, report_id_of
from .raw_schema import column_names

Progress = Callable[[int, int, float], None]
# Below this many files a pool costs more than it saves.
POOL_THRESHOLD = 24


class ParseTimeout(Exception):
    pass


@dataclass
class RawRows:
    """Rows for the raw tables, one list of tuples per table."""

    reports: list[tuple] = field(default_factory=list)
    report_cells: list[tuple] = field(default_factory=list)
    parse_notes: list[tuple] = field(default_factory=list)
    rule_results: list[tuple] = field(default_factory=list)

    def extend(self, other: "RawRows") -> None:
        for name in ("reports", "report_cells", "parse_notes", "rule_results"):
            getattr(self, name).extend(getattr(other, name))


def result_rows(result: ParseResult, source_path: str) -> RawRows:
    md = result.metadata
    rid = result.report_id
    rows = RawRows()
    report = {
        "report_id": rid, "content_sha256": result.content_sha256, "source_path": source_path,
        "file_format": result.file_format, "encoding": result.encoding, "title": md.title,
        "agency_name": md.agency_name, "province": md.province, "city": md.city, "county": md.county,
        "admin_level": md.admin_level, "report_year": md.report_year, "published_on": md.published_on,
        "index_number": md.index_number, "template": result.template,
        "original_script": result.original_script, "parse_status": result.parse_status,
        "rejection_reason": result.rejection_reason, "document_kind": md.document_kind,
        "parser_version": result.parser_version,
    }
    rows.reports.append(tuple(report[c] for c in column_names("reports")))
    rows.report_cells = [
        (rid, c.table_id, c.row_id, c.col_id, c.value, c.is_blank, c.printed_text, c.unit, c.source)
        for c in result.cells
    ]
    rows.parse_notes = [(rid, i, n.severity, n.code, n.message) for i, n in enumerate(result.notes)]
    rows.rule_results = [
        (rid, r.rule, r.scope_id, r.left_value, r.right_value, r.difference, r.passed, r.note)
        for r in result.rules
    ]
    return rows


def _alarm(signum, frame):
    raise ParseTimeout()


def parse_path(path: Path, source_path: str, limits: Limits, max_seconds: int) -> ParseResult:
    """Parse one file with a wall-clock cap; never raises."""
    try:
        data = path.read_bytes()
    except OSError as e:
        rid, sha = report_id_of(b"")
        result = ParseResult(rid, sha, rejection_reason=f"cannot read file: {e}")
        return result
    use_alarm = max_seconds > 0 and threading.current_thread() is threading.main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, max_seconds)
    try:
        return parse_bytes(data, source_path, limits)
    except ParseTimeout:
        rid, sha = report_id_of(data)
        return ParseResult(rid, sha, rejection_reason=f"parsing took longer than the cap of {max_seconds} s (NIANBAO_MAX_PARSE_SECONDS)")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _work(job: tuple[str, str, Limits, int]) -> RawRows:
    path, source_path, limits, max_seconds = job
    return result_rows(parse_path(Path(path), source_path, limits, max_seconds), source_path)


def parse_many(jobs: list[tuple[Path, str]], limits: Limits, max_seconds: int, workers: int,
               progress: Progress | None = None) -> RawRows:
    """Parse (path, source_path) jobs; rows come back in job order."""
    out = RawRows()
    total = len(jobs)
    started = time.perf_counter()
    work = [(str(p), sp, limits, max_seconds) for p, sp in jobs]
    results: Iterable[RawRows]
    if workers <= 1 or total < POOL_THRESHOLD:
        results = map(_work, work)
        pool = None
    else:
        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        pool = (ctx or multiprocessing).Pool(workers)
        results = pool.imap(_work, work, chunksize=max(1, min(64, total // (workers * 8) or 1)))
    try:
        for done, rows in enumerate(results, 1):
            out.extend(rows)
            if progress:
                progress(done, total, time.perf_counter() - started)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return out
