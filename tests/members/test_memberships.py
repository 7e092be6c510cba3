"""Memberships: roles, leaving, removing, switching organisation, and the organisation profile."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import services
from members.context_processors import CURRENT_ORGANISATION_KEY
from members.models import Membership, Municipality, Notification, NotificationKind, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator

pytestmark = pytest.mark.django_db

LAST_ADMIN = "An organisation needs at least one administrator. Make someone else admin first."


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Buurtteam Woensel", slug="buurtteam-woensel")


@pytest.fixture
def admin(organisation):
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user__full_name="Ilse Admin",
        user__preferred_language="en",
    )


@pytest.fixture
def member(organisation):
    return MembershipFactory(
        organisation=organisation, role=Membership.Role.MEMBER, user__full_name="Mo Lid", user__preferred_language="en"
    )


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin.user)
    return client


def role_url(membership):
    return reverse("members:membership-role", args=[membership.organisation.slug, membership.pk])


def remove_url(membership):
    return reverse("members:membership-remove", args=[membership.organisation.slug, membership.pk])


# Roles ---------------------------------------------------------------------------------------------


def test_admin_makes_a_member_admin_and_the_member_is_told(
    admin_client, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(role_url(member), {"role": Membership.Role.ADMIN}, follow=True)

    assert response.redirect_chain[-1][0] == member.organisation.get_absolute_url()
    assert "Mo Lid is now Administrator." in response.text
    member.refresh_from_db()
    assert member.role == Membership.Role.ADMIN

    notification = Notification.objects.get(recipient=member.user)
    assert notification.kind == NotificationKind.MEMBERSHIP_CHANGED
    assert notification.context["role"] == Membership.Role.ADMIN
    assert notification.link == member.organisation.get_absolute_url()
    [message] = mailoutbox
    assert message.to == [member.user.email]
    assert message.subject == "Your role in Buurtteam Woensel changed"


def test_setting_the_same_role_again_changes_nothing_and_tells_nobody(admin_client, member, mailoutbox):
    admin_client.post(role_url(member), {"role": Membership.Role.MEMBER})

    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER
    assert not Notification.objects.exists()


def test_an_unknown_role_is_refused(admin_client, member):
    response = admin_client.post(role_url(member), {"role": "owner"}, follow=True)

    assert "Choose a valid role." in response.text
    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER
    assert not Notification.objects.exists()


def test_the_last_admin_cannot_be_made_a_member(admin_client, admin, member, mailoutbox):
    response = admin_client.post(role_url(admin), {"role": Membership.Role.MEMBER}, follow=True)

    assert LAST_ADMIN in response.text
    admin.refresh_from_db()
    assert admin.role == Membership.Role.ADMIN
    assert not Notification.objects.exists()


def test_an_admin_steps_down_once_there_is_another_admin(admin_client, admin, member):
    admin_client.post(role_url(member), {"role": Membership.Role.ADMIN})

    admin_client.post(role_url(admin), {"role": Membership.Role.MEMBER})

    admin.refresh_from_db()
    assert admin.role == Membership.Role.MEMBER
    # Now only a member, the former admin can no longer change roles.
    response = admin_client.post(role_url(member), {"role": Membership.Role.MEMBER})
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.role == Membership.Role.ADMIN


def test_coordinator_cannot_demote_the_last_admin_either(client, admin):
    client.force_login(coordinator(preferred_language="en"))

    response = client.post(role_url(admin), {"role": Membership.Role.MEMBER}, follow=True)

    assert LAST_ADMIN in response.text
    admin.refresh_from_db()
    assert admin.role == Membership.Role.ADMIN


def test_an_admin_of_another_organisation_counts_for_nothing(admin, member):
    elsewhere = MembershipFactory(user=admin.user, role=Membership.Role.ADMIN)

    with pytest.raises(ValidationError):
        services.membership_change_role(membership=admin, acting_user=admin.user, role=Membership.Role.MEMBER)

    assert elsewhere.organisation != admin.organisation
    admin.refresh_from_db()
    assert admin.role == Membership.Role.ADMIN


# Removing and leaving ------------------------------------------------------------------------------


def test_admin_removes_a_member_who_is_told(admin_client, member, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(remove_url(member), follow=True)

    assert response.redirect_chain[-1][0] == member.organisation.get_absolute_url()
    assert "Mo Lid was removed from Buurtteam Woensel." in response.text
    assert not Membership.objects.filter(pk=member.pk).exists()
    notification = Notification.objects.get(recipient=member.user)
    assert notification.kind == NotificationKind.MEMBERSHIP_CHANGED
    assert [m.to for m in mailoutbox] == [[member.user.email]]

    # Gone from the workspace: the page now shows only the organisation's public profile.
    admin_client.force_login(member.user)
    page = admin_client.get(member.organisation.get_absolute_url())
    assert page.status_code == 200
    assert page.context["show_workspace"] is False
    assert "Ilse Admin" not in page.text


def test_the_last_admin_cannot_be_removed(client, admin, member):
    client.force_login(coordinator(preferred_language="en"))

    response = client.post(remove_url(admin), follow=True)

    assert LAST_ADMIN in response.text
    assert Membership.objects.filter(pk=admin.pk).exists()
    assert not Notification.objects.exists()


def test_the_last_admin_cannot_leave(admin_client, admin, member):
    response = admin_client.post(remove_url(admin), follow=True)

    assert response.redirect_chain[-1][0] == admin.organisation.get_absolute_url()
    assert LAST_ADMIN in response.text
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_a_member_leaves(client, member, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(member.user)
    workspace = client.get(member.organisation.get_absolute_url())
    assert "Leave Buurtteam Woensel" in workspace.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(member), follow=True)

    assert response.redirect_chain[-1][0] == reverse("members:dashboard")
    assert "You left Buurtteam Woensel." in response.text
    assert not Membership.objects.filter(pk=member.pk).exists()
    # Leaving is one's own choice: no notification about it.
    assert not Notification.objects.exists()
    assert mailoutbox == []
    # Gone from the workspace: the page now shows only the organisation's public profile.
    page = client.get(member.organisation.get_absolute_url())
    assert page.status_code == 200
    assert page.context["show_workspace"] is False
    assert "Leave Buurtteam Woensel" not in page.text


def test_an_admin_leaves_when_another_admin_remains(admin_client, admin, member):
    services.membership_change_role(membership=member, acting_user=admin.user, role=Membership.Role.ADMIN)

    response = admin_client.post(remove_url(admin), follow=True)

    assert response.redirect_chain[-1][0] == reverse("members:dashboard")
    assert not Membership.objects.filter(pk=admin.pk).exists()
    assert Membership.objects.get(organisation=admin.organisation).user == member.user


def test_a_member_cannot_remove_a_colleague(client, admin, member):
    client.force_login(member.user)

    response = client.post(remove_url(admin))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=admin.pk).exists()


# Switching organisation ----------------------------------------------------------------------------


def test_switching_sets_the_current_organisation(client):
    user = UserFactory(preferred_language="en")
    first = MembershipFactory(user=user, organisation__name="Aardappelbank Best")
    second = MembershipFactory(user=user, organisation__name="Zorgboerderij Bladel")
    client.force_login(user)

    dashboard = client.get(reverse("members:dashboard"))
    assert dashboard.context["current_membership"] == first  # the first by name until one is chosen
    assert "Work for Zorgboerderij Bladel" in dashboard.text
    assert "Work for Aardappelbank Best" not in dashboard.text

    response = client.post(
        reverse("members:organisation-switch"), {"organisation": second.organisation.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == second.organisation.get_absolute_url()
    assert "You are now working for Zorgboerderij Bladel." in response.text
    assert client.session[CURRENT_ORGANISATION_KEY] == second.organisation.pk
    dashboard = client.get(reverse("members:dashboard"))
    assert dashboard.context["current_membership"] == second
    assert "Work for Aardappelbank Best" in dashboard.text
    assert "Work for Zorgboerderij Bladel" not in dashboard.text


@pytest.mark.parametrize("target", ["stranger", "missing", "garbage"])
def test_switching_to_an_organisation_you_are_not_in_is_not_found(client, target):
    membership = MembershipFactory()
    stranger = OrganisationFactory()
    client.force_login(membership.user)
    client.post(reverse("members:organisation-switch"), {"organisation": membership.organisation.pk})
    value = {"stranger": stranger.pk, "missing": stranger.pk + 1000, "garbage": "abc"}[target]

    response = client.post(reverse("members:organisation-switch"), {"organisation": value})

    assert response.status_code == 404
    assert client.session[CURRENT_ORGANISATION_KEY] == membership.organisation.pk


def test_after_leaving_the_current_organisation_the_next_one_is_current(client):
    user = UserFactory(preferred_language="en")
    first = MembershipFactory(user=user, organisation__name="Aardappelbank Best")
    second = MembershipFactory(user=user, organisation__name="Zorgboerderij Bladel")
    client.force_login(user)
    client.post(reverse("members:organisation-switch"), {"organisation": second.organisation.pk})

    client.post(remove_url(second))

    assert client.get(reverse("members:dashboard")).context["current_membership"] == first


# Organisation profile ------------------------------------------------------------------------------


def profile_data(organisation, **overrides):
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "municipality": organisation.municipality_id,
        "description": organisation.description,
        "website": organisation.website,
    }
    data.update(overrides)
    return data


def test_admin_edits_the_profile(admin_client, organisation):
    helmond = Municipality.objects.get(name="Helmond")

    response = admin_client.post(
        reverse("members:organisation-edit", args=[organisation.slug]),
        profile_data(
            organisation,
            name="Buurtteam Woensel-Noord",
            municipality=helmond.pk,
            description="Wij helpen buren met formulieren.",
            website="https://buurtteam.example.nl",
            is_inclusive_employer="on",
        ),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == organisation.get_absolute_url()
    assert "The profile of Buurtteam Woensel-Noord is saved." in response.text
    organisation.refresh_from_db()
    assert organisation.name == "Buurtteam Woensel-Noord"
    assert organisation.municipality == helmond
    assert organisation.website == "https://buurtteam.example.nl"
    assert organisation.is_inclusive_employer is True
    # The address of the workspace does not move with the name.
    assert organisation.slug == "buurtteam-woensel"
    assert "Wij helpen buren met formulieren." in response.text


def test_a_bad_website_shows_the_error_and_saves_nothing(admin_client, organisation):
    response = admin_client.post(
        reverse("members:organisation-edit", args=[organisation.slug]),
        profile_data(organisation, name="Andere naam", website="buurtteam punt nl"),
    )

    assert response.status_code == 200
    assert "Enter a valid URL." in response.context["form"].errors["website"]
    assert "Enter a valid URL." in response.text
    organisation.refresh_from_db()
    assert organisation.name == "Buurtteam Woensel"
    assert organisation.website == ""


def test_a_profile_without_a_name_is_refused(admin_client, organisation):
    response = admin_client.post(
        reverse("members:organisation-edit", args=[organisation.slug]), profile_data(organisation, name="")
    )

    assert response.status_code == 200
    assert "This field is required." in response.context["form"].errors["name"]
    organisation.refresh_from_db()
    assert organisation.name == "Buurtteam Woensel"


def test_profile_edit_cannot_change_the_status(admin_client, organisation):
    admin_client.post(
        reverse("members:organisation-edit", args=[organisation.slug]),
        profile_data(organisation, status=Organisation.Status.ENDED, slug="elders"),
    )

    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE
    assert organisation.slug == "buurtteam-woensel"


def test_a_member_sees_the_workspace_without_management_tools(client, admin, member):
    client.force_login(member.user)

    response = client.get(member.organisation.get_absolute_url())

    assert response.status_code == 200
    assert "Ilse Admin" in response.text
    assert "Edit profile" not in response.text
    assert reverse("members:invitation-create", args=[member.organisation.slug]) not in response.text
    assert role_url(admin) not in response.text


def test_an_admin_sees_the_management_tools(admin_client, admin, member):
    response = admin_client.get(member.organisation.get_absolute_url())

    assert "Edit profile" in response.text
    assert reverse("members:invitation-create", args=[member.organisation.slug]) in response.text
    assert role_url(member) in response.text
    assert remove_url(member) in response.text
