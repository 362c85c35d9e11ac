"""A redis-server of our own, for fault tests: started on a free loopback port, killed by its
PID and started again on the same port (the machine's own Redis is never touched)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.ports import free_port, wait_for_port


class PrivateRedis:
    def __init__(self, folder: Path, *, appendonly: bool = False):
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.folder = folder
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--save", "",
                "--appendonly", "yes" if self.appendonly else "no",
                "--appendfsync", "always",
                "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, what="redis-server")
        return self

    def kill(self) -> None:
        """As a crash: SIGKILL, no shutdown save."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()
