"""The permission matrix of the impact pages: the dashboard and its exports are for coordinators (403 for
everyone else signed in, the login page for a visitor); the public page is for everyone; an organisation's
report is for its admins and coordinators, and answers 404 to everyone else signed in, exactly like an
organisation that does not exist."""

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import get_resolver, reverse

from matching.views import impact
from members.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.matching.impact_world import sign_in
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db


@dataclass
class World:
    organisation: Organisation
    people: dict


@pytest.fixture
def world():
    company = OrganisationFactory(name="ASML", slug="asml")
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


# case → (URL name, URL arguments, query)
CASES = {
    "dashboard": ("impact-dashboard", lambda w: [], {}),
    "dashboard-filtered": ("impact-dashboard", lambda w: [], {"subregion": "De Kempen", "programme": "work"}),
    "dashboard-export": ("impact-dashboard", lambda w: [], {"export": "municipality"}),
    "public": ("impact-public", lambda w: [], {}),
    "report": ("organisation-report", lambda w: [w.organisation.slug], {}),
    "report-csv": ("organisation-report", lambda w: [w.organisation.slug], {"export": "all"}),
    "report-unknown": ("organisation-report", lambda w: ["bestaat-niet"], {}),
}

URL_NAMES = {name for name, *_rest in CASES.values()}

# fmt: off
MATRIX = {
    #                     visitor volunteer other_org own_member own_admin coordinator
    "dashboard":          (LOGIN, 403,      403,      403,       403,      200),
    "dashboard-filtered": (LOGIN, 403,      403,      403,       403,      200),
    "dashboard-export":   (LOGIN, 403,      403,      403,       403,      200),
    "public":             (200,   200,      200,      200,       200,      200),
    "report":             (LOGIN, 404,      404,      404,       200,      200),
    "report-csv":         (LOGIN, 404,      404,      404,       200,      200),
    "report-unknown":     (LOGIN, 404,      404,      404,       404,      404),
}
# fmt: on

PARAMS = cases(MATRIX)


def test_the_matrix_covers_every_impact_view():
    matching = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "matching")
    views = {p.name for p in matching.url_patterns if getattr(impact, p.callback.__name__, None) is p.callback}
    assert views == URL_NAMES
    assert set(CASES) == set(MATRIX)


@pytest.mark.parametrize(("case", "role", "expected"), PARAMS, ids=[f"{c}-{r}" for c, r, _ in PARAMS])
def test_permission_matrix(client, world, case, role, expected):
    name, args, query = CASES[case]
    user = world.people[role]
    if user is not None:
        sign_in(client, user)
    url = reverse(f"matching:{name}", args=args(world))
    if query:
        url = f"{url}?{urlencode(query)}"

    response = client.get(url)

    assert_answer(response, url, expected)
    if expected == 200 and "export" in query:
        assert response["Content-Type"].startswith("text/csv")
