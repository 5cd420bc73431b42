"""Who holds a warehouse: the run lock (one writing run per warehouse) and DuckDB's own file lock.

A DuckDB file is locked by the process that opened it (fcntl record locks: one writer, or any
number of readers). When DuckDB refuses to open a file, the reason is told by asking the
operating system whether another process holds such a lock (``lock_holder``), not by reading
DuckDB's message: "in block at location 4096" holds the word "lock" too.
"""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path


class RunInProgress(RuntimeError):
    """Another run writes this warehouse (and this one would not, or no longer, wait)."""


# Run locks this process holds: lock file -> [open file, depth]. A CLI run holds the lock and
# then executes a Dagster job whose executor asks for it again (orchestration/one_writer.py).
_held: dict[str, list] = {}


@contextmanager
def run_lock(settings, owner: str = "a nianbao run", wait_seconds: float = 0.0,
             waiting: Callable[[str], None] | None = None):
    """One writing run at a time per warehouse, however it was started (DuckDB allows a single
    writer). ``owner`` says who holds it (written into the lock file, so that a run refused or
    waiting can say who it waits for). With ``wait_seconds``, wait that long for the holder to
    finish, telling ``waiting`` once; then, or at once, raise RunInProgress naming the holder.
    Re-entrant within a process; released when the process dies, however it dies."""
    key = str(settings.lock_path)
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    fh = open(settings.lock_path, "a+", encoding="utf-8")
    deadline, told = time.monotonic() + wait_seconds, False
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = lock_owner(settings)
            if time.monotonic() >= deadline:
                fh.close()
                waited = f" (waited {wait_seconds:.0f} s)" if wait_seconds else ""
                raise RunInProgress(f"another run is writing this warehouse{waited}: {holder}. "
                                    f"Wait for it to finish (lock: {settings.lock_path})") from None
            if waiting is not None and not told:
                waiting(f"waiting for the run writing this warehouse to finish: {holder}")
                told = True
            time.sleep(1.0)
    fh.seek(0)
    fh.truncate()
    fh.write(f"{owner}, process {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    fh.flush()
    _held[key] = [fh, 1]
    try:
        yield
    finally:
        del _held[key]
        fh.seek(0)
        fh.truncate()
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def lock_owner(settings) -> str:
    """Who holds the run lock, as its holder wrote it."""
    try:
        text = Path(settings.lock_path).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another nianbao run"


def lock_holder(path: Path) -> int | None:
    """The id of another process holding an fcntl lock on ``path`` (DuckDB's lock), or None.

    Read from /proc/locks on Linux: no descriptor on the file is opened, since closing one would
    release every fcntl lock this process holds on it. Elsewhere the lock is queried with
    F_GETLK (only ever called when this process does not have the file open)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            table = fh.read()
    except OSError:
        return _query_lock(path)
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in table.splitlines():
        # "2: POSIX  ADVISORY  WRITE 11875 fe:00:2146458 0 EOF"; a waiter's line holds "->"
        parts = line.split()
        if len(parts) >= 6 and parts[1] in ("POSIX", "OFDLCK") and parts[2] != "->" and parts[5] == key:
            pid = int(parts[4])
            if pid != os.getpid():
                return pid if pid > 0 else -1  # an open-file-description lock has no owner (-1)
    return None


def _query_lock(path: Path) -> int | None:
    """Without /proc/locks: try the lock (and let it go). -1 when another process holds it."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # EAGAIN / EACCES: held elsewhere
        return -1
    finally:
        os.close(fd)
    return None


def describe_process(pid: int) -> str:
    """``process 1234 (its command line)``, as far as it can be read."""
    if pid <= 0:
        return "another process"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmd = ""
    return f"process {pid}" + (f" ({cmd[:160]})" if cmd else "")
