"""`make bench-matching-db`: matches_refresh for one newly published need against the volunteers in the
database (run it on the scale data of `seed_demo --volunteers 100000 …`). Prints cold and warm timings and
a JSON summary as its last line; the needs it creates are removed again."""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from matching import features
from matching.models import Match, MatchingRun
from matching.services import matches_refresh
from members.models import Need, Volunteer


class Command(BaseCommand):
    help = "Time matches_refresh for one newly published need against every volunteer in the database."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        template = Need.objects.open().filter(need_skills__required=True).order_by("pk").first()
        if template is None:
            raise CommandError("No open need with required skills: load scale data first (seed_demo --needs …).")
        volunteers = Volunteer.objects.active().count()
        skills = list(template.need_skills.values_list("skill_id", "required"))
        languages = list(template.languages.values_list("pk", flat=True))
        features.forget_supply()
        timings, created = [], []
        try:
            for run in range(runs + 1):
                with transaction.atomic():
                    need = Need.objects.get(pk=template.pk)
                    need.pk = None
                    need.title = f"Benchmark {run}: {template.title}"
                    need.published_at = timezone.now()
                    need.save()
                    need.languages.set(languages)
                    Need.skills.through.objects.bulk_create(
                        [Need.skills.through(need=need, skill_id=s, required=r) for s, r in skills]
                    )
                created.append(need.pk)
                started = time.perf_counter()
                result = matches_refresh(need_ids=[need.pk], trigger=MatchingRun.Trigger.PUBLISHED)
                timings.append((time.perf_counter() - started) * 1000)
                self.stdout.write(f"run {run}: {timings[-1]:.0f} ms, {result.proposals} proposals")
        finally:
            Match.objects.filter(need_id__in=created).delete()
            Need.objects.filter(pk__in=created).delete()
        self.stdout.write(
            json.dumps(
                {
                    "volunteers": volunteers,
                    "cold_ms": round(timings[0]),
                    "warm_median_ms": round(statistics.median(timings[1:])),
                    "warm_max_ms": round(max(timings[1:])),
                }
            )
        )
