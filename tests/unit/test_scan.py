"""The raw-directory scan: one row per file, and a warm scan that does not re-read unchanged files."""
from __future__ import annotations

import hashlib
import os
import time

import pytest

from nianbao.run import scan
from nianbao.run.scan import scan_raw_dir

CAP = 1 << 20


def _write(path, data: bytes, age_seconds: float = 60.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    past = time.time() - age_seconds
    os.utime(path, (past, past))


@pytest.fixture
def counted_hashing(monkeypatch):
    calls: list[str] = []
    real = scan.sha256_file

    def counting(path):
        calls.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(scan, "sha256_file", counting)
    return calls


def test_every_file_registered_in_path_order(tmp_path):
    _write(tmp_path / "b" / "2.txt", b"two")
    _write(tmp_path / "a.txt", b"one")
    _write(tmp_path / ".hidden", b"x")
    _write(tmp_path / "big.txt", b"x" * (CAP + 1))
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    entries = {e.source_path: e for e in scan_raw_dir(tmp_path, CAP)}
    assert list(entries) == sorted(entries) == [".hidden", "a.txt", "b/2.txt", "big.txt", "link.txt"]
    assert entries["a.txt"].content_sha256 == hashlib.sha256(b"one").hexdigest()
    assert entries["b/2.txt"].size_bytes == 3
    assert "hidden" in entries[".hidden"].reason
    assert "size cap" in entries["big.txt"].reason and entries["big.txt"].content_sha256 is None
    assert "symbolic link" in entries["link.txt"].reason


def test_warm_scan_reuses_hashes_of_unchanged_files(tmp_path, counted_hashing):
    for i in range(5):
        _write(tmp_path / f"r{i}.txt", f"report {i}".encode())
    first = scan_raw_dir(tmp_path, CAP)
    assert len(counted_hashing) == 5
    counted_hashing.clear()
    second = scan_raw_dir(tmp_path, CAP, known=first)
    assert second == first
    assert counted_hashing == []


def test_warm_scan_rehashes_changed_and_new_files(tmp_path, counted_hashing):
    _write(tmp_path / "same.txt", b"unchanged")
    _write(tmp_path / "edited.txt", b"version 1")
    first = scan_raw_dir(tmp_path, CAP)
    counted_hashing.clear()
    # same size, new mtime: must be read again, and the new hash must win
    _write(tmp_path / "edited.txt", b"version 2", age_seconds=30)
    _write(tmp_path / "new.txt", b"brand new")
    second = {e.source_path: e for e in scan_raw_dir(tmp_path, CAP, known=first)}
    assert sorted(counted_hashing) == ["edited.txt", "new.txt"]
    assert second["edited.txt"].content_sha256 == hashlib.sha256(b"version 2").hexdigest()
    assert second["same.txt"] == {e.source_path: e for e in first}["same.txt"]


def test_recently_modified_file_is_not_trusted_next_time(tmp_path, counted_hashing):
    # written just now: an edit within the clock's granularity could keep size and mtime
    _write(tmp_path / "fresh.txt", b"abc", age_seconds=0)
    first = scan_raw_dir(tmp_path, CAP)
    assert first[0].modified_ns is None
    counted_hashing.clear()
    scan_raw_dir(tmp_path, CAP, known=first)
    assert counted_hashing == ["fresh.txt"]


def test_many_files_hashed_in_threads_match_one_by_one(tmp_path):
    for i in range(150):
        _write(tmp_path / f"d{i % 3}" / f"{i:03}.txt", os.urandom(100 + i))
    entries = scan_raw_dir(tmp_path, CAP)
    assert len(entries) == 150
    for e in entries:
        assert e.content_sha256 == hashlib.sha256((tmp_path / e.source_path).read_bytes()).hexdigest()


def test_unlistable_directory_is_registered_with_a_reason(tmp_path, monkeypatch):
    _write(tmp_path / "locked" / "x.txt", b"x")
    _write(tmp_path / "open.txt", b"y")
    real_scandir = os.scandir

    def scandir(path):  # chmod 000 does not stop root, so refuse the listing the way the OS would
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(scan.os, "scandir", scandir)
    entries = scan_raw_dir(tmp_path, CAP)
    assert [(e.source_path, e.reason) for e in entries] == [
        ("locked", "cannot list directory: Permission denied"), ("open.txt", None)]


def test_many_files_hashed_in_chunks_across_threads(tmp_path, counted_hashing):
    # More files than one hashing task takes, so several threads share them; each file still
    # gets its own content's digest, once, and the rows stay in path order.
    n = 2 * scan._HASH_CHUNK + 7
    contents = {f"d{i % 3}/f{i:04d}.txt": f"report {i}".encode() * (i % 5 + 1) for i in range(n)}
    for rel, data in contents.items():
        _write(tmp_path / rel, data)
    entries = scan_raw_dir(tmp_path, CAP)
    assert [e.source_path for e in entries] == sorted(contents)
    assert all(e.content_sha256 == hashlib.sha256(contents[e.source_path]).hexdigest() for e in entries)
    assert sorted(counted_hashing) == sorted(os.path.basename(rel) for rel in contents)


def test_an_edit_that_restores_size_and_mtime_is_hashed_again(tmp_path, counted_hashing):
    """Size, mtime and inode kept (an in-place edit, then `touch -r`): the ctime still moved."""
    path = tmp_path / "edited.txt"
    _write(path, b"version 1")
    first = scan_raw_dir(tmp_path, CAP)
    before = os.stat(path)
    with open(path, "r+b") as fh:  # in place: same inode
        fh.write(b"version 2")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    counted_hashing.clear()
    second = scan_raw_dir(tmp_path, CAP, known=first)
    assert counted_hashing == ["edited.txt"]
    assert second[0].content_sha256 == hashlib.sha256(b"version 2").hexdigest()


def test_racily_clean_is_judged_against_the_end_of_the_scan(tmp_path, monkeypatch):
    """A file hashed early in a long scan and modified before the scan ends, in the same tick,
    would keep its stat: whatever was modified within the granularity of the scan's end is not
    trusted (git's rule), however long ago it was hashed."""
    _write(tmp_path / "old.txt", b"old", age_seconds=60)
    _write(tmp_path / "recent.txt", b"recent", age_seconds=0)
    clock = [time.time_ns()]
    monkeypatch.setattr(scan.time, "time_ns", lambda: clock[0])
    entries = {e.source_path: e for e in scan_raw_dir(tmp_path, CAP)}
    assert entries["old.txt"].modified_ns is not None and entries["recent.txt"].modified_ns is None
    clock[0] += 10 * 10**9  # the same files, with the scan ending ten seconds later
    entries = {e.source_path: e for e in scan_raw_dir(tmp_path, CAP)}
    assert entries["recent.txt"].modified_ns is not None
