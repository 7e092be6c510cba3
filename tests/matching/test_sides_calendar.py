"""The .ics of an agreed match: a valid iCalendar file with the need's days, for the people of the match."""

import datetime

import pytest
from django.urls import reverse

from matching import services
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.matching.test_sides_permissions import agreed, approved, current_need, volunteer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sides():
    charity = OrganisationFactory(kind="social")
    staff = MembershipFactory(organisation=charity, role="admin").user
    volunteer = volunteer_of(OrganisationFactory())
    return charity, staff, volunteer


def agreed_for(sides, **need):
    charity, staff, volunteer = sides
    return agreed(
        current_need(charity, **need),
        by=coordinator(),
        need_user=staff,
        supply_user=volunteer.user,
        volunteer=volunteer,
    )


def unfolded(body: str) -> list[str]:
    """The content lines of an iCalendar text, continuation lines joined (RFC 5545 3.1)."""
    return body.replace("\r\n ", "").split("\r\n")


def test_the_calendar_file_is_valid_icalendar_with_the_needs_days(client, sides):
    title = "Koken, eten; samen \\ met buren: een lange titel die over de vijfenzeventig tekens heen gaat zeker"
    match = agreed_for(sides, title=title, start_date=datetime.date(2031, 3, 1), end_date=datetime.date(2031, 3, 3))
    client.force_login(sides[2].user)

    response = client.get(reverse("matching:match-calendar", args=[match.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # every line ends with CRLF
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))  # long lines are folded
    lines = unfolded(body)
    assert "VERSION:2.0" in lines and "BEGIN:VEVENT" in lines and "END:VEVENT" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert any(line.startswith("UID:match-") for line in lines)
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    # All day from the first to the last day inclusive: DTEND is the day after.
    assert "DTSTART;VALUE=DATE:20310301" in lines
    assert "DTEND;VALUE=DATE:20310304" in lines
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:Koken\\, eten\\; samen \\\\ met buren: " + title.split(": ", 1)[1]


def test_a_need_of_one_day_is_one_all_day_event(client, sides):
    match = agreed_for(sides, start_date=datetime.date(2031, 5, 4), end_date=None)
    client.force_login(sides[1])

    lines = unfolded(client.get(reverse("matching:match-calendar", args=[match.pk])).content.decode())

    assert "DTSTART;VALUE=DATE:20310504" in lines and "DTEND;VALUE=DATE:20310505" in lines


@pytest.mark.parametrize("dates", [{"is_flexible": True}, {"start_date": None, "end_date": None, "is_flexible": True}])
def test_a_need_without_fixed_dates_has_no_calendar_file(client, sides, dates):
    match = agreed_for(sides, **dates)
    client.force_login(sides[2].user)

    assert client.get(reverse("matching:match-calendar", args=[match.pk])).status_code == 404
    assert reverse("matching:match-calendar", args=[match.pk]) not in client.get(match.get_absolute_url()).text


def test_there_is_no_calendar_file_before_both_sides_accepted(client, sides):
    charity, staff, volunteer = sides
    match = approved(current_need(charity), by=coordinator(), volunteer=volunteer)
    services.match_accept(match=match, acting_user=staff, side="need")
    client.force_login(staff)

    assert client.get(reverse("matching:match-calendar", args=[match.pk])).status_code == 404
    assert reverse("matching:match-calendar", args=[match.pk]) not in client.get(match.get_absolute_url()).text
