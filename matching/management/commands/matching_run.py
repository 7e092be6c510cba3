"""`python manage.py matching_run`: the nightly matching batch, now (used after loading demo data)."""

from django.core.management.base import BaseCommand

from matching.models import MatchingRun
from matching.services import matches_refresh


class Command(BaseCommand):
    help = "Propose volunteers and offers for every open need now, as the nightly batch does."

    def handle(self, *args, **options):
        run = matches_refresh(trigger=MatchingRun.Trigger.MANUAL)
        self.stdout.write(
            f"Matching proposed {run.proposals} matches for {run.needs_considered} open needs in {run.duration_ms} ms."
        )
