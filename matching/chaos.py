"""The machinery of `manage.py chaos_notifications`: a Redis broker and Celery workers of its own, killed and
restarted on purpose, and a count of the emails they really sent.

Everything here starts processes that belong to the benchmark and ends exactly those, by pid: a worker's
main process and the pool children it forked, the redis-server it started. `Cluster` is a context manager
that ends all of them on the way out, also after an error or Ctrl-C.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import environ
import redis

NOTIFICATION_ID = re.compile(rb"^X-Notification-Id: (\d+)\r?$", re.MULTILINE)


def free_port(start: int = 6390, stop: int = 6490) -> int:
    """The first port from `start` on that nothing on 127.0.0.1 listens on."""
    for port in range(start, stop):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port between {start} and {stop}.")


def filemail_url(folder: Path) -> str:
    """An EMAIL_URL for the file backend that names `folder` absolutely. django-environ reads the path after
    the host, so `filemail:///tmp/x` becomes the relative `tmp/x`; one more slash keeps it absolute."""
    folder = folder.resolve()
    url = f"filemail:///{folder}"
    os.environ["CHAOS_EMAIL_URL_CHECK"] = url
    parsed = environ.Env().email_url("CHAOS_EMAIL_URL_CHECK")["EMAIL_FILE_PATH"]
    del os.environ["CHAOS_EMAIL_URL_CHECK"]
    if Path(parsed) != folder:
        raise RuntimeError(f"{url} is read as {parsed}, not {folder}")
    return url


def sent_per_notification(folder: Path) -> Counter:
    """How many emails the file backend wrote for each notification id (the X-Notification-Id header)."""
    counts = Counter()
    for path in folder.glob("*.log"):
        counts.update(int(found) for found in NOTIFICATION_ID.findall(path.read_bytes()))
    return counts


def _children(pid: int) -> list[int]:
    """The processes `pid` forked (a worker's pool), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _signal(pids, signum) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            continue


class Redis:
    """A redis-server of the benchmark's own: no persistence, so a restart loses what was queued."""

    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}; see {self.log}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class Worker:
    """One `celery -A brainport_voor_elkaar worker` (prefork) with the benchmark's environment."""

    def __init__(self, name: str, *, env: dict, concurrency: int, log: Path, cwd: Path):
        self.name, self.env, self.concurrency, self.log, self.cwd = name, env, concurrency, log, cwd
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts} of {self.name}\n".encode())
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "brainport_voor_elkaar",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    str(self.concurrency),
                    "--hostname",
                    f"{self.name}@%h",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def ready(self) -> bool:
        """Whether this start of the worker has said it is ready (its log line)."""
        text = self.log.read_text(errors="replace")
        return " ready." in text.rsplit(f"--- start {self.starts} of {self.name}", 1)[-1]

    def kill(self) -> int:
        """kill -9 the worker and its pool, by pid, as a crash or an OOM killer would. Returns how many died."""
        if not self.process or self.process.poll() is not None:
            return 0
        pids = [self.process.pid, *_children(self.process.pid)]
        _signal(pids, signal.SIGKILL)
        self.process.wait()
        self._reap(pids[1:])
        return len(pids)

    def stop(self, timeout: float = 15.0) -> None:
        """A warm shutdown (finish the current tasks); whatever is still alive after `timeout` is killed."""
        if not self.process or self.process.poll() is not None:
            return
        children = _children(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            children += _children(self.process.pid)
            _signal([self.process.pid], signal.SIGKILL)
            self.process.wait()
        self._reap(children)

    @staticmethod
    def _reap(pids, timeout: float = 5.0) -> None:
        """The pool children are not ours to wait for (they were forked by the worker): make sure they are gone."""
        deadline = time.monotonic() + timeout
        alive = list(pids)
        while alive and time.monotonic() < deadline:
            alive = [pid for pid in alive if Path(f"/proc/{pid}").exists() and not _is_zombie(pid)]
            time.sleep(0.05)
        _signal(alive, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


class Cluster:
    """The benchmark's broker and workers; leaving the block ends every process it started."""

    def __init__(self, *, workers: int, concurrency: int, env: dict, folder: Path, cwd: Path, port: int):
        self.redis = Redis(port, folder / "redis.log")
        env = {**env, "CELERY_BROKER_URL": self.redis.url}
        self.workers = [
            Worker(f"chaos{i}", env=env, concurrency=concurrency, log=folder / f"worker{i}.log", cwd=cwd)
            for i in range(workers)
        ]

    def __enter__(self) -> Cluster:
        self._previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            self.redis.start()
            for worker in self.workers:
                worker.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not all(worker.ready() for worker in self.workers):
            for worker in self.workers:
                if worker.process.poll() is not None:
                    raise RuntimeError(f"Worker {worker.name} exited at start; see {worker.log}")
            if time.monotonic() > deadline:
                raise RuntimeError("The workers did not get ready in time.")
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        try:
            for worker in self.workers:
                worker.stop()
        finally:
            self.redis.stop()
            signal.signal(signal.SIGTERM, self._previous)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
