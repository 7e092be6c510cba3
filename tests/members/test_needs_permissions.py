"""The permission matrix of the needs pages, for every kind of person.

Open needs are public. A draft, the workspace and every change belong to the need's organisation (any
member) and coordinators; for anyone else they answer 404, exactly like a need that does not exist,
because the lookups are scoped. Pages that change something send a visitor to the login page.
"""

from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse

from members.models import Membership, Need, Organisation, Volunteer
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality
from tests.factories_needs import NeedFactory, programme
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db

Status = Need.Status


@dataclass
class World:
    organisation: Organisation
    people: dict
    open_need: Need
    draft: Need


@pytest.fixture
def world():
    organisation = OrganisationFactory(name="Buurtkracht Woensel", slug="buurtkracht", kind="social")
    company = OrganisationFactory(name="ASML", slug="asml")
    volunteer = UserFactory()
    Volunteer.objects.create(user=volunteer, organisation=company)
    return World(
        organisation=organisation,
        people={
            "visitor": None,
            "volunteer": volunteer,
            "other_org_member": MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user,
            "own_member": MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user,
            "own_admin": MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user,
            "coordinator": coordinator(),
        },
        open_need=NeedFactory(organisation=organisation, title="Open vraag"),
        draft=NeedFactory(organisation=organisation, status=Status.DRAFT, title="Concept"),
    )


def need_form(title):
    return {
        "title": title,
        "description": "Samen de buurt opknappen.",
        "programme": programme().pk,
        "kind": Need.Kind.TEAM,
        "location": "on_site",
        "municipality": municipality("Eindhoven").pk,
        "start_date": "2031-05-01",
        "estimated_hours": "6",
        "volunteers_needed": "12",
        "residents_helped": "50",
    }


# case → (URL name, method, URL arguments, POST data, what a successful request changed)
CASES = {
    "list": ("need-list", "get", lambda w: [], None, None),
    "detail-open": ("need-detail", "get", lambda w: [w.open_need.pk], None, None),
    "detail-draft": ("need-detail", "get", lambda w: [w.draft.pk], None, None),
    "workspace": ("need-workspace", "get", lambda w: [w.organisation.slug], None, None),
    "create-form": ("need-create", "get", lambda w: [w.organisation.slug], None, None),
    "create": (
        "need-create",
        "post",
        lambda w: [w.organisation.slug],
        lambda w: need_form("Nieuwe vraag"),
        lambda w: Need.objects.filter(title="Nieuwe vraag", organisation=w.organisation).exists(),
    ),
    "edit-form": ("need-edit", "get", lambda w: [w.draft.pk], None, None),
    "edit": (
        "need-edit",
        "post",
        lambda w: [w.draft.pk],
        lambda w: need_form("Gewijzigd"),
        lambda w: Need.objects.get(pk=w.draft.pk).title == "Gewijzigd",
    ),
    "edit-open-need": (
        "need-edit",
        "post",
        lambda w: [w.open_need.pk],
        lambda w: need_form("Ook gewijzigd"),
        lambda w: Need.objects.get(pk=w.open_need.pk).title == "Ook gewijzigd",
    ),
    "transition": (
        "need-transition",
        "post",
        lambda w: [w.open_need.pk],
        {"action": "pause"},
        lambda w: Need.objects.get(pk=w.open_need.pk).status == Status.PAUSED,
    ),
    "transition-draft": (
        "need-transition",
        "post",
        lambda w: [w.draft.pk],
        {"action": "publish"},
        lambda w: Need.objects.get(pk=w.draft.pk).status == Status.OPEN,
    ),
}

# What tests/members/test_permissions.py counts as covered here.
URL_NAMES = {name for name, *_rest in CASES.values()}

# fmt: off
MATRIX = {
    #                   visitor  volunteer other_org own_member own_admin coordinator
    "list":             (200,    200,      200,      200,       200,      200),
    "detail-open":      (200,    200,      200,      200,       200,      200),
    "detail-draft":     (404,    404,      404,      200,       200,      200),
    "workspace":        (LOGIN,  404,      404,      200,       200,      200),
    "create-form":      (LOGIN,  404,      404,      200,       200,      200),
    "create":           (LOGIN,  404,      404,      302,       302,      302),
    "edit-form":        (LOGIN,  404,      404,      200,       200,      200),
    "edit":             (LOGIN,  404,      404,      302,       302,      302),
    "edit-open-need":   (LOGIN,  404,      404,      302,       302,      302),
    "transition":       (LOGIN,  404,      404,      302,       302,      302),
    "transition-draft": (LOGIN,  404,      404,      302,       302,      302),
}
# fmt: on

PARAMS = cases(MATRIX)


def request_as(client, world, case, role):
    name, method, args, data, _changed = CASES[case]
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"members:{name}", args=args(world))
    if method == "post":
        return url, client.post(url, data(world) if callable(data) else data)
    return url, client.get(url)


def test_the_matrix_covers_every_needs_view():
    names = {pattern.name for pattern in get_resolver().url_patterns[-1].url_patterns if pattern.name}
    needs_views = {name for name in names if name.startswith("need-")}
    assert needs_views == URL_NAMES
    assert set(CASES) == set(MATRIX)


@pytest.mark.parametrize(("case", "role", "expected"), PARAMS, ids=[f"{c}-{r}" for c, r, _ in PARAMS])
def test_permission_matrix(client, world, case, role, expected):
    url, response = request_as(client, world, case, role)

    assert_answer(response, url, expected, changed=CASES[case][4], world=world)


def test_the_status_change_does_not_answer_a_get(client, world):
    client.force_login(world.people["coordinator"])

    response = client.get(reverse("members:need-transition", args=[world.open_need.pk]))

    assert response.status_code == 405
    assert Need.objects.get(pk=world.open_need.pk).status == Status.OPEN


def test_someone_elses_draft_looks_like_a_need_that_does_not_exist(client, world):
    client.force_login(world.people["other_org_member"])

    theirs = client.get(world.draft.get_absolute_url())
    unknown = client.get(reverse("members:need-detail", args=[999_999]))

    assert theirs.status_code == unknown.status_code == 404


def test_an_open_need_of_another_organisation_is_visible_but_not_editable(client, world):
    client.force_login(world.people["other_org_member"])

    page = client.get(world.open_need.get_absolute_url())

    assert page.status_code == 200
    assert reverse("members:need-edit", args=[world.open_need.pk]) not in page.text
    assert reverse("members:need-transition", args=[world.open_need.pk]) not in page.text
    assert client.get(reverse("members:need-edit", args=[world.open_need.pk])).status_code == 404


def test_a_member_of_the_need_sees_its_actions(client, world):
    client.force_login(world.people["own_member"])

    page = client.get(world.draft.get_absolute_url())

    assert reverse("members:need-edit", args=[world.draft.pk]) in page.text
    assert 'value="publish"' in page.text and 'value="cancel"' in page.text
