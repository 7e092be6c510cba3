"""The impact snapshot answers exactly what the live figures answer (PostgreSQL): the totals, every breakdown
and the median days to a first approved match, for whole-month periods and every subregion and programme filter; each person and need counts once
per group however many months they worked; the dashboard reads it in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from matching import impact, impact_snapshot
from matching.impact import ImpactFilter
from matching.models import HoursEntry
from tests.factories import coordinator
from tests.matching.impact_world import build_world, sign_in
from tests.matching.test_impact_dashboard import more_work

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

D = datetime.date
FILTERS = [
    ImpactFilter(),
    ImpactFilter(subregion="De Kempen"),
    ImpactFilter(programme="corporate-volunteering"),
    ImpactFilter(subregion="Stedelijk gebied Eindhoven", programme="digital-skills"),
    ImpactFilter(date_from=D(2026, 1, 1), date_to=D(2026, 1, 31)),
    ImpactFilter(date_from=D(2026, 2, 1), date_to=D(2026, 3, 31)),
    ImpactFilter(date_from=D(2026, 3, 1)),
    ImpactFilter(date_to=D(2026, 2, 28), subregion="Stedelijk gebied Eindhoven"),
    ImpactFilter(date_from=D(2026, 1, 1), date_to=D(2026, 12, 31), subregion="De Peel", programme="work"),
]


@pytest.fixture
def world():
    world = build_world()
    more_work(6)
    # v1 works again in May on n1: one person over January to May, but present in two months.
    HoursEntry.objects.create(
        match=world.matches[0],
        volunteer=world.volunteers[0],
        date=D(2026, 5, 2),
        hours=Decimal("1.5"),
        status="confirmed",
        confirmed_hours=Decimal("1.5"),
    )
    impact_snapshot.impact_snapshot_refresh()
    return world


def rows(result):
    return [
        (r["key"], r["label"], r["hours_confirmed"], r["volunteers_deployed"], r["needs_supported"]) for r in result
    ]


@pytest.mark.parametrize("f", FILTERS, ids=[str(n) for n in range(len(FILTERS))])
def test_the_snapshot_answers_what_the_live_figures_answer(world, f):
    snapshot = impact_snapshot.read(f, english=True)

    assert snapshot["totals"] == impact.work_delivered(f)
    assert impact_snapshot.median_days(f) == impact.median_days_to_first_approval(f)
    for by in impact.BREAKDOWNS:
        assert rows(snapshot["breakdowns"][by]) == rows(impact.breakdown(f, by)), by


def test_a_person_working_in_several_months_counts_once(world):
    january_to_may = ImpactFilter(date_from=D(2026, 1, 1), date_to=D(2026, 5, 31))

    totals = impact_snapshot.read(january_to_may, english=True)["totals"]

    # v1 (January, March, May), v2 (January), v4 (March) and the six people of more_work (May)
    assert totals["volunteers_deployed"] == 3 + 6
    months = {
        r["key"]: r["volunteers_deployed"]
        for r in impact_snapshot.read(january_to_may, english=True)["breakdowns"]["month"]
    }
    assert months == {"2026-01-01": 2, "2026-03-01": 2, "2026-05-01": 7}


def test_the_snapshot_is_only_used_for_whole_months_and_not_for_a_report(world):
    latest = impact_snapshot.latest()

    assert impact_snapshot.usable_for(ImpactFilter(date_from=D(2026, 1, 1), date_to=D(2026, 1, 31)), latest)
    assert not impact_snapshot.usable_for(ImpactFilter(date_from=D(2026, 1, 2)), latest)
    assert not impact_snapshot.usable_for(ImpactFilter(date_to=D(2026, 1, 30)), latest)
    assert not impact_snapshot.usable_for(ImpactFilter(supplier=world.asml.pk), latest)
    assert not impact_snapshot.usable_for(ImpactFilter(), None)


def test_refreshing_twice_replaces_the_snapshot(world):
    first = impact_snapshot.latest()

    second = impact_snapshot.impact_snapshot_refresh()

    assert second.cells == first.cells
    assert impact_snapshot.latest() == second


@pytest.mark.parametrize("params", [{}, {"subregion": "De Kempen", "programme": "work", "date_from": "2026-01"}])
def test_the_dashboard_reads_the_snapshot_in_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, params
):
    sign_in(client, coordinator())
    url = reverse("matching:impact-dashboard")
    # as on SQLite (23), with the six breakdowns and the totals read in one query from the snapshot (7 → 1),
    # the median from the snapshot too (1 → 1), plus the snapshot's own row: 18
    with django_assert_num_queries(18):
        response = client.get(url, params)
    assert response.context["snapshot"] is not None
    assert "as of" in response.content.decode()
    more_work(10)
    impact_snapshot.impact_snapshot_refresh()
    with django_assert_num_queries(18):
        assert client.get(url, params).status_code == 200


def test_a_need_published_just_after_midnight_counts_in_the_portals_month(world):
    from matching.models import Match, MatchEvent
    from tests.factories_needs import NeedFactory
    from tests.matching.impact_world import at

    # 00:30 on 1 February in the Netherlands is still 31 January in UTC.
    need = NeedFactory(published_at=at(2026, 2, 1, 0) + datetime.timedelta(minutes=30))
    match = Match.objects.create(need=need, volunteer=world.volunteers[2], status="approved", score=0.5)
    MatchEvent.objects.create(match=match, action="approve", side="policy", to_status="approved", at=at(2026, 2, 8))
    impact_snapshot.impact_snapshot_refresh()
    february = ImpactFilter(date_from=D(2026, 2, 1), date_to=D(2026, 2, 28))

    # n2 (10 days) and this need (7 days and 8.5 hours): the median is 8.68 days
    assert impact.median_days_to_first_approval(february) == 8.7
    assert impact_snapshot.median_days(february) == 8.7
