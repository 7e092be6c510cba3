"""The public impact figures (the page /matching/impact/ and the home page): the headline figures against the
four targets, the work per subregion, and the organisations that may be named.

No personal data, and no organisation named unless it agreed (`Organisation.may_be_named_publicly`). The result
is plain data (numbers, codes, names of consenting organisations), so it can be cached and labelled in either
language afterwards. Every figure is one aggregate query; the confirmed work comes from the impact snapshot
where there is one.
"""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from members.models import Need, Organisation, Programme, WorkPlacement
from members.models.reference import Subregion

from . import impact
from .impact_tables import Figures

TOP_CONTRIBUTORS = 10


def residents_per_subregion() -> dict[str, int]:
    """Residents actually helped by completed needs, per subregion of the need. One query."""
    rows = (
        Need.objects.filter(status=Need.Status.COMPLETED, municipality__isnull=False)
        .values("municipality__subregion")
        .annotate(reached=Coalesce(Sum("residents_reached"), 0))
    )
    return {row["municipality__subregion"]: row["reached"] for row in rows}


def into_work_per_subregion() -> dict[str, int]:
    """People placed into work or a work-study placement by completed Work needs, per subregion. One query."""
    rows = (
        WorkPlacement.objects.filter(
            need__status=Need.Status.COMPLETED,
            need__programme__code=impact.PROGRAMME_WORK,
            need__municipality__isnull=False,
        )
        .values("need__municipality__subregion")
        .annotate(people=Sum(F("into_work") + F("work_study")))
    )
    return {row["need__municipality__subregion"]: row["people"] for row in rows}


def inclusive_per_subregion() -> dict[str, int]:
    """Confirmed inclusive employers per subregion of their municipality. One query."""
    rows = Organisation.objects.inclusive_employers().values("municipality__subregion").annotate(count=Count("id"))
    return {row["municipality__subregion"]: row["count"] for row in rows}


def named_inclusive_employers() -> list[dict]:
    """Confirmed inclusive employers that agreed to be named: name, slug and subregion. One query."""
    return list(
        Organisation.objects.inclusive_employers()
        .filter(may_be_named_publicly=True)
        .order_by("name", "pk")
        .values("name", "slug", subregion=F("municipality__subregion"))
    )


def top_contributors(*, limit: int = TOP_CONTRIBUTORS) -> list[dict]:
    """The member organisations whose people have the most confirmed hours, among those that agreed to be
    named: name, slug, hours and people. One query."""
    from .models import HoursEntry

    deployed = Q(status=HoursEntry.Status.CONFIRMED, confirmed_hours__gt=0)
    return list(
        HoursEntry.objects.filter(
            deployed,
            volunteer__organisation__may_be_named_publicly=True,
            volunteer__organisation__status=Organisation.Status.ACTIVE,
        )
        .values(name=F("volunteer__organisation__name"), slug=F("volunteer__organisation__slug"))
        .annotate(hours=Sum("confirmed_hours"), people=Count("volunteer", distinct=True))
        .order_by("-hours", "name")[:limit]
    )


def public_figures() -> dict:
    """The headline figures for everyone, to be cached: the targets, the confirmed work, each subregion's
    figures, and the organisations that agreed to be named. A fixed number of queries (see the test)."""
    figs = Figures(impact.ImpactFilter(), snapshot=True)
    work = {row["key"]: row for row in figs.breakdown("subregion") if row["key"]}
    residents = residents_per_subregion()
    into_work = into_work_per_subregion()
    inclusive = inclusive_per_subregion()
    named = named_inclusive_employers()
    return {
        "targets": figs.targets,
        "units": {p.code: {"nl": p.target_unit_nl, "en": p.target_unit_en} for p in Programme.objects.all()},
        "hours_confirmed": figs.delivered["hours_confirmed"],
        "needs_supported": figs.delivered["needs_supported"],
        "volunteers_deployed": figs.delivered["volunteers_deployed"],
        "subregions": [
            {
                "code": code,
                "hours": work.get(code, {}).get("hours_confirmed", 0),
                "volunteers": work.get(code, {}).get("volunteers_deployed", 0),
                "needs": work.get(code, {}).get("needs_supported", 0),
                "residents": residents.get(code, 0),
                "into_work": into_work.get(code, 0),
                "inclusive": inclusive.get(code, 0),
                "named_employers": [row for row in named if row["subregion"] == code],
            }
            for code in Subregion.values
        ],
        "top_contributors": top_contributors(),
    }


def public_target_rows(figures: dict, *, english: bool) -> list[dict]:
    """The cached targets with a label in the active language: no query."""
    labels = {
        "volunteers_deployed": _("Corporate volunteers deployed"),
        "people_into_work": _("People needing support into work"),
        "inclusive_employers": _("Inclusive employers"),
    }
    language = "en" if english else "nl"
    return [
        {**row, "label": labels.get(row["key"]) or figures["units"].get(row["programme"], {}).get(language, "")}
        for row in figures["targets"]
    ]
