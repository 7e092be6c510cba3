"""The impact snapshot: the confirmed work, pre-aggregated so the coordinators' dashboard reads every breakdown
in one small query instead of de-duplicating some 150,000 hour entries per breakdown.

Distinct people cannot be added up: someone who worked in March and in April is one person in the first
quarter, not two. So the snapshot keeps, per filter scope (subregion, programme, each also "all"), per group
of each breakdown and per month, *how many people started a run of months there*, keyed by the month they
last worked before (`ImpactCell.previous`). For a period of whole months [first, last], a person with work in
the period has exactly one month in it whose previous month lies before `first` (or who has none): their first
month in the period. Summing those cells counts each person once per group; the same holds for needs. Hours
simply add up. The figures are exactly those of `matching.impact` (pinned by
`tests/matching/test_impact_snapshot.py`, which compares both on PostgreSQL) as of the last refresh.

The snapshot is rebuilt as a whole, in one transaction (readers see the old one until it commits), by
`impact_snapshot_refresh`: a periodic task (`IMPACT_SNAPSHOT_MINUTES`), the `impact_refresh` command and the
seeds call it. The dashboard says how old it is. Periods that are not whole months, a company's report and
databases other than PostgreSQL read the live figures instead.
"""

import calendar
import datetime
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from members.models.reference import Subregion

from .models import ImpactCell, ImpactSnapshot

ALL = ""
# The scope of remote needs, which belong to no subregion: never a filter's value, and apart from "all".
NO_SUBREGION = "-"
# The kinds of cells: people and needs (counted by their previous month), hours logged, and per need the
# seconds from publishing to its first approved match.
PEOPLE, NEEDS, LOGGED, MEDIAN = "p", "n", "l", "d"
# The breakdowns the snapshot holds, and the total ("total").
DIMENSIONS = ("municipality", "subregion", "programme", "theme", "organisation", "month")

# The heavy part of the rebuild (a few million rows grouped, sorted and windowed) works on numbers only: scopes,
# dimensions and keys are ids, mapped to their codes and labels once at the end. Subregions are numbered here
# (1 and up; 0 means "all", -1 "no subregion", a remote need).
SUBREGION_NUMBERS = {code: number for number, code in enumerate(Subregion.values, start=1)}
DIMENSION_NUMBERS = {"total": 1, **{by: n for n, by in enumerate(DIMENSIONS, start=2)}, "median": 9}


def _case(expression: str, mapping: dict, default: str) -> str:
    """A CASE expression over constants of our own code (no user input)."""

    def literal(value):
        return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"

    whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in mapping.items())
    return f"CASE {expression} {whens} ELSE {default} END"


D = DIMENSION_NUMBERS
REBUILD_SQL = f"""
INSERT INTO matching_impactcell
    (scope_subregion, scope_programme, dimension, key, label_nl, label_en, kind, month, previous, count, hours)
WITH src AS (
    SELECT h.volunteer_id, m.need_id, CAST(date_trunc('month', h.date) AS date) AS month,
           v.organisation_id AS employer_id, COALESCE(n.municipality_id, 0) AS municipality_id, n.programme_id,
           {_case("mu.subregion", SUBREGION_NUMBERS, "-1")} AS subregion,
           SUM(h.confirmed_hours) FILTER (WHERE h.status = 'confirmed' AND h.confirmed_hours > 0) AS confirmed,
           SUM(h.hours) AS logged
    FROM matching_hoursentry h
    JOIN matching_match m ON m.id = h.match_id
    JOIN members_need n ON n.id = m.need_id
    LEFT JOIN members_municipality mu ON mu.id = n.municipality_id
    JOIN members_volunteer v ON v.id = h.volunteer_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7
), scoped AS (
    SELECT src.*, sc.scope_s, sc.scope_p FROM src
    CROSS JOIN LATERAL (VALUES (subregion, programme_id), (0, programme_id), (subregion, 0), (0, 0)) AS sc(scope_s, scope_p)
), groups AS (
    SELECT s.scope_s, s.scope_p, d.dim, d.key, s.volunteer_id, s.need_id, s.month, s.confirmed
    FROM scoped s
    CROSS JOIN LATERAL (VALUES
        ({D["total"]}, CAST(0 AS bigint)),
        ({D["municipality"]}, s.municipality_id),
        ({D["subregion"]}, GREATEST(s.subregion, 0)),
        ({D["programme"]}, s.programme_id),
        ({D["organisation"]}, s.employer_id),
        ({D["month"]}, s.month - DATE '1970-01-01')
    ) AS d(dim, key)
    WHERE s.confirmed IS NOT NULL
    UNION ALL
    SELECT s.scope_s, s.scope_p, {D["theme"]}, nt.theme_id, s.volunteer_id, s.need_id, s.month, s.confirmed
    FROM scoped s
    JOIN members_need_themes nt ON nt.need_id = s.need_id
    WHERE s.confirmed IS NOT NULL
), people AS (
    SELECT scope_s, scope_p, dim, key, volunteer_id AS id, month, SUM(confirmed) AS hours
    FROM groups GROUP BY 1, 2, 3, 4, 5, 6
), needs AS (
    SELECT scope_s, scope_p, dim, key, need_id AS id, month FROM groups GROUP BY 1, 2, 3, 4, 5, 6
), runs AS (
    SELECT scope_s, scope_p, dim, key, 'p' AS kind, month,
           LAG(month) OVER (PARTITION BY scope_s, scope_p, dim, key, id ORDER BY month) AS previous, hours
    FROM people
    UNION ALL
    SELECT scope_s, scope_p, dim, key, 'n', month,
           LAG(month) OVER (PARTITION BY scope_s, scope_p, dim, key, id ORDER BY month), 0
    FROM needs
), waits AS (
    SELECT n.id, n.programme_id, {_case("mu.subregion", SUBREGION_NUMBERS, "-1")} AS subregion,
           CAST(date_trunc('month', n.published_at AT TIME ZONE %(time_zone)s) AS date) AS month,
           EXTRACT(EPOCH FROM MIN(e.at) - n.published_at) AS seconds
    FROM members_need n
    LEFT JOIN members_municipality mu ON mu.id = n.municipality_id
    JOIN matching_match m ON m.need_id = n.id
    JOIN matching_matchevent e ON e.match_id = m.id AND e.to_status = 'approved'
    WHERE n.published_at IS NOT NULL
    GROUP BY n.id, n.programme_id, mu.subregion, n.published_at
), cells AS (
    SELECT scope_s, scope_p, dim, key, kind, month, previous, COUNT(*) AS n, SUM(hours) AS hours
    FROM runs GROUP BY 1, 2, 3, 4, 5, 6, 7
    UNION ALL
    SELECT scope_s, scope_p, {D["total"]}, 0, 'l', month, NULL, 0, SUM(logged) FROM scoped GROUP BY 1, 2, 6
    UNION ALL
    SELECT sc.scope_s, sc.scope_p, {D["median"]}, 0, 'd', w.month, NULL, 1, w.seconds
    FROM waits w
    CROSS JOIN LATERAL (VALUES (w.subregion, w.programme_id), (0, w.programme_id), (w.subregion, 0), (0, 0))
        AS sc(scope_s, scope_p)
)
SELECT {_case("c.scope_s", {0: "", -1: NO_SUBREGION, **{n: code for code, n in SUBREGION_NUMBERS.items()}}, "''")},
       COALESCE(sp.code, ''),
       {_case("c.dim", {n: name for name, n in D.items()}, "''")},
       CASE c.dim
           WHEN {D["municipality"]} THEN COALESCE(mu.name, '')
           WHEN {D["subregion"]} THEN {_case("c.key", {n: code for code, n in SUBREGION_NUMBERS.items()}, "''")}
           WHEN {D["programme"]} THEN p.code
           WHEN {D["organisation"]} THEN o.slug
           WHEN {D["month"]} THEN CAST(DATE '1970-01-01' + CAST(c.key AS integer) AS text)
           WHEN {D["theme"]} THEN t.code
           ELSE ''
       END,
       COALESCE(mu.name, p.name_nl, o.name, t.name_nl, ''),
       COALESCE(mu.name, p.name_en, o.name, t.name_en, ''),
       c.kind, c.month, c.previous, c.n, c.hours
FROM cells c
LEFT JOIN members_programme sp ON sp.id = c.scope_p
LEFT JOIN members_municipality mu ON c.dim = {D["municipality"]} AND mu.id = c.key
LEFT JOIN members_programme p ON c.dim = {D["programme"]} AND p.id = c.key
LEFT JOIN members_organisation o ON c.dim = {D["organisation"]} AND o.id = c.key
LEFT JOIN members_theme t ON c.dim = {D["theme"]} AND t.id = c.key
"""


def supported() -> bool:
    return connection.vendor == "postgresql"


@transaction.atomic
def impact_snapshot_refresh() -> ImpactSnapshot | None:
    """Rebuild the whole snapshot from the hour entries, in one transaction: readers see the previous snapshot
    until this one commits. Aggregated entirely in the database. Safe to repeat (each run replaces the last);
    on databases other than PostgreSQL it does nothing (the dashboard reads the live figures there)."""
    if not supported():
        return None
    started = time.monotonic()
    now = timezone.now()
    with connection.cursor() as cursor:
        # The rebuild sorts a few million intermediate rows (for the runs of months): in memory, not on disk.
        cursor.execute(f"SET LOCAL work_mem = '{int(settings.IMPACT_SNAPSHOT_WORK_MEM_MB)}MB'")
        # The previous snapshot goes in the same transaction; nobody waits for the lock (readers use MVCC).
        cursor.execute("DELETE FROM matching_impactcell")
        cursor.execute(REBUILD_SQL, {"time_zone": settings.TIME_ZONE})
        cells = cursor.rowcount
        cursor.execute("ANALYZE matching_impactcell")
    ImpactSnapshot.objects.all().delete()
    return ImpactSnapshot.objects.create(
        refreshed_at=now, duration_ms=int((time.monotonic() - started) * 1000), cells=max(cells, 0)
    )


def _whole_months(f) -> bool:
    starts_a_month = f.date_from is None or f.date_from.day == 1
    ends_a_month = f.date_to is None or f.date_to.day == calendar.monthrange(f.date_to.year, f.date_to.month)[1]
    return starts_a_month and ends_a_month


def usable_for(f, snapshot: ImpactSnapshot | None) -> bool:
    """Whether the snapshot answers for filter `f`: there is one, the period is whole months, and no company's
    report (those read the live figures)."""
    return snapshot is not None and f.supplier is None and _whole_months(f)


def latest() -> ImpactSnapshot | None:
    """The current snapshot (one query), or None where there is none or the database cannot hold one."""
    if not supported():
        return None
    return ImpactSnapshot.objects.order_by("-refreshed_at", "-id").first()


def read(f, *, english: bool) -> dict:
    """Every breakdown and the totals of filter `f`, from the snapshot, in one query. Answers like
    `matching.impact.work_delivered` ("totals") and `matching.impact.breakdown` (per dimension)."""
    first = f.date_from.replace(day=1) if f.date_from else None
    cells = _cells(f).filter(kind__in=[PEOPLE, NEEDS, LOGGED])
    # A person (or need) counts in the cell of their first month in the period.
    starts = Q(previous__isnull=True) | Q(previous__lt=first) if first else Q(previous__isnull=True)
    rows = cells.values("dimension", "key").annotate(
        label_nl=Max("label_nl"),
        label_en=Max("label_en"),
        people=Sum("count", filter=Q(kind=PEOPLE) & starts, default=0),
        needs=Sum("count", filter=Q(kind=NEEDS) & starts, default=0),
        confirmed=Sum("hours", filter=Q(kind=PEOPLE), default=0),
        logged=Sum("hours", filter=Q(kind=LOGGED), default=0),
    )
    totals = {"volunteers_deployed": 0, "hours_logged": 0, "hours_confirmed": 0, "needs_supported": 0}
    groups = {by: [] for by in DIMENSIONS}
    for row in rows:
        if row["dimension"] == "total":
            totals = {
                "volunteers_deployed": row["people"],
                "hours_logged": row["logged"],
                "hours_confirmed": row["confirmed"],
                "needs_supported": row["needs"],
            }
            continue
        groups[row["dimension"]].append(_group(row, english=english))
    for by, result in groups.items():
        if by == "month":
            result.sort(key=lambda r: r["key"])
        else:
            result.sort(key=lambda r: (-r["hours_confirmed"], r["key"] is None, r["key"] or ""))
    return {"totals": totals, "breakdowns": groups}


def _cells(f):
    """The cells of the filter's scope, in its whole months."""
    cells = ImpactCell.objects.filter(scope_subregion=f.subregion or ALL, scope_programme=f.programme or ALL)
    if f.date_from:
        cells = cells.filter(month__gte=f.date_from.replace(day=1))
    if f.date_to:
        cells = cells.filter(month__lte=f.date_to.replace(day=1))
    return cells


def median_days(f) -> float | None:
    """As `matching.impact.median_days_to_first_approval`, from the snapshot: one cell per need published in the
    month (in the portal's time zone), holding the seconds from publishing to its first approval. One query."""
    from .impact import _Median

    median = _cells(f).filter(kind=MEDIAN).aggregate(median=_Median("hours"))["median"]
    return None if median is None else round(median / 86400.0, 1)


def _group(row, *, english: bool) -> dict:
    by, key = row["dimension"], row["key"]
    if by == "subregion":
        label = Subregion(key).label if key else None
    elif by == "municipality":
        label = key or None
    elif by == "month":
        label = datetime.date.fromisoformat(key)
    else:
        label = row["label_en"] if english else row["label_nl"]
    return {
        "key": key or None,
        "label": label,
        "hours_confirmed": row["confirmed"],
        "volunteers_deployed": row["people"],
        "needs_supported": row["needs"],
    }
