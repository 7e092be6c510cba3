"""The periodic jobs of the lifecycle (Celery beat): approved matches that nobody answered in time expire, and
accepted matches whose first day came start. Each selects by state and is safe to run twice."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Match, MatchEvent
from . import notices
from .lifecycle import _move, match_start

Status = Match.Status


def matches_expire(*, now=None) -> int:
    """Approved matches that waited longer than `MATCH_ANSWER_DAYS` for an answer expire; both sides are told.
    Returns how many. Safe to repeat: an expired match does not expire again."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MATCH_ANSWER_DAYS)
    expired = 0
    for pk in Match.objects.filter(status=Status.APPROVED, status_changed_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            match = Match.objects.select_for_update(of=("self",)).with_related().get(pk=pk)
            if match.status != Status.APPROVED or match.status_changed_at >= cutoff:
                continue
            _move(
                match,
                to_status=Status.EXPIRED,
                action=MatchEvent.Action.EXPIRE,
                side=MatchEvent.Side.SYSTEM,
                actor=None,
            )
            notices.match_ended(match, event="expired")
            expired += 1
    return expired


def matches_start(*, today=None) -> int:
    """Accepted matches whose need starts today or earlier become active. A need without a start date (flexible)
    starts with its first hours logged instead."""
    today = today or timezone.localdate()
    ids = list(Match.objects.filter(status=Status.ACCEPTED, need__start_date__lte=today).values_list("pk", flat=True))
    for pk in ids:
        match_start(match=Match(pk=pk))
    return len(ids)
