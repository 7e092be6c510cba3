"""The permission matrix of the coordinators' workspace: only coordinators review, replace, set the policy and
see the needs nobody answers. Everyone else signed in is refused (403), the need's own organisation
included; a visitor is sent to the login page; a refused request changes nothing."""

from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse

from matching.models import Match, ReviewPolicy
from matching.views import review
from members.models import Membership, Need, Organisation, Volunteer
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.matching.test_review_queue import fresh_feature_cache, need_of, proposal  # noqa: F401
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db

Status = Match.Status


@dataclass
class World:
    organisation: Organisation
    people: dict
    need: Need
    match: Match  # the proposal every action acts on
    candidate: Volunteer  # who fits the need too, to choose instead


@pytest.fixture
def world():
    organisation = OrganisationFactory(name="Buurtkracht Woensel", slug="buurtkracht", kind="social")
    own_member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    company = OrganisationFactory(name="ASML", slug="asml")
    need = need_of(organisation, contact_person=own_member)
    proposed = VolunteerFactory(organisation=company, membership=Membership.Role.VOLUNTEER)
    return World(
        organisation=organisation,
        people={
            "visitor": None,
            "volunteer": proposed.user,  # the very volunteer proposed: still not a reviewer
            "other_org_member": MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user,
            "own_member": own_member,
            "own_admin": MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user,
            "coordinator": coordinator(),
        },
        need=need,
        match=proposal(need, volunteer=proposed),
        candidate=VolunteerFactory(organisation=company),
    )


def status_is(status):
    return lambda w: Match.objects.get(pk=w.match.pk).status == status


# case → (URL name, method, URL arguments, POST data, what a successful request changed)
CASES = {
    "queue": ("review-queue", "get", lambda w: [], None, None),
    "approve-selected": (
        "review-approve-selected",
        "post",
        lambda w: [],
        lambda w: {"match": [w.match.pk], "note": "Akkoord"},
        status_is(Status.APPROVED),
    ),
    "approve-all": (
        "review-approve-selected",
        "post",
        lambda w: [],
        lambda w: {"all": "1", "organisation": w.organisation.slug},
        status_is(Status.APPROVED),
    ),
    "approve": (
        "match-review",
        "post",
        lambda w: [w.match.pk],
        {"decision": "approve", "note": ""},
        status_is(Status.APPROVED),
    ),
    "reject": (
        "match-review",
        "post",
        lambda w: [w.match.pk],
        {"decision": "reject", "note": "Past niet"},
        status_is(Status.REJECTED),
    ),
    "replace-form": ("match-replace", "get", lambda w: [w.match.pk], None, None),
    "replace": (
        "match-replace",
        "post",
        lambda w: [w.match.pk],
        lambda w: {"candidate": f"volunteer:{w.candidate.pk}", "note": "Woont dichterbij"},
        lambda w: Match.objects.filter(need=w.need, volunteer=w.candidate, status=Status.APPROVED).exists(),
    ),
    "policy-form": ("review-policy", "get", lambda w: [], None, None),
    "policy": (
        "review-policy",
        "post",
        lambda w: [],
        {"auto_approve": "on", "auto_approve_min_score": "0.8"},
        lambda w: ReviewPolicy.objects.filter(auto_approve=True).exists(),
    ),
    "unanswered": ("needs-unanswered", "get", lambda w: [], None, None),
}

URL_NAMES = {name for name, *_rest in CASES.values()}

# fmt: off
MATRIX = {
    #                   visitor  volunteer other_org own_member own_admin coordinator
    "queue":            (LOGIN,  403,      403,      403,       403,      200),
    "approve-selected": (LOGIN,  403,      403,      403,       403,      302),
    "approve-all":      (LOGIN,  403,      403,      403,       403,      302),
    "approve":          (LOGIN,  403,      403,      403,       403,      302),
    "reject":           (LOGIN,  403,      403,      403,       403,      302),
    "replace-form":     (LOGIN,  403,      403,      403,       403,      200),
    "replace":          (LOGIN,  403,      403,      403,       403,      302),
    "policy-form":      (LOGIN,  403,      403,      403,       403,      200),
    "policy":           (LOGIN,  403,      403,      403,       403,      302),
    "unanswered":       (LOGIN,  403,      403,      403,       403,      200),
}
# fmt: on

PARAMS = cases(MATRIX)


def request_as(client, world, case, role):
    name, method, args, data, _changed = CASES[case]
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"matching:{name}", args=args(world))
    if method == "post":
        return url, client.post(url, data(world) if callable(data) else data)
    return url, client.get(url)


def test_the_matrix_covers_every_view_of_the_workspace():
    matching = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "matching")
    workspace = {p.name for p in matching.url_patterns if getattr(review, p.callback.__name__, None) is p.callback}
    assert workspace == URL_NAMES
    assert set(CASES) == set(MATRIX)


@pytest.mark.parametrize(("case", "role", "expected"), PARAMS, ids=[f"{c}-{r}" for c, r, _ in PARAMS])
def test_permission_matrix(client, world, case, role, expected):
    url, response = request_as(client, world, case, role)

    assert_answer(response, url, expected, changed=CASES[case][4], world=world)


@pytest.mark.parametrize("name", ["review-approve-selected", "match-review"])
def test_the_decisions_do_not_answer_a_get(client, world, name):
    client.force_login(world.people["coordinator"])
    args = [world.match.pk] if name == "match-review" else []

    response = client.get(reverse(f"matching:{name}", args=args) + "?decision=approve&all=1")

    assert response.status_code == 405
    assert Match.objects.get(pk=world.match.pk).status == Status.PROPOSED


def test_an_unknown_match_answers_404_for_a_coordinator(client, world):
    client.force_login(world.people["coordinator"])

    response = client.post(reverse("matching:match-review", args=[999_999]), {"decision": "approve"})

    assert response.status_code == 404
