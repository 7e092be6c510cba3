"""The confirmed work per municipality, subregion, programme, theme, employer and month."""

import datetime

from django.db.models import (
    Count,
    Sum,
)
from django.db.models.functions import TruncMonth

from members.models.reference import Subregion

from .base import ImpactFilter, _deployed, _english, _hours_in

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
