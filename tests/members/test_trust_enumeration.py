"""Whether an address has an account is nobody's business but its owner's: /apply/ and /join/<token>/ answer
a visitor the same either way (the owner hears by email), and /apply/ is throttled per address."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from members import services
from members.models import Membership, MembershipApplication, Municipality, Notification, Organisation, User, Volunteer
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, coordinator
from tests.members.test_volunteers_views import profile_post

pytestmark = pytest.mark.django_db


def visitor(ip="192.0.2.10"):
    client = Client(REMOTE_ADDR=ip)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def application_data(email, **overrides):
    data = {
        "name": "Kraamzorg De Kempen",
        "kind": Organisation.Kind.SOCIAL,
        "municipality": Municipality.objects.get(name="Veldhoven").pk,
        "description": "Wij willen geboortes voorspellen.",
        "motivation": "",
        "account-full_name": "Anouk de Vries",
        "account-email": email,
        "account-password": "Geboorte-planning-2025",
    }
    data.update(overrides)
    return data


def page_text(response) -> str:
    """The page as a reader sees it: without the per-response nonce and CSRF token."""
    text = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_applying_with_an_address_that_has_an_account_looks_the_same_and_tells_the_owner(mailoutbox):
    coordinator(preferred_language="en")
    owner = UserFactory(email="anouk@kraamzorg.nl", preferred_language="nl")

    fresh = visitor().post(reverse("members:apply"), application_data("nieuw@kraamzorg.nl"), follow=True)
    mailoutbox.clear()
    probe = visitor().post(reverse("members:apply"), application_data("Anouk@Kraamzorg.nl"), follow=True)

    assert probe.redirect_chain == fresh.redirect_chain == [(reverse("members:apply-done"), 302)]
    assert page_text(probe) == page_text(fresh)
    assert "already" not in probe.text
    # Nothing was made for the probe: one application, from the new address.
    assert MembershipApplication.objects.get().applicant.email == "nieuw@kraamzorg.nl"
    assert User.objects.filter(email__iexact="anouk@kraamzorg.nl").count() == 1
    # The owner hears of it, and no coordinator is bothered.
    [message] = mailoutbox
    assert message.to == [owner.email]
    assert reverse("account_login") in message.body
    assert reverse("account_reset_password") in message.body
    assert Notification.objects.count() == 1  # the coordinator's, of the real application


def test_the_account_form_no_longer_says_an_address_is_taken():
    UserFactory(email="anouk@kraamzorg.nl")
    form = services_form(email="anouk@kraamzorg.nl")

    assert form.is_valid(), form.errors


def services_form(email):
    from members.forms.organisations import NewAccountForm

    return NewAccountForm(
        {"account-full_name": "Anouk", "account-email": email, "account-password": "Geboorte-planning-2025"},
        prefix="account",
    )


def join_post(email):
    return {
        "account-full_name": "Olena Kovalenko",
        "account-email": email,
        "account-password": PASSWORD,
        **profile_post(prefix="profile"),
    }


def test_joining_with_an_address_that_has_an_account_looks_the_same_and_tells_the_owner(mailoutbox):
    organisation = OrganisationFactory(name="ASML")
    owner = UserFactory(email="olena@asml.example", preferred_language="en")
    path = reverse("members:volunteer-join", args=[services.join_link_token(organisation)])

    fresh = visitor().post(path, join_post("nieuw@asml.example"))
    mailoutbox.clear()
    probe = visitor().post(path, join_post("olena@asml.example"))

    assert probe.status_code == fresh.status_code == 200
    assert page_text(probe).replace("olena@asml.example", "nieuw@asml.example") == page_text(fresh)
    assert "already" not in probe.text
    assert not Volunteer.objects.filter(user=owner).exists()
    assert not Membership.objects.filter(user=owner).exists()
    [message] = mailoutbox
    assert message.to == [owner.email]
    assert path in message.body  # log in, then open the link again
    assert reverse("account_login") in message.body


# Throttling /apply/ ---------------------------------------------------------------------------------


def apply_limit() -> int:
    return int(settings.ACCOUNT_RATE_LIMITS["membership_apply"].split("/")[0])


def test_apply_is_throttled_per_address_with_a_clear_page():
    coordinator(preferred_language="en")
    client = visitor("198.51.100.20")
    for n in range(apply_limit()):
        response = client.post(reverse("members:apply"), application_data(f"probe{n}@example.org"))
        assert response.status_code == 302

    response = client.post(reverse("members:apply"), application_data("one-more@example.org"))

    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Skip to main content" in response.text  # the portal's page
    assert not User.objects.filter(email="one-more@example.org").exists()

    # Another address is not held up, and just looking at the form is never throttled.
    assert (
        visitor("198.51.100.21").post(reverse("members:apply"), application_data("other@example.org")).status_code
        == 302
    )
    assert client.get(reverse("members:apply")).status_code == 200
