"""Real processes for the integration tests: a Redis server of our own (so it can be killed
and restarted without touching anyone else's), and Celery workers and beats started as
subprocesses against the test's PostgreSQL database."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SWEEP_SECONDS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=10, what="redis-server to answer")

    def kill(self) -> None:
        """SIGKILL: everything queued in this Redis is lost, as after a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class CeleryProcess:
    """``celery worker`` or ``celery beat`` in its own process group, logging to a file."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", *args],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class CeleryCluster:
    """Workers and beats sharing one broker and the test database."""

    def __init__(self, redis: RedisServer, workdir: Path):
        self.redis, self.workdir = redis, workdir
        self.processes: list[CeleryProcess] = []
        db = connection.settings_dict
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DATABASE_URL": f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}",
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": redis.url,
            "TRACKER_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "TRACKER_VAR_DIR": str(workdir / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(workdir / "mail"),
            "PYTHONUNBUFFERED": "1",
        }

    def worker(self, name: str, *, concurrency: int = 1) -> CeleryProcess:
        process = CeleryProcess(
            [
                "worker",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                f"--concurrency={concurrency}",
                "--without-mingle",
                "--without-gossip",
            ],
            self.env,
            self.workdir / f"{name}.log",
        )
        self.processes.append(process)
        return process

    def beat(self, name: str) -> CeleryProcess:
        process = CeleryProcess(
            ["beat", "--loglevel=INFO", f"--schedule={self.workdir / f'{name}-schedule'}"],
            self.env,
            self.workdir / f"{name}.log",
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.log.name}\n{p.output()[-3000:]}" for p in self.processes)
