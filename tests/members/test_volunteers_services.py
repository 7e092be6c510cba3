"""Volunteer services: the join link, the own profile with consent, and the all-or-nothing CSV import."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services
from members.models import (
    Membership,
    Notification,
    NotificationKind,
    Organisation,
    Skill,
    SpokenLanguage,
    Theme,
    User,
    Volunteer,
    VolunteerImport,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, municipality
from tests.factories_volunteers import VolunteerFactory, admin_of, csv_text, volunteer_row

pytestmark = pytest.mark.django_db


def profile(**overrides):
    values = {
        "municipality": municipality("Best"),
        "travel_km": 10,
        "remote_ok": False,
        "hours_per_month": 6,
        "available_weekdays": False,
        "available_evenings": True,
        "available_weekends": False,
        "languages": SpokenLanguage.objects.filter(code__in=["nl", "uk"]),
        "themes": Theme.objects.filter(code="newcomers"),
        "skills": {Skill.objects.get(code="language-buddy"): 3},
        "status": Volunteer.Status.ACTIVE,
    }
    values.update(overrides)
    return values


def upload(admin, rows, **kwargs):
    return services.volunteer_import_upload(
        organisation=admin.organisation, acting_user=admin.user, filename="team.csv", text=csv_text(rows, **kwargs)
    )


def commit(admin, volunteer_import):
    return services.volunteer_import_commit(volunteer_import=volunteer_import, acting_user=admin.user)


# Join link -----------------------------------------------------------------------------------------


def test_a_join_link_names_its_organisation_until_an_admin_resets_it():
    admin = admin_of()
    token = services.join_link_token(admin.organisation)
    assert services.join_link_organisation(token) == admin.organisation

    services.join_link_reset(organisation=admin.organisation, acting_user=admin.user)

    assert services.join_link_organisation(token) is None
    assert services.join_link_organisation(services.join_link_token(admin.organisation)) == admin.organisation


@pytest.mark.parametrize("token", ["", "nonsense", "W1sxLDFdXQ:forged:signature"])
def test_a_forged_join_link_names_nothing(token):
    assert services.join_link_organisation(token) is None


def test_only_admins_and_coordinators_reset_the_join_link():
    member = MembershipFactory()
    with pytest.raises(PermissionDenied):
        services.join_link_reset(organisation=member.organisation, acting_user=member.user)
    member.organisation.refresh_from_db()
    assert member.organisation.join_link_version == 1


def test_joining_with_a_new_account_makes_a_volunteer_who_must_confirm_their_address():
    organisation = OrganisationFactory(name="ASML")

    volunteer = services.volunteer_join(
        organisation=organisation,
        account=services.NewAccount(
            email="Olena@Example.org", full_name="Olena K", password="x-Geheim-42", language="en"
        ),
        profile=profile(),
        consent=True,
    )

    user = volunteer.user
    assert user.email == "olena@example.org"
    assert Membership.objects.get(user=user, organisation=organisation).role == Membership.Role.VOLUNTEER
    assert not EmailAddress.objects.get(user=user).verified
    assert Volunteer.objects.active().get() == volunteer
    assert volunteer.consent_at is not None
    assert volunteer.municipality.name == "Best"
    assert {language.code for language in volunteer.languages.all()} == {"nl", "uk"}
    assert [(vs.skill.code, vs.level) for vs in volunteer.volunteer_skills.all()] == [("language-buddy", 3)]


def test_an_admin_who_joins_stays_admin():
    admin = admin_of()

    services.volunteer_join(organisation=admin.organisation, user=admin.user, profile=profile(), consent=True)

    admin.refresh_from_db()
    assert admin.role == Membership.Role.ADMIN
    assert admin.user.volunteer.organisation == admin.organisation


def test_joining_without_consent_creates_nothing():
    organisation = OrganisationFactory()

    with pytest.raises(ValidationError) as refused:
        services.volunteer_join(
            organisation=organisation,
            account=services.NewAccount(email="a@example.org", full_name="A", password="x-Geheim-42"),
            profile=profile(),
            consent=False,
        )

    assert "consent" in refused.value.error_dict
    assert not User.objects.filter(email="a@example.org").exists()


def test_joining_an_organisation_that_is_no_longer_a_member_is_refused():
    organisation = OrganisationFactory(status=Organisation.Status.ENDED)
    user = UserFactory()

    with pytest.raises(ValidationError):
        services.volunteer_join(organisation=organisation, user=user, profile=profile(), consent=True)

    assert not Membership.objects.filter(user=user).exists()


def test_a_person_volunteers_for_one_organisation_only():
    volunteer = VolunteerFactory()
    other = OrganisationFactory()

    with pytest.raises(ValidationError, match="already registered as a volunteer"):
        services.volunteer_join(organisation=other, user=volunteer.user, profile=profile(), consent=True)

    assert Volunteer.objects.get(user=volunteer.user).organisation == volunteer.organisation
    assert not Membership.objects.filter(user=volunteer.user, organisation=other).exists()


# Own profile ---------------------------------------------------------------------------------------


def test_a_member_registers_as_volunteer_only_for_their_own_organisation():
    member = MembershipFactory()
    stranger_org = OrganisationFactory()

    with pytest.raises(PermissionDenied):
        services.volunteer_register(user=member.user, organisation=stranger_org, profile=profile(), consent=True)

    volunteer = services.volunteer_register(
        user=member.user, organisation=member.organisation, profile=profile(), consent=True
    )
    assert volunteer.organisation == member.organisation


def test_pausing_takes_a_volunteer_out_of_the_offers_and_resuming_puts_them_back():
    volunteer = VolunteerFactory()

    services.volunteer_update(
        volunteer=volunteer, acting_user=volunteer.user, profile={"status": Volunteer.Status.PAUSED}
    )
    assert not Volunteer.objects.active().exists()

    services.volunteer_update(
        volunteer=volunteer, acting_user=volunteer.user, profile={"status": Volunteer.Status.ACTIVE}
    )
    assert list(Volunteer.objects.active()) == [volunteer]


def test_consent_is_the_volunteers_own_to_give_or_withdraw():
    volunteer = VolunteerFactory(consent_at=None)
    admin = admin_of(volunteer.organisation)

    with pytest.raises(PermissionDenied):
        services.volunteer_update(volunteer=volunteer, acting_user=admin.user, profile={}, consent=True)
    assert not Volunteer.objects.active().exists()

    services.volunteer_update(volunteer=volunteer, acting_user=volunteer.user, profile={}, consent=True)
    first = Volunteer.objects.get().consent_at
    assert first is not None

    services.volunteer_update(volunteer=volunteer, acting_user=volunteer.user, profile={}, consent=True)
    assert Volunteer.objects.get().consent_at == first, "agreeing again keeps the first date"

    services.volunteer_update(volunteer=volunteer, acting_user=volunteer.user, profile={}, consent=False)
    assert not Volunteer.objects.active().exists()


@pytest.mark.parametrize("who", ["colleague", "stranger"])
def test_only_the_volunteer_their_admin_or_a_coordinator_changes_a_profile(who):
    volunteer = VolunteerFactory(hours_per_month=8)
    acting = MembershipFactory(organisation=volunteer.organisation).user if who == "colleague" else UserFactory()

    with pytest.raises(PermissionDenied):
        services.volunteer_update(volunteer=volunteer, acting_user=acting, profile={"hours_per_month": 100})

    assert Volunteer.objects.get().hours_per_month == 8


def test_an_impossible_profile_is_refused():
    volunteer = VolunteerFactory()

    with pytest.raises(ValidationError):
        services.volunteer_update(volunteer=volunteer, acting_user=volunteer.user, profile={"hours_per_month": 500})


# CSV import ----------------------------------------------------------------------------------------


def test_an_upload_only_previews_and_changes_no_person():
    admin = admin_of()

    volunteer_import = upload(admin, [volunteer_row(1), volunteer_row(2)])

    assert (volunteer_import.status, volunteer_import.row_count, volunteer_import.error_count) == ("previewed", 2, 0)
    assert not User.objects.filter(email__endswith="@asml.example").exists()
    assert not Volunteer.objects.exists()


def test_committing_creates_accounts_memberships_and_profiles_waiting_for_consent(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = admin_of(user__full_name="Ilse Admin")
    volunteer_import = upload(admin, [volunteer_row(1), volunteer_row(2, skills="", languages="")])

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_import = commit(admin, volunteer_import)

    assert volunteer_import.status == "committed"
    assert volunteer_import.content == "", "the personal data of the file is not kept"
    assert volunteer_import.result == {"created": 2, "updated": 0, "new_accounts": 2}
    first = Volunteer.objects.with_related().get(user__email="collega1@asml.example")
    assert first.organisation == admin.organisation
    assert first.user.full_name == "Collega 1"
    assert not first.user.has_usable_password()
    assert Membership.objects.get(user=first.user).role == Membership.Role.VOLUNTEER
    assert (first.municipality.name, first.hours_per_month, first.travel_km, first.remote_ok) == (
        "Veldhoven",
        8,
        20,
        True,
    )
    assert (first.available_weekdays, first.available_evenings, first.available_weekends) == (False, True, True)
    assert sorted((vs.skill.code, vs.level) for vs in first.volunteer_skills.all()) == [
        ("communication", 2),
        ("data-analysis", 3),
    ]
    assert {language.code for language in first.languages.all()} == {"nl", "en"}
    assert first.consent_at is None
    assert not Volunteer.objects.active().exists(), "nobody is matched before they agree"

    assert sorted(message.to[0] for message in mailoutbox) == ["collega1@asml.example", "collega2@asml.example"]
    message = mailoutbox[0]
    assert admin.organisation.name in message.subject
    # Each new person's own welcome link, to choose a password at once.
    token = re.search(r"/welcome/([^/\s]+)/", message.body).group(1)
    assert services.welcome_link_user(token).email == message.to[0]
    assert reverse("members:volunteer-profile") in message.body
    assert Notification.objects.filter(kind=NotificationKind.VOLUNTEER_REGISTERED).count() == 2


def test_uploading_the_same_file_again_updates_and_duplicates_nobody(mailoutbox, django_capture_on_commit_callbacks):
    admin = admin_of()
    rows = [volunteer_row(n) for n in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=True):
        commit(admin, upload(admin, rows))
    sent = len(mailoutbox)
    rows[0]["hours_per_month"] = "12"
    rows[0]["full_name"] = "Collega Eén"
    rows[1]["skills"] = "communication:basic"

    again = upload(admin, rows)
    assert [row.updates_existing for row in services.volunteer_import_check(again).rows] == [True, True, True]
    with django_capture_on_commit_callbacks(execute=True):
        again = commit(admin, again)

    assert again.result == {"created": 0, "updated": 3, "new_accounts": 0}
    assert User.objects.filter(email__endswith="@asml.example").count() == 3
    assert Volunteer.objects.count() == 3
    assert Membership.objects.filter(organisation=admin.organisation).count() == 4
    first = Volunteer.objects.get(user__email="collega1@asml.example")
    assert (first.hours_per_month, first.user.full_name) == (12, "Collega Eén")
    second = Volunteer.objects.get(user__email="collega2@asml.example")
    assert [(vs.skill.code, vs.level) for vs in second.volunteer_skills.all()] == [("communication", 1)]
    assert len(mailoutbox) == sent, "an update sends no new welcome"


def test_an_update_keeps_consent_and_what_empty_cells_leave_alone():
    admin = admin_of()
    volunteer = VolunteerFactory(
        organisation=admin.organisation,
        user__email="olena@asml.example",
        hours_per_month=4,
        skills={"language-buddy": 3},
        languages=["uk"],
    )

    commit(
        admin,
        upload(admin, [volunteer_row(1, email="olena@asml.example", skills="", languages="", hours_per_month="10")]),
    )

    volunteer.refresh_from_db()
    assert volunteer.hours_per_month == 10
    assert volunteer.consent_at is not None
    assert [vs.skill.code for vs in volunteer.volunteer_skills.all()] == ["language-buddy"]
    assert [language.code for language in volunteer.languages.all()] == ["uk"]


def test_a_file_with_one_bad_row_imports_nothing():
    admin = admin_of()
    rows = [volunteer_row(n) for n in range(1, 21)]
    rows[6]["municipality"] = "Amsterdam"
    volunteer_import = upload(admin, rows)
    assert volunteer_import.error_count == 1

    with pytest.raises(ValidationError, match="nothing was imported"):
        commit(admin, volunteer_import)

    assert not User.objects.filter(email__endswith="@asml.example").exists()
    assert not Volunteer.objects.exists()
    assert VolunteerImport.objects.get().status == "previewed"


def test_a_file_that_cannot_be_read_is_refused_on_upload():
    admin = admin_of()

    with pytest.raises(ValidationError) as refused:
        services.volunteer_import_upload(
            organisation=admin.organisation, acting_user=admin.user, filename="x.csv", text="naam;adres\nA;B\n"
        )

    assert "file" in refused.value.error_dict
    assert not VolunteerImport.objects.exists()


def test_an_import_is_committed_once():
    admin = admin_of()
    volunteer_import = upload(admin, [volunteer_row(1)])
    commit(admin, volunteer_import)

    with pytest.raises(ValidationError, match="already been imported"):
        commit(admin, VolunteerImport.objects.get(pk=volunteer_import.pk))

    assert Volunteer.objects.count() == 1


def test_a_new_upload_discards_the_earlier_preview_and_its_data():
    admin = admin_of()
    first = upload(admin, [volunteer_row(1)])

    upload(admin, [volunteer_row(2)])

    first.refresh_from_db()
    assert (first.status, first.content) == ("discarded", "")
    with pytest.raises(ValidationError):
        commit(admin, first)


def test_people_of_another_organisation_are_not_taken_over():
    admin = admin_of()
    elsewhere = VolunteerFactory(user__email="bezet@example.org", user__full_name="Bezet")
    outsider = MembershipFactory(user__email="buiten@example.org", user__full_name="Buiten").user

    volunteer_import = upload(
        admin,
        [
            volunteer_row(1, email="bezet@example.org", full_name="Overgenomen"),
            volunteer_row(2, email="buiten@example.org", full_name="Overgenomen"),
        ],
    )

    rows = services.volunteer_import_check(volunteer_import).rows
    assert "registered as a volunteer of another organisation" in rows[0].errors[0].message
    assert "Send an invitation instead" in rows[1].errors[0].message
    with pytest.raises(ValidationError):
        commit(admin, volunteer_import)
    elsewhere.user.refresh_from_db()
    outsider.refresh_from_db()
    assert (elsewhere.user.full_name, outsider.full_name) == ("Bezet", "Buiten")
    assert not Membership.objects.filter(organisation=admin.organisation, user__in=[elsewhere.user, outsider]).exists()


def test_a_colleague_already_in_the_organisation_becomes_a_volunteer_and_is_told(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = admin_of()
    colleague = MembershipFactory(organisation=admin.organisation, user__email="al@asml.example").user

    with django_capture_on_commit_callbacks(execute=True):
        result = commit(admin, upload(admin, [volunteer_row(1, email="al@asml.example")])).result

    assert result == {"created": 1, "updated": 0, "new_accounts": 0}
    assert Volunteer.objects.get().user == colleague
    [message] = mailoutbox
    assert reverse("account_reset_password") not in message.body
    assert reverse("members:volunteer-profile") in message.body


@pytest.mark.parametrize("who", ["own_member", "stranger"])
def test_only_admins_and_coordinators_import(who):
    admin = admin_of()
    acting = MembershipFactory(organisation=admin.organisation).user if who == "own_member" else UserFactory()
    volunteer_import = upload(admin, [volunteer_row(1)])

    with pytest.raises(PermissionDenied):
        services.volunteer_import_upload(
            organisation=admin.organisation, acting_user=acting, filename="x.csv", text=csv_text([volunteer_row(2)])
        )
    with pytest.raises(PermissionDenied):
        services.volunteer_import_commit(volunteer_import=volunteer_import, acting_user=acting)
    with pytest.raises(PermissionDenied):
        services.volunteer_import_discard(volunteer_import=volunteer_import, acting_user=acting)

    assert VolunteerImport.objects.get().status == "previewed"
    assert not Volunteer.objects.exists()


def test_committing_costs_the_same_number_of_queries_for_5_and_for_50_rows():
    def cost(admin, count):
        volunteer_import = upload(
            admin, [volunteer_row(n, email=f"p{n}@{admin.organisation.slug}.example") for n in range(count)]
        )
        with CaptureQueriesContext(connection) as captured:
            commit(admin, volunteer_import)
        return len(captured)

    assert cost(admin_of(), 5) == cost(admin_of(), 50)
