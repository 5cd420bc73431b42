"""What went wrong when a run failed, in sentences: a full disk, a damaged work database, a step.

``nianbao run`` turns a failed Dagster run (or an exception from Dagster itself, e.g. when its
run history cannot be written) into a ``Failure``: the lines to print, the exit code, and
whether the work database was found damaged (deleted: the run is done again from the raw
files). What failed is told by the error's type and by the file systems' free space, never by
words in a message.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.run.disk import full_disks, is_disk_full, megabytes
from nianbao.run.settings import Settings
from nianbao.run.verify import find_damage
from nianbao.run.warehouse import discard_work_copy

FAILED_EXIT = 1
DISK_FULL_EXIT = 5
UNCHANGED = "the published warehouse was left unchanged"
# Steps that read the whole work database: their failure may be a damaged file.
_READS_THE_WORK_COPY = ("nianbao_dbt_models", "reconciliation_validation", "published_warehouse")


@dataclass
class Failure:
    exit_code: int
    lines: list[str]
    rebuild: bool = False  # the work database was damaged and deleted: run again from the raw files
    details: list[str] = field(default_factory=list)  # full errors, for the run's log


def _chain(error):
    """An error (Dagster's SerializableErrorInfo) and the errors it was raised from."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.cause or error.context


def _text(error) -> str:
    """The error's message without the exception's class name in front."""
    message = error.message.strip()
    head, sep, rest = message.partition(": ")
    return rest if sep and head.rsplit(".", 1)[-1] == error.cls_name else message


def _what_failed(error):
    """The error a step raised, inside Dagster's wrapper ("Error occurred while executing op …")."""
    for e in _chain(error):
        if not e.cls_name.startswith("Dagster"):
            return e
    return error


def step_errors(result) -> list[tuple[str, object]]:
    return [(e.step_key, e.step_failure_data.error) for e in result.all_events if e.is_step_failure]


def run_errors(result) -> list:
    """The errors of a run that failed outside its steps (Dagster's RUN_FAILURE events)."""
    return [e.job_failure_data.error for e in result.all_events
            if e.is_run_failure and e.job_failure_data.error is not None]


def run_paths(settings: Settings) -> list[Path]:
    """Where a run writes: the work directory, the published file's folder, Dagster's history, temp files."""
    home = os.environ.get("DAGSTER_HOME")
    return [settings.work_root, settings.db_path.parent, *([Path(home)] if home else []), Path(tempfile.gettempdir())]


def classify(settings: Settings, result=None, crash: BaseException | None = None) -> Failure:
    """The failure of a run: ``result`` (Dagster's, unsuccessful) or ``crash`` (raised by Dagster)."""
    errors = step_errors(result) if result is not None else []
    details = [f"step {step} failed:\n{err.to_string() if err else 'unknown error'}" for step, err in errors]
    if crash is not None:
        details.append(f"the run stopped: {type(crash).__name__}: {crash}")
    disk = _disk_full(settings, errors, crash)
    if disk:
        return Failure(DISK_FULL_EXIT, [f"nianbao: {disk}", f"nianbao: the run failed; {UNCHANGED}."], details=details)
    damaged = [err for _, err in errors for e in _chain(err) if e.cls_name == "WorkCopyDamaged"]
    if damaged:
        return Failure(FAILED_EXIT, [f"nianbao: {_text(damaged[0])}"], rebuild=True, details=details)
    if crash is not None or any(step in _READS_THE_WORK_COPY for step, _ in errors):
        damage = find_damage(settings.work_db_path) if settings.work_db_path.exists() else None
        if damage is not None:
            discard_work_copy(settings)
            return Failure(FAILED_EXIT, [f"nianbao: the work database is damaged ({damage}); it was deleted"],
                           rebuild=True, details=details)
    lines = [f"nianbao: step {step} failed: {_text(_what_failed(err)) if err else 'unknown error'}"
             for step, err in errors]
    if result is not None and not errors:  # failed outside any step (an executor, a resource)
        for err in run_errors(result):
            details.append(f"the run failed:\n{err.to_string()}")
            lines.append(f"nianbao: the run failed before or between its steps: {err.cls_name}: "
                         + " ".join(_text(err).split())[:400])
    if crash is not None:
        said = " ".join(str(crash).split())  # one line: dbt's errors put the command on lines of their own
        lines.append(f"nianbao: the run stopped: {type(crash).__name__}: {said[:400]}"
                     if said else f"nianbao: the run stopped: {type(crash).__name__}")
    lines.append(f"nianbao: the run failed; {UNCHANGED}.")
    return Failure(FAILED_EXIT, lines, details=details)


def _disk_full(settings: Settings, errors, crash: BaseException | None) -> str | None:
    """The sentence for a full disk, when the failure was one."""
    for _, err in errors:
        for e in _chain(err):
            if e.cls_name == "DiskFull":
                return _text(e)
    full = full_disks(run_paths(settings))
    if full or is_disk_full(crash):
        where = " and ".join(f"the disk holding {p} ({megabytes(free)} free)" for p, free in full)
        return f"{where or 'a disk the run writes to'} is full. Free some space and run again"
    return None


def write_details(log_path: Path, failure: Failure) -> None:
    """Append the full errors to the run's log, so that the log it points to says what failed
    (when ingest or parse fail, dbt has written nothing there)."""
    try:
        with open(log_path, "a", encoding="utf-8") as fh:
            for block in failure.details:
                fh.write(f"\n{block}\n")
    except OSError:  # a full disk: the lines printed are all there is
        pass
