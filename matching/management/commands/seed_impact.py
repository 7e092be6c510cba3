"""Top up the lifecycle data the impact figures count: matches in every state (with their approvals), hour
entries (most of them confirmed), feedback, completed needs with the residents they reached and, for Work needs,
the people they placed into work; confirmed inclusive employers and organisations that may be named. Ends by
rebuilding the impact snapshot (on PostgreSQL).

Builds on the needs and volunteers of `seed_demo` (run that first, with its scale options for the full scale).
Totals are targets to reach, so running it twice adds nothing the second time. Deterministic for a seed.
Rows are written in bulk, directly: this is seed data, not a user's change, so no notifications are sent.
"""

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models.functions import Mod
from django.utils import timezone

from matching.impact_snapshot import impact_snapshot_refresh
from matching.models import HoursEntry, Match, MatchEvent, MatchFeedback
from members.models import WORK_PROGRAMME, Need, Organisation, Volunteer, WorkPlacement

S = Match.Status
# How the seeded matches spread over the lifecycle (weights).
STATE_WEIGHTS = {
    S.PROPOSED: 12,
    S.APPROVED: 8,
    S.ACCEPTED: 10,
    S.ACTIVE: 20,
    S.COMPLETED: 30,
    S.REJECTED: 6,
    S.DECLINED: 5,
    S.WITHDRAWN: 4,
    S.EXPIRED: 5,
}
APPROVED_ON_THE_WAY = {S.APPROVED, S.ACCEPTED, S.ACTIVE, S.COMPLETED, S.DECLINED, S.EXPIRED}
BATCH = 5000


class Command(BaseCommand):
    help = "Top up matches in every state, hour entries, feedback and completed needs for the impact figures."

    def add_arguments(self, parser):
        parser.add_argument("--matches", type=int, default=2_000, help="total matches to reach")
        parser.add_argument("--hours", type=int, default=20_000, help="total hour entries to reach")
        parser.add_argument("--seed", type=int, default=9, help="random seed")

    def handle(self, *args, **options):
        started = time.monotonic()
        rng = random.Random(options["seed"])
        made_matches = self.matches_top_up(rng, total=options["matches"])
        made_hours = self.hours_top_up(rng, total=options["hours"])
        completed = self.needs_complete(rng)
        feedback = self.feedback_top_up(options["seed"])
        placed = self.placements_top_up(options["seed"])
        confirmed = self.employers_confirm()
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner sees the new rows (the figures join and group them).
            with connection.cursor() as cursor:
                for model in (Match, MatchEvent, HoursEntry, MatchFeedback, Need):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Impact data topped up in {time.monotonic() - started:.1f} s: {made_matches} matches, "
                f"{made_hours} hour entries, {completed} needs completed, {feedback} feedback answers, "
                f"{placed} work placements, {confirmed} inclusive employers confirmed."
            )
        )
        snapshot = impact_snapshot_refresh()
        if snapshot is not None:
            self.stdout.write(
                f"Impact snapshot rebuilt in {snapshot.duration_ms / 1000:.1f} s: {snapshot.cells} cells."
            )

    @transaction.atomic
    def matches_top_up(self, rng, *, total) -> int:
        missing = total - Match.objects.count()
        if missing <= 0:
            return 0
        needs = list(
            Need.objects.exclude(status__in=[Need.Status.DRAFT, Need.Status.CANCELLED])
            .filter(published_at__isnull=False)
            .values_list("pk", "published_at")
            .order_by("pk")
        )
        volunteers = list(Volunteer.objects.active().values_list("pk", flat=True).order_by("pk"))
        if not needs or not volunteers:
            self.stdout.write("No published needs or active volunteers: run seed_demo first.")
            return 0
        taken = set(Match.objects.filter(volunteer__isnull=False).values_list("need_id", "volunteer_id"))
        states, weights = list(STATE_WEIGHTS), list(STATE_WEIGHTS.values())
        now = timezone.now()
        matches, approvals = [], []
        attempts = 0
        while len(matches) < missing and attempts < missing * 5:
            attempts += 1
            need_id, published = rng.choice(needs)
            volunteer_id = rng.choice(volunteers)
            if (need_id, volunteer_id) in taken:
                continue
            taken.add((need_id, volunteer_id))
            status = rng.choices(states, weights)[0]
            created = min(now, published + datetime.timedelta(hours=rng.randint(1, 24 * 20)))
            approved = min(now, created + datetime.timedelta(hours=rng.randint(1, 24 * 14)))
            match = Match(
                need_id=need_id,
                volunteer_id=volunteer_id,
                status=status,
                score=round(rng.uniform(0.3, 0.98), 3),
                created_at=created,
                status_changed_at=approved,
                decided_at=approved if status != S.PROPOSED else None,
            )
            matches.append(match)
            if status in APPROVED_ON_THE_WAY:
                approvals.append((match, approved))
        Match.objects.bulk_create(matches, batch_size=BATCH)
        MatchEvent.objects.bulk_create(
            (
                MatchEvent(
                    match=m,
                    action=MatchEvent.Action.APPROVE,
                    side=MatchEvent.Side.POLICY,
                    from_status=S.PROPOSED,
                    to_status=S.APPROVED,
                    at=at,
                )
                for m, at in approvals
            ),
            batch_size=BATCH,
        )
        return len(matches)

    @transaction.atomic
    def hours_top_up(self, rng, *, total) -> int:
        missing = total - HoursEntry.objects.count()
        agreed = list(
            Match.objects.filter(status__in=Match.AGREED_STATUSES, volunteer__isnull=False)
            .values_list("pk", "volunteer_id", "created_at")
            .order_by("pk")
        )
        if missing <= 0 or not agreed:
            return 0
        today = timezone.localdate()
        entries = []
        for _n in range(missing):
            match_id, volunteer_id, created = rng.choice(agreed)
            first = timezone.localdate(created)
            span = max(1, (today - first).days)
            hours = Decimal(rng.choice(["1", "1.5", "2", "2.5", "3", "4", "6", "8"]))
            confirmed = rng.random() < 0.8
            entries.append(
                HoursEntry(
                    match_id=match_id,
                    volunteer_id=volunteer_id,
                    date=first + datetime.timedelta(days=rng.randrange(span)),
                    hours=hours,
                    status=HoursEntry.Status.CONFIRMED if confirmed else HoursEntry.Status.LOGGED,
                    confirmed_hours=(hours if rng.random() < 0.95 else Decimal("0")) if confirmed else None,
                )
            )
        HoursEntry.objects.bulk_create(entries, batch_size=BATCH)
        return len(entries)

    @transaction.atomic
    def needs_complete(self, rng) -> int:
        """Needs with a completed match become completed, recording the residents they actually reached."""
        needs = list(
            Need.objects.filter(matches__status=S.COMPLETED)
            .exclude(status=Need.Status.COMPLETED)
            .distinct()
            .only("pk", "residents_helped", "published_at")
        )
        now = timezone.now()
        for need in needs:
            planned = need.residents_helped or rng.randint(5, 60)
            need.residents_reached = max(0, round(planned * rng.uniform(0.5, 1.3)))
            need.status = Need.Status.COMPLETED
            need.status_changed_at = min(now, need.published_at + datetime.timedelta(days=rng.randint(20, 200)))
        Need.objects.bulk_update(needs, ["residents_reached", "status", "status_changed_at"], batch_size=BATCH)
        return len(needs)

    @transaction.atomic
    def placements_top_up(self, seed) -> int:
        """Completed Work needs without an outcome record the people they placed: most of them one or two
        employers (inclusive companies first), with people into work and into work-study placements. Each need
        draws from its own seeded generator, so one that drew nothing draws nothing the next time either."""
        needs = list(
            Need.objects.filter(
                status=Need.Status.COMPLETED, programme__code=WORK_PROGRAMME, work_placements__isnull=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        employers = list(
            Organisation.objects.active()
            .filter(kind=Organisation.Kind.COMPANY)
            .order_by("-is_inclusive_employer", "pk")
            .values_list("pk", flat=True)[:400]
        )
        if not needs or not employers:
            return 0
        rows = []
        for need_id in needs:
            draw = random.Random(f"{seed}:work:{need_id}")
            if draw.random() < 0.4:
                continue
            for employer_id in draw.sample(employers, k=draw.choice([1, 1, 2])):
                into_work, work_study = draw.randint(0, 2), draw.randint(0, 2)
                if into_work + work_study == 0:
                    into_work = 1
                rows.append(
                    WorkPlacement(need_id=need_id, employer_id=employer_id, into_work=into_work, work_study=work_study)
                )
        WorkPlacement.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        return len(rows)

    @transaction.atomic
    def employers_confirm(self) -> int:
        """Coordinators have confirmed seven in ten declarations of inclusive employers (by id, so the same ones
        each time), and two in five member organisations agreed to be named on the public pages."""
        now = timezone.now()
        Organisation.objects.annotate(tenth=Mod("pk", 5)).filter(tenth__lt=2).update(may_be_named_publicly=True)
        return (
            Organisation.objects.inclusive_waiting()
            .annotate(tenth=Mod("pk", 10))
            .filter(tenth__lt=7)
            .update(inclusive_confirmed_at=now)
        )

    @transaction.atomic
    def feedback_top_up(self, seed) -> int:
        """Feedback on completed matches without any: each match draws from its own seeded generator, so a
        match that drew no feedback draws none the next time either."""
        completed = Match.objects.filter(status=S.COMPLETED, feedback__isnull=True).values_list(
            "pk", "status_changed_at"
        )
        answers = []
        for match_id, changed in completed:
            draw = random.Random(f"{seed}:{match_id}")
            for side in MatchFeedback.Side.values:
                if draw.random() < 0.7:
                    helped = draw.random() < 0.85
                    answers.append(
                        MatchFeedback(
                            match_id=match_id,
                            side=side,
                            helped=helped,
                            rating=draw.randint(4, 5) if helped else draw.randint(1, 3),
                            created_at=changed,
                        )
                    )
        MatchFeedback.objects.bulk_create(answers, batch_size=BATCH, ignore_conflicts=True)
        return len(answers)
