"""The WSGI application. Each web process also loads matching's features in the background when it starts,
so a volunteer's "recommended for you" page is fast from the first requests of a new process on (set
MATCHING_WARM_UP=false to skip it)."""

import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brainport_voor_elkaar.settings")
application = get_wsgi_application()


def _warm_up_matching():
    import logging

    from django.db import close_old_connections, connection

    from matching.services import warm_up

    try:
        warm_up()
    except Exception:  # noqa: BLE001 - a cold cache only costs time: the first page loads it instead
        logging.getLogger(__name__).warning("Could not warm the matching cache.", exc_info=True)
    finally:
        close_old_connections()
        connection.close()


if os.environ.get("MATCHING_WARM_UP", "true").lower() not in {"0", "false", "no"}:
    threading.Thread(target=_warm_up_matching, name="matching-warm-up", daemon=True).start()
