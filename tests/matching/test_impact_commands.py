"""The impact seeding and benchmark commands: every match state, the totals reached, nothing added twice, and
the benchmark's JSON last line."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from matching.models import HoursEntry, Match, MatchEvent, MatchFeedback
from members.models import Need
from tests.factories import coordinator
from tests.factories_needs import NeedFactory
from tests.factories_volunteers import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    for _n in range(30):
        NeedFactory(residents_helped=20)
    for _n in range(30):
        VolunteerFactory()


def test_seeding_reaches_the_totals_with_matches_in_every_state(region):
    call_command("seed_impact", matches=400, hours=1000, stdout=StringIO())

    assert Match.objects.count() == 400
    assert set(Match.objects.values_list("status", flat=True)) == set(Match.Status.values)
    assert HoursEntry.objects.count() == 1000
    assert HoursEntry.objects.filter(status="confirmed").exists()
    assert not HoursEntry.objects.exclude(match__status__in=Match.AGREED_STATUSES).exists()
    approved_on_the_way = Match.objects.exclude(status__in=["proposed", "rejected", "withdrawn"])
    assert MatchEvent.objects.filter(to_status="approved").count() == approved_on_the_way.count()
    completed = Need.objects.filter(status=Need.Status.COMPLETED)
    assert completed.exists() and not completed.filter(residents_reached__isnull=True).exists()
    assert MatchFeedback.objects.exists()


def test_seeding_records_outcomes_of_completed_work_needs_and_confirms_inclusive_employers(region):
    from members.models import Organisation, WorkPlacement
    from tests.factories import OrganisationFactory
    from tests.factories_needs import programme

    for _n in range(10):
        NeedFactory(programme=programme("work"), residents_helped=5)
        OrganisationFactory(is_inclusive_employer=True, inclusive_confirmed_at=None)

    call_command("seed_impact", matches=400, hours=600, stdout=StringIO())

    placements = WorkPlacement.objects.all()
    assert placements.exists()
    assert not placements.exclude(need__status=Need.Status.COMPLETED).exists()
    assert not placements.exclude(need__programme__code="work").exists()
    assert Organisation.objects.inclusive_employers().exists()
    assert Organisation.objects.inclusive_waiting().exists()  # three in ten wait
    assert Organisation.objects.filter(may_be_named_publicly=True).exists()


def test_seeding_twice_adds_nothing(region):
    call_command("seed_impact", matches=200, hours=500, stdout=StringIO())
    counts = [m.objects.count() for m in (Match, MatchEvent, HoursEntry, MatchFeedback)]

    call_command("seed_impact", matches=200, hours=500, stdout=StringIO())

    assert [m.objects.count() for m in (Match, MatchEvent, HoursEntry, MatchFeedback)] == counts


def test_the_benchmark_prints_its_figures_as_a_json_last_line(region):
    coordinator()
    call_command("seed_impact", matches=100, hours=200, stdout=StringIO())
    out = StringIO()

    call_command("bench_impact", runs=1, stdout=out)

    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["hour_entries"] == 200
    assert figures["public_hit"]["queries"] == 0
    # On PostgreSQL the seed rebuilt the snapshot, which answers the totals and breakdowns in one query.
    page, export = (18, 6) if connection.vendor == "postgresql" else (23, 5)
    assert {name: run["queries"] for name, run in figures["dashboard"].items()} == {
        "none": page,
        "de-kempen": page,
        "de-kempen-work": page,
        "year": page,
        "quarter-de-kempen-work": page,
        "export-month": export,
    }
    assert len(figures["load_average"]) == 3


def test_the_snapshot_is_rebuilt_periodically_and_on_demand(settings):
    from matching import tasks
    from matching.models import ImpactSnapshot

    schedule = settings.CELERY_BEAT_SCHEDULE["impact-snapshot"]
    assert schedule["task"] == "matching.tasks.impact_snapshot_refresh"
    assert schedule["schedule"] == settings.IMPACT_SNAPSHOT_MINUTES * 60
    out = StringIO()
    call_command("impact_refresh", stdout=out)
    if connection.vendor == "postgresql":
        assert "Impact snapshot rebuilt" in out.getvalue()
        first = ImpactSnapshot.objects.get()
        tasks.impact_snapshot_refresh()
        assert ImpactSnapshot.objects.get().pk != first.pk  # replaced, not added
    else:
        assert "reads the live figures" in out.getvalue()
        assert tasks.impact_snapshot_refresh() == 0
        assert not ImpactSnapshot.objects.exists()
