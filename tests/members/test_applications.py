"""Membership applications: a visitor or user applies, coordinators hear of it, a coordinator decides."""

import re
import threading

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from members import services
from members.models import (
    Membership,
    MembershipApplication,
    Municipality,
    Notification,
    NotificationKind,
    Organisation,
    User,
)
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, coordinator

pytestmark = pytest.mark.django_db

APPLICATION_RECEIVED_TITLE = "New membership application: %(organisation)s"
APPLICATION_DECIDED_TITLE = "Your membership application for %(organisation)s was %(decision)s"


def title_in(language, msgid, **context):
    """The subject a recipient reading `language` should get, whether or not that catalogue is compiled."""
    with translation.override(language):
        return gettext(msgid) % context


@pytest.fixture
def english(client):
    """The visitor browses in English, so the page text below can be asserted."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def coordinators():
    return [coordinator(preferred_language="en"), coordinator(preferred_language="nl")]


def application_data(**overrides):
    data = {
        "name": "Kraamzorg De Kempen",
        "kind": Organisation.Kind.SOCIAL,
        "municipality": Municipality.objects.get(name="Veldhoven").pk,
        "description": "Wij willen geboortes voorspellen met AI om kraamverzorgenden te plannen.",
        "website": "https://www.kraamzorg-dekempen.nl",
        "is_inclusive_employer": "on",
        "motivation": "We zoeken Data & AI-professionals.",
        "account-full_name": "Anouk de Vries",
        "account-email": "Anouk@Kraamzorg-DeKempen.nl",
        "account-password": "Geboorte-planning-2025",
    }
    data.update(overrides)
    return data


def counts():
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "applications": MembershipApplication.objects.count(),
        "notifications": Notification.objects.count(),
    }


# Applying ------------------------------------------------------------------------------------------


def test_visitor_applies_and_everyone_concerned_hears_of_it(
    english, coordinators, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(reverse("members:apply"), application_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("members:apply-done")

    organisation = Organisation.objects.get(name="Kraamzorg De Kempen")
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.joined_at is None
    assert organisation.municipality.name == "Veldhoven"
    assert organisation.is_inclusive_employer is True
    assert organisation.slug == "kraamzorg-de-kempen"
    # Nobody belongs to a pending organisation yet: the applicant becomes admin on approval.
    assert not Membership.objects.filter(organisation=organisation).exists()

    applicant = User.objects.get(email="anouk@kraamzorg-dekempen.nl")
    assert applicant.full_name == "Anouk de Vries"
    assert applicant.check_password("Geboorte-planning-2025")
    assert applicant.preferred_language == "en"
    assert EmailAddress.objects.get(user=applicant).verified is False

    application = MembershipApplication.objects.get(organisation=organisation)
    assert application.applicant == applicant
    assert application.status == MembershipApplication.Status.PENDING
    assert application.motivation == "We zoeken Data & AI-professionals."

    notifications = Notification.objects.filter(kind=NotificationKind.APPLICATION_RECEIVED)
    assert {n.recipient for n in notifications} == set(coordinators)
    assert {n.language for n in notifications} == {"en", "nl"}
    assert all(n.link == application.get_absolute_url() for n in notifications)
    assert all(n.email_status == Notification.EmailStatus.SENT for n in notifications)

    by_recipient = {tuple(message.to): message for message in mailoutbox}
    for person in coordinators:
        message = by_recipient[(person.email,)]
        assert message.subject == title_in(
            person.preferred_language, APPLICATION_RECEIVED_TITLE, organisation="Kraamzorg De Kempen"
        )
        assert application.get_absolute_url() in message.body

    confirmation = by_recipient[(applicant.email,)]
    assert confirmation.subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert re.search(r"/accounts/confirm-email/[-:\w]+/", confirmation.body)
    assert len(mailoutbox) == len(coordinators) + 1


def test_apply_done_page_thanks_the_visitor(english):
    response = english.get(reverse("members:apply-done"))

    assert response.status_code == 200
    assert response.templates[0].name == "members/membership_apply_done.html"


def test_coordinator_sees_the_new_application_in_the_list(english, coordinators):
    english.post(reverse("members:apply"), application_data())
    english.logout()
    english.force_login(coordinators[0])

    response = english.get(reverse("members:application-list"))

    assert response.status_code == 200
    assert "Kraamzorg De Kempen" in response.text
    assert "Anouk de Vries" in response.text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"municipality": ""}, "municipality", "This field is required."),
        ({"website": "not a website"}, "website", "Enter a valid URL."),
        ({"account-password": "12345678"}, "password", "This password is entirely numeric."),
        (
            {"account-password": "kort"},
            "password",
            "This password is too short. It must contain at least 8 characters.",
        ),
        ({"account-password": "password1"}, "password", "This password is too common."),
        ({"account-email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"account-full_name": ""}, "full_name", "This field is required."),
    ],
    ids=[
        "no-name",
        "no-municipality",
        "bad-website",
        "numeric-password",
        "short-password",
        "common-password",
        "bad-email",
        "no-full-name",
    ],
)
def test_bad_input_shows_the_error_and_saves_nothing(
    english, coordinators, mailoutbox, django_capture_on_commit_callbacks, overrides, field, message
):
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(reverse("members:apply"), application_data(**overrides))

    assert response.status_code == 200
    form = response.context["form"] if field in response.context["form"].fields else response.context["account_form"]
    assert message in form.errors[field]
    assert message in response.text
    assert counts() == before
    assert mailoutbox == []


def test_invalid_fields_are_marked_for_assistive_technology(english, coordinators):
    response = english.post(reverse("members:apply"), application_data(website="not a website", name=""))

    html = response.text
    for field in ("id_name", "id_website"):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', html).group(0)
        assert "is-invalid" in tag
        assert 'aria-invalid="true"' in tag
    valid = re.search(r'<input[^>]*id="id_account-full_name"[^>]*>', html).group(0)
    assert "is-invalid" not in valid


def test_an_address_with_an_account_is_not_revealed_and_its_owner_is_told(english, coordinators, mailoutbox):
    """Issue 10: the page answers as for a new address (no "already exists"); the owner hears by email."""
    owner = UserFactory(email="anouk@kraamzorg-dekempen.nl")
    before = counts()

    response = english.post(reverse("members:apply"), application_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("members:apply-done")
    assert counts() == before
    [message] = mailoutbox
    assert message.to == [owner.email]


def test_password_like_the_address_is_refused(english, coordinators):
    before = counts()

    response = english.post(
        reverse("members:apply"),
        application_data(
            **{"account-email": "kraamzorg.dekempen@example.nl", "account-password": "kraamzorg.dekempen"}
        ),
    )

    assert response.status_code == 200
    assert "The password is too similar to the email address." in response.context["account_form"].errors["password"]
    assert counts() == before


def test_signed_in_user_applies_without_account_fields(
    client, coordinators, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(full_name="Bram Jansen", preferred_language="en")
    client.force_login(user)
    data = {key: value for key, value in application_data().items() if not key.startswith("account-")}
    users_before = User.objects.count()

    response = client.get(reverse("members:apply"))
    assert response.context["account_form"] is None
    assert 'name="account-email"' not in response.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:apply"), data)

    assert response.status_code == 302
    application = MembershipApplication.objects.get(organisation__name="Kraamzorg De Kempen")
    assert application.applicant == user
    assert application.organisation.status == Organisation.Status.PENDING
    assert User.objects.count() == users_before
    # Coordinators hear of it; the applicant gets no confirmation email, their address is already known.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(c.email for c in coordinators)
    received = Notification.objects.get(recipient=coordinators[0], kind=NotificationKind.APPLICATION_RECEIVED)
    assert received.context["applicant"] == "Bram Jansen"

    dashboard = client.get(reverse("members:dashboard"))
    assert "Kraamzorg De Kempen" in dashboard.text
    assert "Waiting for review" in dashboard.text


def test_two_organisations_with_the_same_name_get_distinct_addresses(client, coordinators):
    OrganisationFactory(name="Kraamzorg De Kempen", slug="kraamzorg-de-kempen")

    response = client.post(reverse("members:apply"), application_data())

    assert response.status_code == 302
    application = MembershipApplication.objects.get()
    assert application.organisation.slug == "kraamzorg-de-kempen-2"


# Deciding ------------------------------------------------------------------------------------------


def decide(client, application, **data):
    return client.post(reverse("members:application-detail", args=[application.pk]), data)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_coordinator_approves_and_the_applicant_becomes_admin(
    client, mailoutbox, django_capture_on_commit_callbacks, language
):
    coord = coordinator(preferred_language="en")
    application = ApplicationFactory(
        organisation__name="Taalmaatjes op het Werk", applicant__preferred_language=language
    )
    client.force_login(coord)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, application, decision="approve", note="Welkom bij de vereniging!")

    assert response.status_code == 302
    assert response["Location"] == reverse("members:application-list")

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.decided_by == coord
    assert application.decided_at is not None
    assert application.decision_note == "Welkom bij de vereniging!"

    organisation = application.organisation
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE
    assert organisation.joined_at is not None
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user == application.applicant
    assert membership.role == Membership.Role.ADMIN

    notification = Notification.objects.get(recipient=application.applicant, kind=NotificationKind.APPLICATION_DECIDED)
    assert notification.language == language
    assert notification.context["approved"] is True
    assert notification.link == organisation.get_absolute_url()
    assert notification.email_status == Notification.EmailStatus.SENT

    [message] = mailoutbox
    assert message.to == [application.applicant.email]
    decision = title_in(language, "approved")
    assert message.subject == title_in(
        language, APPLICATION_DECIDED_TITLE, organisation="Taalmaatjes op het Werk", decision=decision
    )
    assert "Welkom bij de vereniging!" in message.body
    assert organisation.get_absolute_url() in message.body
    if language == "en":
        assert message.subject == "Your membership application for Taalmaatjes op het Werk was approved"
        assert "is now a member of Brainport voor Elkaar" in message.body


def test_approval_is_confirmed_to_the_coordinator_and_opens_the_workspace(client):
    coord = coordinator(preferred_language="en")
    application = ApplicationFactory(organisation__name="Taalmaatjes op het Werk")
    client.force_login(coord)

    response = client.post(
        reverse("members:application-detail", args=[application.pk]), {"decision": "approve"}, follow=True
    )

    assert "Taalmaatjes op het Werk is now a member." in response.text
    # The list shows pending applications; this one has left it.
    assert "There are no applications here." in response.text

    client.force_login(application.applicant)
    assert client.get(application.organisation.get_absolute_url()).status_code == 200


def test_rejecting_requires_a_note(client, mailoutbox, django_capture_on_commit_callbacks):
    coord = coordinator(preferred_language="en")
    application = ApplicationFactory()
    client.force_login(coord)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, application, decision="reject", note="   ")

    assert response.status_code == 200
    expected = "Please tell the applicant why the application is rejected."
    assert expected in response.context["form"].errors["note"]
    assert expected in response.text
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.PENDING
    assert application.organisation.status == Organisation.Status.PENDING
    assert not Notification.objects.filter(kind=NotificationKind.APPLICATION_DECIDED).exists()
    assert mailoutbox == []


def test_coordinator_rejects_with_a_note(client, mailoutbox, django_capture_on_commit_callbacks):
    coord = coordinator(preferred_language="en")
    application = ApplicationFactory(organisation__name="Snelle Winst BV", applicant__preferred_language="en")
    client.force_login(coord)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, application, decision="reject", note="Wij zijn er voor maatschappelijke doelen.")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.REJECTED
    assert application.organisation.status == Organisation.Status.REJECTED
    assert not Membership.objects.filter(organisation=application.organisation).exists()

    notification = Notification.objects.get(recipient=application.applicant)
    assert notification.context["approved"] is False
    [message] = mailoutbox
    assert message.to == [application.applicant.email]
    assert "We have decided not to accept Snelle Winst BV" in message.body
    assert "Wij zijn er voor maatschappelijke doelen." in message.body

    client.force_login(application.applicant)
    dashboard = client.get(reverse("members:dashboard"))
    assert "Wij zijn er voor maatschappelijke doelen." in dashboard.text
    # A rejected organisation has no workspace.
    assert client.get(application.organisation.get_absolute_url()).status_code == 404


def test_deciding_a_decided_application_is_refused_by_the_service():
    first, second = coordinator(), coordinator()
    application = ApplicationFactory()
    services.membership_application_decide(application=application, acting_user=first, approve=True, note="Ja")
    stale = MembershipApplication.objects.get(pk=application.pk)
    stale.status = MembershipApplication.Status.PENDING  # what the second coordinator's page still showed

    with pytest.raises(ValidationError) as refused:
        services.membership_application_decide(application=stale, acting_user=second, approve=False, note="Nee")

    assert refused.value.messages == [gettext("This application has already been decided.")]
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.decided_by == first
    assert application.decision_note == "Ja"
    assert application.organisation.status == Organisation.Status.ACTIVE
    assert Membership.objects.get(organisation=application.organisation).role == Membership.Role.ADMIN
    assert Notification.objects.filter(kind=NotificationKind.APPLICATION_DECIDED).count() == 1


def test_deciding_a_decided_application_in_the_portal_shows_why(client, mailoutbox, django_capture_on_commit_callbacks):
    first, second = coordinator(preferred_language="en"), coordinator(preferred_language="en")
    application = ApplicationFactory()
    services.membership_application_decide(application=application, acting_user=first, approve=True, note="Ja")
    client.force_login(second)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:application-detail", args=[application.pk]),
            {"decision": "reject", "note": "Toch niet"},
            follow=True,
        )

    assert "This application has already been decided." in response.text
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.decided_by == first
    assert application.decision_note == "Ja"
    assert application.organisation.status == Organisation.Status.ACTIVE
    assert Notification.objects.filter(kind=NotificationKind.APPLICATION_DECIDED).count() == 1
    assert mailoutbox == []


def test_only_a_coordinator_may_decide():
    application = ApplicationFactory()
    member_admin = UserFactory()

    with pytest.raises(PermissionDenied):
        services.membership_application_decide(application=application, acting_user=member_admin, approve=True)
    with pytest.raises(PermissionDenied):
        services.membership_application_decide(application=application, acting_user=application.applicant, approve=True)

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.PENDING


def test_a_decided_application_shows_the_decision_and_no_form(client):
    first = coordinator(full_name="Carla Coördinator", preferred_language="en")
    application = ApplicationFactory()
    services.membership_application_decide(application=application, acting_user=first, approve=True, note="Ja hoor")
    client.force_login(coordinator(preferred_language="en"))

    response = client.get(reverse("members:application-detail", args=[application.pk]))

    assert response.status_code == 200
    assert "Carla Coördinator" in response.text
    assert "Ja hoor" in response.text
    assert 'name="decision"' not in response.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_coordinators_deciding_at_once_cannot_both_win():
    first, second = coordinator(), coordinator()
    application = ApplicationFactory()
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide_as(user, approve):
        try:
            barrier.wait(timeout=10)
            copy = MembershipApplication.objects.get(pk=application.pk)
            with translation.override("en"):
                services.membership_application_decide(application=copy, acting_user=user, approve=approve, note="race")
            outcomes[user.pk] = "won"
        except ValidationError as error:
            outcomes[user.pk] = error.messages
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide_as, args=(first, True)),
        threading.Thread(target=decide_as, args=(second, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(map(str, outcomes.values())) == sorted(["won", str(["This application has already been decided."])])
    winner = first if outcomes[first.pk] == "won" else second
    application.refresh_from_db()
    assert application.decided_by == winner
    approved = winner == first
    assert application.status == (
        MembershipApplication.Status.APPROVED if approved else MembershipApplication.Status.REJECTED
    )
    assert application.organisation.status == (Organisation.Status.ACTIVE if approved else Organisation.Status.REJECTED)
    assert Membership.objects.filter(organisation=application.organisation).count() == (1 if approved else 0)
    assert Notification.objects.filter(kind=NotificationKind.APPLICATION_DECIDED).count() == 1
