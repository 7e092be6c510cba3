"""Switching language after a live search keeps the search: htmx pushed the search's address, and the language
switch returns to that address rather than to the page as it was first opened."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.factories_needs import NeedFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_switching_language_after_a_live_search_keeps_the_search(page, screenshot, signed_in):
    NeedFactory(title="Taalmaatje voor een collega uit Kyiv")
    NeedFactory(title="Budgetcoach voor inwoners met geldzorgen")
    if signed_in:
        log_in(page, MembershipFactory(organisation=OrganisationFactory(), user__preferred_language="nl").user.email)
    page.goto("/needs/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    page.get_by_label("Zoeken").fill("budget")  # the live search answers after a pause in typing
    expect(page).to_have_url(re.compile(r"/needs/\?.*q=budget"))
    expect(page.get_by_text("Taalmaatje voor een collega uit Kyiv")).to_have_count(0)

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/needs/\?.*q=budget"))
    expect(page.get_by_label("Search")).to_have_value("budget")
    expect(page.get_by_text("Budgetcoach voor inwoners met geldzorgen")).to_be_visible()
    expect(page.get_by_text("Taalmaatje voor een collega uit Kyiv")).to_have_count(0)
    screenshot(page, f"language-after-search-{'member' if signed_in else 'visitor'}-en")
