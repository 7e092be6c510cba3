"""/healthz: does this web node reach its database, the broker and the cache? For load balancers and monitoring.

200 with `{"status": "ok", ...}` when all answer, 503 naming the one that did not. Public, never cached, and
quick: one `SELECT 1` on the process's own database connection, one PING on a broker connection that the
process keeps and one GET on the cache's pooled connection, each with a timeout of about a second, so a probe
never waits long on a part that is down. Without the cache visitors' pages still render, but nobody can log in
(brainport_voor_elkaar/cache.py), so it counts as down.
The answer says which part failed, never why (no addresses or error text for the public).
"""

import logging
import threading

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 1.0

_broker = None
_broker_lock = threading.Lock()


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; the log keeps the reason
        logger.warning("Health check: the database does not answer.", exc_info=True)
        return False


def _new_broker_connection() -> Connection:
    return Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
            "socket_timeout": BROKER_TIMEOUT_SECONDS,
            "max_retries": 0,
        },
    )


def broker_answers() -> bool:
    """The broker accepts a connection (and, for Redis, answers PING). The connection is kept for the next
    probe and dropped when it fails."""
    global _broker
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # no broker configured: tasks run in-process (a laptop)
    with _broker_lock:
        try:
            if _broker is None:
                _broker = _new_broker_connection()
            _broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
            client = getattr(_broker.default_channel, "client", None)
            if client is not None and hasattr(client, "ping"):
                client.ping()
            return True
        except Exception:  # noqa: BLE001 - as above
            logger.warning("Health check: the broker does not answer.", exc_info=True)
            if _broker is not None:
                _broker.release()
            _broker = None
            return False


def cache_answers() -> bool:
    """The cache that holds the login rate limits answers a read (Redis: within its socket timeout)."""
    try:
        cache.get("healthz:probe")
        return True
    except Exception:  # noqa: BLE001 - as above
        logger.warning("Health check: the cache does not answer.", exc_info=True)
        return False


@login_not_required
@never_cache
@require_safe
def healthz(request):
    checks = {"database": database_answers(), "broker": broker_answers(), "cache": cache_answers()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **{name: "ok" if ok else "down" for name, ok in checks.items()}},
        status=200 if healthy else 503,
    )
