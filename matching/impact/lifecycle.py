"""The match lifecycle's figures: matches by state, days to a first approval, needs waiting, feedback."""

import statistics

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Extract

from members.models import Need

from ..models import Match, MatchFeedback
from .base import WAITING_LIMIT, ImpactFilter, _matches_in, _Median

# --- The match lifecycle ----------------------------------------------------------------------------

FUNNEL_ORDER = [
    Match.Status.PROPOSED,
    Match.Status.APPROVED,
    Match.Status.ACCEPTED,
    Match.Status.ACTIVE,
    Match.Status.COMPLETED,
    Match.Status.REJECTED,
    Match.Status.DECLINED,
    Match.Status.WITHDRAWN,
    Match.Status.EXPIRED,
]


def match_funnel(f: ImpactFilter) -> list[dict]:
    """Matches created in the period per status, in lifecycle order, zeros included. One query."""
    counts = _matches_in(f).aggregate(**{status.value: Count("id", filter=Q(status=status)) for status in FUNNEL_ORDER})
    return [{"status": status.value, "label": status.label, "count": counts[status.value]} for status in FUNNEL_ORDER]


def median_days_to_first_approval(f: ImpactFilter) -> float | None:
    """The median, over needs published in the period that have an approved match, of the days from
    publishing to the first approval. `None` when no need has one. One query.

    On PostgreSQL the median is `percentile_cont` over the per-need durations in SQL; SQLite has no such
    aggregate, so there the per-need pairs (one row per need, the first approval found in SQL) are read and
    the median taken of them."""
    q = (
        Q(published_at__isnull=False, matches__events__to_status=Match.Status.APPROVED)
        & f.period("published_at", is_datetime=True)
        & f.need()
    )
    if f.supplier:
        q &= Q(pk__in=_matches_in(ImpactFilter(supplier=f.supplier)).values("need"))
    # One row per need, grouped in SQL: its first approval.
    needs = Need.objects.filter(q).order_by().annotate(first_approved=Min("matches__events__at"))
    if connection.vendor == "postgresql":
        days = needs.annotate(days=Extract(F("first_approved") - F("published_at"), "epoch") / Value(86400.0))
        median = days.aggregate(median=_Median("days"))["median"]
        return None if median is None else round(median, 1)
    durations = [
        (first - published).total_seconds() / 86400.0
        for published, first in needs.values_list("published_at", "first_approved")
    ]
    return round(statistics.median(durations), 1) if durations else None


def needs_waiting_longest(f: ImpactFilter, *, limit: int = WAITING_LIMIT) -> list[Need]:
    """Open needs, longest published first, with "proposals" (matches waiting for review or acceptance) and
    "agreed" (matches both sides agreed to) counted in SQL. One query."""

    # Counted per need by correlated subqueries, which the database evaluates for the `limit` needs it keeps
    # (found through the status and publishing date index), not for every open need.
    def matches_of_need(statuses):
        counted = Match.objects.filter(need=OuterRef("pk"), status__in=statuses).order_by()
        return Coalesce(Subquery(counted.values("need").annotate(n=Count("id")).values("n")), 0)

    return list(
        Need.objects.open()
        .filter(f.need(), published_at__isnull=False)
        .select_related("organisation", "municipality", "programme")
        .annotate(
            proposals=matches_of_need([Match.Status.PROPOSED, Match.Status.APPROVED]),
            agreed=matches_of_need(Match.AGREED_STATUSES),
        )
        .order_by("published_at", "id")[:limit]
    )


def feedback_share(f: ImpactFilter) -> dict:
    """{"answers", "helped", "share", "average_rating"}: feedback given in the period; "share" is the
    percentage that said it really helped (None without answers). One query."""
    q = f.period("created_at", is_datetime=True) & f.need("match__need__")
    if f.supplier:
        q &= Q(match__volunteer__organisation_id=f.supplier) | Q(match__offer__organisation_id=f.supplier)
    figures = MatchFeedback.objects.filter(q).aggregate(
        answers=Count("id"), helped=Count("id", filter=Q(helped=True)), average_rating=Avg("rating")
    )
    figures["share"] = round(100.0 * figures["helped"] / figures["answers"], 1) if figures["answers"] else None
    if figures["average_rating"] is not None:
        figures["average_rating"] = round(figures["average_rating"], 2)
    return figures
