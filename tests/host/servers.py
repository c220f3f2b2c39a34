"""A Redis and a PostgreSQL of a test's own (or a benchmark's), which it may freeze, restore from a
snapshot or restart without disturbing the shared servers other test runs use."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REDIS_SERVER = shutil.which("redis-server")
POSTGRES_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready, what: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {seconds:g} s")


class PrivateRedis:
    """``redis-server`` on a free port of 127.0.0.1, its snapshot (``SAVE``) in a directory of its own."""

    def __init__(self, directory):
        self.port, self.directory, self.process = free_port(), str(directory), None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self):
        """Start (again, from the last snapshot if there is one); returns once it answers."""
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.directory, "--dbfilename", "dump.rdb"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: self._command(b"PING") == b"+PONG", "redis-server")

    def _command(self, command: bytes) -> bytes:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
                conn.sendall(command + b"\r\n")
                return conn.recv(64).strip()
        except OSError:
            return b""

    def save(self):
        """Write the snapshot it restarts from."""
        assert self._command(b"SAVE") == b"+OK"

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def restart_from_snapshot(self):
        """Killed (nothing saved since ``save``) and started again: what it held at ``save`` comes back."""
        self.stop()
        self.start()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.kill()
        if self.process:
            self.process.wait(timeout=10)


class PrivatePostgres:
    """A PostgreSQL cluster made with ``initdb`` in a temporary directory, on a free port of
    127.0.0.1, trusting local connections. As root, its programs run as the ``postgres`` user."""

    def __init__(self):
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="ai-models-pg-")
        self.data = os.path.join(self.directory, "data")
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    @staticmethod
    def available() -> str:
        """Why no cluster can be made here ("" when one can)."""
        if POSTGRES_BIN is None:
            return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser to start PostgreSQL as its own user"
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to start PostgreSQL as"
        return ""

    def _run(self, program, *args):
        command = [os.path.join(POSTGRES_BIN, program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", os.path.join(self.directory, "log"), "-w", "start")

    def restart(self):
        """Stopped (every connection cut, as a restart or a failover does) and started again."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        self.start()

    def create_database(self, name: str):
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def env(self, database: str) -> dict:
        """What ``tests/settings.py`` reads to use ``database`` on this cluster."""
        return {"AI_MODELS_TEST_DB": "postgres", "PGHOST": "127.0.0.1", "PGPORT": str(self.port),
                "PGUSER": "postgres", "PGPASSWORD": "", "PGDATABASE": database}

    def stop(self):
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)
