"""Time the public list of needs (/needs/) under a representative set of filters.

Meant for a database loaded with `seed_demo --volunteers 100000 --needs 20000 --organisations 2000` on
PostgreSQL (see docs/PERFORMANCE.md). Each combination is requested through Django's test client: one cold
request, then `--runs` warm ones. It prints median and 95th percentile per combination, the Python process's
CPU time, the number of queries and the database time of the last run, and ends with one line of JSON.
"""

import datetime as dt
import json
import math
import os
import statistics
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from members.filters import NeedFilter
from members.models import Municipality, Need, Volunteer

HTMX = "htmx"  # a key in a combination's parameters: send it as an htmx request, not as a parameter


def combinations(today: dt.date) -> list[tuple[str, dict]]:
    """(name, query parameters): no filter, each filter alone, searches, combinations, sorts, deep pages,
    and a few htmx requests (results only)."""
    places = dict(Municipality.objects.values_list("name", "pk"))
    eindhoven, helmond = places["Eindhoven"], places["Helmond"]
    in_a_month, in_two_months = (today + dt.timedelta(days=30)).isoformat(), (today + dt.timedelta(days=60)).isoformat()
    return [
        ("no filter", {}),
        ("q=taalmaatje", {"q": "taalmaatje"}),
        ("q=data", {"q": "data"}),
        ("q=two words", {"q": "data analist"}),
        ("programme", {"programme": "work"}),
        ("theme", {"theme": "newcomers"}),
        ("skill", {"skill": "data-analysis"}),
        ("skill (rare)", {"skill": "music"}),
        ("municipality", {"municipality": helmond}),
        ("subregion", {"subregion": "De Kempen"}),
        ("kind", {"kind": "buddy"}),
        ("remote", {"remote": "on"}),
        ("language (common)", {"language": "nl"}),
        ("language (rare)", {"language": "uk"}),
        ("starts_from", {"starts_from": in_a_month}),
        ("starts_until", {"starts_until": in_two_months}),
        ("sort=newest", {"sort": "newest"}),
        ("sort=soonest", {"sort": "soonest"}),
        ("sort=nearest", {"sort": "nearest", "near": eindhoven}),
        ("near only", {"near": helmond}),
        ("q+remote+programme", {"q": "data", "remote": "on", "programme": "corporate-volunteering"}),
        (
            "theme+skill+municipality+language",
            {"theme": "newcomers", "skill": "language-buddy", "municipality": helmond, "language": "nl"},
        ),
        (
            "subregion+kind+dates+soonest",
            {
                "subregion": "De Peel",
                "kind": "recurring",
                "starts_from": today.isoformat(),
                "starts_until": in_two_months,
                "sort": "soonest",
            },
        ),
        ("q=taalmaatje+nearest", {"q": "taalmaatje", "sort": "nearest", "near": helmond}),
        ("skill+theme (no rows)", {"skill": "music", "theme": "poverty", "language": "so", "kind": "team"}),
        (
            "every filter",
            {
                "q": "taalmaatje",
                "programme": "work",
                "theme": "newcomers",
                "skill": "language-buddy",
                "subregion": "Stedelijk gebied Eindhoven",
                "kind": "buddy",
                "language": "nl",
                "starts_from": today.isoformat(),
                "sort": "nearest",
                "near": eindhoven,
            },
        ),
        ("page 2", {"page": 2}),
        ("deep page (350)", {"page": 350}),
        ("last page", {"page": "last"}),
        ("theme, deep page (100)", {"theme": "neighbourhood", "page": 100}),
        ("sort=nearest, deep page (300)", {"sort": "nearest", "near": eindhoven, "page": 300}),
        # What the page asks when a filter changes: only the results, without the filter form.
        ("htmx: no filter", {HTMX: True}),
        ("htmx: q=taalmaatje", {HTMX: True, "q": "taalmaatje"}),
        (
            "htmx: theme+skill+municipality",
            {HTMX: True, "theme": "newcomers", "skill": "language-buddy", "municipality": helmond},
        ),
        ("htmx: sort=nearest", {HTMX: True, "sort": "nearest", "near": eindhoven}),
    ]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `share` of the sorted values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Command(BaseCommand):
    help = "Time /needs/ with a representative set of filter combinations (median, p95, queries)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=10, help="warm requests per combination")
        parser.add_argument("--budget", type=float, default=300.0, help="p95 budget in milliseconds")
        parser.add_argument("--only", help="run only combinations whose name contains this text")
        parser.add_argument("--as-volunteer", action="store_true", help="request as a logged-in volunteer")

    def handle(self, *args, runs, budget, only, as_volunteer, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        client = Client()
        who = "visitor"
        if as_volunteer:
            volunteer = Volunteer.objects.select_related("user").order_by("pk").first()
            if volunteer is None:
                raise CommandError("No volunteer to log in as: load demo or scale data first.")
            client.force_login(volunteer.user)
            who = f"volunteer {volunteer.user.email}"
        url = reverse("members:need-list")
        combos = [(n, p) for n, p in combinations(timezone.localdate()) if not only or only in n]
        self.stdout.write(
            f"/needs/ as {who} on {connection.vendor}: {Need.objects.count()} needs, "
            f"{Need.objects.public().count()} public; {runs} warm runs per combination"
        )
        self.stdout.write(
            f"{'combination':36} {'results':>7} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>6} {'queries':>7} {'db ms':>6}"
        )
        results = {}
        # The rendering is measured, not the page cache (members/public_cache.py) that answers repeats.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], PUBLIC_PAGE_CACHE_SECONDS=0):
            for name, params in combos:
                params = dict(params)
                headers = {"HX-Request": "true"} if params.pop(HTMX, False) else {}
                address = f"{url}?{urlencode(params)}" if params else url
                response = client.get(address, headers=headers)  # cold: fills caches, not counted
                if response.status_code != 200:
                    raise CommandError(f"{address} answered {response.status_code}")
                timings, cpu = [], []
                for _ in range(runs):
                    with CaptureQueriesContext(connection) as queries:
                        started, started_cpu = time.perf_counter(), time.process_time()
                        client.get(address, headers=headers)
                        timings.append((time.perf_counter() - started) * 1000)
                        cpu.append((time.process_time() - started_cpu) * 1000)
                db_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
                found = NeedFilter(QueryDict(urlencode(params)), queryset=Need.objects.public()).qs.count()
                row = {
                    "url": address,
                    "htmx": bool(headers),
                    "results": found,
                    "median_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(percentile(timings, 0.95), 1),
                    # Python's own work; the rest of the median is the database and waiting for a CPU.
                    "cpu_median_ms": round(statistics.median(cpu), 1),
                    "queries": len(queries.captured_queries),
                    "db_ms": round(db_ms, 1),
                }
                results[name] = row
                flag = "  OVER BUDGET" if row["p95_ms"] > budget else ""
                self.stdout.write(
                    f"{name:36} {found:7} {row['median_ms']:9.1f} {row['p95_ms']:7.1f} {row['cpu_median_ms']:6.1f} "
                    f"{row['queries']:7} "
                    f"{row['db_ms']:6.1f}{flag}"
                )
        over = [name for name, row in results.items() if row["p95_ms"] > budget]
        summary = {
            "page": "/needs/",
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "as": who,
            "vendor": connection.vendor,
            "needs": Need.objects.count(),
            "runs": runs,
            "budget_ms": budget,
            "max_p95_ms": max((row["p95_ms"] for row in results.values()), default=0),
            "over_budget": over,
            "combinations": results,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
