"""The impact figures: what the association counts against its four public targets, defined once.

Every figure is aggregated in the database (`aggregate`, `annotate`, distinct and conditional counts): never
row by row in Python, so a figure costs the same one query with ten hour entries or two hundred thousand. Each
read function takes an `ImpactFilter` (a period, a subregion, a programme, and for a company's own report the
supplying organisation) and answers plain data. The dashboard, the public page and the company report ask
these functions; none of them restates a definition.

Definitions (pinned by `tests/matching/test_impact_figures.py`):

- **corporate volunteers deployed**: distinct people with at least one confirmed hour on a need (an hours
  entry with status *confirmed* and confirmed hours above 0, dated in the period). An offer's named people
  count one by one, because each logs their own hours.
- **registered** volunteers: profiles created in the period; **active**: of those, the ones
  `Volunteer.objects.active()` counts (active status, privacy consent given); **matched**: distinct people
  in a match both sides agreed to (accepted, under way or completed; created in the period), as the
  volunteer of the match or as one of an offer's named people.
- **hours logged**: every hour entered by volunteers (confirmed or not); **hours confirmed**: the hours the
  need's organisation confirmed (its correction, where it corrected them).
- **residents reached** per programme: `Need.residents_reached` of completed needs (completed in the
  period), with `Need.residents_helped` of the same needs beside it as *planned*.
- **inclusive employers**: member organisations that declare themselves inclusive employers and whose
  declaration a coordinator confirmed (`Organisation.objects.inclusive_employers()`); the period does not
  apply (it is who counts now).
- **people into work**: the people that completed needs of the Work programme placed into work plus those
  placed in a work-study (BBL) placement (`WorkPlacement`, recorded when the need completes; completed in the
  period, in the subregion); "employers" is how many different organisations took them on.
- **matches by state**: matches created in the period, per status, in lifecycle order.
- **days to a first approved match**: per need published in the period, the days from `published_at` to the
  first approval of any of its matches (a `MatchEvent` to *approved*, by a coordinator or the review
  policy); the median over those needs.
- **needs waiting longest**: open needs, longest published first (the period does not apply: waiting is now).
- **did it really help**: the share of feedback answers (given in the period) that said yes.

The subregion and programme filters are the need's (its municipality's subregion; remote needs without a
municipality belong to no subregion). Registered and active volunteers are filtered by the volunteer's own
municipality and not by programme; inclusive employers by the organisation's municipality only.
"""

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DecimalField,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Extract, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from members.models import Need, Organisation, Programme, Volunteer, WorkPlacement
from members.models.reference import Subregion
from members.models.volunteers import active_volunteer
from members.reference_data import INCLUSIVE_EMPLOYERS_TARGET

from .models import HoursEntry, Match, MatchFeedback, MatchParticipant

WAITING_LIMIT = 10
ZERO_HOURS = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))

PROGRAMME_VOLUNTEERING = "corporate-volunteering"
PROGRAMME_WORK = "work"
PROGRAMME_FINANCIAL_HEALTH = "financial-health"
PROGRAMME_DIGITAL_SKILLS = "digital-skills"


@dataclass(frozen=True)
class ImpactFilter:
    """Which part of the work a figure counts. Empty fields do not narrow anything.

    `supplier` (an organisation id) keeps only the work of that organisation's people: its volunteers' hours,
    and matches of its volunteers or offers. The company report uses it.
    """

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    subregion: str = ""
    programme: str = ""  # a Programme code
    supplier: int | None = None

    def period(self, field: str, *, is_datetime: bool) -> Q:
        """`field` within the period, both days included."""
        q = Q()
        if is_datetime:
            if self.date_from:
                q &= Q(**{f"{field}__gte": _start_of(self.date_from)})
            if self.date_to:
                q &= Q(**{f"{field}__lt": _start_of(self.date_to + datetime.timedelta(days=1))})
        else:
            if self.date_from:
                q &= Q(**{f"{field}__gte": self.date_from})
            if self.date_to:
                q &= Q(**{f"{field}__lte": self.date_to})
        return q

    def need(self, prefix: str = "") -> Q:
        """The need (at `prefix`, e.g. "match__need__") is in the subregion and the programme."""
        q = Q()
        if self.subregion:
            q &= Q(**{f"{prefix}municipality__subregion": self.subregion})
        if self.programme:
            q &= Q(**{f"{prefix}programme__code": self.programme})
        return q


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _hours_in(f: ImpactFilter):
    """The hours entries the filter counts: dated in the period, on a need of the subregion and programme."""
    q = f.period("date", is_datetime=False) & f.need("match__need__")
    if f.supplier:
        q &= Q(volunteer__organisation_id=f.supplier)
    return HoursEntry.objects.filter(q)


def _deployed() -> Q:
    """The one home of "a confirmed hour": an entry the organisation confirmed, with more than 0 hours."""
    return Q(status=HoursEntry.Status.CONFIRMED, confirmed_hours__gt=0)


def _matches_in(f: ImpactFilter):
    q = f.period("created_at", is_datetime=True) & f.need("need__")
    if f.supplier:
        q &= Q(volunteer__organisation_id=f.supplier) | Q(offer__organisation_id=f.supplier)
    return Match.objects.filter(q)


# --- Volunteers and hours ---------------------------------------------------------------------------


def volunteers_registered(f: ImpactFilter) -> dict:
    """{"registered", "active"}: volunteer profiles created in the period (of the supplier, in the volunteer's
    subregion), and how many of them are active. One query."""
    q = f.period("created_at", is_datetime=True)
    if f.subregion:
        q &= Q(municipality__subregion=f.subregion)
    if f.supplier:
        q &= Q(organisation_id=f.supplier)
    return Volunteer.objects.filter(q).aggregate(registered=Count("id"), active=Count("id", filter=active_volunteer()))


def volunteers_matched(f: ImpactFilter) -> int:
    """Distinct people in a match both sides agreed to: the match's volunteer or an offer's named people. One
    query."""
    # The union removes the people found both ways, so each counts once; it de-duplicates the agreed matches'
    # people (tens of thousands), not every volunteer profile.
    agreed = _matches_in(f).filter(status__in=Match.AGREED_STATUSES)
    own = agreed.filter(volunteer__isnull=False)
    named = MatchParticipant.objects.filter(match__in=agreed.values("pk"))
    if f.supplier:
        own = own.filter(volunteer__organisation_id=f.supplier)
        named = named.filter(volunteer__organisation_id=f.supplier)
    return own.order_by().values_list("volunteer").union(named.order_by().values_list("volunteer")).count()


def work_delivered(f: ImpactFilter) -> dict:
    """{"volunteers_deployed", "hours_logged", "hours_confirmed", "needs_supported"}: one query.

    Corporate volunteers deployed are distinct people with at least one confirmed hour; needs supported are
    distinct needs with at least one confirmed hour."""
    deployed = _deployed()
    return _hours_in(f).aggregate(
        volunteers_deployed=Count("volunteer", distinct=True, filter=deployed),
        hours_logged=Coalesce(Sum("hours"), ZERO_HOURS),
        hours_confirmed=Coalesce(Sum("confirmed_hours", filter=deployed), ZERO_HOURS),
        needs_supported=Count("match__need", distinct=True, filter=deployed),
    )


# --- Outcomes against the targets -------------------------------------------------------------------


def residents_per_programme(f: ImpactFilter) -> list[dict]:
    """Every programme with its target, and of its needs completed in the period (in the subregion):
    "reached" (residents actually helped), "planned" (residents the same needs expected to help) and
    "needs_completed". A programme outside the programme filter shows zeros. One query."""
    completed = Q(needs__status=Need.Status.COMPLETED) & f.period("needs__status_changed_at", is_datetime=True)
    if f.subregion:
        completed &= Q(needs__municipality__subregion=f.subregion)
    if f.programme:
        completed &= Q(code=f.programme)
    if f.supplier:
        supported = _hours_in(ImpactFilter(supplier=f.supplier)).filter(_deployed()).values("match__need")
        completed &= Q(needs__in=supported)
    rows = Programme.objects.annotate(
        reached=Coalesce(Sum("needs__residents_reached", filter=completed), 0),
        planned=Coalesce(Sum("needs__residents_helped", filter=completed), 0),
        needs_completed=Count("needs", filter=completed),
    ).order_by("position", "code")
    return [
        {
            "code": p.code,
            "name": p.name,
            "target": p.target,
            "target_unit": p.target_unit,
            "reached": p.reached,
            "planned": p.planned,
            "needs_completed": p.needs_completed,
        }
        for p in rows
    ]


def inclusive_employers(f: ImpactFilter) -> int:
    """Member organisations that declare themselves inclusive employers and whose declaration a coordinator
    confirmed (in the subregion of their own municipality). One query."""
    q = Q()
    if f.subregion:
        q &= Q(municipality__subregion=f.subregion)
    if f.supplier:
        q &= Q(pk=f.supplier)
    return Organisation.objects.inclusive_employers().filter(q).count()


def _placements_in(f: ImpactFilter):
    """Placements of Work needs completed in the period, in the subregion (and the programme filter)."""
    q = (
        Q(need__status=Need.Status.COMPLETED, need__programme__code=PROGRAMME_WORK)
        & f.period("need__status_changed_at", is_datetime=True)
        & f.need("need__")
    )
    if f.supplier:
        supported = _hours_in(ImpactFilter(supplier=f.supplier)).filter(_deployed()).values("match__need")
        q &= Q(need__in=supported)
    return WorkPlacement.objects.filter(q)


def people_into_work(f: ImpactFilter) -> dict:
    """{"people", "into_work", "work_study", "employers", "needs"}: the people completed Work needs placed into
    work and into a work-study (BBL) placement, how many different employers took them on, and how many needs
    placed them. One query."""
    figures = _placements_in(f).aggregate(
        placed_into_work=Coalesce(Sum("into_work"), 0),
        placed_work_study=Coalesce(Sum("work_study"), 0),
        employers=Count("employer", distinct=True),
        needs=Count("need", distinct=True),
    )
    return {
        "people": figures["placed_into_work"] + figures["placed_work_study"],
        "into_work": figures["placed_into_work"],
        "work_study": figures["placed_work_study"],
        "employers": figures["employers"],
        "needs": figures["needs"],
    }


def placements_per_employer(f: ImpactFilter) -> list[dict]:
    """Per employer: "employer__name", "employer__slug", "placed_into_work", "placed_work_study", "people", and
    whether it is a confirmed inclusive employer ("inclusive", more than 0). Most people first. One query."""
    inclusive = Organisation.objects.inclusive_employers().values("pk")
    return list(
        _placements_in(f)
        .values("employer__name", "employer__slug")
        .annotate(
            placed_into_work=Sum("into_work"),
            placed_work_study=Sum("work_study"),
            people=Sum(F("into_work") + F("work_study")),
            inclusive=Count("employer", filter=Q(employer__in=inclusive)),
        )
        .order_by("-people", "employer__name")
    )


def target_progress(*, delivered: dict, residents: list[dict], inclusive: int, into_work: int) -> list[dict]:
    """The four public targets (and inclusive employers under Work) with the value reached and the share of
    the target, from figures already read: no query."""
    by_code = {row["code"]: row for row in residents}

    def row(key, code, value):
        target = by_code[code]["target"] if code in by_code else INCLUSIVE_EMPLOYERS_TARGET
        percent = None if value is None or not target else round(100.0 * value / target, 1)
        return {"key": key, "programme": code, "value": value, "target": target, "percent": percent}

    rows = []
    if PROGRAMME_VOLUNTEERING in by_code:
        rows.append(row("volunteers_deployed", PROGRAMME_VOLUNTEERING, delivered["volunteers_deployed"]))
    if PROGRAMME_WORK in by_code:
        rows.append(row("people_into_work", PROGRAMME_WORK, into_work))
    rows.append(row("inclusive_employers", "", inclusive))
    for code in (PROGRAMME_FINANCIAL_HEALTH, PROGRAMME_DIGITAL_SKILLS):
        if code in by_code:
            rows.append(row(f"residents_{code}", code, by_code[code]["reached"]))
    return rows


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


class _Median(Aggregate):
    """PostgreSQL's median: the continuous 50th percentile."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


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


# --- Breakdowns -------------------------------------------------------------------------------------

# dimension → the columns that name a group (the first is its key)
BREAKDOWNS = {
    "municipality": ["match__need__municipality__name"],
    "subregion": ["match__need__municipality__subregion"],
    "programme": ["match__need__programme__code", "match__need__programme__name_nl", "match__need__programme__name_en"],
    "theme": ["match__need__themes__code", "match__need__themes__name_nl", "match__need__themes__name_en"],
    "organisation": ["volunteer__organisation__slug", "volunteer__organisation__name"],
    "month": ["month"],
}


def breakdown(f: ImpactFilter, by: str) -> list[dict]:
    """The confirmed work per group of `by` (a key of BREAKDOWNS): "key", "label", "hours_confirmed",
    "volunteers_deployed" (distinct people), "needs_supported" (distinct needs). Largest first, except months,
    which run in order. One query.

    A need with several themes counts in each of them; remote needs have no municipality (key None). The
    organisation is the volunteers' employer."""
    columns = BREAKDOWNS[by]
    entries = _hours_in(f).filter(_deployed())
    if by == "month":
        entries = entries.annotate(month=TruncMonth("date"))
    rows = (
        entries.values(*columns)
        .annotate(
            hours_confirmed=Sum("confirmed_hours"),
            volunteers_deployed=Count("volunteer", distinct=True),
            needs_supported=Count("match__need", distinct=True),
        )
        .order_by(*(columns[:1] if by == "month" else ["-hours_confirmed", columns[0]]))
    )
    english = _english()
    result = []
    for row in rows:
        key = row[columns[0]]
        if by == "subregion":
            label = Subregion(key).label if key else None
        elif by in ("programme", "theme"):
            label = row[columns[2]] if english else row[columns[1]]
        elif by == "organisation":
            label = row[columns[1]]
        else:
            label = key
        result.append(
            {
                "key": key.isoformat() if isinstance(key, datetime.date) else key,
                "label": label,
                "hours_confirmed": row["hours_confirmed"],
                "volunteers_deployed": row["volunteers_deployed"],
                "needs_supported": row["needs_supported"],
            }
        )
    return result


def _english() -> bool:
    return (get_language() or "nl").startswith("en")
