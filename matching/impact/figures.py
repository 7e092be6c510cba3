"""Volunteers, hours and the outcomes against the targets (see `matching.impact` for the definitions)."""

from django.db.models import (
    Count,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce

from members.models import Need, Organisation, Programme, Volunteer, WorkPlacement
from members.models.volunteers import active_volunteer
from members.reference_data import INCLUSIVE_EMPLOYERS_TARGET

from ..models import Match, MatchParticipant
from .base import (
    PROGRAMME_DIGITAL_SKILLS,
    PROGRAMME_FINANCIAL_HEALTH,
    PROGRAMME_VOLUNTEERING,
    PROGRAMME_WORK,
    ZERO_HOURS,
    ImpactFilter,
    _deployed,
    _hours_in,
    _matches_in,
)

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
