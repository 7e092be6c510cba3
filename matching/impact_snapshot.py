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
# The kind of the cells that hold, per need, the seconds from publishing to the first approved match.
MEDIAN = "d"
# The breakdowns the snapshot holds, and the total ("total").
DIMENSIONS = ("municipality", "subregion", "programme", "theme", "organisation", "month")

REBUILD_SQL = """
INSERT INTO matching_impactcell
    (scope_subregion, scope_programme, dimension, key, label_nl, label_en, kind, month, previous, count, hours)
WITH src AS (
    SELECT h.volunteer_id, m.need_id, CAST(date_trunc('month', h.date) AS date) AS month,
           v.organisation_id AS employer_id, n.municipality_id, COALESCE(mu.subregion, '-') AS subregion,
           p.code AS programme, COALESCE(mu.name, '') AS municipality,
           SUM(h.confirmed_hours) FILTER (WHERE h.status = 'confirmed' AND h.confirmed_hours > 0) AS confirmed,
           SUM(h.hours) AS logged
    FROM matching_hoursentry h
    JOIN matching_match m ON m.id = h.match_id
    JOIN members_need n ON n.id = m.need_id
    JOIN members_programme p ON p.id = n.programme_id
    LEFT JOIN members_municipality mu ON mu.id = n.municipality_id
    JOIN members_volunteer v ON v.id = h.volunteer_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
), scoped AS (
    SELECT src.*, sc.scope_s, sc.scope_p FROM src
    CROSS JOIN LATERAL (VALUES (subregion, programme), ('', programme), (subregion, ''), ('', '')) AS sc(scope_s, scope_p)
), groups AS (
    SELECT s.scope_s, s.scope_p, d.dim, d.key, d.label_nl, d.label_en, s.volunteer_id, s.need_id, s.month, s.confirmed
    FROM scoped s
    JOIN members_programme p ON p.code = s.programme
    JOIN members_organisation o ON o.id = s.employer_id
    CROSS JOIN LATERAL (VALUES
        ('total', '', '', ''),
        ('municipality', s.municipality, s.municipality, s.municipality),
        ('subregion', CASE WHEN s.subregion = '-' THEN '' ELSE s.subregion END, '', ''),
        ('programme', p.code, p.name_nl, p.name_en),
        ('organisation', o.slug, o.name, o.name),
        ('month', CAST(s.month AS text), '', '')
    ) AS d(dim, key, label_nl, label_en)
    WHERE s.confirmed IS NOT NULL
    UNION ALL
    SELECT s.scope_s, s.scope_p, 'theme', t.code, t.name_nl, t.name_en, s.volunteer_id, s.need_id, s.month, s.confirmed
    FROM scoped s
    JOIN members_need_themes nt ON nt.need_id = s.need_id
    JOIN members_theme t ON t.id = nt.theme_id
    WHERE s.confirmed IS NOT NULL
), people AS (
    SELECT scope_s, scope_p, dim, key, label_nl, label_en, volunteer_id AS id, month, SUM(confirmed) AS hours
    FROM groups GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
), needs AS (
    SELECT scope_s, scope_p, dim, key, label_nl, label_en, need_id AS id, month
    FROM groups GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
), runs AS (
    SELECT scope_s, scope_p, dim, key, label_nl, label_en, 'p' AS kind, month,
           LAG(month) OVER (PARTITION BY scope_s, scope_p, dim, key, id ORDER BY month) AS previous, hours
    FROM people
    UNION ALL
    SELECT scope_s, scope_p, dim, key, label_nl, label_en, 'n', month,
           LAG(month) OVER (PARTITION BY scope_s, scope_p, dim, key, id ORDER BY month), 0
    FROM needs
)
SELECT scope_s, scope_p, dim, key, MAX(label_nl), MAX(label_en), kind, month, previous, COUNT(*), SUM(hours)
FROM runs GROUP BY scope_s, scope_p, dim, key, kind, month, previous
UNION ALL
SELECT scope_s, scope_p, 'total', '', '', '', 'l', month, NULL, 0, SUM(logged)
FROM scoped GROUP BY scope_s, scope_p, month
UNION ALL
SELECT sc.scope_s, sc.scope_p, 'median', '', '', '', 'd', f.month, NULL, 1, f.seconds
FROM (
    SELECT n.id, COALESCE(mu.subregion, '-') AS subregion, p.code AS programme,
           CAST(date_trunc('month', n.published_at AT TIME ZONE %(time_zone)s) AS date) AS month,
           EXTRACT(EPOCH FROM MIN(e.at) - n.published_at) AS seconds
    FROM members_need n
    JOIN members_programme p ON p.id = n.programme_id
    LEFT JOIN members_municipality mu ON mu.id = n.municipality_id
    JOIN matching_match m ON m.need_id = n.id
    JOIN matching_matchevent e ON e.match_id = m.id AND e.to_status = 'approved'
    WHERE n.published_at IS NOT NULL
    GROUP BY n.id, mu.subregion, p.code, n.published_at
) AS f
CROSS JOIN LATERAL (VALUES (f.subregion, f.programme), ('', f.programme), (f.subregion, ''), ('', '')) AS sc(scope_s, scope_p)
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
    cells = _cells(f).exclude(kind=MEDIAN)
    # A person (or need) counts in the cell of their first month in the period.
    starts = Q(previous__isnull=True) | Q(previous__lt=first) if first else Q(previous__isnull=True)
    rows = cells.values("dimension", "key").annotate(
        label_nl=Max("label_nl"),
        label_en=Max("label_en"),
        people=Sum("count", filter=Q(kind="p") & starts, default=0),
        needs=Sum("count", filter=Q(kind="n") & starts, default=0),
        confirmed=Sum("hours", filter=Q(kind="p"), default=0),
        logged=Sum("hours", filter=Q(kind="l"), default=0),
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
