"""The privacy pages for every kind of person, the data download, deleting an account through its page, being
asked again when the privacy statement changes, and the caching of each page."""

import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from members import services
from members.models import Membership, Organisation, PrivacyConsent, User, Volunteer
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.members.test_trust_cache import directives, is_private_no_store
from tests.permission_matrix import LOGIN, assert_answer, cases

pytestmark = pytest.mark.django_db


@dataclass
class World:
    organisation: Organisation
    people: dict


@pytest.fixture
def world():
    """Each person alone in their role: the own admin is the only admin of an organisation with colleagues, and
    the coordinator the only coordinator, so neither may delete their account before handing over."""
    organisation = OrganisationFactory(name="Voedselbank Eindhoven", slug="voedselbank")
    own_admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    own_member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    other_org_member = MembershipFactory(role=Membership.Role.MEMBER, organisation__name="ASML").user
    return World(
        organisation=organisation,
        people={
            "visitor": None,
            "volunteer": VolunteerFactory(organisation=organisation).user,
            "other_org_member": other_org_member,
            "own_member": own_member,
            "own_admin": own_admin,
            "coordinator": coordinator(),
        },
    )


def anonymised(world, role):
    return User.objects.get(pk=world.people[role].pk).anonymised_at is not None


# row → (URL name, method, POST data)
VIEWS = {
    "privacy-statement": ("privacy-statement", "get", None),
    "privacy-consent": ("privacy-consent", "get", None),
    "account-data-export": ("account-data-export", "get", None),
    "account-delete": ("account-delete", "get", None),
    "account-delete (confirm)": ("account-delete", "post", {"password": PASSWORD}),
}

# fmt: off
MATRIX = {
    #                            visitor  volunteer other_org own_member own_admin coordinator
    "privacy-statement":         (200,    200,      200,      200,       200,      200),
    "privacy-consent":           (LOGIN,  200,      200,      200,       200,      200),
    "account-data-export":       (LOGIN,  200,      200,      200,       200,      200),
    "account-delete":            (LOGIN,  200,      200,      200,       200,      200),
    # Refused (the page again, with the reason) for the last admin of an organisation and the last coordinator.
    "account-delete (confirm)":  (LOGIN,  302,      302,      302,       200,      200),
}
# fmt: on

URL_NAMES = {name for name, _method, _data in VIEWS.values()}
CASES = cases(MATRIX)


def test_the_matrix_covers_every_privacy_view():
    names = {
        pattern.name
        for pattern in get_resolver().url_patterns[-1].url_patterns
        if pattern.name and pattern.callback.__module__ == "members.views.privacy"
    }
    assert names == URL_NAMES
    assert set(VIEWS) == set(MATRIX)


@pytest.mark.parametrize(("row", "role", "expected"), CASES, ids=[f"{v}-{r}" for v, r, _ in CASES])
def test_permission_matrix(client, world, row, role, expected):
    name, method, data = VIEWS[row]
    if world.people[role] is not None:
        client.force_login(world.people[role])
    url = reverse(f"members:{name}")

    response = client.post(url, data) if method == "post" else client.get(url)

    assert_answer(response, url, expected)
    if method == "post" and role != "visitor":
        assert anonymised(world, role) is (expected == 302)


def test_the_last_admin_is_told_to_hand_over_first(client, world):
    client.force_login(world.people["own_admin"])

    response = client.post(reverse("members:account-delete"), {"password": PASSWORD})

    assert "You are the only administrator of Voedselbank Eindhoven" in response.text
    assert not anonymised(world, "own_admin")
    # Once a colleague is admin too, they can go.
    services.membership_change_role(
        membership=Membership.objects.get(user=world.people["own_member"]),
        acting_user=world.people["own_admin"],
        role=Membership.Role.ADMIN,
    )
    assert client.post(reverse("members:account-delete"), {"password": PASSWORD}).status_code == 302
    assert anonymised(world, "own_admin")


def test_an_admin_alone_in_their_organisation_may_delete_their_account():
    alone = MembershipFactory(role=Membership.Role.ADMIN).user

    services.account_delete(user=alone, acting_user=alone)

    assert User.objects.get(pk=alone.pk).anonymised_at is not None
    assert not Membership.objects.filter(user=alone).exists()


def test_the_last_coordinator_cannot_delete_their_account_but_one_of_two_can(world):
    only = world.people["coordinator"]
    with pytest.raises(Exception, match="only coordinator"):
        services.account_delete(user=only, acting_user=only)

    coordinator()
    services.account_delete(user=only, acting_user=only)
    assert User.objects.get(pk=only.pk).anonymised_at is not None


def test_a_wrong_password_deletes_nothing_and_says_so_at_the_field(client, world):
    client.force_login(world.people["volunteer"])

    response = client.post(reverse("members:account-delete"), {"password": "niet-mijn-wachtwoord"})

    assert response.status_code == 200
    assert "This is not your password. Nothing was deleted." in response.text
    assert 'aria-invalid="true"' in response.text
    assert not anonymised(world, "volunteer")


def test_someone_cannot_delete_another_persons_account(world):
    with pytest.raises(Exception):  # noqa: B017,PT011 - PermissionDenied
        services.account_delete(user=world.people["volunteer"], acting_user=world.people["own_admin"])
    assert not anonymised(world, "volunteer")


def test_after_deleting_the_person_is_logged_out_with_a_message_in_their_language(client, world):
    volunteer = world.people["volunteer"]
    volunteer.preferred_language = "nl"
    volunteer.save()
    client.force_login(volunteer)

    response = client.post(reverse("members:account-delete"), {"password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("members:home")
    assert not response.context["user"].is_authenticated
    assert "Je account is verwijderd" in response.text
    # Deleting again, or logging in with the old address, finds nothing.
    old_login = Client().post(reverse("account_login"), {"login": volunteer.email, "password": PASSWORD})
    assert old_login.status_code == 200 and not old_login.context["user"].is_authenticated
    assert services.account_delete(user=volunteer, acting_user=volunteer).anonymised_at is not None


def test_the_data_download_is_a_json_file_with_all_sections_and_is_never_stored(client, world):
    volunteer = Volunteer.objects.get(user=world.people["volunteer"])
    services.privacy_consent_give(user=volunteer.user)
    client.force_login(volunteer.user)

    response = client.get(reverse("members:account-data-export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="brainport-voor-elkaar-my-data-')
    assert is_private_no_store(response)
    data = json.loads(response.content)
    assert data["format"] == "brainport-voor-elkaar/personal-data" and data["format_version"] == 1
    assert data["account"]["email"] == volunteer.user.email
    assert data["account"]["full_name"] == volunteer.user.full_name
    assert data["volunteer_profile"]["organisation"] == "Voedselbank Eindhoven"
    assert [c["version"] for c in data["privacy_consents"]] == ["1.0"]
    assert data["memberships"] == [
        {"organisation": "Voedselbank Eindhoven", "role": "volunteer", "since": data["memberships"][0]["since"]}
    ]
    assert len(data["logins"]) == 1  # this one
    for section in ("matches", "hours", "feedback", "match_history", "notifications", "invitations"):
        assert data[section] == [], section


def test_the_data_download_takes_the_same_queries_with_one_match_or_many(client, django_assert_num_queries):
    from tests.matching.test_sides_permissions import current_need, proposal

    volunteer = VolunteerFactory()
    charity = OrganisationFactory(kind="social")
    proposal(current_need(charity, title="Eerste"), volunteer=volunteer)
    client.force_login(volunteer.user)
    with django_assert_num_queries(23) as one:
        client.get(reverse("members:account-data-export"))
    for n in range(4):
        proposal(current_need(charity, title=f"Nog een {n}"), volunteer=volunteer)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("members:account-data-export"))
    assert len(json.loads(response.content)["matches"]) == 5


def test_the_privacy_statement_is_cacheable_for_visitors_and_private_for_signed_in_people(client, world):
    response = Client().get(reverse("members:privacy-statement"))
    assert response.status_code == 200
    assert "public" in directives(response) and not {"private", "no-store"} & directives(response)
    assert "Version 1.0" in response.text

    client.force_login(world.people["volunteer"])
    assert is_private_no_store(client.get(reverse("members:privacy-statement")))
    for name in ("privacy-consent", "account-delete"):
        assert is_private_no_store(client.get(reverse(f"members:{name}"))), name


def test_the_privacy_statement_is_linked_from_every_pages_footer_and_reads_dutch_by_default():
    response = Client(headers={"accept-language": "nl"}).get(reverse("members:need-list"))
    assert reverse("members:privacy-statement") in response.text

    statement = Client(headers={"accept-language": "nl"}).get(reverse("members:privacy-statement"))
    assert "Privacyverklaring" in statement.text
    assert "Wat we bewaren" in statement.text


# Asked again when the statement changes ------------------------------------------------------------


def test_a_volunteer_who_agreed_to_an_earlier_version_is_asked_again_before_going_on(client, settings):
    volunteer = VolunteerFactory()
    services.privacy_consent_give(user=volunteer.user)
    client.force_login(volunteer.user)
    assert client.get(reverse("members:dashboard")).status_code == 200

    settings.PRIVACY_STATEMENT_VERSION = "2.0"
    response = client.get(reverse("members:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('members:privacy-consent')}?next=%2Fdashboard%2F"
    # The statement, the data download and deleting stay open meanwhile.
    for name in ("privacy-statement", "account-data-export", "account-delete"):
        assert client.get(reverse(f"members:{name}")).status_code == 200, name

    response = client.post(reverse("members:privacy-consent"), {"agree": "1", "next": "/dashboard/"})

    assert response["Location"] == "/dashboard/"
    assert client.get(reverse("members:dashboard")).status_code == 200
    consents = list(PrivacyConsent.objects.filter(user=volunteer.user).values_list("version", "action"))
    assert consents == [("1.0", "given"), ("2.0", "given")]
    assert User.objects.get(pk=volunteer.user.pk).privacy_version == "2.0"


def test_a_volunteer_who_does_not_agree_is_no_longer_matched_and_not_asked_again(client, settings):
    volunteer = VolunteerFactory()
    services.privacy_consent_give(user=volunteer.user)
    settings.PRIVACY_STATEMENT_VERSION = "2.0"
    client.force_login(volunteer.user)

    response = client.post(reverse("members:privacy-consent"), {"decline": "1"})

    assert response["Location"] == reverse("members:account-settings")
    assert Volunteer.objects.get(pk=volunteer.pk).consent_at is None
    assert not Volunteer.objects.active().filter(pk=volunteer.pk).exists()
    assert client.get(reverse("members:dashboard")).status_code == 200
    assert list(PrivacyConsent.objects.filter(user=volunteer.user).values_list("version", "action")) == [
        ("1.0", "given"),
        ("1.0", "withdrawn"),
    ]


def test_asking_again_costs_no_query(client, settings, django_assert_num_queries):
    """The check reads the user row every request loads anyway: the dashboard takes as many queries with the
    gate as a person who is not asked."""
    volunteer = VolunteerFactory()
    services.privacy_consent_give(user=volunteer.user)
    client.force_login(volunteer.user)
    url = reverse("members:privacy-statement")
    with django_assert_num_queries(5):
        client.get(url)
    settings.PRIVACY_STATEMENT_VERSION = "2.0"
    with django_assert_num_queries(5):
        client.get(url)


def test_registering_as_a_volunteer_records_consent_with_the_statements_version(client):
    member = MembershipFactory(role=Membership.Role.MEMBER).user
    volunteer = services.volunteer_register(
        user=member, organisation=member.memberships.get().organisation, profile={}, consent=True
    )

    consent = PrivacyConsent.objects.get(user=member)
    assert (consent.version, consent.action) == ("1.0", "given")
    assert consent.at >= volunteer.consent_at
    assert User.objects.get(pk=member.pk).privacy_version == "1.0"


def test_someone_who_never_agreed_is_not_stopped_by_the_gate(client, settings):
    settings.PRIVACY_STATEMENT_VERSION = "2.0"
    client.force_login(UserFactory())
    assert client.get(reverse("members:dashboard")).status_code == 200


def test_an_admin_no_longer_sees_a_volunteer_who_deleted_their_account(client):
    organisation = OrganisationFactory(slug="asml")
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    staying = VolunteerFactory(organisation=organisation, user__full_name="Blijft Hier")
    leaving = VolunteerFactory(organisation=organisation, user__full_name="Gaat Weg")
    services.account_delete(user=leaving.user, acting_user=leaving.user)
    client.force_login(admin)

    response = client.get(reverse("members:volunteer-list", args=["asml"]))

    assert [v.pk for v in response.context["volunteers"]] == [staying.pk]
    assert "Deleted account" not in response.text and "Gaat Weg" not in response.text


def test_the_admin_anonymises_accounts_instead_of_deleting_them(client):
    """A request to be forgotten that reaches the association by post: the same service, never a row deleted
    (which would take the person's matches and hours with it)."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    leaving = VolunteerFactory(user__full_name="Per Post")
    client.force_login(superuser)
    changelist = reverse("admin:members_user_changelist")

    response = client.post(changelist, {"action": "anonymise", "_selected_action": [leaving.user.pk]}, follow=True)

    assert response.status_code == 200
    assert "1 accounts anonymised." in response.text
    assert User.objects.get(pk=leaving.user.pk).anonymised_at is not None
    assert Volunteer.objects.filter(pk=leaving.pk).exists()
    assert client.get(reverse("admin:members_user_delete", args=[leaving.user.pk])).status_code == 403
