"""The permission matrix of the volunteer views, for every kind of person.

A volunteer's details are seen by themselves, their organisation's admins and coordinators; a colleague
who is a plain member does not see them. Another organisation's volunteer or import answers 404, exactly
like one that does not exist, because the lookups are scoped.
"""

from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse

from members import services
from members.models import Membership, Organisation, Volunteer, VolunteerImport
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_volunteers import VolunteerFactory, csv_text, volunteer_row
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db


@dataclass
class World:
    organisation: Organisation
    people: dict
    subject: Volunteer  # the volunteer whose details are asked for
    volunteer_import: VolunteerImport  # a previewed import that commit and discard act on


@pytest.fixture
def world():
    organisation = OrganisationFactory(name="ASML", slug="asml")
    own_admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    own_member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    subject = VolunteerFactory(organisation=organisation, user__full_name="Olena Kovalenko")
    colleague_volunteer = VolunteerFactory(organisation=organisation).user
    other_org_member = MembershipFactory(role=Membership.Role.ADMIN, organisation__name="Signify").user
    volunteer_import = services.volunteer_import_upload(
        organisation=organisation, acting_user=own_admin, filename="team.csv", text=csv_text([volunteer_row(1)])
    )
    return World(
        organisation=organisation,
        people={
            "visitor": None,
            "volunteer": colleague_volunteer,
            "other_org_member": other_org_member,
            "own_member": own_member,
            "own_admin": own_admin,
            "coordinator": coordinator(),
        },
        subject=subject,
        volunteer_import=volunteer_import,
    )


def slug(w):
    return [w.organisation.slug]


def the_import(w):
    return [w.organisation.slug, w.volunteer_import.pk]


def import_status(w):
    return VolunteerImport.objects.get(pk=w.volunteer_import.pk).status


def welcome_token(w):
    """The welcome link of someone just imported (an account without a password): the token is the key."""
    imported = UserFactory(email="imported@example.org")
    imported.set_unusable_password()
    imported.save()
    return [services.welcome_link(imported).rstrip("/").rsplit("/", 1)[-1]]


# view name → (method, url arguments, what a successful request changed)
VIEWS = {
    "volunteer-profile": ("get", lambda w: [], None),
    "volunteer-detail": ("get", lambda w: [w.subject.pk], None),
    "volunteer-import-example": ("get", lambda w: [], None),
    "volunteer-join": ("get", lambda w: [services.join_link_token(w.organisation)], None),
    "volunteer-list": ("get", slug, None),
    "volunteer-join-link-reset": (
        "post",
        slug,
        lambda w: Organisation.objects.get(pk=w.organisation.pk).join_link_version == 2,
    ),
    "volunteer-import": ("get", slug, None),
    "volunteer-import-preview": ("get", the_import, None),
    "volunteer-import-commit": ("post", the_import, lambda w: import_status(w) == "committed"),
    "volunteer-import-discard": ("post", the_import, lambda w: import_status(w) == "discarded"),
    "welcome": ("get", welcome_token, None),
}

# fmt: off
MATRIX = {
    #                              visitor  volunteer other_org own_member own_admin coordinator
    "volunteer-profile":           (LOGIN,  200,      200,      200,       200,      200),
    "volunteer-detail":            (LOGIN,  404,      404,      404,       200,      200),
    "volunteer-import-example":    (LOGIN,  200,      200,      200,       200,      200),
    "volunteer-join":              (200,    200,      200,      200,       200,      200),
    "volunteer-list":              (LOGIN,  404,      404,      404,       200,      200),
    "volunteer-join-link-reset":   (LOGIN,  404,      404,      404,       302,      302),
    "volunteer-import":            (LOGIN,  404,      404,      404,       200,      200),
    "volunteer-import-preview":    (LOGIN,  404,      404,      404,       200,      200),
    "volunteer-import-commit":     (LOGIN,  404,      404,      404,       302,      302),
    "volunteer-import-discard":    (LOGIN,  404,      404,      404,       302,      302),
    "welcome":                     (200,    200,      200,      200,       200,      200),
}
# fmt: on

URL_NAMES = set(VIEWS)  # tests/members/test_permissions.py checks that every URL has a matrix somewhere

CASES = cases(MATRIX)


def test_the_matrix_covers_every_volunteer_view():
    names = {
        pattern.name
        for pattern in get_resolver().url_patterns[-1].url_patterns
        if pattern.name and pattern.callback.__module__ == "members.views.volunteers"
    }
    assert names == set(VIEWS) == set(MATRIX)


@pytest.mark.parametrize(("view", "role", "expected"), CASES, ids=[f"{v}-{r}" for v, r, _ in CASES])
def test_permission_matrix(client, world, view, role, expected):
    method, args, changed = VIEWS[view]
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"members:{view}", args=args(world))

    response = client.post(url, {}) if method == "post" else client.get(url)

    assert_answer(response, url, expected, changed=changed, world=world)


@pytest.mark.parametrize("view", [view for view, (method, *_rest) in VIEWS.items() if method == "post"])
def test_actions_do_not_answer_a_get(client, world, view):
    client.force_login(world.people["coordinator"])
    _method, args, changed = VIEWS[view]

    response = client.get(reverse(f"members:{view}", args=args(world)))

    assert response.status_code == 405
    assert changed(world) is False


def test_a_volunteer_sees_their_own_details(client, world):
    client.force_login(world.subject.user)

    response = client.get(world.subject.get_absolute_url())

    assert response.status_code == 200
    assert "Olena Kovalenko" in response.text


def test_an_admin_does_not_see_another_organisations_volunteer_or_import(client, world):
    theirs = VolunteerFactory()
    their_admin = MembershipFactory(organisation=theirs.organisation, role=Membership.Role.ADMIN).user
    their_import = services.volunteer_import_upload(
        organisation=theirs.organisation, acting_user=their_admin, filename="x.csv", text=csv_text([volunteer_row(9)])
    )
    client.force_login(world.people["own_admin"])

    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("members:volunteer-detail", args=[987654])).status_code == 404
    # Their import, reached through our own organisation's address, is not found either.
    own_slug = world.organisation.slug
    assert client.get(reverse("members:volunteer-import-preview", args=[own_slug, their_import.pk])).status_code == 404
    assert client.post(reverse("members:volunteer-import-commit", args=[own_slug, their_import.pk])).status_code == 404
    assert VolunteerImport.objects.get(pk=their_import.pk).status == "previewed"


def test_the_workspace_lists_only_the_organisations_own_volunteers(client, world):
    VolunteerFactory(user__full_name="Van Elders")
    client.force_login(world.people["own_admin"])

    response = client.get(reverse("members:volunteer-list", args=[world.organisation.slug]))

    assert "Van Elders" not in response.text
    assert {v.organisation_id for v in response.context["volunteers"]} == {world.organisation.pk}


def test_a_plain_member_does_not_see_colleagues_details_in_the_organisation_page(client, world):
    client.force_login(world.people["own_member"])

    response = client.get(world.organisation.get_absolute_url())

    assert reverse("members:volunteer-list", args=[world.organisation.slug]) not in response.text
    assert world.subject.get_absolute_url() not in response.text


def test_a_visitor_with_a_forged_join_link_gets_404(client):
    OrganisationFactory()
    assert client.get(reverse("members:volunteer-join", args=["forged-token"])).status_code == 404


def test_a_join_link_of_an_organisation_that_left_answers_gone(client):
    organisation = OrganisationFactory(status=Organisation.Status.ENDED)
    response = client.get(reverse("members:volunteer-join", args=[services.join_link_token(organisation)]))
    assert response.status_code == 410


def test_a_stranger_is_not_shown_someone_elses_profile_via_join_or_profile_pages(client, world):
    client.force_login(UserFactory())

    response = client.get(reverse("members:volunteer-profile"))

    assert "Olena Kovalenko" not in response.text
