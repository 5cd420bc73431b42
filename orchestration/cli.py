"""The ``nianbao`` command: run the pipeline, parse one file, start the Dagster UI."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import sysconfig
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

from nianbao.run.lifetime import exit_without_teardown
from nianbao.run.settings import PROJECT_ROOT, Settings, SettingsError, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's paths (which win)."""
    return load_settings(raw_dir=getattr(args, "raw_dir", None), db_path=getattr(args, "db", None))


def _resources_config(settings: Settings) -> dict:
    """The command line's paths, given to the run as NianbaoResource's config (run config travels
    with the run to every step process)."""
    return {"nianbao": {"config": {"raw_dir": str(settings.raw_dir), "db_path": str(settings.db_path)}}}


def _dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME (Dagster's own setting, read by Dagster), by default beside the work
    database, so `nianbao ui` shows `nianbao run`'s runs."""
    from orchestration.runtime.instance import ensure_dagster_home

    home = ensure_dagster_home(Path(os.environ.get("DAGSTER_HOME") or settings.work_root / "dagster_home").resolve())
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _progress_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("nianbao.progress")
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = _settings(args)
    except SettingsError as e:
        print(f"nianbao: {e}", file=sys.stderr)
        return 2
    _dagster_home(settings)
    _progress_logging(args.verbose)
    if not settings.raw_dir.is_dir():
        print(f"nianbao: raw directory {settings.raw_dir} does not exist (set NIANBAO_RAW_DIR or --raw-dir)",
              file=sys.stderr)
        return 2
    from nianbao.run.locks import RunInProgress, run_lock

    started = time.perf_counter()
    try:
        with run_lock(settings, "nianbao run (command line)"):
            return _run(args, settings, started)
    except RunInProgress as e:
        print(f"nianbao: {e}", file=sys.stderr)
        return 3


def _run(args: argparse.Namespace, settings: Settings, started: float) -> int:
    from orchestration.failures import classify, write_details

    print(f"nianbao: building the warehouse from {settings.raw_dir}", file=sys.stderr)
    log_path = settings.work_dir / "last-run.log"
    for attempt in (1, 2):
        result, crash = _execute(args, settings, log_path, append=attempt > 1)
        if crash is None and result.success:
            break
        failure = classify(settings, result, crash)
        if not args.verbose:
            write_details(log_path, failure)
        if failure.rebuild and attempt == 1:  # the work database was damaged, and deleted
            print(failure.lines[0], file=sys.stderr)
            print("nianbao: building the work database again from the raw files (every file is parsed again)",
                  file=sys.stderr)
            continue
        for line in failure.lines:
            print(line, file=sys.stderr)
        if not args.verbose and _has_text(log_path):  # (on a full disk it may not have been written)
            print(f"nianbao: full log: {log_path}", file=sys.stderr)
        return failure.exit_code
    findings = print_summary(settings, time.perf_counter() - started)
    return 4 if args.strict and findings else 0


def _has_text(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _execute(args: argparse.Namespace, settings: Settings, log_path: Path, append: bool):
    """Run the job once: (Dagster's result, None), or (None, the exception) when Dagster itself
    failed (its run history on a full disk, say)."""
    from dagster import DagsterInstance

    from orchestration.definitions import MAIN_JOB, build_definitions
    from orchestration.runtime.instance import prune_history
    from orchestration.runtime.run_origin import execute_with_origin

    try:
        # the instance is closed at the end: SQLite then checkpoints and removes its WAL files
        with _quiet_stdout(log_path, args.verbose, append), DagsterInstance.get() as instance:
            level = "INFO" if args.verbose else "WARNING"
            run_config = {"loggers": {"console": {"config": {"log_level": level}}},
                          "resources": _resources_config(settings)}
            # recorded as a run of the workspace's code location: the UI lists it in the job's history
            tags = {"nianbao/warehouse": str(settings.db_path), "nianbao/raw_dir": str(settings.raw_dir)}
            if getattr(args, "partitioned", False):
                result = _run_partitioned(run_config, settings, instance, tags)
            else:
                job = build_definitions().resolve_job_def(MAIN_JOB)
                result = execute_with_origin(job, instance, run_config, tags)
            prune_history(instance, settings.keep_runs)
            return result, None
    except Exception as e:
        return None, e


def _run_partitioned(run_config: dict, settings: Settings, instance, tags: dict):
    """Job nianbao_partitioned on the executor ``NIANBAO_PARTITION_EXECUTOR`` names: each parse
    partition a process (multiprocess), or a task on a Dask cluster (dask)."""
    import contextlib

    import dagster as dg

    from orchestration.assets.partitions import dask_worker_settings, partitioned_execution_config
    from orchestration.definitions import partitioned_job
    from orchestration.runtime.run_origin import execute_with_origin

    execution = partitioned_execution_config(settings)
    if execution:
        run_config = dict(run_config, execution=execution)
    dask_config: contextlib.AbstractContextManager = contextlib.nullcontext()
    if settings.partition_executor == "dask":
        import dask

        dask_config = dask.config.set(dask_worker_settings())  # read by a LocalCluster the run starts
    with dask_config:
        return execute_with_origin(dg.reconstructable(partitioned_job), instance, run_config, tags)


@contextmanager
def _quiet_stdout(log_path: Path, verbose: bool, append: bool = False):
    """dbt's and Dagster's own log go to a file (dagster-dbt echoes dbt's on stdout; Dagster's
    console logger writes errors with their tracebacks on stderr); --verbose shows them. The
    run's progress lines keep the terminal (their handler holds the real stderr)."""
    os.environ.setdefault("TQDM_DISABLE", "1")  # GE's per-expectation progress bars
    if verbose:
        yield
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a" if append else "w", encoding="utf-8") as fh, redirect_stdout(fh), redirect_stderr(fh):
        yield


def print_summary(settings: Settings, seconds: float) -> int:
    """Print the run summary from the published warehouse; returns the number of data findings."""
    from nianbao.overview.summary import summarise

    summary = summarise(settings, seconds)
    print(summary.text)
    return summary.findings


def cmd_parse(args: argparse.Namespace) -> int:
    from nianbao.parse.pipeline import parse_bytes

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as e:
        print(f"nianbao: cannot read {path}: {e.strerror or e}", file=sys.stderr)
        return 2
    result = parse_bytes(data, path.name)
    out = result.to_dict()
    out["is_reconciled"] = result.is_reconciled
    print(json.dumps(out, ensure_ascii=False, indent=2 if args.pretty else None))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from nianbao.run.export import export_parquet

    out = Path(args.parquet).resolve()
    try:
        exported = export_parquet(_settings(args).db_path, out)
    except (FileNotFoundError, SettingsError) as e:
        print(f"nianbao: {e}", file=sys.stderr)
        return 2
    width = max(len(t.table) for t in exported) if exported else 0
    for t in exported:
        print(f"  {t.table:<{width}}  {t.rows:>10,} rows  {t.path.name}", file=sys.stderr)
    print(f"nianbao: exported {len(exported)} marts tables and views as Parquet to {out} "
          "(descriptions in each file's metadata and in _manifest.json)", file=sys.stderr)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from orchestration import dbt_docs

    try:
        settings = _settings(args)
        print(f"nianbao: building the dbt docs of {settings.db_path} (read-only)", file=sys.stderr)
        folder = dbt_docs.generate(settings)
    except (FileNotFoundError, SettingsError) as e:
        print(f"nianbao: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:
        print(f"nianbao: {e}", file=sys.stderr)
        return 1
    print(f"nianbao: the docs in one file (no server needed): {folder / 'static_index.html'}", file=sys.stderr)
    if args.no_serve:
        return 0
    httpd = dbt_docs.server(folder, args.host, args.port)
    host, port = httpd.server_address[:2]
    print(f"nianbao: serving the docs on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    settings = _settings(args)
    home = _dagster_home(settings)
    # the dagster of this interpreter's environment, whatever PATH says
    dagster = Path(sysconfig.get_path("scripts")) / "dagster"
    cmd = [str(dagster) if dagster.exists() else "dagster", "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"),
           "-h", args.host, "-p", str(args.port)]
    print(f"nianbao: starting the Dagster UI on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    # A shell may have started us with SIGINT ignored; dagster dev must be stoppable.
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)
    # Started in the Dagster home, not the project folder: there, Dagster would load the project's
    # .env, whose DAGSTER_HOME is the default warehouse's (for `dagster dev` started by hand)
    os.chdir(home)
    # the UI's processes read the settings from their environment: the command line's paths too
    os.execvpe(cmd[0], cmd, {**os.environ, **settings.as_environ(), "DAGSTER_HOME": str(home)})
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nianbao", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="ingest, parse, build the marts, check the rules and publish the warehouse")
    run.add_argument("--raw-dir", help="folder of report files (default: NIANBAO_RAW_DIR or raw/)")
    run.add_argument("--db", help="warehouse file (default: NIANBAO_DB or data/nianbao.duckdb)")
    run.add_argument("--strict", action="store_true",
                     help="exit 4 when files were rejected or reports fail reconciliation")
    run.add_argument("-v", "--verbose", action="store_true", help="show Dagster's and dbt's own log")
    run.add_argument("--partitioned", action="store_true",
                     help="parse in hash-range partitions, one process each, written as Parquet that dbt reads "
                          "(job nianbao_partitioned; see docs/scaling.md)")
    run.set_defaults(func=cmd_run)
    parse = sub.add_parser("parse", help="parse one file and print the result as JSON")
    parse.add_argument("file")
    parse.add_argument("--pretty", action="store_true", help="indent the JSON")
    parse.set_defaults(func=cmd_parse)
    export = sub.add_parser("export", help="write the marts of the published warehouse as files")
    export.add_argument("--parquet", required=True, metavar="DIR",
                        help="folder for one Parquet file per marts table and _manifest.json")
    export.add_argument("--db", help="warehouse file (default: NIANBAO_DB or data/nianbao.duckdb)")
    export.set_defaults(func=cmd_export)
    docs = sub.add_parser("docs", help="build the dbt docs of the published warehouse (read-only) and serve them")
    docs.add_argument("--db", help="warehouse file (default: NIANBAO_DB or data/nianbao.duckdb)")
    docs.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="build the docs and print where they are")
    docs.set_defaults(func=cmd_docs)
    ui = sub.add_parser("ui", help="start the Dagster UI for this workspace")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ui.add_argument("--port", type=int, default=3000)
    ui.add_argument("--raw-dir")
    ui.add_argument("--db")
    ui.set_defaults(func=cmd_ui)
    args = parser.parse_args(argv)
    return args.func(args)


def console_main() -> int:
    """The ``nianbao`` command (pyproject ``[project.scripts]``): main(), then an exit that skips
    the interpreter's teardown of the run's imported stack (nianbao.run.lifetime)."""
    return exit_without_teardown(main)


if __name__ == "__main__":
    sys.exit(console_main())
