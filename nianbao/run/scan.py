"""Register every file under the raw directory: path, size, SHA-256, and why not, if not.

Symlinks and anything resolving outside the raw directory are registered as rejected, never
followed. Files over the size cap are registered as rejected without being read. Hidden files
(``.DS_Store``, ``.~lock…``) and names that are not valid UTF-8 are registered as rejected too,
with the reason: every file under the raw directory gets exactly one row.
"""
from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

_CHUNK = 1 << 20
# A file modified this close to the end of a scan may be modified again within the clock's
# granularity without its stat changing ("racily clean", as git calls it): its stat is not
# remembered, so the next scan hashes it again. (Two seconds: the coarsest common granularity, FAT's.)
_RACY_NS = 2_000_000_000
# Hashing threads. A second thread overlaps reads from disk; more only fight over the GIL
# (measured: docs/scaling.md).
_HASH_THREADS = 2
# Files per task handed to a hashing thread. One task per file cost more in thread hand-off
# and GIL ping-pong than hashing a typical report file.
_HASH_CHUNK = 256


@dataclass(frozen=True)
class FileEntry:
    source_path: str  # relative to the raw dir, '/'-separated
    size_bytes: int | None
    content_sha256: str | None
    reason: str | None = None  # set when the file cannot be read
    modified_ns: int | None = None  # st_mtime_ns when hashed (None: do not trust, hash next time)
    inode: int | None = None
    changed_ns: int | None = None  # st_ctime_ns when hashed: a write changes it, whatever the mtime says

    @property
    def report_id(self) -> str | None:
        return self.content_sha256[:16] if self.content_sha256 else None

    def as_row(self) -> tuple:
        """The raw.file_registry row (its columns are these fields, in this order)."""
        return (self.source_path, self.size_bytes, self.content_sha256, self.reason, self.modified_ns, self.inode,
                self.changed_ns)


def sha256_file(path: Path) -> str:
    # os.read on a raw descriptor: half the cost per file of open()'s buffered file object,
    # which is most of a cold scan's time.
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(fd, _CHUNK):
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()


def scan_raw_dir(raw_dir: Path, max_file_bytes: int, known: list[FileEntry] | None = None) -> list[FileEntry]:
    """Every file under raw_dir (sub-folders included), sorted by path.

    ``known`` is the previous scan: a file whose size, mtime, ctime and inode are unchanged
    keeps its hash without being read again (a warm run over 100,000 files then stats them, no
    more). The ctime catches an edit that restores size and mtime (``touch -r``, ``rsync -t``);
    a file modified within the clock's granularity of the end of the scan is "racily clean", as
    git calls it (an edit in the same tick would leave its stat unchanged): it is not trusted,
    and the next scan hashes it again."""
    raw_dir = raw_dir.resolve()
    if not raw_dir.is_dir():
        return []
    previous = {e.source_path: e for e in known or () if e.content_sha256 and e.modified_ns is not None}
    entries: list[FileEntry] = []
    to_hash: list[tuple[int, str, os.stat_result]] = []
    for entry, rel, listing_error in _walk(raw_dir, ""):
        if entry is None:
            entries.append(FileEntry(_printable(rel), None, None, listing_error))
            continue
        if not _is_utf8(rel):
            entries.append(FileEntry(_printable(rel), _regular_size(entry), None,
                                     "file name is not valid UTF-8 (an archive unpacked with a legacy "
                                     "code page?); rename the file to read it"))
            continue
        is_link = entry.is_symlink()
        if entry.name.startswith(".") and not is_link:
            entries.append(FileEntry(rel, _regular_size(entry), None,
                                     "hidden file (name starts with '.'): editor or system file, not read"))
            continue
        try:
            if is_link:
                entries.append(FileEntry(rel, None, None, _link_reason(Path(entry.path), raw_dir)))
                continue
            st = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False):
                entries.append(FileEntry(rel, None, None, "not a regular file"))
                continue
        except OSError as e:
            entries.append(FileEntry(rel, None, None, f"cannot read file: {e.strerror or e}"))
            continue
        if st.st_size > max_file_bytes:
            entries.append(FileEntry(rel, st.st_size, None,
                                     f"file is {st.st_size:,} bytes, over the size cap of {max_file_bytes:,} (NIANBAO_MAX_FILE_BYTES)"))
            continue
        # The walk follows no link, so a regular file found here lies inside raw_dir.
        old = previous.get(rel)
        if old and (old.size_bytes, old.modified_ns, old.changed_ns, old.inode) == \
                (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
            entries.append(old)
            continue
        to_hash.append((len(entries), rel, st))
        entries.append(FileEntry(rel, st.st_size, None))
    _hash_into(entries, to_hash, raw_dir)
    racy_from = time.time_ns() - _RACY_NS  # judged against the end of the scan, as git judges against its index
    for index, _, _ in to_hash:
        e = entries[index]
        if e.modified_ns is not None and e.modified_ns >= racy_from:
            entries[index] = replace(e, modified_ns=None)
    entries.sort(key=lambda e: e.source_path)
    return entries


def _walk(directory: Path, prefix: str):
    """(DirEntry, relative path, None) of every non-directory entry, symlinked directories
    included (registered, never entered), in path order; (None, path, reason) for a directory
    that cannot be listed."""
    try:
        with os.scandir(directory) as it:
            children = sorted(it, key=lambda d: d.name)
    except OSError as e:
        yield None, prefix.rstrip("/") or ".", f"cannot list directory: {e.strerror or e}"
        return
    for child in children:
        rel = prefix + child.name
        try:
            is_dir = child.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(Path(child.path), rel + "/")
        else:
            yield child, rel, None


def _hash_into(entries: list[FileEntry], to_hash: list[tuple[int, str, os.stat_result]], raw_dir: Path) -> None:
    def work(item: tuple[int, str, os.stat_result]) -> tuple[int, FileEntry]:
        index, rel, st = item
        try:
            digest = sha256_file(raw_dir / rel)
        except OSError as e:
            return index, FileEntry(rel, None, None, f"cannot read file: {e.strerror or e}")
        return index, FileEntry(rel, st.st_size, digest, None, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)

    def work_chunk(chunk: list[tuple[int, str, os.stat_result]]) -> list[tuple[int, FileEntry]]:
        return [work(item) for item in chunk]

    chunks = [to_hash[i:i + _HASH_CHUNK] for i in range(0, len(to_hash), _HASH_CHUNK)]
    if len(chunks) < 2:
        results = [work_chunk(chunk) for chunk in chunks]
    else:  # (ThreadPoolExecutor.map ignores its chunksize: the chunks are made here)
        with ThreadPoolExecutor(min(_HASH_THREADS, len(chunks)), thread_name_prefix="nianbao-hash") as pool:
            results = list(pool.map(work_chunk, chunks))
    for chunk_results in results:
        for index, entry in chunk_results:
            entries[index] = entry


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.walk hands undecodable bytes back as lone surrogates
        return False
    return True


def _printable(name: str) -> str:
    """The name with its undecodable bytes written as \\xNN (a storable, readable path)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _regular_size(entry: os.DirEntry) -> int | None:
    try:
        return entry.stat(follow_symlinks=False).st_size if entry.is_file(follow_symlinks=False) else None
    except OSError:
        return None


def _link_reason(path: Path, raw_dir: Path) -> str:
    target = os.readlink(path)
    try:
        resolved = path.resolve()
        exists = resolved.exists()
    except (OSError, RuntimeError):  # a loop of links
        exists = False
    if not exists:
        return f"broken symbolic link (to {target}): not followed"
    if raw_dir == resolved or raw_dir in resolved.parents:
        return (f"symbolic link (to {target}, inside the raw directory): links are not followed; "
                "the target is read under its own path")
    return f"symbolic link (to {target}, outside the raw directory): links are not followed"
