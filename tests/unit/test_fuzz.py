"""No escape from the parser: random and hostile inputs never raise out of ``parse_bytes``, every
result has a parse status (and a reason when it is not complete) and can be stored; the parser
processes keep time and memory per file bounded, and a dying worker loses only its own file.

Fast in CI (few examples each); ``python bench/fuzz.py -n 5000`` runs many more.
"""
from __future__ import annotations

import faulthandler
import hashlib
import multiprocessing
import os
import random
import signal
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.parse.model import ParseResult
from nianbao.parse.pipeline import Limits, parse_bytes, parse_document, report_id_of
from nianbao.readers import pdf_engine
from nianbao.readers.document import Document, TableBlock, TextBlock
from nianbao.run import pool
from nianbao.run.pool import parse_many
from nianbao.run.raw_rows import RETRY_NOTE, result_rows
from nianbao.run.raw_schema import column_names
from tests import adversarial as adv

FAST = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
COLS = column_names("reports")
RID, SHA, PATH, STATUS, REASON = (COLS.index(c) for c in ("report_id", "content_sha256", "source_path",
                                                          "parse_status", "rejection_reason"))
NOTE_CODE = column_names("parse_notes").index("code")
NAMES = ("report.txt", "report.html", "report.pdf", "report.docx", "report", "年报 2020.htm", "x.bin")


def check(result: ParseResult, data: bytes) -> None:
    """What every parse result must satisfy, whatever the input."""
    assert result.parse_status in adv.PARSE_STATUSES
    if result.parse_status != "complete":
        assert isinstance(result.rejection_reason, str) and result.rejection_reason.strip(), result
    assert (result.report_id, result.content_sha256) == report_id_of(data)
    rows = result_rows(result, "some/path.txt")
    for table in ("reports", "report_cells", "parse_notes", "rule_results"):
        for row in getattr(rows, table):
            for value in row:
                if isinstance(value, str):
                    value.encode("utf-8")  # storable: no lone surrogates


def parse_checked(data: bytes, name: str, limits: Limits = Limits()) -> ParseResult:  # noqa: B008 (frozen)
    result = parse_bytes(data, name, limits)
    check(result, data)
    return result


# -- hypothesis over text and bytes ------------------------------------------------------------


@FAST
@given(st.text(max_size=3000), st.sampled_from(("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-be")),
       st.sampled_from(NAMES))
def test_any_text_in_any_encoding(text, encoding, name):
    parse_checked(text.encode(encoding, "replace"), name)


@FAST
@given(st.binary(max_size=6000), st.sampled_from(NAMES))
def test_any_bytes(data, name):
    parse_checked(data, name)


@FAST
@given(st.binary(max_size=2000), st.sampled_from((b"%PDF-1.4\n", b"PK\x03\x04", b"<html><table>", b"\xff\xfe",
                                                   b"\xef\xbb\xbf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1")))
def test_bytes_behind_a_magic_number(tail, magic):
    parse_checked(magic + tail, "x")


tokens = st.lists(st.sampled_from(adv.TABLE_TOKENS) | st.integers(-5, 10**7).map(str), max_size=40)


@FAST
@given(st.lists(tokens, max_size=60), st.sampled_from((" | ", "|", "\t", " ", "", "\n")))
def test_token_soup_as_text(lines, sep):
    text = "某县人民政府2020年政府信息公开工作年度报告\n" + "\n".join(sep.join(line) for line in lines)
    parse_checked(text.encode("utf-8"), "soup.txt")


cells = st.none() | st.sampled_from(adv.TABLE_TOKENS) | st.integers(0, 10**6).map(str) | st.text(max_size=8)
blocks = st.lists(
    st.lists(st.text(max_size=40) | st.sampled_from(adv.TABLE_TOKENS), max_size=8).map(lambda ls: TextBlock(lines=ls))
    | st.lists(st.lists(cells, min_size=0, max_size=9), max_size=30).map(lambda rows: TableBlock(rows=rows)),
    max_size=8,
)


@FAST
@given(blocks, st.sampled_from(("text", "html", "pdf", "docx")))
def test_parse_document_on_random_token_tables(doc_blocks, fmt):
    """The parser proper (below the reader boundary) must not raise on any block structure:
    ragged rows, None slots, labels in random order, numbers anywhere."""
    title = TextBlock(lines=["某市人民政府2021年政府信息公开工作年度报告", "一、总体情况"])
    result = ParseResult("0" * 16, "0" * 64)
    parse_document(Document(blocks=[title, *doc_blocks], file_format=fmt), result)
    assert result.parse_status in adv.PARSE_STATUSES
    if result.parse_status != "complete":
        assert result.rejection_reason


# -- mutated real and generated reports --------------------------------------------------------

TEXTUAL_SEEDS = sorted(n for n in adv.seed_files() if not n.endswith(".pdf"))
PDF_SEEDS = sorted(n for n in adv.seed_files() if n.endswith(".pdf"))


@FAST
@given(st.randoms(use_true_random=False), st.sampled_from(TEXTUAL_SEEDS))
def test_mutated_reports(rng, seed):
    data = adv.seed_files()[seed]
    parse_checked(adv.mutate(rng, data), seed)


@settings(FAST, max_examples=10)
@given(st.randoms(use_true_random=False), st.sampled_from(PDF_SEEDS))
def test_mutated_pdfs(rng, seed):
    parse_checked(adv.mutate(rng, adv.seed_files()[seed]), seed)


@settings(FAST, max_examples=15)
@given(st.randoms(use_true_random=False))
def test_docx_with_damaged_parts(rng):
    docx = [n for n in adv.seed_files() if n.endswith(".docx")]
    name = rng.choice(docx)
    parse_checked(adv.docx_mutations(rng, adv.seed_files()[name]), name)


@settings(FAST, max_examples=20)
@given(st.randoms(use_true_random=False))
def test_broken_html(rng):
    parse_checked(adv.broken_html(rng), "broken.html")


@pytest.mark.parametrize("seed", sorted(adv.seed_files()))
def test_truncated_reports(seed):
    for cut in adv.truncations(adv.seed_files()[seed]):
        parse_checked(cut, seed)


@pytest.mark.parametrize("seed", PDF_SEEDS)
def test_structurally_broken_pdfs(seed):
    rng = random.Random(seed)
    variants = adv.broken_pdf_variants(rng, adv.seed_files()[seed])
    for variant in rng.sample(variants, min(4, len(variants))):
        parse_checked(variant, seed)


def test_random_inputs_from_every_family():
    rng = random.Random(5)
    for name, data in adv.random_inputs(rng, 40):
        parse_checked(data, name)


# -- hostile files -----------------------------------------------------------------------------


def test_docx_zip_bomb_refused_before_inflating():
    """Refused from the ZIP's directory: the 200 MB part is never inflated (Python's own
    allocations stay far below it; a wall-clock bound would flake on a loaded machine)."""
    bomb = adv.docx_zip_bomb(200)
    tracemalloc.start()
    try:
        result = parse_checked(bomb, "bomb.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.parse_status == "rejected" and "zip bomb" in result.rejection_reason
    assert peak < 20 * (1 << 20), f"{peak / (1 << 20):.0f} MB allocated refusing a zip bomb"


def test_deeply_nested_html():
    """100,000 nested divs (the other nestings go through the parser processes below)."""
    parse_checked(adv.nested_html(100_000), "deep.html")  # no RecursionError, a checked result


def test_pathological_pdf_capped_by_pages(monkeypatch):
    """Refused from the page count alone: not one page is loaded."""
    loaded = []
    real_page = pdf_engine.PdfFile.page
    monkeypatch.setattr(pdf_engine.PdfFile, "page", lambda self, i: loaded.append(i) or real_page(self, i))
    result = parse_checked(adv.pdf_many_pages(20_000), "pages.pdf", Limits(max_pages=300))
    assert result.parse_status == "rejected"
    assert result.rejection_reason == "PDF has 20000 pages, over the cap of 300 (NIANBAO_MAX_PAGES)"
    assert loaded == []
    parse_checked(adv.pdf_many_pages(3), "three.pdf")  # under the cap: its pages are read (the probe sees it)
    assert loaded == [0, 1, 2]
    real = adv.seed_files().get("huaian-2024.pdf")
    if real:
        assert "6 pages, over the cap of 5" in parse_checked(real, "h.pdf", Limits(max_pages=5)).rejection_reason


def test_deep_pdf_page_tree():
    result = parse_checked(adv.pdf_deep_page_tree(5_000), "deep.pdf")
    assert result.parse_status == "rejected"


def test_every_hostile_file_through_the_parser_processes():
    """All hostile files at once through the production batch, with small caps: each gets one
    row with a status and a reason, and the batch finishes in bounded time (the flate-bomb PDF
    is refused before PDFium reads it: inflated, it would need more memory than the cap, and
    PDFium aborts the process when an allocation fails)."""
    files = adv.hostile_files()
    jobs = []
    tmp = _tmpdir()
    for name, data in files.items():
        (tmp / name).write_bytes(data)
        jobs.append((tmp / name, name, hashlib.sha256(data).hexdigest()))
    started = time.monotonic()
    rows = parse_many(jobs, Limits(max_pages=300), max_seconds=4, workers=2, max_memory_mb=1024)
    elapsed = time.monotonic() - started
    got = {r[PATH]: r for r in rows.reports}
    assert sorted(got) == sorted(files)
    for name, row in got.items():
        assert row[STATUS] in adv.PARSE_STATUSES
        assert row[STATUS] == "complete" or row[REASON], name
    assert "decompression bomb" in got["flate-bomb.pdf"][REASON]
    assert elapsed < 60
    assert not multiprocessing.active_children()


def _tmpdir():
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp(prefix="nianbao-fuzz-"))


# -- the parser processes: time, memory, crashes -----------------------------------------------


@pytest.fixture
def files(tmp_path):
    """Twelve small files; file 5 holds a marker the patched parser reacts to."""
    jobs = []
    for i in range(12):
        p = tmp_path / f"f{i:02}.txt"
        data = b"MARKER" if i == 5 else f"某县人民政府{2000 + i}年政府信息公开工作年度报告".encode()
        p.write_bytes(data)
        jobs.append((p, p.name, hashlib.sha256(data).hexdigest()))
    return jobs


def _patch_marker(monkeypatch, action):
    real = pool.parse_bytes

    def patched(data, name, limits=Limits()):  # noqa: B008 (frozen)
        if b"MARKER" in data:
            action()
        return real(data, name, limits)

    monkeypatch.setattr(pool, "parse_bytes", patched)  # forked workers inherit the patch


def _reasons(rows):
    return {r[PATH]: (r[STATUS], r[REASON]) for r in rows.reports}


def _assert_others_parsed(rows, jobs):
    got = _reasons(rows)
    assert [r[PATH] for r in rows.reports] == [j[1] for j in jobs]  # job order, one row each
    for name, (_status, reason) in got.items():
        if name != "f05.txt":
            assert reason is None or "cap" not in reason and "died" not in reason, (name, reason)
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("workers", [1, 3])
def test_slow_parse_is_capped_in_the_pool(monkeypatch, files, workers):
    _patch_marker(monkeypatch, lambda: time.sleep(60))
    started = time.monotonic()
    rows = parse_many(files, Limits(), max_seconds=1, workers=workers)
    assert time.monotonic() - started < 40  # the stuck parse sleeps 60 s
    assert _reasons(rows)["f05.txt"] == ("rejected", "parsing took longer than the cap of 1 s (NIANBAO_MAX_PARSE_SECONDS)")
    _assert_others_parsed(rows, files)


def test_parse_stuck_where_the_alarm_cannot_reach_is_killed(monkeypatch, files):
    def stuck():  # like a C extension that never returns to the interpreter
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)

    _patch_marker(monkeypatch, stuck)
    monkeypatch.setattr(pool, "HARD_KILL_GRACE_SECONDS", 1.0)
    started = time.monotonic()
    rows = parse_many(files, Limits(), max_seconds=1, workers=2)
    assert time.monotonic() - started < 40  # the stuck parse sleeps 60 s
    assert _reasons(rows)["f05.txt"] == ("rejected", "parsing took longer than the cap of 1 s (NIANBAO_MAX_PARSE_SECONDS)")
    _assert_others_parsed(rows, files)


def test_a_dying_worker_loses_only_its_file(monkeypatch, files):
    def crash():  # like a segfault in a C extension (quietly: no faulthandler dump)
        faulthandler.disable()
        os.kill(os.getpid(), signal.SIGSEGV)

    _patch_marker(monkeypatch, crash)
    rows = parse_many(files, Limits(), max_seconds=10, workers=2)
    status, reason = _reasons(rows)["f05.txt"]
    assert status == "rejected" and reason.startswith("the parser process died while reading this file (killed by SIGSEGV")
    assert any(n[0] == files[5][2][:16] and n[NOTE_CODE] == RETRY_NOTE for n in rows.parse_notes)  # parsed again next run
    _assert_others_parsed(rows, files)


def test_memory_is_capped_per_file(monkeypatch, files):
    _patch_marker(monkeypatch, lambda: bytearray(4 * 1024 ** 3))
    rows = parse_many(files, Limits(), max_seconds=10, workers=2, max_memory_mb=300)
    assert _reasons(rows)["f05.txt"] == (
        "rejected", "parsing needed more memory than the cap of 300 MB (NIANBAO_MAX_PARSE_MEMORY_MB)")
    _assert_others_parsed(rows, files)


def test_result_keeps_the_registered_identity(files):
    """A file that vanished or changed after it was registered is rejected under the id it was
    registered with (never under the id of empty or new content), and retried next run."""
    files[0][0].unlink()
    files[1][0].write_bytes(b"changed since the scan")
    rows = parse_many(files, Limits(), max_seconds=10, workers=2)
    by_path = {r[PATH]: r for r in rows.reports}
    assert (by_path["f00.txt"][RID], by_path["f00.txt"][SHA]) == (files[0][2][:16], files[0][2])
    assert by_path["f00.txt"][REASON].startswith("cannot read file")
    assert (by_path["f01.txt"][RID], by_path["f01.txt"][SHA]) == (files[1][2][:16], files[1][2])
    assert by_path["f01.txt"][REASON].startswith("file changed while the run was reading it")
    retry = {n[0] for n in rows.parse_notes if n[NOTE_CODE] == RETRY_NOTE}
    assert retry == {files[0][2][:16], files[1][2][:16]}
