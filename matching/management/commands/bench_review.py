"""`make bench-review`: the coordinators' review queue and bulk approval at the association's scale.

Meant for the scale data (`seed_demo --volunteers 100000 --needs 20000 --organisations 2000`) after a
nightly run (`manage.py matching_run`, about 20,000 proposals). Times `/matching/review/` through Django's
test client (server time, no network) for a set of filters: one cold request, then `--runs` warm ones,
printing median, 95th percentile and the number of queries. Then approves 1,000 proposals of one filtered
selection at once, through the real service, counts the notifications each recipient got, and rolls it all
back so the data stays as it was. The last line is one JSON object.
"""

import json
import os
import statistics
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from matching import selectors
from matching.filters import ReviewQueueFilter
from matching.models import Match
from matching.services import matches_approve
from members.models import Municipality, Notification, Organisation, Programme, User
from members.services import coordinators


class Rollback(Exception):
    pass


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Time the review queue with filters and a bulk approval of 1,000 proposals (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--approve", type=int, default=1000)

    def handle(self, *args, runs, approve, **options):
        waiting = Match.objects.undecided().count()
        if waiting < approve:
            raise CommandError(f"Only {waiting} proposals: load scale data and run `manage.py matching_run` first.")
        coordinator = coordinators().first()
        if coordinator is None:
            raise CommandError("No coordinator: run seed_demo first.")
        busiest = Organisation.objects.filter(needs__matches__status=Match.Status.PROPOSED).order_by("pk").first()
        eindhoven = Municipality.objects.get(name="Eindhoven")
        programme = Programme.objects.order_by("pk").first()
        combos = [
            ("no filter", {}),
            ("programme", {"programme": programme.code}),
            ("subregion=De Kempen", {"subregion": "De Kempen"}),
            ("municipality=Eindhoven", {"municipality": eindhoven.pk}),
            ("organisation", {"organisation": busiest.slug}),
            ("source=volunteer", {"source": "volunteer"}),
            ("min_score=0.7", {"min_score": "0.7"}),
            (
                "programme+subregion+min_score",
                {"programme": programme.code, "subregion": "De Kempen", "min_score": "0.5"},
            ),
            ("page 100", {"page": 100}),
        ]
        client = Client()
        client.force_login(coordinator)
        url = reverse("matching:review-queue")
        results = {}
        self.stdout.write(f"{waiting} proposals waiting; {runs} warm runs per filter")
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            for name, params in combos:
                timings = []
                for run in range(runs + 1):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(url, params)
                        took = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        raise CommandError(f"{name}: HTTP {response.status_code}")
                    if run:
                        timings.append(took)
                results[name] = {
                    "median_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(percentile(timings, 0.95), 1),
                    "queries": len(queries),
                }
                self.stdout.write(
                    f"  {name:34s} median {results[name]['median_ms']:7.1f} ms  "
                    f"p95 {results[name]['p95_ms']:7.1f} ms  {len(queries)} queries"
                )

        selection = ReviewQueueFilter({"programme": programme.code}, queryset=Match.objects.all())
        ids = list(selectors.review_queue(filters=selection).values_list("pk", flat=True)[:approve])
        last_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            with transaction.atomic():
                started = time.perf_counter()
                approved = matches_approve(match_ids=ids, acting_user=coordinator, note="Bulk benchmark")
                approve_s = time.perf_counter() - started
                rows = list(Notification.objects.filter(pk__gt=last_before).values_list("recipient_id", "kind"))
                per_recipient = Counter(rows)
                recipients = len({recipient for recipient, _kind in rows})
                raise Rollback
        except Rollback:
            pass
        worst = max(per_recipient.values()) if per_recipient else 0
        self.stdout.write(
            f"approved {approved} proposals in {approve_s:.2f} s: {len(rows)} notifications to {recipients} "
            f"recipients, at most {worst} per recipient and kind (rolled back)"
        )
        summary = {
            "proposals_waiting": waiting,
            "queue": results,
            "queue_worst_p95_ms": max(r["p95_ms"] for r in results.values()),
            "bulk_approved": approved,
            "bulk_approve_s": round(approve_s, 2),
            "bulk_notifications": len(rows),
            "bulk_recipients": recipients,
            "bulk_max_per_recipient_and_kind": worst,
            "users": User.objects.count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
        self.stdout.write(json.dumps(summary))
