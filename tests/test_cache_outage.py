"""When Redis (the cache) does not answer: what visitors read renders without it, a change is still saved, and
what the cache guards (login rate limits, two-factor codes' single use, /apply/) answers a clear 503 instead of
a server error or an unguarded login (brainport_voor_elkaar/cache.py)."""

import logging
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from members import services
from members.models import Membership, MembershipApplication, Need
from tests.factories import PASSWORD, MembershipFactory, UserFactory, coordinator
from tests.factories_needs import NeedFactory
from tests.members.test_applications import application_data
from tests.test_serving import PRODUCTION, setting
from tests.totp import current_code

pytestmark = pytest.mark.django_db

UNAVAILABLE = "Please try again in a few minutes."


@pytest.fixture(autouse=True)
def whole_pages_kept(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600  # as in production


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# What visitors and volunteers read -----------------------------------------------------------------------


def test_needs_render_with_their_filter_form_for_a_visitor_and_a_volunteer_while_the_cache_is_down(cache_down, caplog):
    need = NeedFactory(title="Taalmaatje op de werkvloer")
    volunteer = Client()
    volunteer.force_login(UserFactory())
    cache_down()

    with caplog.at_level(logging.WARNING):
        pages = [Client().get(reverse("members:need-list")), volunteer.get(reverse("members:need-list"))]

    for page in pages:
        assert page.status_code == 200
        assert 'id="id_q"' in page.text and 'id="id_theme"' in page.text  # the form kept in the fragment cache
        assert need.title in page.text
    assert "The cache does not answer" in caplog.text


def test_the_home_page_and_a_needs_page_render_while_the_cache_is_down(cache_down):
    need = NeedFactory(title="Data-analist voor de kraamzorg")
    cache_down()

    home = Client().get(reverse("members:home"))
    detail = Client().get(reverse("members:need-detail", args=[need.pk]))

    assert home.status_code == 200  # its impact figures are computed afresh
    assert detail.status_code == 200 and need.title in detail.text


def test_a_change_to_a_need_is_saved_and_answered_while_the_cache_is_down(
    cache_down, django_capture_on_commit_callbacks
):
    need = NeedFactory()
    member = MembershipFactory(organisation=need.organisation, role=Membership.Role.MEMBER).user
    cache_down()

    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        services.need_pause(need=need, acting_user=member)

    assert after_commit  # emptying the kept pages was tried, and its failure did not reach the member
    assert Need.objects.get(pk=need.pk).status == Need.Status.PAUSED


# What the cache guards: closed, with a clear page -----------------------------------------------------------


def test_logging_in_answers_a_clear_503_and_logs_no_one_in_while_the_cache_is_down(cache_down, english):
    user = UserFactory()
    cache_down()

    form = english.get(reverse("account_login"))
    response = english.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert form.status_code == 200
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Briefly unavailable" in response.text and UNAVAILABLE in response.text
    assert SESSION_KEY not in english.session


def test_the_page_says_it_in_dutch_too(cache_down, client, settings):
    user = UserFactory()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    cache_down()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 503
    assert "Even niet beschikbaar" in response.text and "Probeer het over een paar minuten opnieuw" in response.text


def test_a_two_factor_code_is_refused_with_a_clear_503_when_its_single_use_cannot_be_recorded(cache_down, english):
    person = coordinator()
    english.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    cache_down()

    response = english.post(reverse("mfa_authenticate"), {"code": current_code(person)})

    assert response.status_code == 503 and UNAVAILABLE in response.text
    assert SESSION_KEY not in english.session


def test_applying_for_membership_answers_503_and_creates_nothing_while_the_cache_is_down(cache_down, english):
    cache_down()

    response = english.post(reverse("members:apply"), application_data())

    assert response.status_code == 503 and UNAVAILABLE in response.text
    assert not MembershipApplication.objects.exists()


# For operators ------------------------------------------------------------------------------------------


def test_healthz_names_the_cache_when_it_is_down_and_answers_quickly(cache_down, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache_down()

    started = time.monotonic()
    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "ok", "cache": "down"}
    assert time.monotonic() - started < 3


def test_production_gives_redis_short_timeouts_and_fragments_a_cache_that_forgives():
    caches = setting("CACHES", **PRODUCTION, CACHE_URL="redis://127.0.0.1:6379/7")

    assert caches["default"]["OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}
    assert caches["template_fragments"] == {
        "BACKEND": "brainport_voor_elkaar.cache.ForgivingCache",
        "LOCATION": "default",
    }
