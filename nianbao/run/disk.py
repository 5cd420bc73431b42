"""Disk space: checked before a run writes a whole copy, and a full disk told in one sentence."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

# Beyond the bytes of a copy, room for what the rest of the run writes meanwhile (DuckDB's
# WAL, Dagster's run history, logs): a copy that would leave less is not started.
MARGIN_BYTES = 16 * 1024 * 1024
MARGIN_SHARE = 0.05
_FULL = {errno.ENOSPC, errno.EDQUOT}


class DiskFull(OSError):
    """Not enough room on a disk the run writes to. ``str()`` is the sentence to show."""

    def __init__(self, message: str):
        super().__init__(errno.ENOSPC, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def free_bytes(path: Path) -> int:
    """Bytes free for this user on the file system holding ``path`` (or its nearest existing parent)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def ensure_space(folder: Path, need: int, what: str) -> None:
    """Raise DiskFull unless the disk holding ``folder`` has ``need`` bytes plus the margin."""
    margin = max(MARGIN_BYTES, int(need * MARGIN_SHARE))
    free = free_bytes(folder)
    if free < need + margin:
        raise DiskFull(f"not enough disk space {what}: it needs {megabytes(need)} plus a margin of "
                       f"{megabytes(margin)}, and the disk holding {folder} has {megabytes(free)} free. "
                       "Free some space and run again")


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` or an exception it was raised from is the operating system's "no space"."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def full_disks(paths: list[Path], below: int = MARGIN_BYTES) -> list[tuple[Path, int]]:
    """Of ``paths``, those on a disk with less than ``below`` bytes free (one per disk)."""
    out, disks = [], set()
    for p in paths:
        try:
            probe = Path(p)
            while not probe.exists() and probe != probe.parent:
                probe = probe.parent
            dev = os.stat(probe).st_dev
        except OSError:
            continue
        if dev in disks:
            continue
        disks.add(dev)
        free = free_bytes(p)
        if free < below:
            out.append((Path(p), free))
    return out
