"""Processes of a run: children that must not outlive it (parser workers, dbt), and an exit
that skips the interpreter's teardown."""
import atexit
import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies, so a run killed with SIGKILL
    leaves nothing behind. Elsewhere a no-op (callers also watch for their parent going away)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


def exit_without_teardown(main: Callable[[], int]) -> int:
    """Run a console script's ``main()``, then end the process without the interpreter's
    teardown of everything it imported (Dagster, dbt, Great Expectations, pandas, DuckDB: seconds
    of garbage collection that nobody waits for usefully). Every exit handler still runs (ours is
    registered first, so it runs last), output is flushed, the exit code is main()'s. Only for
    entry points: callers that go on running (tests, benchmarks) call main() itself."""
    outcome = {"code": 1}  # stays 1 if main() raises
    atexit.register(_end, outcome)
    try:
        outcome["code"] = main()
    except SystemExit as e:  # argparse's usage errors, --help
        outcome["code"] = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        raise
    return outcome["code"]


def _end(outcome: dict) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe
            pass
    os._exit(outcome["code"])
