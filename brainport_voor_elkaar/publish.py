"""Handing tasks to the broker without making anyone wait for it.

A request (or any caller) that changed data writes its outbox rows in its transaction and then calls
`publish_on_commit`. After commit the task is handed to a background thread of this process, which
publishes it; the caller returns at once, whether the broker is quick, refusing connections or stalled.
What the thread cannot publish is left to the periodic sweeps, which re-enqueue every outbox row still
waiting, so nothing is lost; the tasks themselves claim their rows, so nothing is done twice.

Without a broker (`task_always_eager`, the laptop and most tests) the task runs inline after commit.
"""

import logging
import os
import queue
import threading
import time

from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed publish the thread drops what is queued for this long: the sweep covers it, and an
# unreachable broker is not hammered once per waiting task.
BACKOFF_SECONDS = 1.0

_queue: queue.Queue = queue.Queue(maxsize=10_000)
_thread: threading.Thread | None = None
_thread_pid: int | None = None
_lock = threading.Lock()


def _forget_after_fork() -> None:
    """A forked child (a prefork worker, a preloading web server) starts with a queue and lock of its own: the
    parent's may be held by its publisher thread at the moment of the fork, which would block the child's
    first publish for good, and what the parent queued is the parent's to hand over."""
    global _queue, _thread, _thread_pid, _lock
    _queue = queue.Queue(maxsize=10_000)
    _thread, _thread_pid, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def publish_on_commit(task, *args) -> None:
    """After the current transaction commits (at once outside one), enqueue `task(*args)` without blocking."""
    transaction.on_commit(lambda: publish(task, *args))


def publish(task, *args) -> None:
    if task.app.conf.task_always_eager:
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - an in-process task failing must not fail the change that caused it
            logger.exception("Task %s%s failed in-process; the sweep will retry it.", task.name, args)
        return
    _ensure_thread()
    try:
        _queue.put_nowait((task, args))
    except queue.Full:
        logger.warning("Publish queue full; %s%s left for the sweep.", task.name, args)


def _ensure_thread() -> None:
    global _thread, _thread_pid
    if _thread is not None and _thread_pid == os.getpid() and _thread.is_alive():
        return
    with _lock:
        if _thread is None or _thread_pid != os.getpid() or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="task-publisher", daemon=True)
            _thread_pid = os.getpid()
            _thread.start()


def _run() -> None:
    while True:
        task, args = _queue.get()
        try:
            task.apply_async(args)
        except Exception:  # noqa: BLE001 - any broker failure: the outbox row waits for the sweep
            logger.warning("Could not enqueue %s%s; the sweep will.", task.name, args, exc_info=True)
            _drop_for(BACKOFF_SECONDS)
        finally:
            _queue.task_done()


def _drop_for(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            _queue.get(timeout=left)
        except queue.Empty:
            return
        _queue.task_done()


def wait_until_idle(timeout: float = 10.0) -> bool:
    """For tests and benchmarks: wait until everything queued so far was handed over (or dropped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _queue.unfinished_tasks == 0:
            return True
        time.sleep(0.01)
    return False
