"""The permission matrix of both sides' pages: a match, answering it, the lists, offering to help, hours,
feedback and completing a need, for every kind of person.

"own" is the need's organisation; the volunteer is the match's volunteer; the member of another organisation
is the volunteer's employer's admin, who sees nothing of their employee's matches. Someone else's match or
need answers 404 (the lookups are scoped); a visible match on which the user has no say answers 403; a
refused request changes nothing.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from matching import services
from matching.models import HoursEntry, Match, MatchFeedback
from members.models import Membership, Need, Organisation, User, Volunteer
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_needs import NeedFactory
from tests.factories_volunteers import VolunteerFactory
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def volunteer_of(company, **kwargs) -> Volunteer:
    """An active volunteer whose only role in their employer is volunteer."""
    return VolunteerFactory(organisation=company, membership=Membership.Role.VOLUNTEER, **kwargs)


def current_need(organisation, **kwargs) -> Need:
    """An open need running from a month ago to a month from now, so hours can be logged today."""
    defaults = {
        "start_date": TODAY - datetime.timedelta(days=30),
        "end_date": TODAY + datetime.timedelta(days=30),
        "volunteers_needed": 1,
        "residents_helped": 20,
    }
    return NeedFactory(organisation=organisation, **{**defaults, **kwargs})


def proposal(need, *, volunteer=None, offer=None, people=1, score=0.9) -> Match:
    """A proposal as the engine writes it."""
    return Match.objects.create(
        need=need,
        volunteer=volunteer,
        offer=offer,
        people=people,
        score=score,
        reasons=[{"code": "required", "values": {"covered": 1, "total": 1}}, {"code": "remote", "values": {}}],
    )


def approved(need, *, by, **kwargs) -> Match:
    return services.match_approve(match=proposal(need, **kwargs), acting_user=by)


def agreed(need, *, by, need_user, supply_user, **kwargs) -> Match:
    """A match both sides accepted."""
    match = approved(need, by=by, **kwargs)
    services.match_accept(match=match, acting_user=need_user, side="need")
    return services.match_accept(match=match, acting_user=supply_user, side="supply")


@dataclass
class World:
    organisation: Organisation
    people: dict[str, User | None]
    volunteer: Volunteer
    approved: Match  # waiting for both sides' answers
    agreed: Match  # accepted by both, with one entry of hours waiting for confirmation
    entry: HoursEntry
    help_need: Need  # open, nobody matched yet


@pytest.fixture
def world():
    organisation = OrganisationFactory(name="Buurtkracht Woensel", slug="buurtkracht", kind="social")
    company = OrganisationFactory(name="ASML", slug="asml")
    own_admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    own_member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    volunteer = volunteer_of(company)
    the_coordinator = coordinator()
    waiting = approved(current_need(organisation, title="Wachtende vraag"), by=the_coordinator, volunteer=volunteer)
    both = agreed(
        current_need(organisation, title="Afgesproken vraag", contact_person=own_admin),
        by=the_coordinator,
        need_user=own_admin,
        supply_user=volunteer.user,
        volunteer=volunteer,
    )
    entry = services.hours_log(
        match=both, acting_user=volunteer.user, day=TODAY - datetime.timedelta(days=1), hours="3"
    )
    return World(
        organisation=organisation,
        people={
            "visitor": None,
            "volunteer": volunteer.user,
            "other_org_member": MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user,
            "own_member": own_member,
            "own_admin": own_admin,
            "coordinator": the_coordinator,
        },
        volunteer=volunteer,
        approved=waiting,
        agreed=Match.objects.get(pk=both.pk),
        entry=entry,
        help_need=current_need(organisation, title="Nog niemand"),
    )


def status_of(match):
    return Match.objects.get(pk=match.pk).status


def someone_accepted(w):
    match = Match.objects.get(pk=w.approved.pk)
    return match.need_accepted_at is not None or match.supply_accepted_at is not None


# case → (URL name, method, URL arguments, POST data, what a successful request changed)
CASES = {
    "detail": ("match-detail", "get", lambda w: [w.approved.pk], None, None),
    "accept-form": ("match-accept", "get", lambda w: [w.approved.pk], None, None),
    "accept": ("match-accept", "post", lambda w: [w.approved.pk], {}, someone_accepted),
    "decline": (
        "match-decline",
        "post",
        lambda w: [w.approved.pk],
        {"reason": "Past niet in de planning."},
        lambda w: status_of(w.approved) == Match.Status.DECLINED,
    ),
    "withdraw": (
        "match-withdraw",
        "post",
        lambda w: [w.approved.pk],
        {"reason": "Niet meer nodig."},
        lambda w: status_of(w.approved) == Match.Status.WITHDRAWN,
    ),
    "calendar": ("match-calendar", "get", lambda w: [w.agreed.pk], None, None),
    "my-matches": ("my-matches", "get", lambda w: [], None, None),
    "need-matches": ("need-matches", "get", lambda w: [w.agreed.need_id], None, None),
    "organisation-matches": ("organisation-matches", "get", lambda w: [w.organisation.slug], None, None),
    "help-page": ("need-help", "get", lambda w: [w.help_need.pk], None, None),
    "help": (
        "need-help",
        "post",
        lambda w: [w.help_need.pk],
        {"note": "Ik help graag."},
        lambda w: Match.objects.filter(need=w.help_need).exists(),
    ),
    "hours-form": ("hours-log", "get", lambda w: [w.agreed.pk], None, None),
    "hours": (
        "hours-log",
        "post",
        lambda w: [w.agreed.pk],
        {"date": (TODAY - datetime.timedelta(days=2)).isoformat(), "hours": "2", "description": "Koken"},
        lambda w: HoursEntry.objects.filter(match=w.agreed).count() == 2,
    ),
    "hours-confirm": (
        "hours-confirm",
        "post",
        lambda w: [w.agreed.need_id],
        lambda w: {f"confirm_{w.entry.pk}": "on"},
        lambda w: HoursEntry.objects.get(pk=w.entry.pk).status == HoursEntry.Status.CONFIRMED,
    ),
    "feedback-form": ("match-feedback", "get", lambda w: [w.agreed.pk], None, None),
    "feedback": (
        "match-feedback",
        "post",
        lambda w: [w.agreed.pk],
        {"helped": "yes", "rating": "4", "comment": "Fijn."},
        lambda w: MatchFeedback.objects.filter(match=w.agreed).exists(),
    ),
    "need-complete": (
        "need-complete",
        "post",
        lambda w: [w.agreed.need_id],
        {"residents_reached": "15"},
        lambda w: Need.objects.get(pk=w.agreed.need_id).status == Need.Status.COMPLETED,
    ),
}

# The URL names of matching/urls.py this module covers: both sides of a match and what follows the work.
URL_NAMES = {name for name, *_rest in CASES.values()}

# fmt: off
MATRIX = {
    #                       visitor  volunteer other_org own_member own_admin coordinator
    "detail":               (LOGIN,  200,      404,      200,       200,      200),
    "accept-form":          (LOGIN,  200,      404,      200,       200,      403),
    "accept":               (LOGIN,  302,      404,      302,       302,      403),
    "decline":              (LOGIN,  302,      404,      302,       302,      403),
    "withdraw":             (LOGIN,  302,      404,      302,       302,      302),
    "calendar":             (LOGIN,  200,      404,      200,       200,      200),
    "my-matches":           (LOGIN,  200,      200,      200,       200,      200),
    "need-matches":         (LOGIN,  404,      404,      200,       200,      200),
    "organisation-matches": (LOGIN,  404,      404,      200,       200,      200),
    "help-page":            (200,    200,      200,      200,       200,      200),
    "help":                 (LOGIN,  302,      403,      403,       403,      403),
    "hours-form":           (LOGIN,  200,      404,      403,       403,      403),
    "hours":                (LOGIN,  302,      404,      403,       403,      403),
    "hours-confirm":        (LOGIN,  404,      404,      302,       302,      403),
    "feedback-form":        (LOGIN,  200,      404,      200,       200,      403),
    "feedback":             (LOGIN,  302,      404,      302,       302,      403),
    "need-complete":        (LOGIN,  404,      404,      302,       302,      302),
}
# fmt: on

PARAMS = cases(MATRIX)

BOTH_SIDES_VIEWS = {
    "my-matches",
    "match-detail",
    "match-accept",
    "match-decline",
    "match-withdraw",
    "match-calendar",
    "need-matches",
    "need-help",
    "organisation-matches",
    "hours-log",
    "match-feedback",
    "hours-confirm",
    "need-complete",
}


def request_as(client, world, case, role):
    name, method, args, data, _changed = CASES[case]
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"matching:{name}", args=args(world))
    if method == "post":
        return url, client.post(url, data(world) if callable(data) else data)
    return url, client.get(url)


def test_the_matrix_covers_every_view_of_both_sides():
    matching = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "matching")
    names = {pattern.name for pattern in matching.url_patterns}
    assert BOTH_SIDES_VIEWS <= names
    assert URL_NAMES == BOTH_SIDES_VIEWS
    assert set(CASES) == set(MATRIX)


@pytest.mark.parametrize(("case", "role", "expected"), PARAMS, ids=[f"{c}-{r}" for c, r, _ in PARAMS])
def test_permission_matrix(client, world, case, role, expected):
    url, response = request_as(client, world, case, role)

    assert_answer(response, url, expected, changed=CASES[case][4], world=world)


@pytest.mark.parametrize("name", ["hours-confirm", "need-complete"])
def test_actions_without_a_form_page_do_not_answer_a_get(client, world, name):
    client.force_login(world.people["own_admin"])

    response = client.get(reverse(f"matching:{name}", args=[world.agreed.need_id]))

    assert response.status_code == 405
    assert HoursEntry.objects.get(pk=world.entry.pk).status == HoursEntry.Status.LOGGED
    assert Need.objects.get(pk=world.agreed.need_id).status != Need.Status.COMPLETED


def test_someone_elses_match_looks_like_one_that_does_not_exist(client, world):
    client.force_login(world.people["other_org_member"])

    theirs = client.get(reverse("matching:match-detail", args=[world.approved.pk]))
    unknown = client.get(reverse("matching:match-detail", args=[999_999]))

    assert theirs.status_code == unknown.status_code == 404


def test_a_decision_on_another_organisations_match_answers_404_and_changes_nothing(client, world):
    """A staff member of another social organisation tries to accept and decline our match for their side."""
    outsider = MembershipFactory(organisation__kind="social", role=Membership.Role.ADMIN).user
    client.force_login(outsider)

    accept = client.post(reverse("matching:match-accept", args=[world.approved.pk]), {"side": "need"})
    decline = client.post(
        reverse("matching:match-decline", args=[world.approved.pk]), {"side": "need", "reason": "Weg ermee."}
    )
    withdraw = client.post(reverse("matching:match-withdraw", args=[world.approved.pk]), {"reason": "Weg ermee."})

    assert accept.status_code == decline.status_code == withdraw.status_code == 404
    match = Match.objects.get(pk=world.approved.pk)
    assert match.status == Match.Status.APPROVED
    assert match.need_accepted_at is None and match.supply_accepted_at is None
    assert not match.events.filter(action__in=["accept", "decline", "withdraw"]).exists()
