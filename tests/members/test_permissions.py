"""The permission matrix: every view in members/urls.py, for every kind of person.

Another organisation's object answers 404, exactly like one that does not exist (the lookups are scoped);
coordinator-only pages answer 403; pages that need an account send a visitor to the login page.
"""

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import get_resolver, reverse

from members import services
from members.models import Invitation, Membership, Notification, NotificationKind, Organisation
from members.notifications import Recipient, notify
from tests.factories import ApplicationFactory, MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.members.test_inclusive_permissions import URL_NAMES as INCLUSIVE_EMPLOYER_VIEWS
from tests.members.test_needs_permissions import URL_NAMES as NEED_VIEWS
from tests.members.test_offers_permissions import URL_NAMES as OFFER_AND_DIRECTORY_VIEWS
from tests.members.test_privacy_views import URL_NAMES as PRIVACY_VIEWS
from tests.members.test_volunteers_permissions import URL_NAMES as VOLUNTEER_VIEWS
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db


@dataclass
class World:
    organisation: Organisation
    people: dict
    colleague: Membership  # the membership that role and remove act on
    invitation: Invitation  # the open invitation that revoke acts on
    token: str  # a valid link to another open invitation
    application: object
    notification: Notification  # the own member's


@pytest.fixture
def world():
    organisation = OrganisationFactory(name="Voedselbank Eindhoven", slug="voedselbank")
    own_admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    own_member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    colleague = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER)
    other_org_member = MembershipFactory(role=Membership.Role.ADMIN, organisation__name="ASML").user
    invitation = services.invitation_create(
        organisation=organisation, acting_user=own_admin, email="revoke.me@example.org", role="member"
    )
    to_accept = services.invitation_create(
        organisation=organisation, acting_user=own_admin, email="welkom@example.org", role="member"
    )
    [notification] = notify(
        recipients=[Recipient.of(own_member)],
        kind=NotificationKind.MEMBERSHIP_CHANGED,
        event_key="permissions-test",
        context={"organisation": organisation.name, "role": "member"},
        link=organisation.get_absolute_url(),
    )
    return World(
        organisation=organisation,
        people={
            "visitor": None,
            "volunteer": UserFactory(),
            "other_org_member": other_org_member,
            "own_member": own_member,
            "own_admin": own_admin,
            "coordinator": coordinator(),
        },
        colleague=colleague,
        invitation=invitation,
        token=services.invitation_link_token(to_accept),
        application=ApplicationFactory(),
        notification=notification,
    )


def slug(w):
    return [w.organisation.slug]


# view name → (method, url arguments, POST data, what a successful request changed)
VIEWS = {
    "home": ("get", lambda w: [], None, None),
    "apply": ("get", lambda w: [], None, None),
    "apply-done": ("get", lambda w: [], None, None),
    "language-set": ("post", lambda w: [], {"language": "en", "next": "/"}, None),
    "invitation-accept": ("get", lambda w: [w.token], None, None),
    "dashboard": ("get", lambda w: [], None, None),
    "inbox": ("get", lambda w: [], None, None),
    "inbox-read-all": ("post", lambda w: [], {}, None),
    "account-settings": ("get", lambda w: [], None, None),
    "notification-open": (
        "post",
        lambda w: [w.notification.pk],
        {},
        lambda w: Notification.objects.get(pk=w.notification.pk).read_at is not None,
    ),
    "organisation-switch": ("post", lambda w: [], lambda w: {"organisation": w.organisation.pk}, None),
    "organisation-detail": ("get", slug, None, None),
    "organisation-contact": ("get", slug, None, None),
    "organisation-edit": ("get", slug, None, None),
    "invitation-create": ("get", slug, None, None),
    "invitation-revoke": (
        "post",
        lambda w: [w.organisation.slug, w.invitation.pk],
        {},
        lambda w: Invitation.objects.get(pk=w.invitation.pk).revoked_at is not None,
    ),
    "membership-role": (
        "post",
        lambda w: [w.organisation.slug, w.colleague.pk],
        {"role": Membership.Role.ADMIN},
        lambda w: Membership.objects.get(pk=w.colleague.pk).role == Membership.Role.ADMIN,
    ),
    "membership-remove": (
        "post",
        lambda w: [w.organisation.slug, w.colleague.pk],
        {},
        lambda w: not Membership.objects.filter(pk=w.colleague.pk).exists(),
    ),
    "application-list": ("get", lambda w: [], None, None),
    "application-detail": ("get", lambda w: [w.application.pk], None, None),
}

# fmt: off
MATRIX = {
    #                        visitor  volunteer other_org own_member own_admin coordinator
    "home":                  (200,    200,      200,      200,       200,      200),
    "apply":                 (200,    200,      200,      200,       200,      200),
    "apply-done":            (200,    200,      200,      200,       200,      200),
    "language-set":          (302,    302,      302,      302,       302,      302),
    "invitation-accept":     (200,    200,      200,      200,       200,      200),
    "dashboard":             (LOGIN,  200,      200,      200,       200,      200),
    "inbox":                 (LOGIN,  200,      200,      200,       200,      200),
    "inbox-read-all":        (LOGIN,  302,      302,      302,       302,      302),
    "account-settings":      (LOGIN,  200,      200,      200,       200,      200),
    "notification-open":     (LOGIN,  404,      404,      302,       404,      404),
    "organisation-switch":   (LOGIN,  404,      404,      302,       302,      404),
    "organisation-detail":   (200,    200,      200,      200,       200,      200),
    "organisation-contact":  (LOGIN,  200,      200,      200,       200,      200),
    "organisation-edit":     (LOGIN,  404,      404,      404,       200,      200),
    "invitation-create":     (LOGIN,  404,      404,      404,       200,      200),
    "invitation-revoke":     (LOGIN,  404,      404,      404,       302,      302),
    "membership-role":       (LOGIN,  404,      404,      404,       302,      302),
    "membership-remove":     (LOGIN,  404,      404,      403,       302,      302),
    "application-list":      (LOGIN,  403,      403,      403,       403,      200),
    "application-detail":    (LOGIN,  403,      403,      403,       403,      200),
}
# fmt: on

CASES = cases(MATRIX)


def request_as(client, world, view, role):
    method, args, data, _changed = VIEWS[view]
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"members:{view}", args=args(world))
    if method == "post":
        return url, client.post(url, data(world) if callable(data) else data)
    return url, client.get(url)


def test_the_matrix_covers_every_view_in_members_urls():
    names = {pattern.name for pattern in get_resolver().url_patterns[-1].url_patterns if pattern.name}
    assert set(VIEWS) == set(MATRIX)
    # Areas with a matrix module of their own add their URL names here.
    assert names == (
        set(VIEWS) | NEED_VIEWS | OFFER_AND_DIRECTORY_VIEWS | VOLUNTEER_VIEWS | PRIVACY_VIEWS | INCLUSIVE_EMPLOYER_VIEWS
    )


@pytest.mark.parametrize(("view", "role", "expected"), CASES, ids=[f"{v}-{r}" for v, r, _ in CASES])
def test_permission_matrix(client, world, view, role, expected):
    url, response = request_as(client, world, view, role)

    assert_answer(response, url, expected, changed=VIEWS[view][3], world=world)


@pytest.mark.parametrize("view", [view for view, (method, *_rest) in VIEWS.items() if method == "post"])
def test_actions_do_not_answer_a_get(client, world, view):
    """A link or a prefetching browser cannot change anything."""
    client.force_login(world.people["coordinator"])
    _method, args, _data, changed = VIEWS[view]

    response = client.get(reverse(f"members:{view}", args=args(world)))

    assert response.status_code == 405
    if changed is not None:
        assert changed(world) is False


def test_a_coordinator_sees_another_organisations_workspace_but_a_member_of_it_sees_only_our_public_profile(
    client, world
):
    """An active member's page is its public profile (the directory links to it); the workspace on it, with
    people and their email addresses, is for the organisation's own members and coordinators."""
    other = Membership.objects.get(user=world.people["other_org_member"]).organisation
    client.force_login(world.people["coordinator"])
    response = client.get(other.get_absolute_url())
    assert response.status_code == 200
    assert response.context["show_workspace"] is True
    assert world.people["other_org_member"].email in response.text

    client.force_login(world.people["own_admin"])
    response = client.get(other.get_absolute_url())
    assert response.status_code == 200
    assert response.context["show_workspace"] is False
    assert world.people["other_org_member"].email not in response.text
    assert client.get(reverse("members:organisation-edit", args=[other.slug])).status_code == 404


@pytest.mark.parametrize("status", [Organisation.Status.PENDING, Organisation.Status.REJECTED])
def test_an_unknown_organisation_looks_the_same_as_someone_elses_that_is_not_a_member(client, world, status):
    Organisation.objects.filter(pk=world.organisation.pk).update(status=status)
    client.force_login(world.people["other_org_member"])

    someone_elses = client.get(world.organisation.get_absolute_url())
    unknown = client.get(reverse("members:organisation-detail", args=["bestaat-niet"]))

    assert someone_elses.status_code == unknown.status_code == 404


def test_an_admin_cannot_act_on_a_membership_of_another_organisation_through_their_own(client, world):
    """The membership is looked up within the organisation in the address, not by id alone."""
    outsider = Membership.objects.get(user=world.people["other_org_member"])
    client.force_login(world.people["own_admin"])

    role = client.post(
        reverse("members:membership-role", args=[world.organisation.slug, outsider.pk]), {"role": "member"}
    )
    remove = client.post(reverse("members:membership-remove", args=[world.organisation.slug, outsider.pk]))

    assert role.status_code == remove.status_code == 404
    outsider.refresh_from_db()
    assert outsider.role == Membership.Role.ADMIN


def test_an_admin_cannot_withdraw_another_organisations_invitation_through_their_own(client, world):
    other_admin = world.people["other_org_member"]
    other = Membership.objects.get(user=other_admin).organisation
    theirs = services.invitation_create(
        organisation=other, acting_user=other_admin, email="x@example.org", role="member"
    )
    client.force_login(world.people["own_admin"])

    response = client.post(reverse("members:invitation-revoke", args=[world.organisation.slug, theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.parametrize("role", ["volunteer", "other_org_member", "own_member"])
def test_services_refuse_what_the_views_refuse(world, role):
    """A task, an admin action or a shell obeys the same rule as the views."""
    user = world.people[role]

    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=world.colleague, acting_user=user, role=Membership.Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=world.colleague, acting_user=user)
    with pytest.raises(PermissionDenied):
        services.organisation_update(organisation=world.organisation, acting_user=user, data={"name": "Gekaapt"})
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            organisation=world.organisation, acting_user=user, email="a@example.org", role="admin"
        )
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(invitation=world.invitation, acting_user=user)

    world.colleague.refresh_from_db()
    world.organisation.refresh_from_db()
    world.invitation.refresh_from_db()
    assert world.colleague.role == Membership.Role.MEMBER
    assert world.organisation.name == "Voedselbank Eindhoven"
    assert world.invitation.revoked_at is None
    assert not Invitation.objects.filter(email="a@example.org").exists()
