"""Needs services: creating and editing with validation, and the lifecycle guarded by the current status."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from members import services
from members.models import Membership, Need, NeedSkill, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality
from tests.factories_needs import NeedFactory, language, programme, skill, theme

pytestmark = pytest.mark.django_db

Status = Need.Status


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Kraamzorg De Kempen", slug="kraamzorg", kind=Organisation.Kind.SOCIAL)


@pytest.fixture
def member(organisation):
    return MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER, user__full_name="Mia Lid").user


def valid_data(**overrides):
    data = {
        "title": "Geboortes voorspellen met AI",
        "description": "Wij willen met data beter plannen wanneer kraamverzorgenden nodig zijn.",
        "programme": programme("corporate-volunteering"),
        "themes": [theme("care"), theme("health")],
        "kind": Need.Kind.EXPERTISE,
        "location": "hybrid",
        "municipality": municipality("Bladel"),
        "is_flexible": False,
        "start_date": datetime.date(2031, 2, 1),
        "end_date": datetime.date(2031, 5, 31),
        "estimated_hours": 40,
        "volunteers_needed": 2,
        "languages": [language("nl")],
        "residents_helped": 300,
        "skills": {skill("machine-learning"): True, skill("data-analysis"): False},
    }
    return {**data, **overrides}


# Creating ------------------------------------------------------------------------------------------


def test_a_member_creates_a_draft_with_everything_it_asks_for(organisation, member):
    need = services.need_create(organisation=organisation, acting_user=member, data=valid_data(contact_person=member))

    need.refresh_from_db()
    assert need.status == Status.DRAFT
    assert need.organisation == organisation
    assert need.created_by == member
    assert need.status_changed_by == member and need.status_changed_at is not None
    assert need.published_at is None
    assert need.contact_person == member
    assert {t.code for t in need.themes.all()} == {"care", "health"}
    assert [lang.code for lang in need.languages.all()] == ["nl"]
    assert {(ns.skill.code, ns.required) for ns in need.need_skills.select_related("skill")} == {
        ("machine-learning", True),
        ("data-analysis", False),
    }
    assert not Need.objects.public().filter(pk=need.pk).exists()


def test_skills_may_be_given_by_id(organisation, member):
    need = services.need_create(
        organisation=organisation, acting_user=member, data=valid_data(skills={skill("coaching").pk: True})
    )

    assert list(need.need_skills.values_list("skill__code", "required")) == [("coaching", True)]


def test_a_remote_need_needs_no_municipality_and_flexible_dates_no_start(organisation, member):
    need = services.need_create(
        organisation=organisation,
        acting_user=member,
        data=valid_data(location="remote", municipality=None, is_flexible=True, start_date=None, end_date=None),
    )

    assert need.is_remote and need.municipality is None and need.start_date is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": datetime.date(2031, 1, 31)}, "end_date"),
        ({"estimated_hours": 0}, "estimated_hours"),
        ({"location": "on_site", "municipality": None}, "municipality"),
        ({"location": "hybrid", "municipality": None}, "municipality"),
        ({"is_flexible": False, "start_date": None, "end_date": None}, "start_date"),
        ({"skills": {999_999: True}}, "skills"),
        ({"themes": [999_999]}, "themes"),
        ({"languages": ["not-a-number"]}, "languages"),
        ({"title": "x" * 161}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"title": ""}, "title"),
        ({"volunteers_needed": 0}, "volunteers_needed"),
        ({"kind": "picnic"}, "kind"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_refused_at_its_field_and_saves_nothing(organisation, member, overrides, field):
    with pytest.raises(ValidationError) as refused:
        services.need_create(organisation=organisation, acting_user=member, data=valid_data(**overrides))

    assert field in refused.value.message_dict
    assert not Need.objects.exists()
    assert not NeedSkill.objects.exists()


def test_the_contact_person_must_belong_to_the_organisation(organisation, member):
    outsider = UserFactory()

    with pytest.raises(ValidationError) as refused:
        services.need_create(organisation=organisation, acting_user=member, data=valid_data(contact_person=outsider))

    assert refused.value.message_dict["contact_person"] == [
        "The contact person must be a member of Kraamzorg De Kempen."
    ]
    assert not Need.objects.exists()


def test_several_problems_are_reported_together(organisation, member):
    with pytest.raises(ValidationError) as refused:
        services.need_create(
            organisation=organisation,
            acting_user=member,
            data=valid_data(
                end_date=datetime.date(2030, 1, 1), estimated_hours=0, location="on_site", municipality=None
            ),
        )

    assert {"end_date", "estimated_hours", "municipality"} <= set(refused.value.message_dict)
    assert refused.value.message_dict["end_date"] == ["The end date is before the start date."]


def test_an_organisation_that_is_not_a_member_cannot_post(member, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.PENDING)
    organisation.refresh_from_db()

    with pytest.raises(ValidationError, match="Only member organisations can post needs."):
        services.need_create(organisation=organisation, acting_user=member, data=valid_data())
    assert not Need.objects.exists()


@pytest.mark.parametrize("who", ["volunteer", "other_org_member"])
def test_people_outside_the_organisation_cannot_post_or_change_its_needs(organisation, who):
    user = UserFactory() if who == "volunteer" else MembershipFactory(role=Membership.Role.ADMIN).user
    need = NeedFactory(organisation=organisation, status=Status.DRAFT, title="Ongewijzigd")

    with pytest.raises(PermissionDenied):
        services.need_create(organisation=organisation, acting_user=user, data=valid_data())
    with pytest.raises(PermissionDenied):
        services.need_update(need=need, acting_user=user, data={"title": "Gekaapt"})
    for service in (services.need_publish, services.need_pause, services.need_resume, services.need_cancel):
        with pytest.raises(PermissionDenied):
            service(need=need, acting_user=user)

    need.refresh_from_db()
    assert (need.title, need.status) == ("Ongewijzigd", Status.DRAFT)
    assert Need.objects.count() == 1


def test_a_coordinator_may_post_for_an_organisation(organisation):
    need = services.need_create(organisation=organisation, acting_user=coordinator(), data=valid_data())

    assert need.status == Status.DRAFT


# Editing -------------------------------------------------------------------------------------------


def test_a_member_edits_an_open_need_and_its_skills_are_replaced(organisation, member):
    need = NeedFactory(organisation=organisation, skills={skill("cooking"): True}, themes=[theme("youth")])

    updated = services.need_update(
        need=need,
        acting_user=member,
        data=valid_data(title="Nieuwe titel", skills={skill("gardening"): False}, themes=[theme("elderly")]),
    )

    updated.refresh_from_db()
    assert updated.title == "Nieuwe titel"
    assert updated.status == Status.OPEN
    assert list(updated.need_skills.values_list("skill__code", "required")) == [("gardening", False)]
    assert [t.code for t in updated.themes.all()] == ["elderly"]


def test_bad_input_on_edit_changes_nothing(organisation, member):
    need = NeedFactory(organisation=organisation, title="Zoals het was", skills={skill("cooking"): True})

    with pytest.raises(ValidationError):
        services.need_update(
            need=need, acting_user=member, data=valid_data(title="Nieuw", skills={999_999: True}, estimated_hours=0)
        )

    need.refresh_from_db()
    assert need.title == "Zoals het was" and need.estimated_hours == 8
    assert list(need.need_skills.values_list("skill__code", flat=True)) == ["cooking"]


@pytest.mark.parametrize("status", [Status.MATCHED, Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED])
def test_a_need_past_open_can_no_longer_be_edited(organisation, member, status):
    need = NeedFactory(organisation=organisation, status=status, title="Vast")

    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.need_update(need=need, acting_user=member, data={"title": "Anders"})

    need.refresh_from_db()
    assert need.title == "Vast"


# The lifecycle -------------------------------------------------------------------------------------


def test_publishing_a_draft_opens_it_and_records_who_and_when(organisation, member):
    need = NeedFactory(organisation=organisation, status=Status.DRAFT)

    services.need_publish(need=need, acting_user=member)

    need.refresh_from_db()
    assert need.status == Status.OPEN
    assert need.published_at is not None
    assert need.status_changed_by == member
    assert Need.objects.public().filter(pk=need.pk).exists()


def test_a_need_of_an_organisation_that_left_cannot_be_published(organisation, member):
    need = NeedFactory(organisation=organisation, status=Status.DRAFT)
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.ENDED)
    need.refresh_from_db()

    with pytest.raises(ValidationError, match="Only member organisations can publish needs"):
        services.need_publish(need=need, acting_user=member)
    need.refresh_from_db()
    assert need.status == Status.DRAFT


def test_pausing_and_resuming_keeps_the_needs_place_in_the_list(organisation, member):
    need = NeedFactory(organisation=organisation, status=Status.DRAFT)
    services.need_publish(need=need, acting_user=member)
    first_published = need.published_at

    services.need_pause(need=need, acting_user=member)
    assert need.status == Status.PAUSED
    assert not Need.objects.public().filter(pk=need.pk).exists()
    services.need_resume(need=need, acting_user=member)

    need.refresh_from_db()
    assert need.status == Status.OPEN
    assert need.published_at == first_published


def test_the_whole_way_to_completed(organisation, member):
    need = NeedFactory(organisation=organisation, status=Status.DRAFT)
    services.need_publish(need=need, acting_user=member)
    for status in (Status.MATCHED, Status.IN_PROGRESS, Status.COMPLETED):
        services.need_transition(need=need, acting_user=member, to_status=status)
        need.refresh_from_db()
        assert need.status == status


ALLOWED = {
    Status.DRAFT: {Status.OPEN, Status.CANCELLED},
    Status.OPEN: {Status.PAUSED, Status.MATCHED, Status.IN_PROGRESS, Status.CANCELLED},
    Status.PAUSED: {Status.OPEN, Status.CANCELLED},
    Status.MATCHED: {Status.OPEN, Status.IN_PROGRESS, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}
REFUSED = [(source, target) for source in Status.values for target in Status.values if target not in ALLOWED[source]]


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{s}-to-{t}" for s, t in REFUSED])
def test_any_other_status_change_is_refused_and_changes_nothing(organisation, member, source, target):
    need = NeedFactory(organisation=organisation, status=source)
    before = Need.objects.values("status", "status_changed_at", "status_changed_by", "published_at").get(pk=need.pk)

    with pytest.raises(ValidationError) as refused:
        services.need_transition(need=need, acting_user=member, to_status=target)

    assert "Nothing was changed." in refused.value.messages[0]
    assert (
        Need.objects.values("status", "status_changed_at", "status_changed_by", "published_at").get(pk=need.pk)
        == before
    )


def test_the_refusal_names_both_statuses(organisation, member):
    need = NeedFactory(organisation=organisation, status=Status.COMPLETED)

    with pytest.raises(ValidationError) as refused:
        services.need_cancel(need=need, acting_user=member)

    assert refused.value.messages == ["This need is “Completed”, so it cannot become “Cancelled”. Nothing was changed."]


@pytest.mark.parametrize(
    ("service", "statuses"),
    [
        (services.need_publish, [Status.OPEN, Status.PAUSED, Status.MATCHED, Status.CANCELLED]),
        (services.need_pause, [Status.DRAFT, Status.PAUSED, Status.MATCHED]),
        (services.need_resume, [Status.DRAFT, Status.OPEN, Status.IN_PROGRESS]),
    ],
)
def test_each_named_service_starts_only_from_its_own_status(organisation, member, service, statuses):
    for status in statuses:
        need = NeedFactory(organisation=organisation, status=status)
        with pytest.raises(ValidationError):
            service(need=need, acting_user=member)
        need.refresh_from_db()
        assert need.status == status


def test_the_guard_reads_the_database_not_a_stale_copy(organisation, member):
    """Two colleagues with the same page open: the second click is refused, whatever their copy says."""
    need = NeedFactory(organisation=organisation, status=Status.OPEN)
    stale = Need.objects.get(pk=need.pk)
    colleague = MembershipFactory(organisation=organisation).user

    services.need_cancel(need=need, acting_user=member)
    with pytest.raises(ValidationError):
        services.need_pause(need=stale, acting_user=colleague)

    need.refresh_from_db()
    assert need.status == Status.CANCELLED
    assert need.status_changed_by == member


@pytest.mark.postgres
def test_the_search_vector_is_filled_on_postgresql(organisation, member):
    need = services.need_create(organisation=organisation, acting_user=member, data=valid_data(title="Taalmaatjes"))

    assert Need.objects.filter(pk=need.pk, search_vector="taalmaatje").exists()
    services.need_update(need=need, acting_user=member, data={"title": "Voorleesouders"})
    assert not Need.objects.filter(pk=need.pk, search_vector="taalmaatje").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_two_people_acting_at_once_exactly_one_wins(reference_data):
    organisation = OrganisationFactory()
    first, second = (MembershipFactory(organisation=organisation).user for _ in range(2))
    need = NeedFactory(organisation=organisation, status=Status.OPEN)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user, service):
        try:
            barrier.wait()
            service(need=Need.objects.select_related("organisation").get(pk=need.pk), acting_user=user)
            outcomes.append("won")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(first, services.need_pause)),
        threading.Thread(target=act, args=(second, services.need_pause)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "won"]
    need.refresh_from_db()
    assert need.status == Status.PAUSED
    assert need.status_changed_by in {first, second}
