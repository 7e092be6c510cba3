"""Keyboard use in real Chromium: the skip link, and switching language without a mouse."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, tab_to
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_skip_link_is_the_first_stop_and_jumps_to_the_main_content(page, axe_check):
    page.goto("/")
    skip_link = page.get_by_role("link", name="Direct naar de inhoud")
    box = skip_link.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1, "the skip link shows before it has the focus"

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box["width"] > 50 and box["height"] > 20, f"the focused skip link is not visible: {box}"
    axe_check(page)

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab lands in the content, past the navigation.
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_role("link", name="Lid worden")).to_be_focused()


def test_language_switch_by_keyboard_is_kept_for_the_next_login(new_page):
    user = UserFactory(email="anna@example.org", full_name="Anna de Wit", preferred_language="nl")
    page = new_page()
    log_in(page, user.email, by_keyboard=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Anna")

    english = page.get_by_role("button", name="English", exact=True)
    expect(english).to_have_attribute("aria-pressed", "false")
    tab_to(page, english)
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Anna")
    expect(english).to_have_attribute("aria-pressed", "true")
    user.refresh_from_db()
    assert user.preferred_language == "en"

    tab_to(page, page.get_by_role("button", name="Log out"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()

    # Another day, another browser (asking for Dutch, without the language cookie): still English.
    page = new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    log_in(page, user.email, by_keyboard=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Anna")
    expect(page.locator("html")).to_have_attribute("lang", "en")
