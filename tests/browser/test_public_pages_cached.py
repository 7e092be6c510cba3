"""A visitor on the cached public pages, in real Chromium: the language switch works from the keyboard without a
CSRF cookie, each language gets its own kept page, and the filters still answer through htmx."""

import pytest
from playwright.sync_api import expect

from tests.factories_needs import NeedFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_switches_language_on_kept_pages_by_keyboard(new_page, settings, screenshot):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    NeedFactory(title="Taalmaatje voor een collega uit Kyiv")
    NeedFactory(title="Budgetcoach voor inwoners met geldzorgen")
    new_page().goto("/needs/")  # another visitor fills the cache first

    page = new_page()
    page.goto("/needs/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert not [c for c in page.context.cookies() if c["name"] in ("csrftoken", "sessionid")]
    screenshot(page, "public-needs-cached-nl")

    page.get_by_role("button", name="English").focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name="Needs")).to_be_visible()
    assert page.url.endswith("/needs/")
    screenshot(page, "public-needs-cached-en")

    page.get_by_label("Search").fill("budget")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Budgetcoach voor inwoners met geldzorgen")).to_be_visible()
    expect(page.get_by_text("Taalmaatje voor een collega uit Kyiv")).to_have_count(0)

    page.get_by_role("button", name="Nederlands").focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1, name="Hulpvragen")).to_be_visible()
    expect(page.get_by_label("Zoeken")).to_be_visible()  # the Dutch filter form, not the English one kept before
