"""A dbt process started before it is needed, so that a run does not wait for dbt's imports.

Starting dbt costs ~2 s before it reads a single file (the interpreter, then dbt-core, the
DuckDB adapter, networkx, jinja, protobuf...). ``nianbao run`` starts one of these servers as
its first act; it imports dbt on the second core while the run imports Dagster, scans and
parses, then waits for the one dbt command of the run.

dagster-dbt still starts "dbt" as a subprocess and reads its stdout: it starts the dbt guard
(orchestration/assets/dbt.py), which calls ``relay``: it hands the server its argv, environment,
working directory and its stdout/stderr file descriptors over a Unix socket, and exits with the
server's exit code. dbt, in the server, writes straight into dagster-dbt's pipe. When there is no
server (the Dagster UI, ``dagster`` CLI, a second dbt command in one run) or it cannot be
reached, the guard runs dbt itself, as before.

The server serves one command, then exits without the interpreter's teardown. It dies with the
run that started it (Linux parent-death signal), and with the guard: if the guard goes away
(dagster-dbt stopping dbt), the command is abandoned like a killed dbt process.

With the arguments of the coming command, it also parses the project ahead (dbt's partial
parsing, into the warehouse's own target folder), and a plain ``build`` then runs on that
manifest: ~1 s less before the first model.

Run as ``python -m orchestration.runtime.dbt_server SOCKET [PARSE_ARGS_JSON]``; this module imports
nothing heavy until then.
"""

import json
import os
import socket
import subprocess
import sys
import threading

from nianbao.run.lifetime import die_with_parent

SOCKET_ENV = "NIANBAO_DBT_SERVER"


FOLDER_PREFIX = "nianbao-dbt-"
STALE_FOLDER_SECONDS = 3600.0  # for folders named without their run's pid (earlier versions)


def make_socket_folder() -> str:
    """A new folder for a server's socket, in the temporary directory (a socket path is limited
    to ~100 bytes), named after this run's pid. Folders of runs that are gone (a SIGKILL leaves
    no chance to remove them) are removed first."""
    import tempfile

    remove_stale_folders(tempfile.gettempdir())
    return tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")


def remove_stale_folders(parent: str) -> list[str]:
    """Remove this user's server folders under ``parent`` whose run is no longer alive (a
    server dies with its run), and unnamed ones older than an hour. Returns them. A live server
    is never probed: it accepts exactly one connection, the run's dbt command."""
    import shutil
    import time

    removed = []
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(FOLDER_PREFIX)]
    except OSError:
        return removed
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
            if not entry.is_dir(follow_symlinks=False) or st.st_uid != os.getuid():
                continue
        except OSError:
            continue
        pid = entry.name[len(FOLDER_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and entry.name.count("-") >= 3:
            if _alive(int(pid)):
                continue
        elif time.time() - st.st_mtime < STALE_FOLDER_SECONDS:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def start(socket_path: str, parse_args: list[str] | None = None) -> subprocess.Popen:
    """Start a server listening on socket_path (its directory must exist); returns at once.

    With ``parse_args`` (``--project-dir``, ``--profiles-dir``, ``--target-path`` ... of the
    coming command), the server also parses the project ahead, and a later plain ``build`` (no
    ``--vars``) runs on that manifest instead of parsing again."""
    try:
        os.unlink(socket_path)
    except FileNotFoundError:
        pass
    return subprocess.Popen([sys.executable, "-m", "orchestration.runtime.dbt_server", socket_path,
                             json.dumps(parse_args or [])],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _recv_exactly(conn: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("the dbt guard went away")
        buf += chunk
    return buf


def relay(socket_path: str, argv: list[str]) -> int | None:
    """Client side (the dbt guard): run ``dbt argv`` in the server; its exit code, or None when
    no server could take the command (then the caller runs dbt itself)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            conn.connect(socket_path)
            payload = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode("utf-8")
            socket.send_fds(conn, [len(payload).to_bytes(8, "big")], [1, 2])
            conn.sendall(payload)
        except OSError:
            return None  # nobody took the command
        answer = b""
        try:
            while chunk := conn.recv(64):
                answer += chunk
        except OSError:
            pass
    finally:
        conn.close()
    if answer.strip().lstrip(b"-").isdigit():
        return int(answer)
    # The server took the command and died before answering (killed, out of memory): dbt may
    # have run part of it and its output was streamed already, so it is not run a second time.
    print("nianbao: the dbt server ended without an exit code", file=sys.stderr)
    return 2


def _watch(conn: socket.socket, answered: threading.Event) -> None:
    """The guard closes its end only after our answer; an earlier close means it was stopped."""
    try:
        conn.recv(1)
    except OSError:
        pass
    if not answered.is_set():
        os._exit(130)


def _parse_ahead(parse_args: list[str]):
    """The project's manifest, parsed now (dbt's own partial parsing), or None."""
    if not parse_args:
        return None
    from dbt.cli.main import dbtRunner

    try:
        res = dbtRunner().invoke(["parse", "--quiet", "--log-level-file", "warn", *parse_args])
    except Exception:
        return None
    return res.result if res.success else None


def _uses_manifest(argv: list[str]) -> bool:
    """A command the manifest parsed ahead is valid for: ``build`` without --vars (vars can change
    what the project parses to)."""
    return bool(argv) and argv[0] == "build" and "--vars" not in argv


def _run_dbt(argv: list[str], manifest) -> int:
    """dbt's exit code for argv: 0 success, 1 a node failed, 2 dbt itself failed."""
    if manifest is not None and _uses_manifest(argv):
        from dbt.cli.main import dbtRunner

        res = dbtRunner(manifest=manifest).invoke(list(argv))
        if res.exception is not None:
            print(f"dbt: {res.exception}", file=sys.stderr)
        return 0 if res.success else (2 if res.exception is not None else 1)
    from dbt.cli.main import cli

    try:
        cli.main(args=argv, prog_name="dbt")
        return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)


def serve(socket_path: str, parse_args: list[str] | None = None) -> None:
    die_with_parent()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(1)
    import dbt.cli.main  # noqa: F401  (the point of this process: import dbt before it is asked for)

    import dbt.adapters.duckdb  # noqa: F401
    import dbt.adapters.factory  # noqa: F401
    from multiprocessing import resource_tracker

    # dbt's thread pools start multiprocessing's resource tracker; started later, it would inherit
    # dagster-dbt's pipe and hold it open after we are done
    resource_tracker.ensure_running()
    manifest = _parse_ahead(parse_args or [])

    conn, _ = listener.accept()
    listener.close()
    os.unlink(socket_path)  # one command per server; later ones run dbt themselves
    header, fds, _, _ = socket.recv_fds(conn, 8, 2)
    request = json.loads(_recv_exactly(conn, int.from_bytes(header, "big")))
    os.dup2(fds[0], 1)
    os.dup2(fds[1], 2)
    for fd in fds:
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    answered = threading.Event()
    threading.Thread(target=_watch, args=(conn, answered), daemon=True).start()
    try:
        code = _run_dbt(request["argv"], manifest)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 2
    sys.stdout.flush()
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # dagster-dbt's pipe ends when the guard and we both let go of it
    os.dup2(devnull, 2)
    answered.set()
    conn.sendall(str(code).encode())
    conn.shutdown(socket.SHUT_WR)
    os._exit(0)


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else None)
