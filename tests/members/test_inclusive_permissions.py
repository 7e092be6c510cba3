"""The permission matrix of the inclusive employer views: an organisation's admins (and coordinators) declare;
only coordinators list and review. Another organisation answers 404, like one that does not exist; a refused
request changes nothing."""

from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse

from members.models import Membership, Organisation
from members.views import employers
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db


@dataclass
class World:
    organisation: Organisation
    people: dict


@pytest.fixture
def world():
    company = OrganisationFactory(name="ASML", slug="asml", is_inclusive_employer=True, inclusive_confirmed_at=None)
    other = OrganisationFactory(name="Philips", slug="philips")
    return World(
        organisation=company,
        people={
            "visitor": None,
            "volunteer": VolunteerFactory(organisation=company, membership=Membership.Role.VOLUNTEER).user,
            "other_org_member": MembershipFactory(organisation=other, role=Membership.Role.ADMIN).user,
            "own_member": MembershipFactory(organisation=company, role=Membership.Role.MEMBER).user,
            "own_admin": MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user,
            "coordinator": coordinator(),
        },
    )


def state(world):
    return Organisation.objects.get(pk=world.organisation.pk).inclusive_state


# case → (URL name, URL arguments, POST data or None for GET, what a successful POST leaves)
CASES = {
    "list": ("inclusive-employer-list", lambda w: [], None, None),
    "review-page": ("inclusive-employer-review", lambda w: [w.organisation.slug], None, None),
    "review-confirm": (
        "inclusive-employer-review",
        lambda w: [w.organisation.slug],
        {"decision": "confirm", "note": ""},
        "confirmed",
    ),
    "review-unknown": ("inclusive-employer-review", lambda w: ["bestaat-niet"], None, None),
    "declare-undo": ("inclusive-employer-declare", lambda w: [w.organisation.slug], {"declared": "no"}, ""),
    "declare-unknown": ("inclusive-employer-declare", lambda w: ["bestaat-niet"], {"declared": "yes"}, None),
}

URL_NAMES = {name for name, *_rest in CASES.values()}

# fmt: off
MATRIX = {
    #                  visitor volunteer other_org own_member own_admin coordinator
    "list":            (LOGIN, 403,      403,      403,       403,      200),
    "review-page":     (LOGIN, 403,      403,      403,       403,      200),
    "review-confirm":  (LOGIN, 403,      403,      403,       403,      302),
    "review-unknown":  (LOGIN, 403,      403,      403,       403,      404),
    "declare-undo":    (LOGIN, 404,      404,      404,       302,      302),
    "declare-unknown": (LOGIN, 404,      404,      404,       404,      404),
}
# fmt: on

PARAMS = cases(MATRIX)


def test_the_matrix_covers_every_inclusive_employer_view():
    members = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "members")
    views = {p.name for p in members.url_patterns if getattr(employers, p.callback.__name__, None) is p.callback}
    assert views == URL_NAMES
    assert set(CASES) == set(MATRIX)


@pytest.mark.parametrize(("case", "role", "expected"), PARAMS, ids=[f"{c}-{r}" for c, r, _ in PARAMS])
def test_permission_matrix(client, world, case, role, expected):
    name, args, data, after = CASES[case]
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"members:{name}", args=args(world))

    response = client.get(url) if data is None else client.post(url, data)

    assert_answer(response, url, expected)
    if data is not None and after is not None:
        assert state(world) == (after if expected == 302 else "waiting"), "a refused request must change nothing"


def test_declaring_does_not_answer_a_get(client, world):
    """A link or a prefetching browser cannot change anything."""
    client.force_login(world.people["own_admin"])

    response = client.get(reverse("members:inclusive-employer-declare", args=[world.organisation.slug]))

    assert response.status_code == 405
    assert state(world) == "waiting"
