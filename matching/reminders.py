"""Reminders along the match lifecycle, and the weekly digest of needs recommended to volunteers.

Both are periodic jobs (`matching.tasks`, scheduled in `settings.CELERY_BEAT_SCHEDULE`). Each selects what is
due by state (a proposal still waiting, an answer still missing, a start coming up, hours not logged after
the end) and by event key: an event already reminded of is not selected again, and the outbox's unique
event key turns a second write into a no-op anyway. So running a job twice, or two workers at once, sends
nothing twice. The notifications go through the outbox (`members.notifications`): each kind of reminder is
one transaction with a fixed number of queries however many matches are due, and is emailed after commit.

The weekly digest runs the engine once over the week's new needs against the whole supply and inverts the
pairs to volunteers; it never runs the engine once per volunteer.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from members.models import Need, Notification, NotificationKind, Volunteer
from members.notifications import Recipient, notify
from members.services import coordinators

from . import engine, features
from .models import HoursEntry, Match, MatchParticipant
from .services import notices, rules, weights

Status = Match.Status
# Agreed by both sides and not yet completed: the work is coming up or under way.
AGREED_OPEN = (Status.ACCEPTED, Status.ACTIVE)
# The volunteers each new need is recommended to at most: its best candidates, as for a coordinator's list.
RECOMMENDED_PER_NEED = 100
# Recipients per outbox write in the weekly digest, so one write stays a modest statement.
DIGEST_CHUNK = 1000


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Write the reminders that are due: proposals waiting for review (coordinators, once a day), approved
    matches waiting for an answer, starts coming up and hours not logged after the end (once per match).
    Returns how many notifications were written. Safe to repeat: what was reminded of is not selected again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (
        _review_waiting(now=now, today=today)
        + _answers_waiting(now=now)
        + _starts_coming(today=today)
        + _hours_missing(today=today)
    )


def _due(selected, *, event: str, since: datetime.datetime | None = None):
    """The matches of `selected` not yet reminded of `event`, with what their notices need. A reminder's key
    reads `reminder:<event>:<match>:to:<who>`; none for these matches is older than `since` (by default the
    oldest last status change among them), so the lookup costs what is due, not the whole history."""
    rows = list(selected.values_list("pk", "status_changed_at"))
    if not rows:
        return []
    since = since or min(at for _pk, at in rows)
    prefix = f"reminder:{event}:"
    keys = Notification.objects.filter(
        kind=NotificationKind.MATCH_REMINDER, event_key__startswith=prefix, created_at__gte=since
    ).values_list("event_key", flat=True)
    reminded = {int(key[len(prefix) :].split(":", 1)[0]) for key in keys}
    return list(
        Match.objects.filter(pk__in=[pk for pk, _at in rows if pk not in reminded]).with_related().order_by("pk")
    )


def _remind(pairs, *, event: str, link_of=None) -> int:
    with transaction.atomic():
        return len(notices.match_reminders(pairs, event=event, link_of=link_of))


def _participants(matches) -> dict[int, list]:
    """The active people taking part in each match, in one query."""
    people = defaultdict(list)
    for participant in MatchParticipant.objects.filter(
        match__in=[m.pk for m in matches], volunteer__user__is_active=True
    ).select_related("volunteer__user"):
        people[participant.match_id].append(participant.volunteer.user)
    return people


def _review_waiting(*, now, today) -> int:
    count = Match.objects.filter(
        status=Status.PROPOSED, status_changed_at__lt=now - timedelta(days=settings.MATCH_REMIND_REVIEW_DAYS)
    ).count()
    if not count:
        return 0
    event_key = f"review:{today.isoformat()}"
    reminded = set(
        Notification.objects.filter(event_key__startswith=f"reminder:{event_key}:").values_list(
            "recipient_id", flat=True
        )
    )
    users = [user for user in coordinators() if user.pk not in reminded]
    with transaction.atomic():
        written = notices.reminder(
            None, users, event="review", event_key=event_key, count=count, link=reverse("matching:review-queue")
        )
    return len(written)


def _answers_waiting(*, now) -> int:
    """Approved matches waiting longer than MATCH_REMIND_ANSWER_DAYS: the side(s) that did not accept yet."""
    due = _due(
        Match.objects.filter(
            status=Status.APPROVED, status_changed_at__lt=now - timedelta(days=settings.MATCH_REMIND_ANSWER_DAYS)
        ),
        event="accept",
    )
    sides = notices.sides_of_matches(due)
    pairs = []
    for match in due:
        need_side, supply_side = sides[match.pk]
        pairs.append(
            (
                match,
                [
                    *(need_side if match.need_accepted_at is None else []),
                    *(supply_side if match.supply_accepted_at is None else []),
                ],
            )
        )
    return _remind(pairs, event="accept")


def _starts_coming(*, today) -> int:
    """Agreed matches whose need starts today or within MATCH_REMIND_START_DAYS: both sides and the people."""
    due = _due(
        Match.objects.filter(
            status__in=AGREED_OPEN,
            need__start_date__gte=today,
            need__start_date__lte=today + timedelta(days=settings.MATCH_REMIND_START_DAYS),
        ),
        event="start",
        # Written at the earliest MATCH_REMIND_START_DAYS before a start that is today or later.
        since=_midnight(today - timedelta(days=settings.MATCH_REMIND_START_DAYS + 1)),
    )
    sides, people = notices.sides_of_matches(due), _participants(due)
    return _remind(
        [(match, [*sides[match.pk][0], *sides[match.pk][1], *people[match.pk]]) for match in due], event="start"
    )


def _hours_missing(*, today) -> int:
    """Agreed matches whose need ended MATCH_REMIND_HOURS_DAYS or more ago without any hours: the people."""
    selected = Match.objects.filter(
        status__in=AGREED_OPEN, need__end_date__lte=today - timedelta(days=settings.MATCH_REMIND_HOURS_DAYS)
    ).exclude(Exists(HoursEntry.objects.filter(match=OuterRef("pk"))))
    ended = selected.order_by("need__end_date").values_list("need__end_date", flat=True).first()
    # Written at the earliest MATCH_REMIND_HOURS_DAYS after the end of the need that ended first.
    due = _due(selected, event="hours", since=_midnight(ended) if ended else None)
    people = _participants(due)
    return _remind(
        [(match, people[match.pk]) for match in due],
        event="hours",
        link_of=lambda match: reverse("matching:hours-log", kwargs={"pk": match.pk}),
    )


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def recommendations_weekly(*, today: datetime.date | None = None) -> int:
    """Tell each volunteer how many of the needs published in the seven days before `today` fit them (they
    are among a need's best RECOMMENDED_PER_NEED candidates), once per ISO week. Returns how many
    notifications were written. Safe to repeat: a volunteer told this week is not selected again."""
    today = today or timezone.localdate()
    iso = today.isocalendar()
    event_key = f"recommended:{iso.year}-W{iso.week:02d}"
    midnight = _midnight(today)
    need_ids = list(
        Need.objects.open()
        .filter(published_at__gte=midnight - timedelta(days=7), published_at__lt=midnight)
        .values_list("pk", flat=True)
    )
    if not need_ids:
        return 0
    counts = _fitting_needs_per_volunteer(need_ids, today=today)
    if not counts:
        return 0
    told = set(
        Notification.objects.filter(
            kind=NotificationKind.NEEDS_RECOMMENDED, event_key__startswith=f"{event_key}:"
        ).values_list("recipient_id", flat=True)
    )
    by_count = defaultdict(list)
    volunteer_ids = sorted(counts)
    for start in range(0, len(volunteer_ids), DIGEST_CHUNK):
        chunk = volunteer_ids[start : start + DIGEST_CHUNK]
        for volunteer in Volunteer.objects.filter(pk__in=chunk, user__is_active=True).select_related("user"):
            if volunteer.user_id not in told:
                by_count[counts[volunteer.pk]].append(volunteer.user)
    written = 0
    link = reverse("matching:recommended")
    for count, users in sorted(by_count.items()):
        for start in range(0, len(users), DIGEST_CHUNK):
            with transaction.atomic():
                written += len(
                    notify(
                        recipients=[Recipient.of(user) for user in users[start : start + DIGEST_CHUNK]],
                        kind=NotificationKind.NEEDS_RECOMMENDED,
                        event_key=event_key,
                        context={"count": count},
                        link=link,
                    )
                )
    return written


def _fitting_needs_per_volunteer(need_ids, *, today) -> dict[int, int]:
    """How many of the needs fit each volunteer (by volunteer pk): one engine run over all of them against the
    whole supply, leaving out pairs that already have a match."""
    vocabulary = features.Vocabulary.load()
    supply, supply_ids = features.load_supply(vocabulary)
    needs = features.load_needs(need_ids, vocabulary, today=today)
    if not len(needs) or not len(supply):
        return {}
    # As on the volunteer's "recommended for you" page: an open need counts even when proposals hold its places.
    needs.slots[:] = np.maximum(needs.slots, 1)
    existing = {
        (need_id, volunteer_id)
        for need_id, volunteer_id in Match.objects.filter(
            need_id__in=needs.ids.tolist(), volunteer__isnull=False
        ).values_list("need_id", "volunteer_id")
    }
    cands = engine.candidates(
        needs,
        supply,
        vocabulary.distances,
        weights=weights(),
        rules=rules(top_k=RECOMMENDED_PER_NEED),
        exclude=frozenset(existing),
    )
    ids = supply_ids[cands.supply]
    volunteers, per_volunteer = np.unique(ids[ids > 0], return_counts=True)
    return dict(zip(volunteers.tolist(), per_volunteer.tolist(), strict=True))
