"""A PostgreSQL server of our own, for fault tests: a fresh cluster in a temporary folder on a
free loopback port, run as the `postgres` user, stopped by its PID (an immediate shutdown, as
a crash) and started again on the same data. The machine's own PostgreSQL is never touched."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time

import psycopg

from tests.ports import free_port, wait_for_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"no PostgreSQL {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class PrivatePostgres:
    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="tg-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def __enter__(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            _as_postgres([_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        return self.start()

    def start(self) -> PrivatePostgres:
        argv = [_bin("postgres"), "-D", self.data, "-p", str(self.port), "-h", "127.0.0.1", "-k", self.folder]
        argv += ["-c", "fsync=off", "-c", "max_connections=50"]
        self.process = subprocess.Popen(
            _as_postgres(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port, what="postgres", timeout=30)
        self._wait_accepting(timeout=30)
        return self

    def _wait_accepting(self, *, timeout: float) -> None:
        """The port opens before the server takes connections ("the database system is
        starting up", seen in CI): wait until a connection goes through."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        """Immediate shutdown (SIGQUIT to the postmaster): connections drop as in a crash."""
        if self.process and self.process.poll() is None:
            postmaster = int(open(os.path.join(self.data, "postmaster.pid")).readline())
            os.kill(postmaster, signal.SIGQUIT)
            self.process.wait(timeout=30)

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
