"""Time the pages `bench_web` finds slow, one request at a time: the signed-in pages (review queue, recommended,
my matches, a need's page) and a need's page for a visitor, rendered and from the page cache.

Meant for the scale data after a nightly run (the database `bench_web` loads). Each page is requested through
Django's test client with `DEBUG=False` (server time, no network): one cold request, then `--runs` warm ones.
It prints median and 95th percentile, the process's CPU time, the number of queries and the database time of
the last run, and ends with one line of JSON with the load average.
"""

import json
import os
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from members.models import Need, Volunteer
from members.services import coordinators


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Time the signed-in pages and a need's page one request at a time (median, p95, CPU, queries)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="warm requests per page")
        parser.add_argument("--only", help="run only pages whose name contains this text")

    def handle(self, *args, runs, only, **options):
        coordinator = coordinators().first()
        volunteer = (
            Volunteer.objects.filter(matches__isnull=False)
            .annotate(n=Count("matches"))
            .order_by("-n", "pk")
            .select_related("user")
            .first()
        )
        if coordinator is None or volunteer is None:
            raise CommandError("No coordinator or no volunteer with matches: seed_demo and matching_run first.")
        need = Need.objects.public().order_by("-published_at", "-id").first()
        as_coordinator, as_volunteer, visitor = Client(), Client(), Client()
        as_coordinator.force_login(coordinator)
        as_volunteer.force_login(volunteer.user)
        queue = reverse("matching:review-queue")
        pages = [
            ("volunteer: privacy statement (floor)", as_volunteer, reverse("members:privacy-statement"), {}),
            ("coordinator: review queue", as_coordinator, queue, {}),
            ("coordinator: review queue page 100", as_coordinator, f"{queue}?page=100", {}),
            ("coordinator: review queue programme", as_coordinator, f"{queue}?programme=work", {}),
            ("volunteer: recommended", as_volunteer, reverse("matching:recommended"), {}),
            ("volunteer: my matches", as_volunteer, reverse("matching:my-matches"), {}),
            ("volunteer: need detail", as_volunteer, need.get_absolute_url(), {}),
            ("visitor: need detail (rendered)", visitor, need.get_absolute_url(), {"PUBLIC_PAGE_CACHE_SECONDS": 0}),
            ("visitor: need detail (kept)", visitor, need.get_absolute_url(), {}),
        ]
        pages = [page for page in pages if not only or only in page[0]]
        self.stdout.write(
            f"as {coordinator.email} and {volunteer.user.email} ({volunteer.n} matches); {runs} warm runs per page"
        )
        self.stdout.write(f"{'page':40} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>6} {'queries':>7} {'db ms':>6}")
        # Seeded volunteers agreed to the terms before the privacy statement (members migration 0010) and would be
        # sent to agree again: the statement's version is theirs for this run, so their own pages are measured.
        agreed = volunteer.user.privacy_version or settings.PRIVACY_STATEMENT_VERSION
        results = {}
        for name, client, address, overrides in pages:
            with override_settings(
                DEBUG=False, ALLOWED_HOSTS=["testserver"], PRIVACY_STATEMENT_VERSION=agreed, **overrides
            ):
                response = client.get(address)  # cold: fills caches, not counted
                if response.status_code != 200:
                    raise CommandError(f"{address} answered {response.status_code}")
                timings, cpu = [], []
                for _ in range(runs):
                    with CaptureQueriesContext(connection) as queries:
                        started, started_cpu = time.perf_counter(), time.process_time()
                        client.get(address)
                        timings.append((time.perf_counter() - started) * 1000)
                        cpu.append((time.process_time() - started_cpu) * 1000)
            row = {
                "url": address,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 0.95), 1),
                "cpu_median_ms": round(statistics.median(cpu), 1),
                "queries": len(queries.captured_queries),
                "db_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
            }
            results[name] = row
            self.stdout.write(
                f"{name:40} {row['median_ms']:9.1f} {row['p95_ms']:7.1f} {row['cpu_median_ms']:6.1f} "
                f"{row['queries']:7} {row['db_ms']:6.1f}"
            )
        summary = {
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "vendor": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "runs": runs,
            "pages": results,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
