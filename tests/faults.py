"""Faults for the fault tests and bench/faults.py: damaged DuckDB files, a full disk."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(db: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every mart: its columns and all its rows ordered by every column."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_type = 'BASE TABLE' order by 1").fetchall()]
        out = {}
        for t in tables:
            cur = con.execute(f'select * from marts."{t}" order by all')
            cols = [d[0] for d in cur.description]
            out[t] = (cols, [tuple("NaN" if v != v else v for v in row) for row in cur.fetchall()])
        return out
    finally:
        con.close()


# DuckDB 2.0's file layout: three 4 KiB headers (main, then two database headers), then
# blocks of 256 KiB, each with its checksum.
HEADER_BYTES = 4096
BLOCK_BYTES = 256 * 1024
DATA_START = 3 * HEADER_BYTES


def corrupt_header(path: Path) -> None:
    """Damage the first database header (what DuckDB reads on opening the file)."""
    with open(path, "r+b") as fh:
        fh.seek(HEADER_BYTES + 16)
        fh.write(b"\xa5" * 32)


def _damage_block(path: Path, block: int) -> None:
    # just after the block's checksum: a block that is only partly used (small tables share
    # one) is checked over its used part only
    with open(path, "r+b") as fh:
        fh.seek(DATA_START + block * BLOCK_BYTES + 64)
        fh.write(b"\x5a" * 64)


def _readable_in_full(path: Path, schemas: tuple[str, ...], tables: tuple[str, ...]) -> str | None:
    """None when every table of ``schemas`` (or the ``tables`` named schema.table) reads; else
    'open' or 'read' (what failed)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return "open"
    try:
        names = [f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2").fetchall()]
        for name in names:
            if name in tables or (not tables and name.split(".")[0] in schemas):
                schema, table = name.split(".")
                con.execute(f'SELECT count(*), bit_xor(hash(x)) FROM "{schema}"."{table}" AS x').fetchall()
        return None
    except duckdb.Error:
        return "read"
    finally:
        con.close()


def corrupt_a_data_block(path: Path, schemas: tuple[str, ...] = ("marts",), tables: tuple[str, ...] = ()) -> int:
    """Damage one data block of ``path`` that a table of ``schemas`` (or one of ``tables``,
    named schema.table) uses, leaving the file openable (its catalog intact): reading that
    table fails with DuckDB's checksum error. Returns the block's number. Blocks are tried on
    a scratch copy, middle of the file first."""
    blocks = (path.stat().st_size - DATA_START) // BLOCK_BYTES
    order = sorted(range(blocks), key=lambda b: abs(b - blocks // 2))
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / path.name
        for block in order:
            shutil.copyfile(path, scratch)
            _damage_block(scratch, block)
            if _readable_in_full(scratch, schemas, tables) == "read":
                _damage_block(path, block)
                return block
    raise AssertionError(f"no data block of {tables or schemas} found in {path} ({blocks} blocks)")


@contextlib.contextmanager
def small_disk(mount_point: Path, megabytes: int):
    """A tmpfs of ``megabytes`` MB mounted at ``mount_point`` (needs root: CI runs as root)."""
    mount_point.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mount_point)],
                   check=True, capture_output=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False, capture_output=True)


def fill_disk(folder: Path, leave_bytes: int) -> Path:
    """Write a file in ``folder`` until the disk has about ``leave_bytes`` free."""
    ballast = folder / "ballast"
    free = shutil.disk_usage(folder).free
    with open(ballast, "wb") as fh:
        remaining = max(0, free - leave_bytes)
        chunk = b"\0" * (1 << 20)
        try:
            while remaining > 0:
                fh.write(chunk[:min(len(chunk), remaining)])
                remaining -= min(len(chunk), remaining)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError:
            pass
    return ballast
