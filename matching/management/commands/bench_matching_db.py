"""`make bench-matching-db`: matching against the volunteers in the database (run it on the scale data of
`seed_demo --volunteers 100000 …`).

In a fresh process it times, in this order: the first `matches_refresh` for a newly published need (cold:
loading every volunteer's and offer's features and the compiled kernel), then warm runs; the feature
cache's check; a volunteer's "recommended for you" page and a coordinator's candidates page for a need
(through the test client, so the middleware and templates run), each cold and warm. Everything happens in
one transaction that is rolled back at the end, so the database is left as it was (sequences aside). Prints
as it goes; the last line is a JSON summary.
"""

import json
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from matching import features
from matching.models import MatchingRun
from matching.services import matches_refresh
from members.models import Need, Volunteer


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping anything."""


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class Command(BaseCommand):
    help = "Time matching, the cache check and the matching pages against the database (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="warm runs of each")

    def handle(self, *args, runs, **options):
        template = Need.objects.open().filter(need_skills__required=True).order_by("pk").first()
        volunteer = Volunteer.objects.active().select_related("user").order_by("pk").first()
        if template is None or volunteer is None:
            raise CommandError("No open need with required skills or no volunteer: load scale data first.")
        self.summary = {
            "vendor": connection.vendor,
            "volunteers": Volunteer.objects.active().count(),
            "open_needs": Need.objects.open().count(),
        }
        features.forget_supply()
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
                self.refresh(template, runs)
                self.cache_check(runs)
                self.pages(volunteer, template, runs)
                self.shortfall(template, runs)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(self.summary))

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def refresh(self, template, runs) -> None:
        skills = list(template.need_skills.values_list("skill_id", "required"))
        languages = list(template.languages.values_list("pk", flat=True))
        timings = []
        for run in range(runs + 1):
            need = Need.objects.get(pk=template.pk)
            need.pk = None
            need.title = f"Benchmark {run}: {template.title}"
            need.published_at = timezone.now()
            need.save()
            need.languages.set(languages)
            Need.skills.through.objects.bulk_create(
                [Need.skills.through(need=need, skill_id=s, required=r) for s, r in skills]
            )
            started = time.perf_counter()
            result = matches_refresh(need_ids=[need.pk], trigger=MatchingRun.Trigger.PUBLISHED)
            timings.append(_ms(started))
            self.say(f"matches_refresh {run}: {timings[-1]:.0f} ms, {result.proposals} proposals")
        self.summary |= {
            "cold_ms": round(timings[0]),
            "warm_median_ms": round(statistics.median(timings[1:])),
            "warm_max_ms": round(max(timings[1:])),
        }

    def cache_check(self, runs) -> None:
        timings = []
        for _ in range(max(runs, 5)):
            started = time.perf_counter()
            features.current(usage=False)
            timings.append(_ms(started))
        self.say(f"feature cache check: {statistics.median(timings):.1f} ms (one query)")
        self.summary["cache_check_ms"] = round(statistics.median(timings), 1)

    def pages(self, volunteer, template, runs) -> None:
        pages = {
            "recommended": (volunteer.user, reverse("matching:recommended")),
            "need_candidates": (
                _coordinator(),
                reverse("matching:need-candidates", kwargs={"pk": template.pk}),
            ),
        }
        for name, (user, url) in pages.items():
            client = Client()
            client.force_login(user)
            if name == "recommended":
                features.forget_supply()  # the first request of a fresh worker process
            timings = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                response = client.get(url)
                timings.append(_ms(started))
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            self.say(f"{name}: cold {timings[0]:.0f} ms, warm median {statistics.median(timings[1:]):.0f} ms")
            self.summary[name] = {
                "cold_ms": round(timings[0]),
                "warm_median_ms": round(statistics.median(timings[1:])),
                "warm_max_ms": round(max(timings[1:])),
            }

    def shortfall(self, template, runs) -> None:
        from matching.services.runs import need_shortfall

        timings = []
        for _ in range(max(runs, 5)):
            started = time.perf_counter()
            need_shortfall(need=template)
            timings.append(_ms(started))
        self.say(f"who is missing for one need: {statistics.median(timings):.0f} ms")
        self.summary["shortfall_ms"] = round(statistics.median(timings), 1)


def _coordinator():
    """A user to look at the candidates page as, made a coordinator inside the benchmark's (rolled back)
    transaction."""
    from members.models import User
    from members.services import coordinator_grant, totp_activate

    user = User.objects.filter(is_active=True).order_by("pk").first()
    coordinator_grant(user=user)
    totp_activate(user=user)  # the coordinator role counts only with two-factor authentication
    return user
