"""The list of needs and an organisation's needs workspace cost the same number of queries with one row as
with fifty."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Membership, Need
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality
from tests.factories_needs import NeedFactory, language, skill, theme

pytestmark = pytest.mark.django_db

MANY = 50


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured), response


def assert_same_cost(client, url, add_rows, *, rows_shown, **headers):
    """Render with one row, add MANY - 1, render again: the count of queries must not move."""
    client.get(url, headers=headers)  # warm caches that are not per-request (municipality centres, templates)
    with_one, first = queries_for(client, url, **headers)
    assert rows_shown(first) == 1
    add_rows(MANY - 1)
    with_many, second = queries_for(client, url, **headers)
    assert rows_shown(second) == MANY
    assert with_many == with_one, f"{url}: {with_one} queries with 1 row, {with_many} with {MANY}"


def rich_need(organisation, **overrides):
    """A need with everything a card can show, each from a different organisation's view of it."""
    return NeedFactory(
        organisation=organisation,
        title="Taalmaatjes in Helmond",
        description="Help nieuwkomers met de taal.",
        municipality=municipality("Helmond"),
        themes=[theme("newcomers"), theme("language")],
        languages=[language("nl")],
        skills={skill("language-buddy"): True, skill("intercultural"): False},
        **overrides,
    )


def add_public(n):
    for _ in range(n):
        rich_need(OrganisationFactory(kind="social"))


@pytest.fixture
def per_page(monkeypatch):
    """Fifty rows on one page, so that the many rows are all rendered."""
    monkeypatch.setattr("members.views.needs.NEEDS_PER_PAGE", MANY)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?theme=newcomers&skill=language-buddy&language=nl&kind=one_off&programme=corporate-volunteering",
        "?q=taalmaatjes&sort=nearest&near={Veldhoven}&subregion=De+Peel&starts_from=2030-01-01",
        "?remote=&municipality={Helmond}&sort=soonest",
    ],
)
@pytest.mark.parametrize("who", ["visitor", "volunteer", "coordinator"])
def test_the_list_of_needs(client, per_page, query, who):
    if who == "volunteer":
        client.force_login(UserFactory())
    elif who == "coordinator":
        client.force_login(coordinator())
    url = reverse("members:need-list") + query.format(
        Veldhoven=municipality("Veldhoven").pk, Helmond=municipality("Helmond").pk
    )
    add_public(1)

    assert_same_cost(client, url, add_public, rows_shown=lambda r: len(r.context["needs"]))


def test_the_results_partial_for_htmx(client, per_page):
    add_public(1)

    assert_same_cost(
        client,
        reverse("members:need-list") + "?theme=newcomers",
        add_public,
        rows_shown=lambda r: "<html" not in r.text and len(r.context["needs"]),
        **{"HX-Request": "true"},
    )


@pytest.mark.parametrize("who", ["own_member", "coordinator"])
def test_the_organisations_needs_workspace(client, who):
    membership = MembershipFactory(role=Membership.Role.MEMBER, organisation__kind="social")
    organisation = membership.organisation
    client.force_login(membership.user if who == "own_member" else coordinator())
    statuses = list(Need.Status)

    def add(n):
        for number in range(n):
            rich_need(organisation, status=statuses[number % len(statuses)], contact_person=membership.user)

    add(1)
    assert_same_cost(
        client,
        reverse("members:need-workspace", args=[organisation.slug]),
        add,
        rows_shown=lambda r: len(r.context["needs"]),
    )


# Pages of needs are read ids first (members/views/needs.py): the same rows as reading the whole rows.


def test_a_deep_page_shows_the_same_needs_in_the_same_order_as_reading_whole_rows(client):
    from django.core.paginator import Paginator

    from members.filters import NEWEST
    from members.views.needs import NEEDS_PER_PAGE

    organisation = OrganisationFactory()
    for n in range(NEEDS_PER_PAGE * 3 + 5):
        NeedFactory(organisation=organisation, title=f"Hulp {n:03}")
    whole_rows = Need.objects.public().order_by(*NEWEST)

    for number in (1, 3, 4):
        response = client.get(reverse("members:need-list") + f"?page={number}")
        expected = [need.pk for need in Paginator(whole_rows, NEEDS_PER_PAGE).page(number)]
        assert [need.pk for need in response.context["needs"]] == expected
    assert len(client.get(reverse("members:need-list") + "?page=4").context["needs"]) == 5


def test_a_visitors_list_of_needs_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    from django.core.cache import cache

    organisation = OrganisationFactory()
    NeedFactory.create_batch(25, organisation=organisation, themes=[theme("newcomers")])
    client.get(reverse("members:need-list"))  # warm per-process caches
    cache.clear()

    # the count, the page's ids, its rows, their themes, and the filter form's six lists
    with django_assert_num_queries(10):
        first = client.get(reverse("members:need-list"))
    # the next page with the same filters: the rendered form comes from the cache
    with django_assert_num_queries(4):
        second = client.get(reverse("members:need-list") + "?page=2")
    form = first.text.split('role="search"')[1].split("</form>")[0]
    assert form == second.text.split('role="search"')[1].split("</form>")[0]
