"""Login throttling: django-axes pauses logging in with an address after too many wrong passwords."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED_OUT = "Too many failed login attempts"
WRONG = "The email address and/or password you specified are not correct."


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def log_in(client, email, password, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def is_logged_in(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


def fail(client, email, times):
    return [log_in(client, email, "Helemaal-fout-1") for _ in range(times)]


def test_wrong_passwords_below_the_limit_just_say_wrong(english):
    user = UserFactory()

    for response in fail(english, user.email, settings.AXES_FAILURE_LIMIT - 1):
        assert response.status_code == 200
        assert WRONG in response.text
        assert LOCKED_OUT not in response.text

    # Still below the limit: the right password works.
    response = log_in(english, user.email, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(english, user)


def test_after_five_failures_even_the_right_password_is_refused(english):
    user = UserFactory()
    responses = fail(english, user.email, settings.AXES_FAILURE_LIMIT)
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)

    response = log_in(english, user.email, PASSWORD)

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert LOCKED_OUT in response.text
    assert "paused for a while" in response.text
    assert reverse("account_reset_password") in response.text
    assert not is_logged_in(english, user)
    assert "_auth_user_id" not in english.session
    # axes counted the failures against this address (and IP), not against the IP alone.
    attempt = AccessAttempt.objects.get()
    assert attempt.username == user.email
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_the_fifth_failure_already_shows_the_lockout_page(english):
    user = UserFactory()

    responses = fail(english, user.email, settings.AXES_FAILURE_LIMIT)

    assert responses[-1].status_code == 429
    assert LOCKED_OUT in responses[-1].text


def test_the_lockout_holds_for_every_spelling_of_the_address(english):
    user = UserFactory(email="anouk@example.org")
    fail(english, "anouk@example.org", settings.AXES_FAILURE_LIMIT)

    response = log_in(english, " Anouk@Example.ORG ", PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(english, user)


def test_the_lockout_holds_in_a_fresh_browser(english):
    """Cookies do not matter: a new session from the same place is still refused."""
    user = UserFactory()
    fail(english, user.email, settings.AXES_FAILURE_LIMIT)

    fresh = Client()
    response = log_in(fresh, user.email, PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(fresh, user)


def test_another_person_can_still_log_in(english):
    """Colleagues behind the same office IP address are not locked out with the one who forgot."""
    forgetful = UserFactory()
    colleague = UserFactory()
    fail(english, forgetful.email, settings.AXES_FAILURE_LIMIT)

    response = log_in(english, colleague.email, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")
    assert is_logged_in(english, colleague)


def test_another_place_can_still_log_in_with_the_address(english):
    """The lockout is per address and IP: the owner logging in from elsewhere is not held hostage."""
    user = UserFactory()
    fail(english, user.email, settings.AXES_FAILURE_LIMIT)

    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    response = log_in(elsewhere, user.email, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(elsewhere, user)


def test_a_successful_login_clears_the_failures(english):
    user = UserFactory()
    fail(english, user.email, settings.AXES_FAILURE_LIMIT - 1)
    assert AccessAttempt.objects.get(username=user.email).failures_since_start == settings.AXES_FAILURE_LIMIT - 1

    assert log_in(english, user.email, PASSWORD).status_code == 302

    assert not AccessAttempt.objects.filter(username=user.email).exists()
