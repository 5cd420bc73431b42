"""Parse many files at once: worker processes over all cores, results as columnar rows.

Each distinct content is parsed once (the first path holding it, in path order). Nothing a file
contains can stop the batch or hang it:

* a parse that runs past the per-file cap (``NIANBAO_MAX_PARSE_SECONDS``) is interrupted inside
  the worker (SIGALRM) and the file is rejected with that reason;
* a worker stuck where the alarm cannot reach it (inside C code) is killed a few seconds after
  the cap, and a worker that dies (a crash in a C extension, the kernel's out-of-memory killer)
  is replaced; either way that one file is rejected with the reason and the others go on;
* workers die with the run: a killed run leaves no parser processes behind.

A file that could not be read, changed while the run read it, or whose worker died gets a
``retry_next_run`` parse note: the next run parses it again instead of keeping the rejection.
"""
from __future__ import annotations

import gc
import hashlib
import math
import multiprocessing
import multiprocessing.connection
import os
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from nianbao.parse.model import UNEXPECTED_ERROR, ParseResult, cap_code
from nianbao.parse.pipeline import Limits, parse_bytes, report_id_of
from nianbao.readers.document import PAGES_CAP
from nianbao.run.lifetime import die_with_parent
from nianbao.run.raw_rows import RETRY_NOTE, RawRows, result_rows, unstorable

Progress = Callable[[int, int, float], None]
# A worker stuck past the cap where SIGALRM cannot interrupt it is killed this much later.
HARD_KILL_GRACE_SECONDS = 5.0


class ParseTimeout(BaseException):
    """Raised by the per-file alarm. A BaseException, so that the readers' and libraries'
    ``except Exception`` (the PDF reader skips a page that fails) cannot swallow it and parse on
    past the cap."""


def _alarm(signum, frame):
    raise ParseTimeout()


def _rejected(rid: str, sha: str, reason: str, retry: bool = False,
              cap: tuple[str, float] | None = None) -> ParseResult:
    """A rejection; ``retry``: for a reason outside the content (parsed again next run);
    ``cap``: by the cap (setting, value) — parsed again by a run with another value."""
    result = ParseResult(rid, sha, rejection_reason=reason)
    if retry:
        result.note("warning", RETRY_NOTE, "rejected for a reason outside the file's content; parsed again next run")
    if cap is not None:
        result.note("error", cap_code(*cap), reason)
    return result


TIME_CAP = "NIANBAO_MAX_PARSE_SECONDS"
MEMORY_CAP = "NIANBAO_MAX_PARSE_MEMORY_MB"


def current_caps(settings) -> dict[str, float]:
    """The caps a parse verdict depends on, as set now (nianbao.run.settings.Settings)."""
    return {PAGES_CAP: settings.max_pages, TIME_CAP: settings.max_parse_seconds,
            MEMORY_CAP: settings.max_parse_memory_mb}


def timeout_reason(max_seconds: float) -> str:
    return f"parsing took longer than the cap of {max_seconds:g} s ({TIME_CAP})"


def parse_path(path: Path, source_path: str, limits: Limits, max_seconds: float,
               expected_sha256: str | None = None) -> ParseResult:
    """Parse one file with a wall-clock cap; never raises.

    ``expected_sha256`` is the content registered for the file: the result always carries that
    identity, so a file that vanished or changed since it was registered cannot smuggle in rows
    under another report id.
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        rid, sha = (expected_sha256[:16], expected_sha256) if expected_sha256 else report_id_of(b"")
        return _rejected(rid, sha, f"cannot read file: {e.strerror or e}", retry=True)
    if expected_sha256 and hashlib.sha256(data).hexdigest() != expected_sha256:
        return _rejected(expected_sha256[:16], expected_sha256,
                         "file changed while the run was reading it; it is read again on the next run",
                         retry=True)
    use_alarm = max_seconds > 0 and threading.current_thread() is threading.main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, max_seconds, 1.0)  # and again each second, if swallowed
    try:
        return parse_bytes(data, source_path, limits)
    except ParseTimeout:
        rid, sha = report_id_of(data)
        return _rejected(rid, sha, timeout_reason(max_seconds), cap=(TIME_CAP, max_seconds))
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


Job = tuple  # (path, source_path) or (path, source_path, expected_sha256)


def _parse_job(job: tuple) -> ParseResult:
    path, source_path, limits, max_seconds, sha, _ = job
    try:
        return parse_path(Path(path), source_path, limits, max_seconds, sha)
    except ParseTimeout:  # the alarm fired between parse_bytes returning and the timer reset
        rid, sha2 = (sha[:16], sha) if sha else report_id_of(b"")
        return _rejected(rid, sha2, timeout_reason(max_seconds), cap=(TIME_CAP, max_seconds))


def _work(job: tuple) -> RawRows:
    return storable_rows(_parse_job(job), job[1])


def unstorable_reason(what: str) -> str:
    return f"the parser produced a value the warehouse cannot store ({what}); the report is not loaded"


def storable_rows(result: ParseResult, source_path: str) -> RawRows:
    """The result's rows when every value fits the raw tables; otherwise the report, rejected
    with the value that does not: one report's content never stops the load."""
    rows = result_rows(result, source_path)
    problem = unstorable(rows)
    if problem is None:
        return rows
    return result_rows(_rejected(result.report_id, result.content_sha256, unstorable_reason(problem)), source_path)


# A small report that takes the parser through its one-time set-up: imports, the compiled
# vocabulary patterns, OpenCC's tables (traditional characters), the table and prose readers.
_WARM_UP_DOC = ("<html><body><h1>某某縣人民政府2023年政府信息公開工作年度報告</h1>"
                "<p>本年度收到政府信息公开申请12件，办结11件。行政复议2件，行政诉讼1件。</p>"
                "<table><tr><td>本年新收政府信息公开申请数量</td><td>12</td></tr>"
                "<tr><td>予以公开</td><td>5</td></tr></table></body></html>").encode()
_warm_up: threading.Thread | None = None


def warm_up_parser() -> None:
    """Start the parser's one-time set-up in a thread of this process, e.g. while the
    raw folder is scanned. The parser processes parse_many forks afterwards inherit it instead of
    each paying it: on a warm run with one new file, that set-up was most of the parse step."""
    global _warm_up
    if _warm_up is None:
        _warm_up = threading.Thread(target=parse_bytes, args=(_WARM_UP_DOC, "warm-up.html"),
                                    name="nianbao-parser-warm-up", daemon=True)
        _warm_up.start()


def parse_many(jobs: Sequence[Job], limits: Limits, max_seconds: float, workers: int,
               progress: Progress | None = None, max_memory_mb: int = 0,
               sink: Callable[[object], None] | None = None) -> RawRows:
    """Parse (path, source_path[, expected_sha256]) jobs; rows come back in job order.

    Files are parsed in worker processes (``workers`` of them, at most one per job) so that the
    time cap is enforced even on a worker stuck in C code, a crashing worker loses only its own
    file, and a worker may allocate at most ``max_memory_mb`` MB beyond what it started with
    (0: no cap). Where ``fork`` is unavailable they are parsed in this process (the time cap then
    relies on SIGALRM alone, and there is no memory cap).

    With ``sink`` (e.g. ``nianbao.run.spool.Spool.add``) each file's rows are encoded as CSV in
    its worker and handed to ``sink`` in job order instead of being collected: the returned
    RawRows is then empty.
    """
    total = len(jobs)
    encode = sink is not None
    work = [(str(j[0]), j[1], limits, max_seconds, j[2] if len(j) > 2 else None, encode) for j in jobs]
    started = time.perf_counter()
    results: Iterable[RawRows]
    if _warm_up is not None:
        _warm_up.join()  # never fork mid-set-up: a child would inherit half-made state and held locks
    if "fork" in multiprocessing.get_all_start_methods() and total:
        results = _supervised(work, max(1, min(workers, total)), max_seconds, max_memory_mb)
    else:
        results = map(_work, work)
    out = RawRows()
    for done, rows in enumerate(results, 1):
        if sink is not None:
            sink(rows)
        else:
            out.extend(rows)
        if progress:
            progress(done, total, time.perf_counter() - started)
    return out


# -- supervised worker processes ----------------------------------------------------------------

def memory_reason(max_memory_mb: int) -> str:
    return f"parsing needed more memory than the cap of {max_memory_mb:,} MB ({MEMORY_CAP})"


# This worker's address space when it started: the memory cap is counted from there.
_memory_base: int | None = None


def _cap_memory(max_memory_mb: int) -> bool:
    """Linux: limit this process's address space to what it had at start plus the cap, so a
    file that would eat all memory ends in an error (rejected) instead of the OOM killer.
    Returns whether the cap is set."""
    global _memory_base
    if max_memory_mb <= 0:
        return False
    try:
        import resource

        if _memory_base is None:
            with open("/proc/self/statm") as fh:
                _memory_base = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = _memory_base + max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        return True
    except (OSError, ValueError, ImportError):
        return False


def _work_capped(work: tuple, max_memory_mb: int):
    rows = storable_rows(_parse_capped(work, max_memory_mb), work[1])
    if work[5]:  # a sink takes the rows: CSV bytes are cheap to send, and the run's process never unpacks them
        return encoded_rows(rows, work[1])
    return rows


def _parse_capped(work: tuple, max_memory_mb: int) -> ParseResult:
    """Parse under the memory cap. Out of memory, a library raises its own error as often as
    MemoryError (selectolax: "Can't parse HTML"): a parse that failed with an unexpected error
    is tried once more with twice the cap; when it then gets further, or needs more address
    space than the cap allows, the cap is the reason."""
    try:
        result = _parse_job(work)
    except MemoryError:
        return _memory_rejection(work, max_memory_mb)
    if max_memory_mb > 0 and any(n.code == UNEXPECTED_ERROR for n in result.notes) \
            and _fails_only_under_the_cap(work, result, max_memory_mb):
        return _memory_rejection(work, max_memory_mb, result)
    return result


def _fails_only_under_the_cap(work: tuple, failed: ParseResult, max_memory_mb: int) -> bool:
    if _memory_base is None or not _cap_memory(2 * max_memory_mb):
        return False
    # (an earlier retry in this worker may have set the peak above the cap: only a new one counts)
    peak_before = max(_peak_address_space() or 0, _memory_base + max_memory_mb * 1024 * 1024)
    try:
        again = _parse_job(work)
    except MemoryError:
        return True
    finally:
        _cap_memory(max_memory_mb)
    needed_more = (_peak_address_space() or 0) > peak_before
    return needed_more or again.rejection_reason != failed.rejection_reason


def _peak_address_space() -> int | None:
    """This process's largest address space so far (VmPeak, Linux), in bytes."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _memory_rejection(work: tuple, max_memory_mb: int, failed: ParseResult | None = None) -> ParseResult:
    if failed is not None:
        rid, sha = failed.report_id, failed.content_sha256
    else:
        rid, sha = _identity(work)
    return _rejected(rid, sha, memory_reason(max_memory_mb), cap=(MEMORY_CAP, max_memory_mb))


def encoded_rows(rows: RawRows, source_path: str):
    """The rows encoded for the spool (nianbao.run.spool); a report whose text cannot be
    encoded (not valid Unicode: a lone surrogate) becomes its rejection instead."""
    from nianbao.run.spool import encode_rows

    try:
        return encode_rows(rows)
    except (UnicodeError, ValueError, TypeError) as e:
        rid, sha = rows.reports[0][0], rows.reports[0][1]
        return encode_rows(result_rows(_rejected(rid, sha, unstorable_reason(f"{type(e).__name__}: {e}")),
                                       source_path))


def _worker_main(conn, parent_pid: int, work: list[tuple], max_memory_mb: int = 0) -> None:
    """Parse the jobs whose indexes arrive on ``conn``; ``work`` came with the fork, so a job
    costs the run's process one small int to send instead of a pickled tuple."""
    die_with_parent()  # elsewhere the worker notices its parent is gone at the next poll
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle
    _cap_memory(max_memory_mb)
    readable = _readable_within(conn)
    while True:
        if os.getppid() != parent_pid:
            return
        if not readable(1.0):
            continue
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send((job, _work_capped(work[job], max_memory_mb)))


# multiprocessing.connection.wait builds a selectors object and registers every handle on each
# call, and Connection.poll goes through it too: a quarter of the run's CPU per report, time
# taken from the parser processes. One select.poll call does the same wait.
_HAS_POLL = hasattr(select, "poll")


def _ready(objects: list, timeout: float | None) -> set:
    """Of ``objects`` (connections and process sentinels), those readable, closed or failed within
    ``timeout`` seconds (None: no limit); as ``multiprocessing.connection.wait``."""
    if not _HAS_POLL:
        return set(multiprocessing.connection.wait(objects, timeout))
    poller = select.poll()
    by_fd = {}
    for obj in objects:
        fd = obj if isinstance(obj, int) else obj.fileno()
        by_fd[fd] = obj
        poller.register(fd, select.POLLIN)
    ms = None if timeout is None else max(0, math.ceil(timeout * 1000))
    return {by_fd[fd] for fd, _ in poller.poll(ms)}


def _readable_within(conn) -> Callable[[float], bool]:
    """``conn.poll`` with one poll object made once (asked once or twice per file)."""
    if not _HAS_POLL:
        return conn.poll
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return lambda timeout: bool(poller.poll(max(0, math.ceil(timeout * 1000))))


class _Worker:
    """One parser process. Up to ``IN_FLIGHT`` jobs are sent ahead so it never waits on the
    parent; ``assigned[0]`` is the one it is parsing, since ``since``."""

    IN_FLIGHT = 2

    def __init__(self, ctx, work: list[tuple], max_memory_mb: int = 0) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid(), work, max_memory_mb), daemon=True,
                                name="nianbao-parser")
        self.proc.start()
        child.close()
        self.readable = _readable_within(self.conn)
        self.assigned: deque[int] = deque()
        self.since = 0.0

    def give(self, index: int) -> None:
        if not self.assigned:
            self.since = time.monotonic()
        self.assigned.append(index)
        try:
            self.conn.send(index)
        except OSError:
            pass  # the worker is dead: its sentinel says so and the file is handled as lost

    def stop(self, kill: bool = False) -> None:
        if kill or not self.proc.is_alive():
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.proc.kill()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            how = f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"killed by signal {-exitcode}"
        if exitcode == -signal.SIGKILL:
            how += ", perhaps by the out-of-memory killer"
    else:
        how = f"exit code {exitcode}"
    return f"the parser process died while reading this file ({how})"


def _identity(work: tuple) -> tuple[str, str]:
    """(report id, SHA-256) of a job's file: the registered hash, or the bytes' own."""
    path, sha = work[0], work[4]
    if not sha:
        try:
            sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            sha = report_id_of(b"")[1]
    return sha[:16], sha


def _lost(work: tuple, reason: str, retry: bool, cap: tuple[str, float] | None = None) -> RawRows:
    """Rows for a file whose worker had to be killed or died: rejected with the reason."""
    rid, sha = _identity(work)
    return result_rows(_rejected(rid, sha, reason, retry=retry, cap=cap), work[1])


def _supervised(work: list[tuple], n_workers: int, max_seconds: float, max_memory_mb: int = 0):
    """Yield each job's rows in job order, parsing in ``n_workers`` supervised processes."""
    ctx = multiprocessing.get_context("fork")
    pending = deque(range(len(work)))
    results: dict[int, RawRows] = {}
    next_out = 0
    hard = max_seconds + HARD_KILL_GRACE_SECONDS if max_seconds > 0 else None
    # The run's process holds hundreds of thousands of objects (Dagster, dbt, pandas). Frozen, a
    # worker's garbage collector skips them instead of walking them on every full collection,
    # which also keeps it from copying their pages (the fork/COW advice of the gc module's docs).
    gc.freeze()
    workers: list[_Worker] = []
    try:
        workers.extend(_Worker(ctx, work, max_memory_mb) for _ in range(n_workers))
        while next_out < len(work):
            for w in workers:
                while pending and len(w.assigned) < w.IN_FLIGHT:
                    i = pending.popleft()
                    w.give(i)
            busy = [w for w in workers if w.assigned]
            timeout = 1.0
            if hard is not None:
                now = time.monotonic()
                timeout = max(0.0, min([timeout] + [w.since + hard - now for w in busy]))
            ready = _ready([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout)
            for slot, w in enumerate(workers):
                if not w.assigned:
                    continue
                lost_reason = None
                if w.conn in ready:
                    try:  # every result already sent, before a dead worker's files are judged lost
                        while w.assigned and w.readable(0):
                            i, rows = w.conn.recv()
                            results[i] = rows
                            w.assigned.remove(i)
                            w.since = time.monotonic()
                    except (EOFError, OSError):
                        pass
                if not w.assigned:
                    continue
                if w.proc.sentinel in ready or not w.proc.is_alive():
                    w.proc.join(1)
                    lost_reason, retry = _death_reason(w.proc.exitcode), True
                elif hard is not None and time.monotonic() - w.since > hard:
                    lost_reason, retry = timeout_reason(max_seconds), False
                if lost_reason is None:
                    continue
                culprit = w.assigned.popleft()
                results[culprit] = _lost(work[culprit], lost_reason, retry,
                                         None if retry else (TIME_CAP, max_seconds))
                pending.extendleft(reversed(w.assigned))  # jobs sent ahead go to another worker
                w.assigned.clear()
                w.stop(kill=True)
                workers[slot] = _Worker(ctx, work, max_memory_mb)
            while next_out in results:
                yield results.pop(next_out)
                next_out += 1
    finally:
        for w in workers:
            w.stop(kill=bool(w.assigned))
        gc.unfreeze()
