"""Logging in while Redis is down, in real Chromium: a clear page in the visitor's language, accessible, no error."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAID = {
    "nl": ("Even niet beschikbaar", "Probeer het over een paar minuten opnieuw"),
    "en": ("Briefly unavailable", "Please try again in a few minutes"),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_logging_in_while_the_cache_is_down_says_to_try_again_shortly(
    new_page, live_server, cache_down, audit, language
):
    user = UserFactory()
    cache_down()
    page = new_page()
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")

    heading, advice = SAID[language]
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(advice)
    audit(page, f"cache-down-login-{language}")
