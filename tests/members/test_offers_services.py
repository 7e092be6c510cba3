"""Offer services: what a complete offer is, who may change it, and its lifecycle guarded by its status."""

import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from members import services
from members.models import Membership, Offer, Organisation, Skill, Theme
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality
from tests.factories_offers import OfferFactory

pytestmark = pytest.mark.django_db

Status = Offer.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def organisation():
    return OrganisationFactory(name="ASML", slug="asml")


@pytest.fixture
def member(organisation):
    return MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER, user__full_name="Mo Lid").user


def valid_data(**overrides):
    data = {
        "title": "5 data analysts, 40 hours each, Q1",
        "description": "Our analysts help predict births for a maternity-care organisation.",
        "kind": Offer.Kind.SKILLS,
        "people": 5,
        "hours_each": 40,
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 3, 31),
        "remote": False,
        "skills": list(Skill.objects.filter(code__in=["data-analysis", "machine-learning"])),
        "themes": list(Theme.objects.filter(code="care")),
        "municipalities": [municipality("Eindhoven"), municipality("Veldhoven")],
    }
    data.update(overrides)
    return data


# Creating ------------------------------------------------------------------------------------------


def test_a_member_creates_a_draft_offer_with_everything_it_says(organisation, member):
    offer = services.offer_create(organisation=organisation, acting_user=member, data=valid_data())

    offer = Offer.objects.with_related().get(pk=offer.pk)
    assert offer.status == Status.DRAFT
    assert offer.organisation == organisation
    assert offer.created_by == member
    assert offer.title == "5 data analysts, 40 hours each, Q1"
    assert (offer.people, offer.hours_each) == (5, 40)
    assert {s.code for s in offer.skills.all()} == {"data-analysis", "machine-learning"}
    assert [t.code for t in offer.themes.all()] == ["care"]
    assert {m.name for m in offer.municipalities.all()} == {"Eindhoven", "Veldhoven"}


def test_a_team_day_may_be_remote_only_and_without_dates(organisation, member):
    offer = services.offer_create(
        organisation=organisation,
        acting_user=member,
        data=valid_data(
            title="A team of 12 for one day",
            kind=Offer.Kind.TEAM_DAY,
            people=12,
            hours_each=8,
            start_date=None,
            end_date=None,
            remote=True,
            municipalities=[],
        ),
    )

    assert offer.remote is True
    assert not offer.municipalities.exists()


BAD_INPUT = {
    "end before start": (
        {"start_date": date(2026, 3, 1), "end_date": date(2026, 2, 1)},
        "end_date",
        "The end date cannot be before the start date.",
    ),
    "zero people": ({"people": 0}, "people", "Ensure this value is greater than or equal to 1."),
    "zero hours": ({"hours_each": 0}, "hours_each", "Ensure this value is greater than or equal to 1."),
    "nowhere": (
        {"municipalities": [], "remote": False},
        "municipalities",
        "Choose at least one municipality, or say that the work can be done remotely.",
    ),
    "title too long": (
        {"title": "x" * 161},
        "title",
        "Ensure this value has at most 160 characters (it has 161).",
    ),
    "description too long": (
        {"description": "x" * 5001},
        "description",
        "Ensure this value has at most 5000 characters (it has 5001).",
    ),
    "no title": ({"title": "   "}, "title", "This field cannot be blank."),
    "unknown kind": ({"kind": "party"}, "kind", "Value 'party' is not a valid choice."),
}


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_at_its_field_and_saves_nothing(organisation, member, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        services.offer_create(organisation=organisation, acting_user=member, data=valid_data(**overrides))

    assert refused.value.message_dict[field] == [message]
    assert not Offer.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_on_an_edit_changes_nothing(organisation, member, overrides, field, message):
    offer = OfferFactory(organisation=organisation, title="Teamdag", people=12, hours_each=8)

    with pytest.raises(ValidationError) as refused:
        services.offer_update(offer=offer, acting_user=member, data=valid_data(**overrides))

    assert refused.value.message_dict[field] == [message]
    offer = Offer.objects.get(pk=offer.pk)
    assert (offer.title, offer.people, offer.hours_each, offer.start_date) == ("Teamdag", 12, 8, None)
    assert [m.name for m in offer.municipalities.all()] == ["Eindhoven"]
    assert not offer.skills.exists()


@pytest.mark.parametrize("status", [Organisation.Status.PENDING, Organisation.Status.ENDED])
def test_only_a_member_organisation_can_offer(member, organisation, status):
    Organisation.objects.filter(pk=organisation.pk).update(status=status)
    organisation.refresh_from_db()

    with pytest.raises(ValidationError, match="Only member organisations can offer capacity."):
        services.offer_create(organisation=organisation, acting_user=member, data=valid_data())

    assert not Offer.objects.exists()


# Editing -------------------------------------------------------------------------------------------


def test_an_admin_edits_what_the_offer_says_but_not_its_status(organisation, member):
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    offer = OfferFactory(organisation=organisation, status=Status.ACTIVE, created_by=member)

    services.offer_update(
        offer=offer,
        acting_user=admin,
        data=valid_data(title="Now 6 analysts", people=6, municipalities=[], remote=True),
    )

    offer = Offer.objects.get(pk=offer.pk)
    assert (offer.title, offer.people, offer.remote, offer.status) == ("Now 6 analysts", 6, True, Status.ACTIVE)
    assert offer.created_by == member
    assert not offer.municipalities.exists()
    assert offer.skills.count() == 2


def test_a_closed_offer_cannot_be_edited(organisation, member):
    offer = OfferFactory(organisation=organisation, status=Status.CLOSED, title="Gesloten")

    with pytest.raises(ValidationError, match="This offer is closed and can no longer be changed."):
        services.offer_update(offer=offer, acting_user=member, data=valid_data())

    assert Offer.objects.get(pk=offer.pk).title == "Gesloten"


def test_fields_a_form_does_not_have_cannot_be_set_through_an_edit(organisation, member):
    offer = OfferFactory(organisation=organisation)

    with pytest.raises(ValueError, match="status"):
        services.offer_update(offer=offer, acting_user=member, data={"status": Status.ACTIVE})

    assert Offer.objects.get(pk=offer.pk).status == Status.DRAFT


# Lifecycle -----------------------------------------------------------------------------------------

STEPS = {
    "activate": services.offer_activate,
    "pause": services.offer_pause,
    "resume": services.offer_resume,
    "close": services.offer_close,
}

# (status before, step) → status after, or the refusal
LIFECYCLE = {
    (Status.DRAFT, "activate"): Status.ACTIVE,
    (Status.DRAFT, "pause"): "Only a published offer can be paused.",
    (Status.DRAFT, "resume"): "This offer has not been published yet. Publish it instead.",
    (Status.DRAFT, "close"): Status.CLOSED,
    (Status.ACTIVE, "activate"): "This offer is already published.",
    (Status.ACTIVE, "pause"): Status.PAUSED,
    (Status.ACTIVE, "resume"): "This offer is already active.",
    (Status.ACTIVE, "close"): Status.CLOSED,
    (Status.PAUSED, "activate"): "This offer is paused. Resume it instead.",
    (Status.PAUSED, "pause"): "This offer is already paused.",
    (Status.PAUSED, "resume"): Status.ACTIVE,
    (Status.PAUSED, "close"): Status.CLOSED,
    (Status.CLOSED, "activate"): "This offer is closed and cannot be published again.",
    (Status.CLOSED, "pause"): "This offer is closed and cannot be paused.",
    (Status.CLOSED, "resume"): "This offer is closed and cannot be resumed.",
    (Status.CLOSED, "close"): "This offer is already closed.",
}


def test_the_lifecycle_table_covers_every_status_and_step():
    assert set(LIFECYCLE) == {(status, step) for status in Status.values for step in STEPS}


@pytest.mark.parametrize(("before", "step", "outcome"), [(b, s, o) for (b, s), o in LIFECYCLE.items()])
def test_each_step_is_allowed_only_from_its_statuses(organisation, member, before, step, outcome):
    earlier = UserFactory()
    offer = OfferFactory(organisation=organisation, status=before, status_changed_by=earlier)

    if outcome in Status.values:
        returned = STEPS[step](offer=offer, acting_user=member)
        offer.refresh_from_db()
        assert returned.status == offer.status == outcome
        assert offer.status_changed_by == member
        assert offer.status_changed_at is not None
    else:
        with pytest.raises(ValidationError) as refused:
            STEPS[step](offer=offer, acting_user=member)
        assert refused.value.messages == [outcome]
        offer.refresh_from_db()
        assert offer.status == before
        assert offer.status_changed_by == earlier
        assert offer.status_changed_at is None


def test_a_step_acts_on_the_status_in_the_database_not_on_a_stale_copy(organisation, member):
    offer = OfferFactory(organisation=organisation, status=Status.ACTIVE)
    stale = Offer.objects.get(pk=offer.pk)
    services.offer_close(offer=offer, acting_user=member)

    with pytest.raises(ValidationError, match="This offer is closed and cannot be paused."):
        services.offer_pause(offer=stale, acting_user=member)

    assert Offer.objects.get(pk=offer.pk).status == Status.CLOSED


def test_an_offer_of_a_former_member_cannot_be_published_or_resumed_but_can_be_closed(organisation, member):
    draft = OfferFactory(organisation=organisation, status=Status.DRAFT)
    paused = OfferFactory(organisation=organisation, status=Status.PAUSED)
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.ENDED)
    draft.organisation.refresh_from_db()
    paused.organisation.refresh_from_db()

    for step, offer in [(services.offer_activate, draft), (services.offer_resume, paused)]:
        with pytest.raises(ValidationError, match="Only member organisations can offer capacity."):
            step(offer=offer, acting_user=member)
    services.offer_close(offer=paused, acting_user=member)

    assert Offer.objects.get(pk=draft.pk).status == Status.DRAFT
    assert Offer.objects.get(pk=paused.pk).status == Status.CLOSED


# Who may ------------------------------------------------------------------------------------------


@pytest.fixture
def outsiders(organisation):
    return {
        "volunteer": UserFactory(),
        "other_org_member": MembershipFactory(role=Membership.Role.ADMIN).user,
        "coordinator": coordinator(),
    }


@pytest.mark.parametrize("role", ["volunteer", "other_org_member", "coordinator"])
def test_only_the_organisations_own_members_change_its_offers(organisation, outsiders, role):
    """A task, an admin action or a shell obeys the same rule as the views."""
    user = outsiders[role]
    offer = OfferFactory(organisation=organisation, status=Status.ACTIVE, title="Ongewijzigd")

    with pytest.raises(PermissionDenied):
        services.offer_create(organisation=organisation, acting_user=user, data=valid_data())
    with pytest.raises(PermissionDenied):
        services.offer_update(offer=offer, acting_user=user, data=valid_data())
    for step in STEPS.values():
        with pytest.raises(PermissionDenied):
            step(offer=offer, acting_user=user)

    offer.refresh_from_db()
    assert (offer.title, offer.status, offer.status_changed_by) == ("Ongewijzigd", Status.ACTIVE, None)
    assert Offer.objects.count() == 1


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.ADMIN])
def test_any_member_of_the_organisation_may_create_edit_and_move_an_offer(organisation, role):
    user = MembershipFactory(organisation=organisation, role=role).user

    offer = services.offer_create(organisation=organisation, acting_user=user, data=valid_data())
    services.offer_update(offer=offer, acting_user=user, data=valid_data(title="Bijgewerkt"))
    services.offer_activate(offer=offer, acting_user=user)
    services.offer_pause(offer=offer, acting_user=user)
    services.offer_resume(offer=offer, acting_user=user)
    services.offer_close(offer=offer, acting_user=user)

    offer.refresh_from_db()
    assert (offer.title, offer.status, offer.status_changed_by) == ("Bijgewerkt", Status.CLOSED, user)


def test_visible_to_own_members_and_coordinators_only(organisation, member, outsiders):
    offer = OfferFactory(organisation=organisation, status=Status.ACTIVE)
    MembershipFactory(organisation=organisation)  # a colleague must not make the offer appear twice

    assert list(Offer.objects.visible_to(member)) == [offer]
    assert list(Offer.objects.visible_to(outsiders["coordinator"])) == [offer]
    assert not Offer.objects.visible_to(outsiders["volunteer"]).exists()
    assert not Offer.objects.visible_to(outsiders["other_org_member"]).exists()


# Two people at once --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_colleagues_pausing_at_once_cannot_both_win():
    offer = OfferFactory(status=Status.ACTIVE)
    first = MembershipFactory(organisation=offer.organisation).user
    second = MembershipFactory(organisation=offer.organisation).user
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(user, step):
        try:
            copy = Offer.objects.select_related("organisation").get(pk=offer.pk)
            barrier.wait(timeout=10)
            with translation.override("en"):
                step(offer=copy, acting_user=user)
            outcomes[user.pk] = "won"
        except ValidationError as error:
            outcomes[user.pk] = error.messages
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(first, services.offer_pause)),
        threading.Thread(target=act, args=(second, services.offer_pause)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(map(str, outcomes.values())) == sorted(["won", str(["This offer is already paused."])])
    winner = first if outcomes[first.pk] == "won" else second
    offer.refresh_from_db()
    assert offer.status == Status.PAUSED
    assert offer.status_changed_by == winner
