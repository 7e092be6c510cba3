"""Visitors' public pages come from the page cache: no cookie, cacheable by proxies, kept apart by language and
by htmx, emptied when a need changes, and never a signed-in user's page."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from members import services
from members.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_needs import NeedFactory

pytestmark = pytest.mark.django_db

LIST = reverse("members:need-list")


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    settings.PUBLIC_PAGE_MAX_AGE = 30


@pytest.fixture
def need():
    return NeedFactory(title="Taalmaatje voor een collega uit Kyiv")


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    "url",
    [reverse("members:home"), LIST, LIST + "?q=taal&page=1", "need-detail"],
    ids=["home", "list", "search", "detail"],
)
def test_a_visitors_public_page_sets_no_cookie_and_may_be_kept_by_proxies(need, url):
    url = need.get_absolute_url() if url == "need-detail" else url

    response = Client().get(url)

    assert response.status_code == 200
    assert not response.cookies, response.cookies
    assert "public" in response["Cache-Control"]
    assert get_max_age(response) == 30
    assert {"accept-language", "cookie", "hx-request"} <= vary(response)


def test_the_second_visitor_gets_the_kept_page_without_a_query(need, django_assert_num_queries):
    first = Client().get(LIST)
    with django_assert_num_queries(0):
        second = Client().get(LIST)

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert need.title in second.text


def test_every_kept_page_carries_a_fresh_nonce_that_matches_its_policy(need):
    Client().get(LIST)
    pages = [Client().get(LIST) for _ in range(2)]

    nonces = []
    for page in pages:
        nonce = page["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'nonce="{nonce}"' in page.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_dutch_and_english_visitors_each_get_their_own_language(need):
    dutch = Client(headers={"accept-language": "nl"}).get(LIST)
    english = Client(headers={"accept-language": "en"}).get(LIST)
    by_cookie = Client()
    by_cookie.cookies["django_language"] = "en"

    assert '<html lang="nl">' in dutch.text
    assert '<html lang="en">' in english.text
    assert '<html lang="en">' in by_cookie.get(LIST).text
    assert '<html lang="nl">' in Client(headers={"accept-language": "nl"}).get(LIST).text


def test_htmx_gets_the_results_and_a_full_load_the_page_from_the_same_address(need):
    Client().get(LIST)
    partial = Client().get(LIST, headers={"HX-Request": "true"})
    full = Client().get(LIST)

    assert "<html" not in partial.text and need.title in partial.text
    assert "<html" in full.text


def test_publishing_pausing_and_editing_a_need_empty_the_kept_pages(need, django_capture_on_commit_callbacks):
    member = MembershipFactory(organisation=need.organisation, role=Membership.Role.MEMBER).user
    draft = NeedFactory(organisation=need.organisation, title="Budgetcoach voor de Kempen", status="draft")
    assert draft.title not in Client().get(LIST).text

    with django_capture_on_commit_callbacks(execute=True):
        services.need_publish(need=draft, acting_user=member)
    assert draft.title in Client().get(LIST).text

    with django_capture_on_commit_callbacks(execute=True):
        services.need_pause(need=draft, acting_user=member)
    assert draft.title not in Client().get(LIST).text
    assert Client().get(draft.get_absolute_url()).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        services.need_update(need=need, acting_user=member, data={"title": "Taalcoach op de werkvloer"})
    page = Client().get(need.get_absolute_url())
    assert "Taalcoach op de werkvloer" in page.text


def test_renaming_an_organisation_empties_the_kept_pages(need, django_capture_on_commit_callbacks):
    admin = MembershipFactory(organisation=need.organisation, role=Membership.Role.ADMIN).user
    Client().get(LIST)

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_update(organisation=need.organisation, acting_user=admin, data={"name": "Buurtkracht"})

    assert "Buurtkracht" in Client().get(LIST).text


def test_a_signed_in_user_never_gets_nor_leaves_a_kept_page(need, client):
    organisation = OrganisationFactory(name="Kraamzorg Kempen")
    user = MembershipFactory(organisation=organisation, user__full_name="Mia Lid").user
    client.force_login(user)

    signed_in = client.get(LIST)
    visitor = Client().get(LIST)

    assert "X-Page-Cache" not in signed_in
    assert "private" in signed_in["Cache-Control"]
    assert "Kraamzorg Kempen" in signed_in.text  # the navigation shows their organisation
    assert "Kraamzorg Kempen" not in visitor.text
    assert visitor["X-Page-Cache"] == "miss"
    assert "X-Page-Cache" not in client.get(LIST)


def test_a_visitor_with_a_session_is_served_afresh(need):
    visitor = Client()
    visitor.cookies["sessionid"] = "something"
    Client().get(LIST)

    response = visitor.get(LIST)

    assert "X-Page-Cache" not in response


def test_a_visitor_switches_language_without_a_token_and_a_signed_in_user_needs_one(need):
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(LIST)
    assert "csrfmiddlewaretoken" not in page.text

    switched = visitor.post(reverse("members:language-set"), {"language": "en", "next": LIST})
    assert switched.status_code == 302
    assert visitor.cookies["django_language"].value == "en"
    assert '<html lang="en">' in visitor.get(LIST).text

    user = MembershipFactory(user__preferred_language="nl").user
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(user)
    assert signed_in.post(reverse("members:language-set"), {"language": "en"}).status_code == 403
    user.refresh_from_db()
    assert user.preferred_language == "nl"

    token = signed_in.get(LIST).text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    answer = signed_in.post(reverse("members:language-set"), {"language": "en", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_the_public_impact_page_is_kept_for_a_minute_at_most(settings, django_assert_num_queries):
    from unittest import mock

    from django.core.cache import cache

    with mock.patch.object(cache, "set", wraps=cache.set) as kept:
        first = Client().get(reverse("matching:impact-public"))
    with django_assert_num_queries(0):
        second = Client().get(reverse("matching:impact-public"))

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert kept.call_args.args[2] == 60
    assert "public" in second["Cache-Control"] and not second.cookies


def test_a_public_page_that_starts_a_session_on_the_way_out_is_private_after_all(need, monkeypatch):
    from members.views import needs as views

    render = views.render

    def render_and_touch_the_session(request, *args, **kwargs):
        response = render(request, *args, **kwargs)
        request.session["seen"] = True  # as a later change might
        return response

    monkeypatch.setattr(views, "render", render_and_touch_the_session)
    response = Client().get(LIST)

    assert "sessionid" in response.cookies
    assert "public" not in response["Cache-Control"]
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_when_the_cache_does_not_answer_the_page_is_rendered_all_the_same(need):
    from unittest import mock

    from django.core.cache import cache

    down = ConnectionError("the cache is down")
    with (
        mock.patch.object(cache, "get", side_effect=down),
        mock.patch.object(cache, "get_many", side_effect=down),
        mock.patch.object(cache, "set", side_effect=down),
    ):
        response = Client().get(need.get_absolute_url())

    assert response.status_code == 200
    assert need.title in response.text


def test_confirming_an_inclusive_employer_empties_the_kept_home_page(django_capture_on_commit_callbacks):
    employer = OrganisationFactory(is_inclusive_employer=True, inclusive_confirmed_at=None)
    home = reverse("members:home")
    before = Client().get(home).context["figures"]["inclusive"]

    with django_capture_on_commit_callbacks(execute=True):
        services.inclusive_employer_review(organisation=employer, acting_user=coordinator(), confirm=True)

    after = Client().get(home)
    assert after["X-Page-Cache"] == "miss"
    assert after.context["figures"]["inclusive"] == before + 1
