"""Real server processes for end-to-end tests: a fresh Postgres database, migrated once, and N
daphne processes on free loopback ports sharing it and one Redis database."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
E2E_PASSWORD = "violet-anchor-meadow-17"  # the users of end-to-end tests


def _next_redis_db(url: str) -> str:
    """The suite flushes REDIS_URL's database between tests; servers use the next one."""
    parsed = urlparse(url)
    number = int(parsed.path.strip("/") or 0)
    return urlunparse(parsed._replace(path=f"/{number + 1}"))


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"


class Stack:
    """`with Stack(instances=2, tmp=...) as stack:` starts everything and stops it after."""

    def __init__(
        self,
        *,
        instances: int,
        tmp: Path,
        settings: str = "telegram.settings.test",
        env: dict[str, str] | None = None,
        database_server: str | None = None,
    ):
        """`database_server`: a PostgreSQL URL to make the stack's database on (default: the
        suite's DATABASE_URL's server)."""
        self.instances = instances
        self.tmp = tmp
        self.servers: list[Server] = []
        self.processes: list[Server] = []
        admin = urlparse(database_server or os.environ["DATABASE_URL"])
        name = uuid.uuid4().hex[:8]
        self.database = f"tg_e2e_{name}"
        # Their own events stream and subjects, when NATS_URL is set.
        self.nats_stream, self.subject_prefix = f"TGE2E{name.upper()}", f"tge2e{name}"
        self.admin_url = urlunparse(admin._replace(path="/postgres"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": urlunparse(admin._replace(path=f"/{self.database}")),
            "REDIS_URL": _next_redis_db(os.environ["REDIS_URL"]),
            "DATABASE_POOL": "true",  # as in production
            "NATS_STREAM": self.nats_stream,
            "EVENTS_SUBJECT_PREFIX": self.subject_prefix,
            "CI": "",
            **(env or {}),
        }

    def __enter__(self) -> Stack:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        try:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=self.env,
                check=True,
                timeout=120,
            )
            import redis

            redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()
            for index in range(self.instances):
                self.servers.append(self._start(index))
            for server in self.servers:
                self._wait_healthy(server)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self, index: int, port: int | None = None) -> Server:
        port = port or free_port()
        log = self.tmp / f"daphne-{index}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "--application-close-timeout",
                "2",
                "telegram.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )
        return Server(port=port, process=process, log=log)

    def restart(self, server: Server) -> None:
        """Start a stopped instance again, on its port (a server coming back after an outage)."""
        index = self.servers.index(server)
        server.process = self._start(index, server.port).process
        self._wait_healthy(server)

    @staticmethod
    def _wait_healthy(server: Server, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"daphne on :{server.port} exited:\n{server.log.read_text()}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{server.http}/api/health/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            time.sleep(0.2)
        raise RuntimeError(f"daphne on :{server.port} did not become healthy:\n{server.log.read_text()}")

    def start_bridge(self, *args: str, env: dict[str, str] | None = None) -> Server:
        """`manage.py run_nats_bridge` (its `port` serves its metrics)."""
        port = free_port()
        argv = ["manage.py", "run_nats_bridge", "--metrics-port", str(port), *args]
        return self._start_process("bridge", argv, port, env)

    def start_worker(self, *, env: dict[str, str] | None = None) -> Server:
        """`celery worker --pool threads` (its `port` serves its metrics)."""
        port = free_port()
        argv = ["-m", "celery", "--quiet", "-A", "telegram", "worker", "--pool", "threads", "-c", "4"]
        env = {"WORKER_METRICS_PORT": str(port), "CELERY_TASK_ALWAYS_EAGER": "false", **(env or {})}
        return self._start_process("worker", [*argv, "--without-gossip", "--without-mingle"], port, env)

    def start_beat(self) -> Server:
        """`celery beat`, with its schedule file in the stack's directory (no port)."""
        argv = [
            "-m",
            "celery",
            "--quiet",
            "-A",
            "telegram",
            "beat",
            "--schedule",
            str(self.tmp / "beat-schedule"),
        ]
        return self._start_process("beat", argv, 0, {"CELERY_TASK_ALWAYS_EAGER": "false"})

    def _start_process(self, role: str, argv: list[str], port: int, env: dict[str, str] | None) -> Server:
        log = self.tmp / f"{role}-{len(self.processes)}.log"
        process = subprocess.Popen(
            [sys.executable, *argv],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        server = Server(port=port, process=process, log=log)
        self.processes.append(server)  # stopped with the stack
        return server

    def stop(self, server: Server) -> None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()

    def __exit__(self, *exc) -> None:
        for server in [*self.servers, *self.processes]:
            if server.process.poll() is None:
                self.stop(server)
        if self.env.get("NATS_URL"):
            from tests.nats_tools import stream_drop

            stream_drop(self.env["NATS_URL"], self.nats_stream)
            stream_drop(self.env["NATS_URL"], f"{self.nats_stream}_DEAD")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def api(server: Server, method: str, path: str, body: dict | None = None, token: str | None = None):
    """(status, json body) of one request to a real server."""
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        f"{server.http}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def scrape(server: Server) -> dict[tuple, float]:
    """A process's Prometheus metrics: {(sample name, (label, value), ...): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(f"{server.http}/metrics", timeout=2) as response:  # noqa: S310
            text = response.read().decode()
    except OSError:
        return {}  # not serving yet
    return {
        (sample.name, *sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def wait_until(check, *, timeout: float = 15, what: str = "the condition", log: Path | None = None):
    """Poll `check` until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f"; log:\n{log.read_text()}" if log else ""))


def sign_up(server: Server, username: str) -> tuple[int, str]:
    """Register through a real server and log in: (user id, access token)."""
    password = E2E_PASSWORD
    status, body = api(server, "POST", "/api/v1/auth/register/", {"username": username, "password": password})
    assert status == 201, body
    status, tokens = api(server, "POST", "/api/v1/auth/token/", {"username": username, "password": password})
    assert status == 200, tokens
    return body["id"], tokens["access"]
