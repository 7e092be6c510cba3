"""The permission matrix of the offer views and the member directory, for every kind of person.

Offers are not public: the lookups are scoped to the user's own organisations (coordinators see all), so
another organisation's offer answers 404 exactly like one that does not exist. Coordinators can see an
offer but changing it is for the organisation's own members: 403. The directory is public.
"""

from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse

from members.models import Membership, Offer, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality
from tests.factories_offers import OfferFactory
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db


@dataclass
class World:
    organisation: Organisation
    people: dict
    draft: Offer
    active: Offer
    paused: Offer


@pytest.fixture
def world():
    organisation = OrganisationFactory(name="ASML", slug="asml")
    own_admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    own_member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    other_org_member = MembershipFactory(role=Membership.Role.ADMIN, organisation__name="Philips").user
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
        draft=OfferFactory(organisation=organisation, status=Offer.Status.DRAFT, title="Concept"),
        active=OfferFactory(organisation=organisation, status=Offer.Status.ACTIVE, title="Actief"),
        paused=OfferFactory(organisation=organisation, status=Offer.Status.PAUSED, title="Gepauzeerd"),
    )


def offer_form(title):
    return lambda w: {
        "title": title,
        "description": "Een team van 12 voor een dag.",
        "kind": Offer.Kind.TEAM_DAY,
        "people": "12",
        "hours_each": "8",
        "municipalities": [municipality("Helmond").pk],
    }


def status_of(attribute, expected):
    return lambda w: Offer.objects.get(pk=getattr(w, attribute).pk).status == expected


# case → (URL name, method, url arguments, POST data, what a successful request changed)
VIEWS = {
    "organisation-list": ("organisation-list", "get", lambda w: [], None, None),
    "offer-list": ("offer-list", "get", lambda w: [w.organisation.slug], None, None),
    "offer-detail": ("offer-detail", "get", lambda w: [w.active.pk], None, None),
    "offer-create": ("offer-create", "get", lambda w: [w.organisation.slug], None, None),
    "offer-create (save)": (
        "offer-create",
        "post",
        lambda w: [w.organisation.slug],
        offer_form("Nieuw aanbod"),
        lambda w: Offer.objects.filter(title="Nieuw aanbod", organisation=w.organisation).exists(),
    ),
    "offer-edit": ("offer-edit", "get", lambda w: [w.active.pk], None, None),
    "offer-edit (save)": (
        "offer-edit",
        "post",
        lambda w: [w.active.pk],
        offer_form("Gewijzigd"),
        lambda w: Offer.objects.get(pk=w.active.pk).title == "Gewijzigd",
    ),
    "offer-activate": ("offer-activate", "post", lambda w: [w.draft.pk], {}, status_of("draft", "active")),
    "offer-pause": ("offer-pause", "post", lambda w: [w.active.pk], {}, status_of("active", "paused")),
    "offer-resume": ("offer-resume", "post", lambda w: [w.paused.pk], {}, status_of("paused", "active")),
    "offer-close": ("offer-close", "post", lambda w: [w.active.pk], {}, status_of("active", "closed")),
}

# fmt: off
MATRIX = {
    #                        visitor  volunteer other_org own_member own_admin coordinator
    "organisation-list":     (200,    200,      200,      200,       200,      200),
    "offer-list":            (LOGIN,  404,      404,      200,       200,      200),
    "offer-detail":          (LOGIN,  404,      404,      200,       200,      200),
    "offer-create":          (LOGIN,  404,      404,      200,       200,      403),
    "offer-create (save)":   (LOGIN,  404,      404,      302,       302,      403),
    "offer-edit":            (LOGIN,  404,      404,      200,       200,      403),
    "offer-edit (save)":     (LOGIN,  404,      404,      302,       302,      403),
    "offer-activate":        (LOGIN,  404,      404,      302,       302,      403),
    "offer-pause":           (LOGIN,  404,      404,      302,       302,      403),
    "offer-resume":          (LOGIN,  404,      404,      302,       302,      403),
    "offer-close":           (LOGIN,  404,      404,      302,       302,      403),
}
# fmt: on

# The URL names this module's matrix answers for; test_permissions.py checks that every view is in a matrix.
URL_NAMES = {url_name for url_name, *_rest in VIEWS.values()}

CASES = cases(MATRIX)


def test_the_matrix_covers_every_offer_and_directory_view():
    names = {pattern.name for pattern in get_resolver().url_patterns[-1].url_patterns if pattern.name}
    ours = {name for name in names if name.startswith("offer-")} | {"organisation-list"}
    assert set(VIEWS) == set(MATRIX)
    assert URL_NAMES == ours


@pytest.mark.parametrize(("view", "role", "expected"), CASES, ids=[f"{v}-{r}" for v, r, _ in CASES])
def test_permission_matrix(client, world, view, role, expected):
    url_name, method, args, data, changed = VIEWS[view]
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"members:{url_name}", args=args(world))

    response = client.post(url, data(world) if callable(data) else data) if method == "post" else client.get(url)

    assert_answer(response, url, expected, changed=changed, world=world)


@pytest.mark.parametrize("view", [view for view, (_n, method, *_rest) in VIEWS.items() if method == "post"])
def test_actions_do_not_answer_a_get_that_changes_something(client, world, view):
    """A link or a prefetching browser cannot change anything."""
    client.force_login(world.people["own_admin"])
    url_name, _method, args, _data, changed = VIEWS[view]

    response = client.get(reverse(f"members:{url_name}", args=args(world)))

    assert response.status_code in (200, 405)
    assert changed(world) is False


def test_another_organisations_offer_looks_the_same_as_one_that_does_not_exist(client, world):
    theirs = OfferFactory(status=Offer.Status.ACTIVE, title="Van een ander")
    client.force_login(world.people["own_admin"])

    for name in ["offer-detail", "offer-edit", "offer-pause", "offer-close"]:
        method = client.get if name in ("offer-detail", "offer-edit") else client.post
        someone_elses = method(reverse(f"members:{name}", args=[theirs.pk]))
        unknown = method(reverse(f"members:{name}", args=[999_999]))
        assert someone_elses.status_code == unknown.status_code == 404, name

    theirs.refresh_from_db()
    assert theirs.status == Offer.Status.ACTIVE


def test_an_organisations_offers_cannot_be_reached_through_another_organisation(client, world):
    """The offer list and the form are looked up within the user's own organisations, not by slug alone."""
    other = Membership.objects.get(user=world.people["other_org_member"]).organisation
    client.force_login(world.people["own_admin"])

    assert client.get(reverse("members:offer-list", args=[other.slug])).status_code == 404
    response = client.post(reverse("members:offer-create", args=[other.slug]), offer_form("Gekaapt")(world))

    assert response.status_code == 404
    assert not Offer.objects.filter(title="Gekaapt").exists()
