"""The public member directory and the public organisation profile it links to."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality

pytestmark = pytest.mark.django_db

DIRECTORY = "/organisations/"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def names(response):
    return [organisation.name for organisation in response.context["page"].object_list]


def test_the_directory_lives_at_organisations_and_the_switcher_still_works(client):
    assert reverse("members:organisation-list") == DIRECTORY
    membership = MembershipFactory()
    client.force_login(membership.user)

    response = client.post(reverse("members:organisation-switch"), {"organisation": membership.organisation.pk})

    assert response.status_code == 302
    assert response["Location"] == membership.organisation.get_absolute_url()


def test_a_visitor_sees_active_members_with_their_public_details(english):
    OrganisationFactory(
        name="Stichting Taalmaatjes",
        kind=Organisation.Kind.SOCIAL,
        municipality=municipality("Bladel"),
        description="Language Buddies at Work: colleagues help newcomer colleagues with Dutch.",
        website="https://taalmaatjes.example.nl",
        is_inclusive_employer=True,
    )
    for status in [Organisation.Status.PENDING, Organisation.Status.REJECTED, Organisation.Status.ENDED]:
        OrganisationFactory(name=f"Niet zichtbaar {status}", status=status)

    response = english.get(DIRECTORY)

    assert response.status_code == 200
    assert names(response) == ["Stichting Taalmaatjes"]
    text = response.text
    assert "Social organisation" in text
    assert "Bladel (De Kempen)" in text
    assert "Language Buddies at Work" in text
    assert 'href="https://taalmaatjes.example.nl"' in text
    assert "Inclusive employer" in text
    assert "Niet zichtbaar" not in text
    assert "1 member organisation found" in text


def test_the_directory_shows_no_personal_data(english):
    admin = MembershipFactory(
        role=Membership.Role.ADMIN,
        organisation__name="Buurtteam Woensel",
        user__full_name="Ilse Geheim",
        user__email="ilse.geheim@example.org",
    )

    for page in [english.get(DIRECTORY), english.get(admin.organisation.get_absolute_url())]:
        assert "Buurtteam Woensel" in page.text
        assert "Ilse Geheim" not in page.text
        assert "ilse.geheim@example.org" not in page.text


def test_the_navigation_links_to_the_directory_for_everyone(client):
    assert f'href="{DIRECTORY}"' in client.get("/").text
    client.force_login(UserFactory())
    assert f'href="{DIRECTORY}"' in client.get(reverse("members:dashboard")).text


# Filters ---------------------------------------------------------------------------------------------


@pytest.fixture
def members():
    OrganisationFactory(name="ASML", kind=Organisation.Kind.COMPANY, municipality=municipality("Veldhoven"))
    OrganisationFactory(
        name="Voedselbank Eindhoven",
        kind=Organisation.Kind.SOCIAL,
        municipality=municipality("Eindhoven"),
        is_inclusive_employer=True,
    )
    OrganisationFactory(name="Kempen Techniek", kind=Organisation.Kind.COMPANY, municipality=municipality("Bladel"))
    OrganisationFactory(
        name="Gemeente Helmond", kind=Organisation.Kind.GOVERNMENT, municipality=municipality("Helmond")
    )


FILTERS = {
    "kind": ("kind=company", ["ASML", "Kempen Techniek"]),
    "subregion": ("subregion=De+Kempen", ["Kempen Techniek"]),
    "municipality": (lambda: f"municipality={municipality('Helmond').pk}", ["Gemeente Helmond"]),
    "name, in any case": ("name=voedsel", ["Voedselbank Eindhoven"]),
    "inclusive employers": ("inclusive=on", ["Voedselbank Eindhoven"]),
    "kind and subregion": ("kind=company&subregion=Stedelijk+gebied+Eindhoven", ["ASML"]),
    "nothing matches": ("name=bestaat-niet", []),
    "no filter": ("", ["ASML", "Gemeente Helmond", "Kempen Techniek", "Voedselbank Eindhoven"]),
}


@pytest.mark.usefixtures("members")
@pytest.mark.parametrize(("query", "expected"), FILTERS.values(), ids=FILTERS.keys())
def test_filter_by_kind_region_and_name(english, query, expected):
    query = query() if callable(query) else query

    response = english.get(f"{DIRECTORY}?{query}")

    assert names(response) == expected
    if not expected:
        assert "No member organisation matches your search." in response.text


@pytest.mark.usefixtures("members")
def test_an_unknown_filter_value_is_told_at_its_field(english):
    response = english.get(f"{DIRECTORY}?kind=castle")

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert 'aria-invalid="true"' in response.text


def test_the_directory_is_paginated_and_keeps_the_filter(english):
    for number in range(25):
        OrganisationFactory(name=f"Bedrijf {number:02}", kind=Organisation.Kind.COMPANY)
    OrganisationFactory(name="Zorg Zuid", kind=Organisation.Kind.SOCIAL)

    first = english.get(f"{DIRECTORY}?kind=company")
    second = english.get(f"{DIRECTORY}?kind=company&page=2")
    beyond = english.get(f"{DIRECTORY}?kind=company&page=99")

    assert names(first) == [f"Bedrijf {n:02}" for n in range(20)]
    assert names(second) == names(beyond) == [f"Bedrijf {n:02}" for n in range(20, 25)]
    assert "Page 1 of 2" in first.text
    assert 'href="?kind=company&amp;page=2"' in first.text
    assert "25 member organisations found" in first.text


def test_an_htmx_request_gets_only_the_results(english):
    OrganisationFactory(name="ASML")

    response = english.get(f"{DIRECTORY}?name=asml", headers={"HX-Request": "true"})

    assert names(response) == ["ASML"]
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("who", ["visitor", "coordinator"])
def test_the_directory_costs_the_same_with_one_member_and_with_fifty(client, who):
    if who == "coordinator":
        client.force_login(coordinator(preferred_language="en"))
    OrganisationFactory(description="Wij doen mee.", website="https://example.nl", is_inclusive_employer=True)
    client.get(DIRECTORY)  # warm caches that are not per request (content types, templates)

    with CaptureQueriesContext(connection) as one:
        first = client.get(DIRECTORY)
    for number in range(49):
        OrganisationFactory(municipality=municipality(["Eindhoven", "Bladel", "Helmond"][number % 3]))
    with CaptureQueriesContext(connection) as fifty:
        second = client.get(DIRECTORY)

    assert len(names(first)) == 1
    assert second.context["page"].paginator.count == 50
    assert len(names(second)) == 20
    assert len(fifty) == len(one), f"{len(one)} queries with 1 member, {len(fifty)} with 50"


# The public profile -----------------------------------------------------------------------------------

ROLES = ["visitor", "volunteer", "other_org_member", "own_member", "own_admin", "coordinator"]


@pytest.fixture
def people():
    organisation = OrganisationFactory(name="Voedselbank Eindhoven", slug="voedselbank")
    return organisation, {
        "visitor": None,
        "volunteer": UserFactory(),
        "other_org_member": MembershipFactory(role=Membership.Role.ADMIN).user,
        "own_member": MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user,
        "own_admin": MembershipFactory(
            organisation=organisation, role=Membership.Role.ADMIN, user__email="beheer@voedselbank.example.org"
        ).user,
        "coordinator": coordinator(),
    }


# status of the organisation → what each role gets: 404, or 200 with or without the workspace
# fmt: off
PROFILE = {
    #                           visitor volunteer other_org own_member own_admin coordinator
    Organisation.Status.ACTIVE:   ("pub", "pub",    "pub",    "ws",      "ws",     "ws"),
    Organisation.Status.PENDING:  (404,   404,      404,      "ws",      "ws",     "ws"),
    Organisation.Status.REJECTED: (404,   404,      404,      "ws",      "ws",     "ws"),
    Organisation.Status.ENDED:    (404,   404,      404,      "ws",      "ws",     "ws"),
}
# fmt: on

PROFILE_CASES = [
    (status, role, expected) for status, row in PROFILE.items() for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("status", "role", "expected"), PROFILE_CASES, ids=[f"{s}-{r}" for s, r, _ in PROFILE_CASES])
def test_the_profile_is_public_for_members_and_the_workspace_only_for_own_people(
    client, people, status, role, expected
):
    organisation, users = people
    Organisation.objects.filter(pk=organisation.pk).update(status=status)
    if users[role] is not None:
        client.force_login(users[role])

    response = client.get(organisation.get_absolute_url())

    if expected == 404:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert "Voedselbank Eindhoven" in response.text
    workspace = expected == "ws"
    assert response.context["show_workspace"] is workspace
    assert ("beheer@voedselbank.example.org" in response.text) is workspace
    assert (reverse("members:offer-list", args=[organisation.slug]) in response.text) is workspace


def test_each_directory_entry_links_to_its_public_profile(english):
    organisation = OrganisationFactory(name="ASML", description="Wij bouwen chipmachines.")

    directory = english.get(DIRECTORY)
    profile = english.get(organisation.get_absolute_url())

    assert f'href="{organisation.get_absolute_url()}"' in directory.text
    assert "Wij bouwen chipmachines." in profile.text
    assert "All member organisations" in profile.text
