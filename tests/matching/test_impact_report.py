"""An organisation's volunteering report: its own people's work for a period, as a printable page and as CSV."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import coordinator
from tests.matching.impact_world import admin_of, build_world, sign_in
from tests.matching.test_impact_dashboard import more_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def url(world):
    return reverse("matching:organisation-report", args=[world.asml.slug])


def tables(response):
    return {t.key: t for t in response.context["tables"]}


def test_the_admin_sees_their_peoples_work(client, world):
    sign_in(client, admin_of(world.asml))

    response = client.get(url(world))

    assert response.status_code == 200
    summary = {row[0]: row[1] for row in tables(response)["summary"].rows}
    assert summary == {
        "Hours logged": Decimal("16"),
        "Hours confirmed": Decimal("10.5"),
        "People deployed": 2,
        "Needs supported": 2,
        "Feedback: it really helped (%)": 0.0,
        "Feedback answers": 1,
        "Average rating": 2.0,
    }
    t = tables(response)
    assert [row[0] for row in t["programme"].rows] == ["Corporate volunteering", "(Digital) skills"]
    assert [row[0] for row in t["theme"].rows] == ["Care and wellbeing", "Language", "Digital inclusion"]
    assert [row[0] for row in t["municipality"].rows] == ["Eindhoven"]
    residents = {row[0]: (row[1], row[2]) for row in t["residents"].rows}
    assert residents["(Digital) skills"] == (20, 25)
    assert residents["Financial health"] == (0, 0)  # Philips' work, not ASML's


def test_the_report_names_no_people(client, world):
    sign_in(client, admin_of(world.asml))

    html = client.get(url(world)).content.decode()

    for volunteer in world.volunteers:
        assert volunteer.user.full_name not in html


def test_a_period(client, world):
    sign_in(client, coordinator())

    response = client.get(url(world), {"date_from": "2026-03-01", "date_to": "2026-03-31"})

    summary = {row[0]: row[1] for row in tables(response)["summary"].rows}
    assert summary["Hours confirmed"] == Decimal("2")
    assert summary["People deployed"] == 1
    assert "From 03/01/2026 up to and including 03/31/2026." in response.content.decode()


def test_the_whole_report_as_one_csv(client, world):
    sign_in(client, admin_of(world.asml))

    response = client.get(url(world), {"date_from": "2026-01-01", "export": "all"})

    assert response["Content-Disposition"] == 'attachment; filename="volunteering-report-asml.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Your people's volunteering"]
    assert rows[1] == ["Figure", "Value", "What it counts"]
    assert rows[3][:2] == ["Hours confirmed", "10.5"]
    captions = [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if row == []]
    assert captions == [
        "Confirmed work per programme",
        "Confirmed work per theme",
        "Confirmed work per municipality",
        "Residents helped by the needs your people supported",
    ]


def test_one_table_as_csv(client, world):
    sign_in(client, admin_of(world.asml))

    response = client.get(url(world), {"export": "municipality"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Municipality", "Hours confirmed", "Volunteers deployed", "Needs supported"],
        ["Eindhoven", "10.5", "2", "2"],
    ]


def test_the_page_prints_on_a4(client, world):
    sign_in(client, admin_of(world.asml))

    html = client.get(url(world)).content.decode()

    assert 'href="/static/css/impact-print.css" media="print"' in html
    assert "data-print" in html and "js/impact-print.js" in html
    stylesheet = (Path(settings.BASE_DIR) / "static" / "css" / "impact-print.css").read_text()
    assert "size: A4" in stylesheet
    assert " style=" not in html


def test_the_query_count_does_not_grow_with_the_data(client, world, django_assert_num_queries):
    sign_in(client, coordinator())
    # session, user, coordinators' group, the organisation, navigation (2), then the summary (delivered,
    # feedback), three breakdowns and the residents
    with django_assert_num_queries(12):
        client.get(url(world))
    more_work(8, company=world.asml)
    with django_assert_num_queries(12):
        response = client.get(url(world))
    assert {row[0]: row[1] for row in tables(response)["summary"].rows}["People deployed"] == 10
