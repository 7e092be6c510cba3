"""Inclusive employers: an organisation's admin declares it one, a coordinator confirms or withdraws it (with a
note), the right people are told, and only confirmed member organisations count."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from members import services
from members.models import Membership, Notification, NotificationKind, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, coordinator

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return OrganisationFactory(name="Kempen Techniek", slug="kempen-techniek")


@pytest.fixture
def admin(company):
    return MembershipFactory(organisation=company, role=Membership.Role.ADMIN, user__preferred_language="en").user


@pytest.fixture
def coordinators():
    return [coordinator(preferred_language="en"), coordinator(preferred_language="nl")]


def reload(organisation):
    return Organisation.objects.get(pk=organisation.pk)


def test_a_declaration_waits_for_a_coordinator_and_every_coordinator_hears_of_it(
    company, admin, coordinators, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)

    company = reload(company)
    assert company.inclusive_state == "waiting"
    assert not Organisation.objects.inclusive_employers().exists()
    assert list(Organisation.objects.inclusive_waiting()) == [company]
    notes = Notification.objects.filter(kind=NotificationKind.INCLUSIVE_DECLARED)
    assert {n.recipient for n in notes} == set(coordinators)
    assert all(n.link == reverse("members:inclusive-employer-list") for n in notes)
    subjects = {message.subject for message in mailoutbox}
    assert "Kempen Techniek declares itself an inclusive employer: please confirm" in subjects


def test_declaring_again_changes_nothing_and_tells_nobody_twice(company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)

    assert Notification.objects.filter(kind=NotificationKind.INCLUSIVE_DECLARED).count() == len(coordinators)


def test_a_confirmed_declaration_counts_and_the_admins_hear_of_it(company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)

    services.inclusive_employer_review(organisation=company, acting_user=coordinators[0], confirm=True)

    company = reload(company)
    assert company.inclusive_state == "confirmed"
    assert company.inclusive_confirmed_by == coordinators[0]
    assert list(Organisation.objects.inclusive_employers()) == [company]
    note = Notification.objects.get(kind=NotificationKind.INCLUSIVE_REVIEWED)
    assert note.recipient == admin
    assert note.context["confirmed"] is True


def test_a_withdrawal_needs_a_note_and_stops_the_count(company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    services.inclusive_employer_review(organisation=company, acting_user=coordinators[0], confirm=True)

    with pytest.raises(ValidationError) as refused:
        services.inclusive_employer_review(organisation=company, acting_user=coordinators[1], confirm=False, note=" ")
    assert "note" in refused.value.message_dict
    assert reload(company).inclusive_state == "confirmed"

    services.inclusive_employer_review(
        organisation=company, acting_user=coordinators[1], confirm=False, note="Geen plaatsingen gevonden."
    )

    company = reload(company)
    assert company.inclusive_state == "withdrawn"
    assert company.inclusive_note == "Geen plaatsingen gevonden."
    assert not Organisation.objects.inclusive_employers().exists()
    assert not Organisation.objects.inclusive_waiting().exists()


def test_after_a_withdrawal_the_organisation_can_ask_again(company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    services.inclusive_employer_review(
        organisation=company, acting_user=coordinators[0], confirm=False, note="Nog niet."
    )

    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)

    assert reload(company).inclusive_state == "waiting"
    assert Notification.objects.filter(kind=NotificationKind.INCLUSIVE_DECLARED).count() == 2 * len(coordinators)


def test_of_two_coordinators_confirming_at_once_one_wins(company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    services.inclusive_employer_review(organisation=company, acting_user=coordinators[0], confirm=True)

    with pytest.raises(ValidationError):
        services.inclusive_employer_review(organisation=company, acting_user=coordinators[1], confirm=True)

    assert reload(company).inclusive_confirmed_by == coordinators[0]


def test_nothing_to_confirm_without_a_declaration(company, coordinators):
    with pytest.raises(ValidationError):
        services.inclusive_employer_review(organisation=company, acting_user=coordinators[0], confirm=True)


def test_taking_the_declaration_back_ends_the_confirmation(company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    services.inclusive_employer_review(organisation=company, acting_user=coordinators[0], confirm=True)

    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=False)

    company = reload(company)
    assert company.inclusive_state == ""
    assert company.inclusive_confirmed_at is None


def test_only_admins_declare_and_only_coordinators_review(company, admin):
    member = MembershipFactory(organisation=company, role=Membership.Role.MEMBER).user

    with pytest.raises(PermissionDenied):
        services.inclusive_employer_declare(organisation=company, acting_user=member, declared=True)
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    with pytest.raises(PermissionDenied):
        services.inclusive_employer_review(organisation=company, acting_user=admin, confirm=True)
    assert reload(company).inclusive_state == "waiting"


def test_the_profile_form_declares_through_the_service(client, company, admin, coordinators):
    client.force_login(admin)
    data = {
        "name": company.name,
        "kind": company.kind,
        "municipality": company.municipality_id,
        "description": "",
        "website": "",
        "is_inclusive_employer": "on",
        "may_be_named_publicly": "on",
    }

    response = client.post(reverse("members:organisation-edit", args=[company.slug]), data)

    assert response.status_code == 302
    company = reload(company)
    assert company.inclusive_state == "waiting"
    assert company.may_be_named_publicly is True
    assert Notification.objects.filter(kind=NotificationKind.INCLUSIVE_DECLARED).count() == len(coordinators)


def test_unticking_in_the_profile_keeps_a_confirmed_employer_valid_until_saved(client, company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    services.inclusive_employer_review(organisation=company, acting_user=coordinators[0], confirm=True)
    client.force_login(admin)
    data = {"name": company.name, "kind": company.kind, "municipality": company.municipality_id}

    client.post(reverse("members:organisation-edit", args=[company.slug]), data)

    assert reload(company).inclusive_state == ""


def test_the_admin_declares_from_the_organisation_page(client, company, admin, coordinators):
    client.force_login(admin)
    page = client.get(company.get_absolute_url()).content.decode()
    assert "Declare us an inclusive employer" in page
    assert "The public impact page does not name your organisation." in page

    response = client.post(reverse("members:inclusive-employer-declare", args=[company.slug]), {"declared": "yes"})

    assert response.status_code == 302
    assert reload(company).inclusive_state == "waiting"
    page = client.get(company.get_absolute_url()).content.decode()
    assert "Declared; waiting for a coordinator to confirm it" in page


def test_a_coordinator_confirms_from_the_list(client, company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    client.force_login(coordinators[0])

    listing = client.get(reverse("members:inclusive-employer-list")).content.decode()
    assert "Kempen Techniek" in listing
    review = reverse("members:inclusive-employer-review", args=[company.slug])
    assert review in listing

    response = client.post(review, {"decision": "confirm", "note": ""})

    assert response.status_code == 302
    assert reload(company).inclusive_state == "confirmed"
    assert "Kempen Techniek" in client.get(reverse("members:inclusive-employer-list"), {"state": "confirmed"}).text


def test_a_withdrawal_without_a_note_is_refused_at_the_field(client, company, admin, coordinators):
    services.inclusive_employer_declare(organisation=company, acting_user=admin, declared=True)
    client.force_login(coordinators[0])

    response = client.post(
        reverse("members:inclusive-employer-review", args=[company.slug]), {"decision": "withdraw", "note": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"note": ["Tell the organisation why its declaration is withdrawn."]}
    assert reload(company).inclusive_state == "waiting"


def test_the_list_costs_the_same_with_one_and_with_many(client, coordinators, django_assert_num_queries):
    client.force_login(coordinators[0])
    OrganisationFactory(is_inclusive_employer=True, inclusive_confirmed_at=None)
    client.get(reverse("members:inclusive-employer-list"))
    # session, user, coordinators' group, memberships and unread count of the navigation, the page's count and
    # rows, the confirmed count
    with django_assert_num_queries(8):
        client.get(reverse("members:inclusive-employer-list"))
    for _n in range(20):
        OrganisationFactory(is_inclusive_employer=True, inclusive_confirmed_at=None)
    with django_assert_num_queries(8):
        client.get(reverse("members:inclusive-employer-list"))


def test_only_confirmed_inclusive_employers_get_the_badge_and_the_home_figure(client):
    OrganisationFactory(name="Bevestigd BV", is_inclusive_employer=True)
    OrganisationFactory(name="Wacht BV", is_inclusive_employer=True, inclusive_confirmed_at=None)

    directory = client.get(reverse("members:organisation-list"), {"inclusive": "on"}).text

    assert "Bevestigd BV" in directory
    assert "Wacht BV" not in directory
    assert client.get(reverse("members:home")).context["figures"]["inclusive"] == 1
