"""raw.source_files: every registered file's final status and reason, computed in DuckDB from
the file registry and the parse results."""
import duckdb
import pytest

from nianbao.run.raw_schema import create_table_sql
from nianbao.run.scan import FileEntry
from nianbao.run.warehouse import write_file_registry, write_source_files

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("create schema raw")
    for table in ("file_registry", "source_files", "reports"):
        c.execute(create_table_sql(table))
    write_file_registry(c, [
        FileEntry("z/copy of a.txt", 10, A),  # same bytes as a.txt, later in sort order
        FileEntry("a.txt", 10, A),
        FileEntry("b.pdf", 20, B),
        FileEntry("c.html", 30, C),
        FileEntry("d.txt", 40, D),  # registered, but no parse result
        FileEntry("locked.txt", None, None, reason="Permission denied"),
    ])
    cols = "report_id, content_sha256, source_path, parse_status, rejection_reason"
    c.execute(f"insert into raw.reports ({cols}) values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)", [
        A[:16], A, "a.txt", "complete", None,
        B[:16], B, "b.pdf", "rejected", "scanned PDF: no text layer",
        C[:16], C, "c.html", "rejected", "",
    ])
    return c


def test_every_file_gets_its_status_and_reason(con):
    write_source_files(con)
    got = {r[0]: r[1:] for r in con.execute(
        "select source_path, report_id, content_sha256, size_bytes, file_status, reason from raw.source_files").fetchall()}
    assert got == {
        "a.txt": (A[:16], A, 10, "parsed", None),
        "z/copy of a.txt": (A[:16], A, 10, "duplicate", "same content as a.txt"),
        "b.pdf": (B[:16], B, 20, "rejected", "scanned PDF: no text layer"),
        "c.html": (C[:16], C, 30, "rejected", None),  # an empty reason is no reason
        "d.txt": (D[:16], D, 40, "rejected", "not parsed"),
        "locked.txt": (None, None, None, "rejected", "Permission denied"),
    }


def test_rewritten_not_appended(con):
    write_source_files(con)
    write_source_files(con)
    assert con.execute("select count(*) from raw.source_files").fetchall() == [(6,)]
