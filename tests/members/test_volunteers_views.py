"""Volunteer pages as people use them: the profile, the join link, the workspace and the CSV import."""

import itertools
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Membership, Skill, SpokenLanguage, User, Volunteer, VolunteerImport
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_volunteers import VolunteerFactory, admin_of, csv_text, csv_upload, volunteer_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return admin_of(organisation__name="ASML", organisation__slug="asml", user__preferred_language="en")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin.user)
    return client


def profile_post(prefix="", **overrides):
    p = f"{prefix}-" if prefix else ""
    data = {
        f"{p}municipality": "",
        f"{p}travel_km": "10",
        f"{p}remote_ok": "on",
        f"{p}hours_per_month": "4",
        f"{p}availability": ["evenings"],
        f"{p}languages": [SpokenLanguage.objects.get(code="uk").pk],
        f"{p}status": "active",
        f"{p}skill_language-buddy": "3",
        f"{p}consent": "on",
    }
    data.update({f"{p}{key}": value for key, value in overrides.items()})
    return {key: value for key, value in data.items() if value is not None}


# Profile -------------------------------------------------------------------------------------------


def test_a_member_registers_as_volunteer_from_the_navigation(client):
    member = MembershipFactory(organisation__name="Signify", user__preferred_language="en")
    client.force_login(member.user)

    page = client.get(reverse("members:dashboard"))
    assert reverse("members:volunteer-profile") in page.text
    form = client.get(reverse("members:volunteer-profile"))
    assert 'name="consent"' in form.text
    assert "<legend" in form.text and "Languages you speak" in form.text

    response = client.post(reverse("members:volunteer-profile"), profile_post(organisation=member.organisation.pk))

    volunteer = Volunteer.objects.active().get()
    assert response.status_code == 302
    assert response["Location"] == volunteer.get_absolute_url()
    assert volunteer.organisation == member.organisation
    assert [(vs.skill.code, vs.level) for vs in volunteer.volunteer_skills.all()] == [("language-buddy", 3)]
    assert (volunteer.available_evenings, volunteer.available_weekdays) == (True, False)


def test_registering_without_consent_shows_the_reason_next_to_the_checkbox(client):
    member = MembershipFactory(user__preferred_language="en")
    client.force_login(member.user)

    response = client.post(
        reverse("members:volunteer-profile"), profile_post(organisation=member.organisation.pk, consent=None)
    )

    assert response.status_code == 200
    assert "Agree to the privacy terms to register as a volunteer." in response.text
    assert not Volunteer.objects.exists()


def test_someone_without_an_organisation_is_told_how_to_get_one(client):
    client.force_login(UserFactory(preferred_language="en"))

    response = client.get(reverse("members:volunteer-profile"))

    assert "Ask your employer for the join link" in response.text
    assert '<form method="post" novalidate>' not in response.text


def test_an_imported_volunteer_gives_consent_on_their_profile(client):
    volunteer = VolunteerFactory(consent_at=None, hours_per_month=8, user__preferred_language="en")
    client.force_login(volunteer.user)

    page = client.get(reverse("members:volunteer-profile"))
    assert "Your employer registered you" in page.text
    assert 'value="8"' in page.text

    client.post(reverse("members:volunteer-profile"), profile_post(hours_per_month="8"))

    assert Volunteer.objects.active().get() == volunteer


def test_the_volunteer_sees_their_own_profile(client):
    volunteer = VolunteerFactory(skills={"data-analysis": 3}, user__preferred_language="en")
    client.force_login(volunteer.user)

    response = client.get(volunteer.get_absolute_url())

    assert "Data analysis (Expert)" in response.text
    assert "Change my profile" in response.text


# Join link -----------------------------------------------------------------------------------------


def join_path(organisation):
    return reverse("members:volunteer-join", args=[services.join_link_token(organisation)])


def test_an_employee_joins_through_the_link_confirms_the_address_and_logs_in(mailoutbox):
    organisation = OrganisationFactory(name="ASML")
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = browser.get(join_path(organisation))
    assert "Volunteer for ASML" in page.text
    response = browser.post(
        join_path(organisation),
        {
            "account-full_name": "Olena Kovalenko",
            "account-email": "olena@asml.example",
            "account-password": PASSWORD,
            **profile_post(prefix="profile"),
        },
    )

    assert response.status_code == 200
    assert "Check your mailbox" in response.text
    user = User.objects.get(email="olena@asml.example")
    assert Membership.objects.get(user=user).organisation == organisation
    assert Volunteer.objects.active().get().user == user
    [message] = mailoutbox
    assert message.to == ["olena@asml.example"]
    assert not browser.get(reverse("members:volunteer-profile")).status_code == 200, "not logged in before confirming"


def test_a_signed_in_employee_joins_with_the_profile_form_only(client):
    organisation = OrganisationFactory()
    user = UserFactory(preferred_language="en")
    client.force_login(user)

    page = client.get(join_path(organisation))
    assert "account-email" not in page.text
    response = client.post(join_path(organisation), profile_post(prefix="profile"))

    volunteer = Volunteer.objects.get(user=user)
    assert response["Location"] == volunteer.get_absolute_url()
    assert Membership.objects.get(user=user).role == Membership.Role.VOLUNTEER


def test_an_existing_address_is_not_revealed_and_its_owner_is_told_to_log_in_first(client, mailoutbox):
    """Issue 10: the page answers as for a new address; the owner gets an email to log in and join."""
    organisation = OrganisationFactory()
    UserFactory(email="al@example.org")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        join_path(organisation),
        {
            "account-full_name": "X",
            "account-email": "al@example.org",
            "account-password": PASSWORD,
            **profile_post("profile"),
        },
    )

    assert "already exists" not in response.text
    assert "Check your mailbox" in response.text
    assert not Volunteer.objects.exists()
    [message] = mailoutbox
    assert message.to == ["al@example.org"]
    assert join_path(organisation) in message.body


def test_a_reset_join_link_stops_working(client, admin):
    old = join_path(admin.organisation)
    client.force_login(admin.user)

    client.post(reverse("members:volunteer-join-link-reset", args=[admin.organisation.slug]))

    client.logout()
    assert client.get(old).status_code == 404
    admin.organisation.refresh_from_db()
    assert client.get(join_path(admin.organisation)).status_code == 200


# Workspace -----------------------------------------------------------------------------------------


def test_the_workspace_shows_the_join_link_and_who_is_waiting_for_consent(admin_client, admin):
    VolunteerFactory(organisation=admin.organisation, user__full_name="Anna Actief")
    VolunteerFactory(organisation=admin.organisation, user__full_name="Wim Wacht", consent_at=None)

    response = admin_client.get(reverse("members:volunteer-list", args=["asml"]) + "?status=no-consent")

    assert [v.user.full_name for v in response.context["volunteers"]] == ["Wim Wacht"]
    assert services.join_link_token(admin.organisation) in response.text
    assert dict((value, count) for value, _label, count in response.context["filters"]) == {
        "all": 2,
        "active": 1,
        "paused": 0,
        "no-consent": 1,
    }


def test_the_organisation_page_links_admins_to_the_volunteers(admin_client, admin):
    response = admin_client.get(admin.organisation.get_absolute_url())

    assert reverse("members:volunteer-list", args=["asml"]) in response.text
    assert reverse("members:volunteer-import", args=["asml"]) in response.text


@pytest.mark.parametrize("viewer", ["own_admin", "coordinator"])
def test_the_workspace_costs_the_same_queries_with_1_and_with_50_volunteers(client, viewer):
    organisation = OrganisationFactory()
    user = admin_of(organisation).user if viewer == "own_admin" else coordinator()
    client.force_login(user)
    numbers = itertools.count()
    skills = list(Skill.objects.all()[:3])

    def add(n):
        for number in itertools.islice(numbers, n):
            volunteer = VolunteerFactory(
                organisation=organisation,
                user__full_name=f"Vrijwilliger {number:03}",
                languages=["nl", "en"],
                consent_at=None if number % 2 else timezone.now(),
            )
            for skill in skills:
                volunteer.volunteer_skills.create(skill=skill, level=2)

    url = reverse("members:volunteer-list", args=[organisation.slug])
    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        first = client.get(url)
    add(49)
    with CaptureQueriesContext(connection) as many:
        second = client.get(url)

    assert len(first.context["volunteers"]) == 1
    assert len(second.context["volunteers"]) == 50
    assert len(many) == len(one), f"{len(one)} queries with 1 volunteer, {len(many)} with 50"


# CSV import: the journey ---------------------------------------------------------------------------


def upload_file(client, text, **kwargs):
    return client.post(reverse("members:volunteer-import", args=["asml"]), {"file": csv_upload(text, **kwargs)})


def test_import_20_volunteers_from_a_semicolon_csv_with_one_bad_row_fix_it_and_all_20_land(
    admin_client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    page = admin_client.get(reverse("members:volunteer-import", args=["asml"]))
    assert reverse("members:volunteer-import-example") in page.text
    assert "<code>hours_per_month</code>" in page.text
    rows = [volunteer_row(n) for n in range(1, 21)]
    rows[11]["hours_per_month"] = "veel"

    response = upload_file(admin_client, csv_text(rows, delimiter=";", bom=True))

    first_import = VolunteerImport.objects.get()
    assert response["Location"] == reverse("members:volunteer-import-preview", args=["asml", first_import.pk])
    preview = admin_client.get(response["Location"])
    assert len(preview.context["parsed"].rows) == 20
    assert "“veel” is not a whole number from 1 to 160." in preview.text
    assert 'href="#line-13"' in preview.text, "line 13: the header is line 1"
    assert not preview.context["can_commit"]
    assert reverse("members:volunteer-import-commit", args=["asml", first_import.pk]) not in preview.text
    refused = admin_client.post(reverse("members:volunteer-import-commit", args=["asml", first_import.pk]))
    assert refused.status_code == 302
    assert not Volunteer.objects.exists(), "nothing half-imported"

    rows[11]["hours_per_month"] = "12"
    response = upload_file(admin_client, csv_text(rows, delimiter=";", bom=True))
    second_import = VolunteerImport.objects.latest("pk")
    preview = admin_client.get(response["Location"])
    assert preview.context["can_commit"]
    assert "Import all 20 volunteers" in preview.text
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(reverse("members:volunteer-import-commit", args=["asml", second_import.pk]))

    assert done["Location"] == reverse("members:volunteer-list", args=["asml"])
    assert Volunteer.objects.filter(organisation=admin.organisation).count() == 20
    assert Volunteer.objects.get(user__email="collega12@asml.example").hours_per_month == 12
    assert len(mailoutbox) == 20
    workspace = admin_client.get(done["Location"])
    assert "20 volunteers imported: 20 new and 0 updated." in workspace.text
    assert len(workspace.context["volunteers"]) == 20

    # The same file once more: every row is an update, nobody is added twice.
    response = upload_file(admin_client, csv_text(rows, delimiter=";", bom=True))
    again = VolunteerImport.objects.latest("pk")
    admin_client.post(reverse("members:volunteer-import-commit", args=["asml", again.pk]))
    assert Volunteer.objects.count() == 20
    assert User.objects.filter(email__endswith="@asml.example").count() == 20
    assert VolunteerImport.objects.get(pk=again.pk).result["updated"] == 20


def test_a_comma_csv_without_bom_imports_too(admin_client):
    upload_file(admin_client, csv_text([volunteer_row(1), volunteer_row(2)], delimiter=","))
    volunteer_import = VolunteerImport.objects.get()

    admin_client.post(reverse("members:volunteer-import-commit", args=["asml", volunteer_import.pk]))

    assert Volunteer.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        (
            "team.xlsx",
            b"PK\x03\x04rest",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "not a CSV",
        ),
        ("team.csv", b"email;full_name\n" + b"x" * 1_000_001, "text/csv", "too large"),
        ("team.csv", "email;full_name\nRené;René\n".encode("cp1252"), "text/csv", "CSV UTF-8"),
        ("team.csv", b"naam;adres\nA;B\n", "text/csv", "Unknown columns"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(admin_client, name, data, content_type, message):
    response = admin_client.post(
        reverse("members:volunteer-import", args=["asml"]),
        {"file": csv_upload(data, name=name, content_type=content_type)},
    )

    assert response.status_code == 200
    assert message in response.text
    assert re.search(r'<input[^>]*name="file"[^>]*is-invalid[^>]*aria-invalid="true"', response.text)
    assert not VolunteerImport.objects.exists()


def test_discarding_a_preview_imports_nothing(admin_client):
    upload_file(admin_client, csv_text([volunteer_row(1)]))
    volunteer_import = VolunteerImport.objects.get()

    admin_client.post(reverse("members:volunteer-import-discard", args=["asml", volunteer_import.pk]))

    volunteer_import.refresh_from_db()
    assert (volunteer_import.status, volunteer_import.content) == ("discarded", "")
    admin_client.post(reverse("members:volunteer-import-commit", args=["asml", volunteer_import.pk]))
    assert not Volunteer.objects.exists()


def test_the_example_file_downloads_as_a_semicolon_csv_with_bom(admin_client):
    response = admin_client.get(reverse("members:volunteer-import-example"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeffemail;full_name".encode())
