"""Smaller faults of the security review (issue 10): each reproduced, each refused now.

A NUL byte deep inside a CSV, control characters in one-line fields, dates a thousand years off, a missing
Permissions-Policy, and Django's plain error pages.
"""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from members import csv_import, services
from members.models import (
    Membership,
    MembershipApplication,
    Municipality,
    Need,
    Notification,
    Organisation,
    User,
    VolunteerImport,
)
from members.services.offers import offer_rule_errors
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality
from tests.factories_needs import language, programme, skill, theme
from tests.factories_volunteers import admin_of, csv_text, csv_upload, volunteer_row

pytestmark = pytest.mark.django_db

NOT_CSV = "This is not a CSV file."
ONE_LINE = "Use one line of plain text"


# (a) A NUL byte after the first 4 KB --------------------------------------------------------------


def nul_after_4kb() -> bytes:
    rows = [volunteer_row(n) for n in range(80)]
    data = csv_text(rows).encode()
    assert len(data) > 4096
    return data + b"collega999@asml.example;Coll\x00ega;Veldhoven;;;;;;\r\n"


def test_a_nul_byte_after_the_first_4_kb_is_refused_as_not_text():
    with pytest.raises(csv_import.CsvFileError) as refused:
        csv_import.read_upload(csv_upload(nul_after_4kb()))
    assert NOT_CSV in refused.value.message


def test_uploading_a_file_with_a_late_nul_byte_says_so_at_the_field_and_saves_nothing(client):
    admin = admin_of(organisation__name="ASML", organisation__slug="asml", user__preferred_language="en")
    client.force_login(admin.user)

    response = client.post(reverse("members:volunteer-import", args=["asml"]), {"file": csv_upload(nul_after_4kb())})

    assert response.status_code == 200
    assert NOT_CSV in response.text
    assert re.search(r'<input[^>]*name="file"[^>]*is-invalid[^>]*aria-invalid="true"', response.text)
    assert not VolunteerImport.objects.exists()


# (b) Control characters in one-line fields -------------------------------------------------------


def application_post(**overrides):
    data = {
        "name": "Kraamzorg De Kempen",
        "kind": Organisation.Kind.SOCIAL,
        "municipality": Municipality.objects.get(name="Veldhoven").pk,
        "description": "Wij willen geboortes voorspellen.\r\nMet AI, om kraamverzorgenden te plannen.",
        "website": "https://www.kraamzorg-dekempen.nl",
        "motivation": "We zoeken Data & AI-professionals.\nGraag!",
        "account-full_name": "Anouk de Vries",
        "account-email": "anouk@kraamzorg-dekempen.nl",
        "account-password": "Geboorte-planning-2025",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Kraamzorg\r\nBcc: everyone@example.org"),
        ("name", "Kraamzorg\x1b[31m"),
        ("name", "Kraam\tzorg"),
        ("account-full_name", "Anouk\nde Vries"),
        ("account-full_name", "Anouk\u2028de Vries"),
    ],
)
def test_the_application_refuses_control_characters_in_one_line_fields_at_the_field(client, field, value):
    coordinator(preferred_language="en")

    response = client.post(reverse("members:apply"), application_post(**{field: value}), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert ONE_LINE in response.text
    assert re.search(rf'<input[^>]*name="{field}"[^>]*is-invalid', response.text)
    assert not Organisation.objects.exists()
    assert User.objects.count() == 1  # the coordinator only
    assert not Notification.objects.exists()


def test_line_breaks_stay_welcome_in_text_areas(client):
    coordinator(preferred_language="en")

    response = client.post(reverse("members:apply"), application_post())

    assert response.status_code == 302
    assert "\r\n" in Organisation.objects.get().description or "\n" in Organisation.objects.get().description


def test_the_own_name_on_the_account_settings_refuses_a_line_break(client):
    user = UserFactory(full_name="Mia", preferred_language="en")
    client.force_login(user)

    response = client.post(
        reverse("members:account-settings"), {"profile": "1", "full_name": "Mia\r\nX-Evil: 1", "language": "en"}
    )

    assert ONE_LINE in response.text
    user.refresh_from_db()
    assert user.full_name == "Mia"


def test_a_need_title_with_a_line_break_is_refused_at_the_field(client):
    organisation = OrganisationFactory(name="Taalhuis Helmond", slug="taalhuis", kind=Organisation.Kind.SOCIAL)
    member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER, user__preferred_language="en")
    client.force_login(member.user)
    data = {
        "title": "Taalmaatjes\r\nop de werkvloer",
        "description": "Collega's helpen nieuwkomers.",
        "programme": programme("work").pk,
        "themes": [theme("newcomers").pk],
        "kind": Need.Kind.BUDDY,
        "location": "on_site",
        "municipality": municipality("Helmond").pk,
        "start_date": "2027-09-01",
        "estimated_hours": "20",
        "volunteers_needed": "10",
        "languages": [language("nl").pk],
        "residents_helped": "10",
        "required_skills": [skill("language-buddy").pk],
    }

    response = client.post(reverse("members:need-create", args=["taalhuis"]), data)

    assert response.status_code == 200
    assert ONE_LINE in response.text
    assert re.search(r'<input[^>]*name="title"[^>]*is-invalid', response.text)
    assert not Need.objects.exists()


def test_services_refuse_names_with_control_characters_from_any_caller():
    coordinator(preferred_language="en")
    organisation = {
        "name": "Kraamzorg\r\nBcc: everyone@example.org",
        "kind": Organisation.Kind.SOCIAL,
        "municipality": Municipality.objects.get(name="Veldhoven"),
    }
    account = services.NewAccount(email="anouk@example.nl", full_name="Anouk", password="Geboorte-planning-2025")

    with pytest.raises(ValidationError) as refused:
        services.membership_apply(applicant=None, account=account, organisation=organisation)
    assert ONE_LINE in refused.value.message_dict["name"][0]

    bad_account = services.NewAccount(email="anouk@example.nl", full_name="Anouk\nde Vries", password="x")
    with pytest.raises(ValidationError) as refused:
        services.user_create(account=bad_account)
    assert "full_name" in refused.value.message_dict

    user = UserFactory(full_name="Mia")
    with pytest.raises(ValidationError):
        services.user_update_profile(user=user, full_name="Mia\r\nX", language="en")
    user.refresh_from_db()
    assert user.full_name == "Mia"

    admin = admin_of()
    with pytest.raises(ValidationError) as refused:
        services.organisation_update(organisation=admin.organisation, acting_user=admin.user, data={"name": "A\rB"})
    assert "name" in refused.value.message_dict
    assert not Notification.objects.exists()


def test_a_name_that_gets_through_can_no_longer_leave_an_email_failed(settings, django_capture_on_commit_callbacks):
    """Before, a CR/LF in the organisation's name made every coordinator's email a header error, retried until
    it ended `failed`. Now the name is refused, so every email of the application that is sent goes out."""
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    coordinator(preferred_language="en")
    base = {"kind": Organisation.Kind.SOCIAL, "municipality": Municipality.objects.get(name="Veldhoven")}

    with pytest.raises(ValidationError):
        services.membership_apply(
            applicant=UserFactory(), account=None, organisation={**base, "name": "Kraamzorg\r\nDe Kempen"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_apply(applicant=UserFactory(), account=None, organisation={**base, "name": "Kraamzorg"})

    assert MembershipApplication.objects.count() == 1
    assert not Notification.objects.filter(email_status=Notification.EmailStatus.FAILED).exists()
    assert Notification.objects.get().email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_a_csv_name_with_a_line_break_is_a_problem_of_that_row():
    lookups = services.import_lookups()
    text = csv_text([volunteer_row(1)]) + 'collega2@asml.example;"Collega\n2";Veldhoven;;;;;;\r\n'

    parsed = csv_import.parse(text, lookups=lookups)

    assert [row.errors for row in parsed.rows][0] == []
    assert [(e.column, ONE_LINE in e.message) for e in parsed.rows[1].errors] == [("full_name", True)]


# (c) Dates within a sane range -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (datetime.date(1, 1, 1), None, "start_date"),
        (datetime.date(1999, 12, 31), None, "start_date"),
        (datetime.date(2027, 1, 1), datetime.date(9999, 12, 31), "end_date"),
    ],
)
def test_need_dates_outside_the_sane_range_are_refused_at_the_field(start, end, field):
    errors = services.need_data_errors(
        {"location": "remote", "start_date": start, "end_date": end, "title": "T", "description": "D"}
    )
    assert "Choose a date from" in errors[field][0]


def test_need_dates_at_the_edges_of_the_range_are_fine():
    from members.validators import EARLIEST_DATE, latest_date

    today = timezone.localdate()
    errors = services.need_data_errors(
        {"location": "remote", "start_date": EARLIEST_DATE, "end_date": latest_date(today), "title": "T"}
    )
    assert errors == {}
    assert latest_date(today) > today + datetime.timedelta(days=3640)


def test_a_need_for_the_year_9999_is_refused_by_the_service():
    organisation = OrganisationFactory(kind=Organisation.Kind.SOCIAL)
    member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    data = {
        "title": "Taalmaatjes",
        "description": "Nederlands oefenen.",
        "programme": programme("work"),
        "kind": Need.Kind.BUDDY,
        "location": "remote",
        "start_date": datetime.date(9999, 12, 31),
        "estimated_hours": 10,
        "volunteers_needed": 1,
    }
    with pytest.raises(ValidationError) as refused:
        services.need_create(organisation=organisation, acting_user=member, data=data)
    assert "start_date" in refused.value.message_dict
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (datetime.date(1, 1, 1), None, "start_date"),
        (None, datetime.date(9999, 12, 31), "end_date"),
    ],
)
def test_offer_dates_outside_the_sane_range_are_refused_at_the_field(start, end, field):
    errors = offer_rule_errors(start_date=start, end_date=end, remote=True, municipalities=[])
    assert "Choose a date from" in errors[field][0]


def test_the_offer_form_shows_the_date_problem_at_the_field(client):
    member = MembershipFactory(
        organisation__slug="asml",
        organisation__kind=Organisation.Kind.COMPANY,
        role=Membership.Role.MEMBER,
        user__preferred_language="en",
    ).user
    client.force_login(member)

    response = client.post(
        reverse("members:offer-create", args=["asml"]),
        {
            "title": "Analisten",
            "kind": "skills",
            "people": "2",
            "hours_each": "10",
            "remote": "on",
            "start_date": "0001-01-01",
        },
    )

    assert response.status_code == 200
    assert "Choose a date from" in response.text
    assert re.search(r'<input[^>]*name="start_date"[^>]*is-invalid', response.text)


# (d) Permissions-Policy ---------------------------------------------------------------------------


def test_every_page_says_which_browser_features_it_never_uses(client):
    response = client.get(reverse("members:home"))

    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


# (e) The portal's own error pages -----------------------------------------------------------------


def test_a_page_that_does_not_exist_answers_with_the_portals_404(settings):
    settings.DEBUG = False
    response = Client().get("/bestaat-niet/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Skip to main content" in response.text  # the portal's layout, with its navigation
    assert reverse("members:home") in response.text
    assert response["Content-Type"].startswith("text/html")


def test_the_500_page_is_the_portals_in_both_languages_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    text = response.content.decode()
    assert response.status_code == 500
    assert "Brainport voor Elkaar" in text
    assert "Something went wrong" in text
    assert "Er ging iets mis" in text
    assert 'lang="nl"' in text and 'lang="en"' in text


def test_a_crashing_page_answers_with_the_portals_500(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr(
        "members.views.organisations.Organisation.objects.active", lambda: (_ for _ in ()).throw(RuntimeError)
    )
    client = Client(raise_request_exception=False)

    response = client.get(reverse("members:home"))

    assert response.status_code == 500
    assert "Er ging iets mis" in response.text
    assert "Something went wrong" in response.text
