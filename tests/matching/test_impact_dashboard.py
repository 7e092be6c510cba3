"""The coordinators' impact dashboard: figures against the targets, filters in the address, charts with their
tables, CSV export of every table (formulas escaped) and a fixed number of queries."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from matching.impact_output import csv_cell
from matching.impact_tables import DASHBOARD_TABLES
from matching.models import HoursEntry, Match, MatchEvent, MatchFeedback
from members.models import Need
from tests.factories import OrganisationFactory, coordinator, municipality
from tests.factories_needs import NeedFactory, programme, theme
from tests.factories_volunteers import VolunteerFactory
from tests.matching.impact_world import at, build_world, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("matching:impact-dashboard")
# PostgreSQL can hold the impact snapshot, so the dashboard asks for it (one query) before reading live.
SNAPSHOT_LOOKUP = 1 if connection.vendor == "postgresql" else 0


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def signed_in(client):
    sign_in(client, coordinator())
    return client


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_dashboard_shows_the_targets_and_every_table(signed_in, world):
    response = signed_in.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Impact dashboard</h1>" in html
    for key in DASHBOARD_TABLES:
        assert f'id="table-{key}"' in html
        assert f"export={key}" in html
    targets = {row[0]: row[1] for row in response.context["tables"]["targets"].rows}
    assert targets["Corporate volunteers deployed"] == 3
    assert targets["People needing support into work"] == 6
    assert targets["Inclusive employers"] == 2
    assert targets["residents with improved financial health"] == 40
    assert '<h3 class="h6" id="target-1">Corporate volunteers deployed</h3>' in html
    assert 'max="100000"' in html


def test_each_chart_has_a_text_alternative_its_data_and_its_table_one_click_away(signed_in, world):
    html = signed_in.get(URL).content.decode()

    charts = re.findall(
        r'<canvas id="(chart-[a-z]+)" role="img" aria-label="([^"]+)" data-impact-chart="([^"]+)"', html
    )
    assert {c[0] for c in charts} == {
        "chart-funnel",
        "chart-residents",
        "chart-month",
        "chart-subregion",
        "chart-theme",
    }
    for chart_id, _label, data_id in charts:
        table = chart_id.replace("chart-", "table-")
        assert f'href="#{table}"' in html
        assert f'id="{table}"' in html
        assert f'<script id="{data_id}" type="application/json">' in html
    assert "Eindhoven urban area: 10.5 hours; De Kempen: 6 hours" in html
    data = json.loads(re.search(r'<script id="chart-month-data" type="application/json">(.*?)</script>', html).group(1))
    assert data == {
        "type": "line",
        "labels": ["2026-01", "2026-03"],
        "datasets": [{"label": "Hours confirmed", "data": [8.5, 8.0]}],
    }


def test_no_inline_script_or_style(signed_in, world):
    html = signed_in.get(URL).content.decode()

    assert " style=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or ("src=" in tag and "nonce=" in tag)
    assert "vendor/chart.js/chart.umd.min.js" in html


def test_the_filters_are_in_the_address(signed_in, world):
    response = signed_in.get(URL, {"subregion": "De Kempen", "programme": "financial-health"})

    figures = {row[0]: row[1] for row in response.context["tables"]["figures"].rows}
    assert figures["Corporate volunteers deployed"] == 1
    assert figures["Hours confirmed"] == Decimal("6")
    assert figures["Median days to a first approved match"] == 10.0
    assert "subregion=De+Kempen&amp;programme=financial-health&amp;export=funnel" in response.content.decode()


def test_a_period_that_ends_before_it_starts_is_refused_and_filters_nothing(signed_in, world):
    response = signed_in.get(URL, {"date_from": "2026-03-01", "date_to": "2026-01-01"})

    assert response.status_code == 200
    assert "The end of the period comes before its start." in response.content.decode()
    figures = {row[0]: row[1] for row in response.context["tables"]["figures"].rows}
    assert figures["Corporate volunteers deployed"] == 3


def test_a_table_exports_as_csv_with_the_filters(signed_in, world):
    response = signed_in.get(URL, {"date_from": "2026-01-01", "date_to": "2026-01-31", "export": "organisation"})

    assert response["Content-Disposition"] == 'attachment; filename="impact-organisation.csv"'
    assert csv_rows(response) == [
        ["Organisation", "Hours confirmed", "Volunteers deployed", "Needs supported"],
        ["ASML", "8.5", "2", "1"],
    ]


def test_every_table_exports(signed_in, world):
    for key in DASHBOARD_TABLES:
        rows = csv_rows(signed_in.get(URL, {"export": key}))
        assert len(rows) >= 2, key


def test_an_unknown_table_answers_404(signed_in, world):
    assert signed_in.get(URL, {"export": "secrets"}).status_code == 404


def test_cells_a_spreadsheet_would_run_are_escaped(signed_in, world):
    world.needs[3].title = '=HYPERLINK("http://evil.example","klik")'
    world.needs[3].save()

    rows = csv_rows(signed_in.get(URL, {"export": "waiting"}))

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","klik")'
    assert [csv_cell(v) for v in ("+31", "-1", "@SUM(A1)", "\tx", "plain", None, Decimal("2.50"), -3)] == [
        "'+31",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "",
        "2.5",
        "'-3",
    ]


def more_work(extra, company=None):
    """`extra` more needs, volunteers (of `company`, or each of a new one), matches, hours and feedback across
    the region."""
    places = ["Helmond", "Veldhoven", "Bergeijk", "Valkenswaard"]
    codes = ["work", "digital-skills", "financial-health", "corporate-volunteering"]
    for n in range(extra):
        employer = company or OrganisationFactory(is_inclusive_employer=n % 2 == 0)
        need = NeedFactory(
            municipality=municipality(places[n % 4]),
            programme=programme(codes[n % 4]),
            status=Need.Status.COMPLETED if n % 3 == 0 else Need.Status.OPEN,
            residents_helped=n,
            residents_reached=n if n % 3 == 0 else None,
            status_changed_at=at(2026, 5, 1),
            published_at=at(2026, 4, 1 + n),
            themes=[theme("youth"), theme("elderly")],
        )
        volunteer = VolunteerFactory(organisation=employer, municipality=municipality(places[n % 4]))
        match = Match.objects.create(need=need, volunteer=volunteer, status="completed", score=0.5)
        MatchEvent.objects.create(match=match, action="approve", side="policy", to_status="approved", at=at(2026, 5, 2))
        HoursEntry.objects.create(
            match=match,
            volunteer=volunteer,
            date=datetime.date(2026, 5, 3),
            hours=3,
            status="confirmed",
            confirmed_hours=3,
        )
        MatchFeedback.objects.create(match=match, side="need", helped=True, rating=4)


@pytest.mark.parametrize("params", [{}, {"subregion": "De Kempen", "programme": "work", "date_from": "2026-01-01"}])
def test_the_query_count_does_not_grow_with_the_data(client, world, django_assert_num_queries, params):
    sign_in(client, coordinator())
    # session, user, coordinators' group; the navigation's memberships and unread count; the programmes of
    # the filter; then one query per figure: registered, matched, delivered, residents, inclusive, people into
    # work, placements per employer, funnel, median, waiting, feedback and the six breakdowns (read live: SQLite
    # holds no snapshot; PostgreSQL asks for one first; test_impact_snapshot pins the count with one).
    with django_assert_num_queries(23 + SNAPSHOT_LOOKUP):
        assert client.get(URL, params).status_code == 200
    more_work(12)
    with django_assert_num_queries(23 + SNAPSHOT_LOOKUP):
        assert client.get(URL, params).status_code == 200


def test_an_export_reads_only_its_table(client, world, django_assert_num_queries):
    sign_in(client, coordinator())
    # session, user, coordinators' group, the programmes, (on PostgreSQL the snapshot,) the breakdown
    with django_assert_num_queries(5 + SNAPSHOT_LOOKUP):
        client.get(URL, {"export": "month"})


def test_a_long_table_shows_its_first_rows_and_the_csv_has_all(signed_in, world, monkeypatch):
    monkeypatch.setattr("matching.impact_tables.PAGE_ROWS", 1)

    response = signed_in.get(URL)

    assert [t.visible_rows for t in response.context["breakdowns"] if t.key == "organisation"][0] == [
        ["ASML", Decimal("10.5"), 2, 2]
    ]
    assert "Showing the first 1 rows; 1 more row is in the CSV download." in response.content.decode()
    assert len(csv_rows(signed_in.get(URL, {"export": "organisation"}))) == 3
