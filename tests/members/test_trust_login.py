"""Guessing passwords: limited per account as well as per address, and behind a proxy per real client."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Helemaal-fout-1"


def log_in(client, email, password, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def is_logged_in(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


def per_account_limit() -> int:
    """The failures per account allowed by ACCOUNT_RATE_LIMITS["login_failed"] (its `/key` part)."""
    [key_rate] = [rate for rate in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",") if rate.endswith("/key")]
    return int(key_rate.split("/")[0])


def test_failures_for_one_account_from_many_addresses_stop_even_the_right_password():
    """The review's attack: 32 wrong guesses for one account from 8 addresses, 4 from each (under axes' limit
    per address and IP), then the right password from a ninth address."""
    user = UserFactory()
    for n in range(8):
        for _ in range(4):
            response = log_in(Client(), user.email, WRONG_PASSWORD, REMOTE_ADDR=f"127.0.0.{n + 2}")
            assert response.status_code == 200

    browser = Client()
    response = log_in(browser, user.email, PASSWORD, REMOTE_ADDR="127.0.1.1")

    assert not is_logged_in(browser, user)
    assert "Too many failed login attempts" in response.text


def test_one_guess_from_each_of_many_addresses_is_stopped_at_the_per_account_limit():
    user = UserFactory()
    for n in range(per_account_limit()):
        log_in(Client(), user.email, WRONG_PASSWORD, REMOTE_ADDR=f"127.0.0.{n + 2}")

    browser = Client()
    log_in(browser, user.email, PASSWORD, REMOTE_ADDR="127.0.1.1")

    assert not is_logged_in(browser, user)


def test_below_the_per_account_limit_the_right_password_works_from_a_new_address():
    user = UserFactory()
    for n in range(per_account_limit() - 1):
        log_in(Client(), user.email, WRONG_PASSWORD, REMOTE_ADDR=f"127.0.0.{n + 2}")

    browser = Client()
    log_in(browser, user.email, PASSWORD, REMOTE_ADDR="127.0.1.1")

    assert is_logged_in(browser, user)


def test_the_trusted_proxy_count_comes_from_the_environment_with_default_0():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert settings.AXES_CLIENT_IP_CALLABLE


# Behind one trusted proxy ---------------------------------------------------------------------------

PROXY = "10.0.0.1"


def via_proxy(client_ip):
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


@pytest.fixture
def one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_behind_a_proxy_one_attackers_failures_do_not_lock_out_another_user(one_proxy):
    victims = [UserFactory() for _ in range(8)]
    attacker = Client()
    # 4 wrong guesses for each of 8 accounts from one address: past the 30 a minute allowed per address, but
    # under axes' limit per account and address and under the per-account limit.
    for victim in victims:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(attacker, victim.email, WRONG_PASSWORD, **via_proxy("203.0.113.5"))

    colleague = UserFactory()
    refused = Client()
    log_in(refused, colleague.email, PASSWORD, **via_proxy("203.0.113.5"))
    assert not is_logged_in(refused, colleague), "the attacker's address is limited"

    browser = Client()
    response = log_in(browser, colleague.email, PASSWORD, **via_proxy("198.51.100.7"))

    assert response.status_code == 302
    assert is_logged_in(browser, colleague)


def test_behind_a_proxy_axes_counts_the_real_client_address(one_proxy):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), user.email, WRONG_PASSWORD, **via_proxy("203.0.113.5"))
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == "203.0.113.5"

    # The same person at home, behind the same proxy, is not caught by the lockout of the other address.
    browser = Client()
    response = log_in(browser, user.email, PASSWORD, **via_proxy("198.51.100.7"))

    assert response.status_code == 302
    assert is_logged_in(browser, user)
