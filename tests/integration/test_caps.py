"""Caps are settings, not verdicts: a file rejected by a cap is parsed again when the cap changes,
and the reason given is the cap that was hit (also when, out of memory, a library raises its
own error). Runs the ingest stages as a run does (register, parse, load), without dbt.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import duckdb
import pytest

from nianbao.run.settings import Settings
from tests import adversarial as adv

REPO = Path(__file__).resolve().parents[2]

_ROW = "<tr><td>本年新收政府信息公开申请数量</td><td>12</td><td>3</td></tr>"


def _big_html(rows: int) -> bytes:
    """An HTML report whose table has ``rows`` rows: seconds to parse, tens of MB to hold."""
    return ("<html><body><h1>某县2023年政府信息公开工作年度报告</h1><table>" + _ROW * rows
            + "</table></body></html>").encode("utf-8")


def _verdict(settings: Settings, name: str) -> tuple[str, str | None, list[str]]:
    with duckdb.connect(str(settings.work_db_path), read_only=True) as con:
        (rid,) = con.execute("select report_id from raw.source_files where source_path = ?", [name]).fetchall()[0]
        status, reason = con.execute("select parse_status, rejection_reason from raw.reports where report_id = ?",
                                     [rid]).fetchall()[0]
        codes = [r[0] for r in con.execute("select code from raw.parse_notes where report_id = ? order by seq",
                                           [rid]).fetchall()]
    return status, reason, codes


_RUN = """
import json, sys
from pathlib import Path
from nianbao.run.ingest import parse_new_reports, register_files
from nianbao.run.settings import Settings
s = json.loads(sys.argv[1])
settings = Settings(raw_dir=Path(s.pop("raw_dir")), db_path=Path(s.pop("db_path")), **s)
register_files(settings)
print(parse_new_reports(settings).load.parsed_now)
"""


def _run(settings: Settings) -> int:
    """The ingest stages in a fresh process, as a run's: the memory cap counts from the parser
    process's start, and a test process's many libraries would blur it."""
    args = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}
    out = subprocess.run([sys.executable, "-c", _RUN, json.dumps(args)], capture_output=True, text=True,
                         cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return int(out.stdout.split()[-1])


@pytest.mark.parametrize("name, data, cap, low, high, words", [
    ("many-pages.pdf", adv.pdf_many_pages(5), "max_pages", 2, 300, "PDF has 5 pages, over the cap of 2"),
    ("slow.html", _big_html(300_000), "max_parse_seconds", 1, 300, "longer than the cap of 1 s"),  # ~4 CPU-s
    ("big.html", _big_html(100_000), "max_parse_memory_mb", 30, 2048, "more memory than the cap of 30 MB"),
])
def test_a_raised_cap_parses_the_file_again(tmp_path, name, data, cap, low, high, words):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_bytes(data)
    (raw / "report.txt").write_bytes((adv.SAMPLES / "huzhou-nanxun-district-2020-pipe-tables.txt").read_bytes())
    settings = replace(Settings(raw_dir=raw, db_path=tmp_path / "data" / "w.duckdb", workers=1), **{cap: low})
    setting = {"max_pages": "NIANBAO_MAX_PAGES", "max_parse_seconds": "NIANBAO_MAX_PARSE_SECONDS",
               "max_parse_memory_mb": "NIANBAO_MAX_PARSE_MEMORY_MB"}[cap]

    assert _run(settings) == 2
    status, reason, codes = _verdict(settings, name)
    assert status == "rejected" and words in reason and setting in reason, reason  # the cap, not a library's error
    assert f"cap_exceeded:{setting}={low}" in codes
    # (on a busy machine the small report may hit a one-second cap too: count what the cap rejected)
    capped = sum(f"cap_exceeded:{setting}={low}" in _verdict(settings, f)[2] for f in (name, "report.txt"))

    assert _run(settings) == 0  # the same cap: the verdict stands, nothing is parsed again

    raised = replace(settings, **{cap: high})
    assert _run(raised) == capped  # only what the cap rejected
    status, reason, codes = _verdict(raised, name)
    assert status != "rejected" or setting not in (reason or ""), reason
    assert not any(c.startswith("cap_exceeded") for c in codes)
    assert _verdict(raised, "report.txt")[0] == "complete"
