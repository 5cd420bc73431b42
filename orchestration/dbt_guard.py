"""``nianbao-dbt``: the dbt command dagster-dbt starts, bound to the run that started it.

dagster-dbt runs dbt as a subprocess (``DbtCliResource(dbt_executable=...)``, see
orchestration/assets/dbt.py). A run killed with SIGKILL cannot stop its children, and a dbt left
running would go on writing the work database while the next run starts. So the executable
dagster-dbt starts is this module's console script (pyproject ``[project.scripts]``):

* the kernel kills it when its parent dies (Linux parent-death signal, set first thing);
* it refuses to start when the run is already gone: dagster-dbt reads dbt's output from a pipe
  that only the run holds open, so a pipe nobody reads means the run died between starting us
  and the signal being set;
* it runs the dbt installed in *this interpreter's* environment, in process, through dbt's
  programmatic entry point (``dbtRunner``), whatever PATH says: cron starts
  ``<venv>/bin/nianbao run`` without the venv on PATH.

Its exit code is dbt's: 0 success, 1 a node failed, 2 dbt itself failed.
"""
from __future__ import annotations

import os
import select
import stat
import sys
import sysconfig
from pathlib import Path

from nianbao.run.lifetime import die_with_parent, exit_without_teardown

COMMAND = "nianbao-dbt"


def executable(fallback_dir: Path) -> str:
    """The ``nianbao-dbt`` command of this interpreter's environment (pip writes it beside the
    interpreter at install time). An install made before the command existed has none: then the
    launcher pip would have written (these three lines) is written into ``fallback_dir``."""
    for scripts in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        installed = Path(scripts) / COMMAND
        if os.access(installed, os.X_OK):
            return str(installed)
    launcher = fallback_dir / COMMAND
    text = f"#!{sys.executable}\nimport sys\nfrom {__name__} import console_main\nsys.exit(console_main())\n"
    if not launcher.exists() or launcher.read_text() != text:
        fallback_dir.mkdir(parents=True, exist_ok=True)
        tmp = launcher.with_name(f".{COMMAND}.{os.getpid()}")
        tmp.write_text(text)
        tmp.chmod(0o755)
        tmp.replace(launcher)
    return str(launcher)


def reader_gone(fd: int = 1) -> bool:
    """True when ``fd`` is the write end of a pipe whose read end is closed everywhere."""
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
    except OSError:
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def run_dbt(args: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(args)
    if result.exception is not None:
        print(f"dbt: {result.exception}", file=sys.stderr)
        return 2
    return 0 if result.success else 1


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    if reader_gone():
        print(f"{COMMAND}: the run that started dbt is gone", file=sys.stderr)
        return 3
    return run_dbt(list(sys.argv[1:] if argv is None else argv))


def console_main() -> int:
    """The console script: main(), then an exit without the interpreter's teardown of dbt's
    imported stack (it is on the critical path of every run: dagster-dbt waits for the process)."""
    return exit_without_teardown(main)


if __name__ == "__main__":
    sys.exit(console_main())
