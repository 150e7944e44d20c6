"""A throwaway PostgreSQL server for the benchmark, gone when the block ends.

    with throwaway_server() as server:
        url = server.create_database("kb_bench_1000")

The server runs as an unprivileged user (initdb refuses root: when we are
root, BENCH_PG_USER, default ``kbbench``, is created if missing), listens on
127.0.0.1 on a free port, keeps everything in one temporary folder and is
stopped, and its folder removed, on the way out, whatever happened. Settings
are PostgreSQL's defaults (fsync on), so the figures are those of a plain
server, not of a test-only one.
"""
import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def bindir():
    for candidate in [Path("/usr/local/bin"),
                      *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return Path(os.path.realpath(candidate / "initdb")).parent
    return None


def available():
    return bindir() is not None


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, folder, user, port, password):
        self.folder, self.user, self.port, self.password = folder, user, port, password
        self.bin = bindir()

    def run(self, *args):
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, cwd=self.folder, check=True, capture_output=True, text=True)

    def psql(self, sql):
        self.run(self.bin / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.folder,
                 "-p", self.port, "-U", self.user, "-d", "postgres", "-c", sql)

    def create_database(self, name):
        self.psql(f"DROP DATABASE IF EXISTS {name}")
        self.psql(f"CREATE DATABASE {name} OWNER kb")
        return f"postgres://kb:{self.password}@127.0.0.1:{self.port}/{name}"

    def version(self):
        out = subprocess.run([self.bin / "postgres", "--version"], capture_output=True, text=True)
        return out.stdout.split()[2]


def _ensure_user(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", name], check=True)


@contextlib.contextmanager
def throwaway_server():
    if not available():
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) found")
    user = os.environ.get("BENCH_PG_USER", "kbbench") if os.geteuid() == 0 else \
        pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        _ensure_user(user)
    folder = Path(tempfile.mkdtemp(prefix="kbbench-pg."))
    password = secrets.token_hex(16)
    server = Server(folder, user, _free_port(), password)
    if os.geteuid() == 0:
        shutil.chown(folder, user)
    folder.chmod(0o700)
    started = False
    try:
        server.run(server.bin / "initdb", "-D", folder / "data", "-U", user, "--no-locale",
                   "--encoding=UTF8", "--auth-local=trust", "--auth-host=scram-sha-256")
        server.run(server.bin / "pg_ctl", "-D", folder / "data", "-l", folder / "server.log",
                   "-w", "-t", "60", "-o",
                   f"-c listen_addresses=127.0.0.1 -p {server.port} "
                   f"-c unix_socket_directories={folder}", "start")
        started = True
        server.psql(f"CREATE ROLE kb LOGIN CREATEDB PASSWORD '{password}'")
        yield server
    finally:
        if started:
            with contextlib.suppress(subprocess.CalledProcessError):
                server.run(server.bin / "pg_ctl", "-D", folder / "data", "-m", "fast", "-w",
                           "-t", "30", "stop")
        shutil.rmtree(folder, ignore_errors=True)
