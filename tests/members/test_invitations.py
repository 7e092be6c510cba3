"""Invitations: an org admin invites a colleague by email; the link works once, until it expires."""

import re
import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from members import services
from members.context_processors import CURRENT_ORGANISATION_KEY
from members.models import Invitation, Membership, Notification, NotificationKind, Organisation, User
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+?(/invitations/[^/\s\"<>]+/)")


@pytest.fixture
def admin():
    return MembershipFactory(
        role=Membership.Role.ADMIN,
        organisation__name="Zorggroep Kempen",
        user__full_name="Ilse Admin",
        user__preferred_language="en",
    )


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin.user)
    return client


@pytest.fixture
def visitor():
    """Someone else's browser, in English."""
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def invite(client, organisation, email, role=Membership.Role.MEMBER, **kwargs):
    return client.post(
        reverse("members:invitation-create", args=[organisation.slug]), {"email": email, "role": role}, **kwargs
    )


def link_in(message) -> str:
    """The invitation path, as the recipient would click it in the email."""
    paths = set(LINK.findall(message.body))
    assert len(paths) == 1, message.body
    path = paths.pop()
    assert path in message.alternatives[0].content  # the HTML part carries the same link
    return path


def open_invitation(admin, email="nieuw@example.org", role=Membership.Role.MEMBER):
    return services.invitation_create(
        organisation=admin.organisation, acting_user=admin.user, email=email, role=role, language="en"
    )


def path_of(invitation):
    return reverse("members:invitation-accept", args=[services.invitation_link_token(invitation)])


# Inviting ------------------------------------------------------------------------------------------


def test_admin_invites_a_colleague_and_an_email_with_a_link_goes_out(
    admin_client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, admin.organisation, " Sanne@Example.org ", follow=True)

    assert response.redirect_chain[-1][0] == admin.organisation.get_absolute_url()
    assert "An invitation is on its way to sanne@example.org." in response.text
    invitation = Invitation.objects.get()
    assert invitation.email == "sanne@example.org"
    assert invitation.organisation == admin.organisation
    assert invitation.invited_by == admin.user
    assert invitation.role == Membership.Role.MEMBER
    assert invitation.expires_at - invitation.created_at == timedelta(days=settings.INVITATION_VALID_DAYS)
    # The open invitation is listed on the workspace, with a way to withdraw it.
    assert "sanne@example.org" in response.text
    assert reverse("members:invitation-revoke", args=[admin.organisation.slug, invitation.pk]) in response.text

    [message] = mailoutbox
    assert message.to == ["sanne@example.org"]
    assert message.subject == "You are invited to join Zorggroep Kempen on Brainport voor Elkaar"
    assert "Ilse Admin invites you to join Zorggroep Kempen" in message.body
    assert link_in(message) == path_of(invitation)

    notification = Notification.objects.get(kind=NotificationKind.INVITATION)
    assert notification.recipient is None  # no account yet: no inbox, only the email
    assert notification.email == "sanne@example.org"
    assert notification.email_status == Notification.EmailStatus.SENT


def test_new_person_follows_the_link_creates_an_account_and_joins_with_the_invited_role(
    admin_client, admin, visitor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, admin.organisation, "sanne@example.org", role=Membership.Role.ADMIN)
    link = link_in(mailoutbox[0])
    mailoutbox.clear()

    page = visitor.get(link)
    assert page.status_code == 200
    assert "Join Zorggroep Kempen" in page.text
    assert "Create account and join" in page.text
    assert page.context["form"]["email"].value() == "sanne@example.org"

    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(
            link,
            # The address field is disabled, so a browser does not send it.
            {"full_name": "Sanne Bakker", "password": "Taalmaatje-op-het-werk-7"},
            follow=True,
        )

    assert response.redirect_chain[-1][0] == admin.organisation.get_absolute_url()
    assert "Welcome to Zorggroep Kempen!" in response.text
    user = User.objects.get(email="sanne@example.org")
    assert user.full_name == "Sanne Bakker"
    assert user.check_password("Taalmaatje-op-het-werk-7")
    assert user.preferred_language == "en"
    assert EmailAddress.objects.get(user=user).verified is True  # the link proved the address
    assert Membership.objects.get(user=user).role == Membership.Role.ADMIN
    assert Membership.objects.get(user=user).organisation == admin.organisation
    assert response.wsgi_request.user == user  # signed in straight away
    assert visitor.session[CURRENT_ORGANISATION_KEY] == admin.organisation.pk

    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None

    accepted = Notification.objects.get(kind=NotificationKind.INVITATION_ACCEPTED)
    assert accepted.recipient == admin.user
    assert accepted.context == {"organisation": "Zorggroep Kempen", "person": "Sanne Bakker"}
    [message] = mailoutbox
    assert message.to == [admin.user.email]
    assert message.subject == "Sanne Bakker joined Zorggroep Kempen"

    admin_client.force_login(admin.user)
    inbox = admin_client.get(reverse("members:inbox"))
    assert "Sanne Bakker joined Zorggroep Kempen" in inbox.text


def test_an_address_posted_instead_of_the_invited_one_is_ignored(admin, visitor):
    invitation = open_invitation(admin, email="sanne@example.org")

    response = visitor.post(
        path_of(invitation),
        {"full_name": "Sanne Bakker", "password": "Taalmaatje-op-het-werk-7", "email": "indringer@example.org"},
    )

    assert response.status_code == 302
    assert Membership.objects.get(organisation=admin.organisation, user__email="sanne@example.org")
    assert not User.objects.filter(email="indringer@example.org").exists()


def test_the_signup_form_refuses_a_weak_password_and_creates_nothing(admin, visitor):
    invitation = open_invitation(admin)
    users_before = User.objects.count()

    response = visitor.post(path_of(invitation), {"full_name": "Sanne Bakker", "password": "12345678"})

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.text
    assert User.objects.count() == users_before
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_used_link_says_so_and_creates_nothing(admin, visitor):
    invitation = open_invitation(admin)
    link = path_of(invitation)
    # A browser does not send a disabled field: the form must not need the address posted back.
    visitor.post(link, {"full_name": "Sanne Bakker", "password": "Taalmaatje-op-het-werk-7"})
    assert Membership.objects.filter(user__email="nieuw@example.org").exists()
    users, memberships = User.objects.count(), Membership.objects.count()

    second = Client()
    second.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for response in (
        second.get(link),
        second.post(link, {"full_name": "Someone Else", "password": "Taalmaatje-op-het-werk-8"}),
    ):
        assert response.status_code == 410
        assert "This invitation has already been used. Log in to reach the organisation." in response.text
    assert User.objects.count() == users
    assert Membership.objects.count() == memberships
    # Even the person who used it is told so, rather than joining twice.
    assert visitor.get(link).status_code == 410


def test_an_expired_link_says_so(admin, visitor):
    invitation = open_invitation(admin)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    users = User.objects.count()

    for response in (
        visitor.get(path_of(invitation)),
        visitor.post(path_of(invitation), {"full_name": "Sanne Bakker", "password": "Taalmaatje-op-het-werk-7"}),
    ):
        assert response.status_code == 410
        assert "This invitation has expired. Ask the organisation for a new one." in response.text
    assert User.objects.count() == users
    assert not Membership.objects.filter(user__email="nieuw@example.org").exists()


def test_a_withdrawn_link_says_so(admin_client, admin, visitor):
    invitation = open_invitation(admin)

    response = admin_client.post(
        reverse("members:invitation-revoke", args=[admin.organisation.slug, invitation.pk]), follow=True
    )
    assert "The invitation to nieuw@example.org is withdrawn." in response.text
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None

    page = visitor.get(path_of(invitation))
    assert page.status_code == 410
    assert "This invitation was withdrawn. Ask the organisation for a new one." in page.text
    visitor.post(path_of(invitation), {"full_name": "Sanne Bakker", "password": "Taalmaatje-op-het-werk-7"})
    assert not User.objects.filter(email="nieuw@example.org").exists()


@pytest.mark.parametrize(
    "token",
    [
        "forged-token",
        "x" * 40,
        # A properly formed token, signed for something else.
        signing.dumps(1, salt="members.something-else", compress=True),
    ],
    ids=["garbage", "long-garbage", "other-salt"],
)
def test_a_forged_link_is_not_found(visitor, admin, token):
    open_invitation(admin)

    response = visitor.get(reverse("members:invitation-accept", args=[token]))

    assert response.status_code == 404
    assert "This invitation link is not valid. Check that you copied the whole link." in response.text


def test_a_tampered_link_is_not_found(admin, visitor):
    invitation = open_invitation(admin)
    token = services.invitation_link_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = visitor.get(reverse("members:invitation-accept", args=[tampered]))

    assert response.status_code == 404


def test_a_link_for_a_deleted_invitation_is_not_found(admin, visitor):
    invitation = open_invitation(admin)
    link = path_of(invitation)
    invitation.delete()

    response = visitor.get(link)

    assert response.status_code == 404
    assert "This invitation link is not valid." in response.text


def test_existing_user_signed_in_with_the_invited_address_accepts_with_a_post(
    admin, client, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="sanne@example.org", preferred_language="en")
    invitation = open_invitation(admin, email="Sanne@Example.org")
    client.force_login(colleague)

    page = client.get(path_of(invitation))
    assert page.status_code == 200
    assert "Accept invitation" in page.text
    assert not Membership.objects.filter(user=colleague).exists()  # looking does not join

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path_of(invitation), follow=True)

    assert response.redirect_chain[-1][0] == admin.organisation.get_absolute_url()
    assert "Welcome to Zorggroep Kempen!" in response.text
    assert Membership.objects.get(user=colleague).organisation == admin.organisation
    assert client.session[CURRENT_ORGANISATION_KEY] == admin.organisation.pk
    accepted = Notification.objects.get(kind=NotificationKind.INVITATION_ACCEPTED)
    assert accepted.recipient == admin.user
    assert [m.to for m in mailoutbox] == [[admin.user.email]]


def test_existing_user_not_signed_in_is_asked_to_log_in(admin, visitor):
    UserFactory(email="sanne@example.org")
    invitation = open_invitation(admin, email="sanne@example.org")
    users = User.objects.count()

    page = visitor.get(path_of(invitation))
    assert page.status_code == 200
    assert "There is already an account for sanne@example.org. Log in to accept the invitation." in page.text
    assert f"{reverse('account_login')}?next=" in page.text

    visitor.post(path_of(invitation), {"full_name": "Indringer", "password": "Taalmaatje-op-het-werk-7"})
    assert User.objects.count() == users
    assert not Membership.objects.filter(user__email="sanne@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_existing_user_logs_in_through_the_link_and_accepts(admin, visitor):
    colleague = UserFactory(email="sanne@example.org", preferred_language="en")
    invitation = open_invitation(admin, email="sanne@example.org")
    link = path_of(invitation)

    login = visitor.post(f"{reverse('account_login')}?next={link}", {"login": colleague.email, "password": PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == link

    response = visitor.post(link)

    assert response.status_code == 302
    assert Membership.objects.get(user=colleague).role == Membership.Role.MEMBER


def test_signed_in_user_with_another_address_is_refused(admin, client):
    stranger = UserFactory(email="iemand.anders@example.org", preferred_language="en")
    invitation = open_invitation(admin, email="sanne@example.org")
    client.force_login(stranger)

    page = client.get(path_of(invitation))
    assert page.status_code == 200
    assert "This invitation was sent to sanne@example.org. Log out and log in with that address" in page.text
    assert "Accept invitation" not in page.text

    response = client.post(path_of(invitation), follow=True)

    assert "This invitation was sent to sanne@example.org. Log in with that address to accept it." in response.text
    assert not Membership.objects.filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert invitation.accepted_by is None
    assert not Notification.objects.filter(kind=NotificationKind.INVITATION_ACCEPTED).exists()


def test_inviting_someone_who_is_already_a_member_shows_a_field_error(admin_client, admin, mailoutbox):
    MembershipFactory(organisation=admin.organisation, user__email="sanne@example.org")

    response = invite(admin_client, admin.organisation, "SANNE@example.org")

    assert response.status_code == 200
    assert "This person is already a member of Zorggroep Kempen." in response.context["form"].errors["email"]
    assert "This person is already a member of Zorggroep Kempen." in response.text
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_inviting_an_address_with_an_open_invitation_shows_a_field_error(
    admin_client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    open_invitation(admin, email="sanne@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, admin.organisation, "sanne@example.org")

    assert response.status_code == 200
    assert "An invitation to this address is still open." in response.context["form"].errors["email"]
    assert Invitation.objects.count() == 1
    assert mailoutbox == []


def test_an_address_can_be_invited_again_once_the_old_invitation_expired(admin_client, admin):
    old = open_invitation(admin, email="sanne@example.org")
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))

    response = invite(admin_client, admin.organisation, "sanne@example.org")

    assert response.status_code == 302
    assert Invitation.objects.open().get().email == "sanne@example.org"


def test_invitation_form_refuses_a_bad_address(admin_client, admin):
    response = invite(admin_client, admin.organisation, "geen-adres")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.context["form"].errors["email"]
    assert not Invitation.objects.exists()


def test_a_pending_organisation_cannot_invite(client):
    pending = MembershipFactory(
        role=Membership.Role.ADMIN, organisation__status=Organisation.Status.PENDING, user__preferred_language="en"
    )
    client.force_login(pending.user)

    response = invite(client, pending.organisation, "sanne@example.org")

    assert response.status_code == 200
    assert "Only member organisations can invite colleagues." in response.text
    assert not Invitation.objects.exists()


def test_existing_user_is_invited_in_their_own_language_and_sees_it_in_their_inbox(
    admin_client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="sanne@example.org", preferred_language="nl")

    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, admin.organisation, "sanne@example.org")

    notification = Notification.objects.get(kind=NotificationKind.INVITATION)
    assert notification.recipient == colleague
    assert notification.language == "nl"
    assert [m.to for m in mailoutbox] == [["sanne@example.org"]]


def test_a_link_to_an_organisation_that_is_no_longer_a_member_cannot_be_used(admin, visitor):
    invitation = open_invitation(admin)
    Organisation.objects.filter(pk=admin.organisation.pk).update(status=Organisation.Status.ENDED)

    response = visitor.post(path_of(invitation), {"full_name": "Sanne Bakker", "password": "Taalmaatje-op-het-werk-7"})

    assert response.status_code == 410
    assert "This organisation is not a member at the moment." in response.text
    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_accepting_twice_through_the_service_is_refused():
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    colleague = UserFactory(email="sanne@example.org")
    invitation = open_invitation(admin, email="sanne@example.org")
    services.invitation_accept(invitation=invitation, user=colleague)

    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=colleague)
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.accepted_at = None  # a second request that loaded the row before the first one finished
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=stale, user=colleague)

    assert Membership.objects.filter(user=colleague).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.INVITATION_ACCEPTED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_people_using_the_same_link_at_once_cannot_both_join():
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    invitation = open_invitation(admin, email="sanne@example.org")
    barrier = threading.Barrier(2)
    outcomes = []

    def sign_up(name):
        try:
            barrier.wait(timeout=10)
            copy = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation.pk)
            with translation.override("en"):
                services.invitation_accept_with_signup(
                    invitation=copy, full_name=name, password="Taalmaatje-op-het-werk-7", language="en"
                )
            outcomes.append("joined")
        except ValidationError as error:
            outcomes.append(error.messages)
        except Exception as error:  # noqa: BLE001 - anything else is the failure this test looks for
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in ("Sanne", "Sanne ook")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(map(str, outcomes)) == sorted(
        ["joined", str(["This invitation has already been used. Log in to reach the organisation."])]
    )
    assert User.objects.filter(email="sanne@example.org").count() == 1
    assert Membership.objects.filter(user__email="sanne@example.org").count() == 1
    assert Notification.objects.filter(kind=NotificationKind.INVITATION_ACCEPTED).count() == 1
