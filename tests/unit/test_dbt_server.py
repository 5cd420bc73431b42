"""The dbt started ahead of a run (orchestration/runtime/dbt_server.py): a command relayed to it writes
to the caller's stdout and ends with dbt's own exit code; without a server, nothing is relayed."""
import os
import subprocess
import sys
import textwrap
import time

import pytest

from orchestration.runtime import dbt_server

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Unix sockets + fd passing")

CLIENT = textwrap.dedent("""
    import sys
    from orchestration.runtime.dbt_server import relay
    code = relay(sys.argv[1], sys.argv[2:])
    print("relayed:", code, flush=True)
    sys.exit(0 if code is None else code)
""")


def _relay(sock, *argv):
    return subprocess.run([sys.executable, "-c", CLIENT, sock, *argv], capture_output=True, text=True, timeout=120)


@pytest.fixture
def server(tmp_path):
    sock = str(tmp_path / "dbt.sock")
    proc = dbt_server.start(sock)
    deadline = time.monotonic() + 30
    while not os.path.exists(sock) and time.monotonic() < deadline:  # listening (a run starts it seconds ahead)
        time.sleep(0.05)
    yield sock, proc
    proc.kill()
    proc.wait()


def test_output_and_exit_code_come_from_dbt_in_the_server(server):
    sock, proc = server
    got = _relay(sock, "--help")
    assert got.returncode == 0
    assert "relayed: 0" in got.stdout
    # dbt's help text, written by the server straight into our stdout
    assert "build" in got.stdout and "Usage: dbt" in got.stdout.replace("\n", " ")
    assert proc.wait(timeout=30) == 0  # one command per server: it is gone afterwards
    assert not os.path.exists(sock)


def test_a_failing_command_keeps_dbts_exit_code(server):
    sock, _ = server
    real = subprocess.run(["dbt", "no-such-command"], capture_output=True, text=True)
    got = _relay(sock, "no-such-command")
    assert real.returncode != 0
    assert got.returncode == real.returncode
    assert f"relayed: {real.returncode}" in got.stdout


def test_without_a_server_nothing_is_relayed(tmp_path):
    got = _relay(str(tmp_path / "nobody-listens.sock"), "--help")
    assert "relayed: None" in got.stdout


def test_the_guard_relays_to_the_server_and_runs_dbt_itself_without_one(server, tmp_path, monkeypatch):
    from orchestration.assets.dbt import dbt_executable

    monkeypatch.setenv("NIANBAO_DB", str(tmp_path / "w.duckdb"))  # the guard is written in its work dir
    guard = dbt_executable()
    sock, proc = server
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_DBT_PARENT"}
    relayed = subprocess.run([guard, "--help"], capture_output=True, text=True, timeout=120,
                             env=dict(env, NIANBAO_DBT_SERVER=sock))
    assert relayed.returncode == 0 and "Usage: dbt" in relayed.stdout.replace("\n", " ")
    assert proc.wait(timeout=30) == 0  # the server ran it
    itself = subprocess.run([guard, "--help"], capture_output=True, text=True, timeout=120,
                            env=dict(env, NIANBAO_DBT_SERVER=sock))  # the server is gone now
    assert itself.returncode == 0 and itself.stdout == relayed.stdout


def test_the_manifest_parsed_ahead_serves_only_a_plain_build():
    assert dbt_server._uses_manifest(["build", "--log-level-file", "warn", "--select", "fct_applications"])
    assert not dbt_server._uses_manifest(["build", "--vars", '{"raw_parquet_dir": "x"}'])  # vars change the parse
    assert not dbt_server._uses_manifest(["run-operation", "x"])
    assert not dbt_server._uses_manifest([])


def test_a_server_dying_mid_command_is_a_failure_not_a_second_run(tmp_path):
    """A command the server took is never run again by the guard: its output was streamed already."""
    import socket as sk
    import threading as th

    path = str(tmp_path / "dies.sock")
    listener = sk.socket(sk.AF_UNIX, sk.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def take_and_die():
        conn, _ = listener.accept()
        header, fds, _, _ = sk.recv_fds(conn, 8, 2)
        dbt_server._recv_exactly(conn, int.from_bytes(header, "big"))  # the whole command: it was taken
        for fd in fds:  # the client's stdout/stderr: held open, its output would never end
            os.close(fd)
        conn.close()  # no exit code: as if killed

    t = th.Thread(target=take_and_die)
    t.start()
    got = _relay(path, "build")
    t.join()
    listener.close()
    assert "relayed: 2" in got.stdout and got.returncode == 2
    assert "ended without an exit code" in got.stderr


def test_socket_folders_of_runs_that_are_gone_are_removed(tmp_path):
    import subprocess
    import time

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid no process has now (reuse within the test is not a concern)
    folders = {
        "dead run": tmp_path / f"{dbt_server.FOLDER_PREFIX}{gone.pid}-abc123",
        "live run": tmp_path / f"{dbt_server.FOLDER_PREFIX}{os.getpid()}-def456",
        "old unnamed": tmp_path / f"{dbt_server.FOLDER_PREFIX}12345678",
        "new unnamed": tmp_path / f"{dbt_server.FOLDER_PREFIX}x1y2z3",
        "not ours": tmp_path / "other-1-2-3",
    }
    for folder in folders.values():
        folder.mkdir()
        (folder / "dbt.sock").write_bytes(b"")
    hours_ago = time.time() - 2 * dbt_server.STALE_FOLDER_SECONDS
    os.utime(folders["old unnamed"], (hours_ago, hours_ago))
    os.utime(folders["not ours"], (hours_ago, hours_ago))
    removed = dbt_server.remove_stale_folders(str(tmp_path))
    assert sorted(removed) == sorted(str(folders[k]) for k in ("dead run", "old unnamed"))
    assert {k for k, f in folders.items() if f.exists()} == {"live run", "new unnamed", "not ours"}
