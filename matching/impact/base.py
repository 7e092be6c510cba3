"""What every impact figure shares: the filter, the programmes' codes, the hours and matches a filter counts,
"a confirmed hour", and PostgreSQL's median."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Aggregate,
    DecimalField,
    FloatField,
    Q,
    Value,
)
from django.utils import timezone
from django.utils.translation import get_language

from ..models import HoursEntry, Match

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


class _Median(Aggregate):
    """PostgreSQL's median: the continuous 50th percentile."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _english() -> bool:
    return (get_language() or "nl").startswith("en")
