"""Time the impact pages on the current database: the coordinators' dashboard with each filter, and the public
page from its cache. Prints one line per measurement and the figures as a JSON last line.

In-process (Django's test client, no network, no WSGI server): it measures what the view and the database
cost, which is what grows with the data.
"""

import json
import os
import statistics
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import impact_snapshot
from matching.models import HoursEntry, Match
from matching.views.impact import PUBLIC_CACHE_KEY
from members.models import User
from members.models.accounts import COORDINATORS_GROUP

FILTERS = {
    "none": {},
    "de-kempen": {"subregion": "De Kempen"},
    "de-kempen-work": {"subregion": "De Kempen", "programme": "work"},
    "year": {"date_from": "2026-01", "date_to": "2026-12"},
    "quarter-de-kempen-work": {
        "date_from": "2026-10",
        "date_to": "2026-12",
        "subregion": "De Kempen",
        "programme": "work",
    },
    "export-month": {"export": "month"},
}


def _client() -> Client:
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"]
    return Client(HTTP_HOST=hosts[0] if hosts else "localhost")


def _signed_in_client(user) -> Client:
    """A client with a session for `user`, written directly (no login form, no lock-out bookkeeping)."""
    client = _client()
    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def _timed(client, url, params, runs):
    client.get(url, params)  # warm up
    times = []
    queries = 0
    for _run in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{url} {params} answered {response.status_code}")
        queries = len(captured)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "queries": queries}


class Command(BaseCommand):
    help = "Time the impact dashboard and the public impact page; the figures as a JSON last line."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, **options):
        runs = options["runs"]
        user = User.objects.filter(groups__name=COORDINATORS_GROUP, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No coordinator: run seed_demo or create_coordinator first.")
        coordinator = _signed_in_client(user)
        visitor = _client()
        snapshot = impact_snapshot.latest()
        result = {
            "hour_entries": HoursEntry.objects.count(),
            "matches": Match.objects.count(),
            "database": connection.vendor,
            "snapshot": {"cells": snapshot.cells, "rebuild_ms": snapshot.duration_ms} if snapshot else None,
            "load_average": [round(load, 2) for load in os.getloadavg()],
            "dashboard": {},
        }
        url = reverse("matching:impact-dashboard")
        for name, params in FILTERS.items():
            result["dashboard"][name] = _timed(coordinator, url, params, runs)
            self.stdout.write(f"dashboard {name}: {result['dashboard'][name]}")
        public = reverse("matching:impact-public")
        cache.delete(PUBLIC_CACHE_KEY)
        started = time.perf_counter()
        visitor.get(public)
        result["public_miss_ms"] = round((time.perf_counter() - started) * 1000, 1)
        result["public_hit"] = _timed(visitor, public, {}, runs * 4)
        self.stdout.write(f"public: miss {result['public_miss_ms']} ms, hit {result['public_hit']}")
        result["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
        self.stdout.write(json.dumps(result))
