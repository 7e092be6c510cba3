"""A volunteer downloads their data and deletes their account, in real Chromium, in Dutch and in English.

The volunteer is logged in with `force_login` on a test client whose session cookie is copied into the browser
(the login form is another journey's). Every page on the way is checked with axe-core and photographed.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from matching import services as matching
from matching.models import HoursEntry, Match
from members import services
from members.models import Membership, User
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.matching.test_sides_permissions import current_need, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "nl": {
        "settings": "Instellingen",
        "privacy": "Je privacy",
        "download": "Mijn gegevens downloaden",
        "delete": "Mijn account verwijderen",
        "delete_title": "Je account verwijderen",
        "password": "Je wachtwoord",
        "confirm": "Mijn account definitief verwijderen",
        "wrong": "Dit is niet je wachtwoord. Er is niets verwijderd.",
        "deleted": "Je account is verwijderd.",
        "statement": "Privacyverklaring",
        "statement_section": "Wat we bewaren",
        "log_in": "Inloggen",
    },
    "en": {
        "settings": "Settings",
        "privacy": "Your privacy",
        "download": "Download my data",
        "delete": "Delete my account",
        "delete_title": "Delete your account",
        "password": "Your password",
        "confirm": "Delete my account for good",
        "wrong": "This is not your password. Nothing was deleted.",
        "deleted": "Your account is deleted.",
        "statement": "Privacy statement",
        "statement_section": "What we keep",
        "log_in": "Log in",
    },
}


def volunteer_with_history(language: str) -> User:
    """A volunteer at ASML who helped the food bank for three hours, confirmed."""
    volunteer = VolunteerFactory(
        organisation=OrganisationFactory(name="ASML", slug="asml"),
        user=UserFactory(full_name="Olena Kovalenko", email="olena@asml.example", preferred_language=language),
    )
    services.privacy_consent_give(user=volunteer.user)
    charity = OrganisationFactory(name="Voedselbank Eindhoven", slug="voedselbank", kind="social")
    contact = MembershipFactory(organisation=charity, role=Membership.Role.ADMIN).user
    match = matching.match_approve(
        match=proposal(current_need(charity, title="Pakketten inpakken"), volunteer=volunteer),
        acting_user=coordinator(),
    )
    matching.match_accept(match=match, acting_user=contact, side="need")
    matching.match_accept(match=match, acting_user=volunteer.user, side="supply")
    entry = matching.hours_log(
        match=match,
        acting_user=volunteer.user,
        day=timezone.localdate() - datetime.timedelta(days=1),
        hours=Decimal("3"),
        description="Pakketten ingepakt",
    )
    matching.hours_confirm(entries=[entry], acting_user=contact)
    return volunteer.user


def signed_in(page, live_server, user):
    """Put a session of `user` into the page's browser context, as if they had logged in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_volunteer_downloads_their_data_and_deletes_their_account(page, live_server, axe_check, screenshot, language):
    t = TEXT[language]
    user = volunteer_with_history(language)
    signed_in(page, live_server, user)

    # Settings: the privacy section with both actions.
    page.goto("/account/settings/")
    expect(page.get_by_role("heading", name=t["privacy"])).to_be_visible()
    axe_check(page)
    page.get_by_role("heading", name=t["privacy"]).scroll_into_view_if_needed()
    screenshot(page, f"privacy-settings-{language}")

    # The download: one JSON file with their account, profile, match and hours.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=t["download"]).first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("brainport-voor-elkaar-my-data-")
    data = json.loads(open(download.path(), encoding="utf-8").read())  # noqa: PTH123,SIM115
    assert data["account"]["email"] == "olena@asml.example"
    assert data["volunteer_profile"]["organisation"] == "ASML"
    assert [m["need"] for m in data["matches"]] == ["Pakketten inpakken"]
    assert [h["description"] for h in data["hours"]] == ["Pakketten ingepakt"]

    # Deleting: what goes and what stays, then the password.
    page.get_by_role("link", name=t["delete"]).first.click()
    expect(page.get_by_role("heading", level=1, name=t["delete_title"])).to_be_visible()
    axe_check(page)
    screenshot(page, f"privacy-delete-{language}")

    page.get_by_label(t["password"]).fill("niet-mijn-wachtwoord")
    page.get_by_role("button", name=t["confirm"]).click()
    # Said in the summary at the top and next to the field, which it describes.
    expect(page.get_by_label(t["password"])).to_have_accessible_description(re.compile(re.escape(t["wrong"])))
    expect(page.get_by_label(t["password"])).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    screenshot(page, f"privacy-delete-wrong-password-{language}")
    assert User.objects.get(pk=user.pk).anonymised_at is None

    page.get_by_label(t["password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page.get_by_text(t["deleted"])).to_be_visible()
    expect(page.get_by_role("link", name=t["log_in"]).first).to_be_visible()  # logged out
    expect(page.get_by_role("link", name=t["settings"])).to_have_count(0)
    axe_check(page)
    screenshot(page, f"privacy-deleted-{language}")

    user.refresh_from_db()
    assert user.anonymised_at is not None and user.full_name == "" and not user.is_active
    # The accepted match is withdrawn (the food bank is told); the confirmed hours stay in the figures.
    assert Match.objects.get().status == Match.Status.WITHDRAWN
    assert HoursEntry.objects.get().confirmed_hours == Decimal("3")

    # The privacy statement, from the footer, in the same language.
    page.get_by_role("contentinfo").get_by_role("link", name=t["statement"]).click()
    expect(page.get_by_role("heading", level=1, name=t["statement"])).to_be_visible()
    expect(page.get_by_role("heading", name=t["statement_section"])).to_be_visible()
    axe_check(page)
    screenshot(page, f"privacy-statement-{language}")


CONSENT = {
    "nl": {"title": "Onze privacyverklaring is veranderd", "agree": "Ik ga akkoord", "thanks": "Dank je."},
    "en": {"title": "Our privacy statement has changed", "agree": "I agree", "thanks": "Thank you."},
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_new_privacy_statement_is_agreed_to_before_going_on(
    page, live_server, axe_check, screenshot, settings, language
):
    t = CONSENT[language]
    volunteer = VolunteerFactory(user__preferred_language=language)
    services.privacy_consent_give(user=volunteer.user)
    settings.PRIVACY_STATEMENT_VERSION = "2.0"
    signed_in(page, live_server, volunteer.user)

    page.goto("/dashboard/")

    expect(page.get_by_role("heading", level=1, name=t["title"])).to_be_visible()
    assert "/privacy/agree/?next=%2Fdashboard%2F" in page.url
    axe_check(page)
    screenshot(page, f"privacy-consent-{language}")
    page.get_by_role("button", name=t["agree"]).click()
    expect(page.get_by_text(t["thanks"])).to_be_visible()
    assert page.url.endswith("/dashboard/")
    assert User.objects.get(pk=volunteer.user.pk).privacy_version == "2.0"
