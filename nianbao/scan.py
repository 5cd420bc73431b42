"""Register every file under the raw directory: path, size, SHA-256, and why not, if not.

Symlinks and anything resolving outside the raw directory are registered as rejected, never
followed. Files over the size cap are registered as rejected without being read. Hidden files
(``.DS_Store``, ``.~lock…``) and names that are not valid UTF-8 are registered as rejected too,
with the reason: every file under the raw directory gets exactly one row.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


@dataclass
class FileEntry:
    source_path: str  # relative to the raw dir, '/'-separated
    size_bytes: int | None
    content_sha256: str | None
    reason: str | None = None  # set when the file cannot be read

    @property
    def report_id(self) -> str | None:
        return self.content_sha256[:16] if self.content_sha256 else None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def scan_raw_dir(raw_dir: Path, max_file_bytes: int) -> list[FileEntry]:
    """Every file under raw_dir (sub-folders included), sorted by path."""
    raw_dir = raw_dir.resolve()
    entries: list[FileEntry] = []
    if not raw_dir.is_dir():
        return entries
    for dirpath, dirnames, filenames in os.walk(raw_dir, followlinks=False):
        dirnames.sort()
        base = Path(dirpath)
        names = list(filenames) + [d for d in dirnames if (base / d).is_symlink()]
        for name in sorted(names):
            path = base / name
            rel = path.relative_to(raw_dir).as_posix()
            if not _is_utf8(rel):
                entries.append(FileEntry(_printable(rel), *_size(path), None,
                                         "file name is not valid UTF-8 (an archive unpacked with a legacy "
                                         "code page?); rename the file to read it"))
                continue
            if name.startswith(".") and not path.is_symlink():
                entries.append(FileEntry(rel, *_size(path), None,
                                         "hidden file (name starts with '.'): editor or system file, not read"))
                continue
            entries.append(_register(path, rel, raw_dir, max_file_bytes))
    entries.sort(key=lambda e: e.source_path)
    return entries


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.walk hands undecodable bytes back as lone surrogates
        return False
    return True


def _printable(name: str) -> str:
    """The name with its undecodable bytes written as \\xNN (a storable, readable path)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _size(path: Path) -> tuple[int | None]:
    try:
        st = path.lstat()
    except OSError:
        return (None,)
    return (st.st_size if os.path.isfile(path) and not os.path.islink(path) else None,)


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


def _register(path: Path, rel: str, raw_dir: Path, max_file_bytes: int) -> FileEntry:
    try:
        if path.is_symlink():
            return FileEntry(rel, None, None, _link_reason(path, raw_dir))
        st = path.stat()
        if not path.is_file():
            return FileEntry(rel, None, None, "not a regular file")
        if st.st_size > max_file_bytes:
            return FileEntry(rel, st.st_size, None,
                             f"file is {st.st_size:,} bytes, over the size cap of {max_file_bytes:,} (NIANBAO_MAX_FILE_BYTES)")
        if raw_dir not in path.resolve().parents:
            return FileEntry(rel, st.st_size, None, "path leads outside the raw directory; not followed")
        return FileEntry(rel, st.st_size, sha256_file(path))
    except OSError as e:
        return FileEntry(rel, None, None, f"cannot read file: {e.strerror or e}")
