"""Accounts, membership applications, organisations, invitations, memberships and notification choices.

Each service is keyword-only, atomic, checks who acts and the current status, records who and when, and
writes its notifications in the same transaction (the outbox). Views, tasks, admin actions and the shell
all come through here, so they obey the same rules.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import (
    COORDINATORS_GROUP,
    Frequency,
    Invitation,
    Membership,
    MembershipApplication,
    Notification,
    NotificationKind,
    NotificationPreference,
    Organisation,
    User,
)
from ..notifications import Recipient, absolute, notify
from ..permissions import can_manage_organisation, can_review_application, require
from ..public_cache import public_pages_changed
from ..validators import require_single_line

INVITATION_SALT = "members.invitation"
INCLUSIVE_FIELDS = ["is_inclusive_employer", "inclusive_confirmed_at", "inclusive_withdrawn_at", "inclusive_note"]


# Accounts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAccount:
    email: str
    full_name: str
    password: str
    language: str = "nl"


class AccountExists(ValidationError):
    """The address of a new account already has one. A page for visitors answers as if the account was made and
    tells the owner by email (`account_exists_tell`), so that nobody learns who has an account."""


def user_create(*, account: NewAccount, email_verified: bool = False) -> User:
    """Create a user with an allauth email address (primary; verified only when proven). Not repeatable:
    an address already in use is refused with AccountExists."""
    require_single_line({"full_name": account.full_name, "email": account.email})
    email = account.email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        # Hash anyway, so that a taken address answers no faster than a new one.
        make_password(account.password)
        raise AccountExists({"email": _("An account with this email address already exists. Please log in.")})
    user = User.objects.create_user(
        email=email, password=account.password, full_name=account.full_name, preferred_language=account.language
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


def account_exists_tell(*, email: str, next_path: str) -> None:
    """Tell the owner of `email` that someone tried to make a new account with it (on a page that answered as if
    it worked): log in, then go to `next_path`; or reset the password. Sent now, in the owner's language, like
    allauth's own account emails. Writes nothing; each call sends one email."""
    owner = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if owner is None:
        return
    with translation.override(owner.preferred_language or settings.LANGUAGE_CODE):
        get_adapter().send_mail(
            "members/email/account_exists",
            owner.email,
            {
                "owner": owner,
                "login_url": absolute(f"{reverse('account_login')}?next={next_path}"),
                "password_reset_url": absolute(reverse("account_reset_password")),
            },
        )


def user_set_language(*, user: User, language: str) -> User:
    """Remember the user's language for pages and emails. Safe to repeat."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Dutch or English.")})
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
    return user


def user_update_profile(*, user: User, full_name: str, language: str) -> User:
    """Change the user's name and language. Safe to repeat."""
    require_single_line({"full_name": full_name})
    user_set_language(user=user, language=language)
    User.objects.filter(pk=user.pk).update(full_name=full_name.strip())
    user.full_name = full_name.strip()
    return user


def coordinator_grant(*, user: User) -> User:
    """Make the user a coordinator: member of the coordinators group, which holds the permissions to review
    and manage the association's data. Creates the group if needed. Safe to repeat."""
    group, _created = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    codenames = [
        "view_organisation",
        "change_organisation",
        "view_membershipapplication",
        "change_membershipapplication",
        "view_membership",
        "view_user",
    ]
    group.permissions.set(Permission.objects.filter(content_type__app_label="members", codename__in=codenames))
    user.groups.add(group)
    user.__dict__.pop("_coordinator", None)
    return user


def coordinators():
    return User.objects.filter(is_active=True, groups__name=COORDINATORS_GROUP).distinct()


# Membership applications ---------------------------------------------------------------------------


def unique_slug(name: str) -> str:
    base = slugify(name)[:150] or "organisatie"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def membership_apply(
    *, applicant: User | None, account: NewAccount | None, organisation: dict, motivation: str = ""
) -> MembershipApplication:
    """A visitor or user applies for membership on behalf of a new organisation.

    Creates the applicant's account when `account` is given (email not yet verified), the organisation
    (pending) and the application, and notifies every coordinator. Not repeatable: each call is a new
    application.
    """
    require_single_line({field: value for field, value in organisation.items() if field != "description"})
    if applicant is None:
        if account is None:
            raise ValueError("Either an applicant or a new account is required.")
        applicant = user_create(account=account)
    org = Organisation.objects.create(
        slug=unique_slug(organisation["name"]), status=Organisation.Status.PENDING, **organisation
    )
    application = MembershipApplication.objects.create(organisation=org, applicant=applicant, motivation=motivation)
    notify(
        recipients=[Recipient.of(user) for user in coordinators()],
        kind=NotificationKind.APPLICATION_RECEIVED,
        event_key=f"application:{application.pk}:received",
        context={"organisation": org.name, "applicant": applicant.get_full_name(), "kind": org.kind},
        link=application.get_absolute_url(),
    )
    return application


@transaction.atomic
def membership_application_decide(
    *, application: MembershipApplication, acting_user: User, approve: bool, note: str = ""
) -> MembershipApplication:
    """A coordinator approves or rejects a pending application with a note.

    On approval the organisation becomes a member and the applicant its admin; on rejection the
    organisation is marked rejected. The applicant is notified. Only a pending application can be decided:
    of two coordinators deciding at once, one wins and the other gets a clear refusal.
    """
    require(can_review_application(acting_user))
    now = timezone.now()
    status = MembershipApplication.Status.APPROVED if approve else MembershipApplication.Status.REJECTED
    won = MembershipApplication.objects.filter(pk=application.pk, status=MembershipApplication.Status.PENDING).update(
        status=status, decided_by=acting_user, decided_at=now, decision_note=note.strip()
    )
    if not won:
        raise ValidationError(_("This application has already been decided."))
    application.refresh_from_db()
    org = application.organisation
    if approve:
        Organisation.objects.filter(pk=org.pk).update(status=Organisation.Status.ACTIVE, joined_at=now)
        public_pages_changed()  # the home page counts the members
        Membership.objects.update_or_create(
            user=application.applicant, organisation=org, defaults={"role": Membership.Role.ADMIN}
        )
    else:
        Organisation.objects.filter(pk=org.pk).update(status=Organisation.Status.REJECTED)
    org.refresh_from_db()
    notify(
        recipients=[Recipient.of(application.applicant)],
        kind=NotificationKind.APPLICATION_DECIDED,
        event_key=f"application:{application.pk}:decided",
        context={
            "organisation": org.name,
            "approved": approve,
            "note": application.decision_note,
        },
        link=org.get_absolute_url() if approve else reverse("members:dashboard"),
    )
    return application


# Organisations -------------------------------------------------------------------------------------


@transaction.atomic
def organisation_update(*, organisation: Organisation, acting_user: User, data: dict) -> Organisation:
    """An org admin or coordinator changes the organisation's profile. Safe to repeat. A change of the
    inclusive employer declaration goes through `inclusive_employer_declare` (a coordinator confirms it)."""
    from .employers import inclusive_employer_declare

    require(can_manage_organisation(acting_user, organisation))
    data = dict(data)
    declared = data.pop("is_inclusive_employer", None)
    require_single_line({field: value for field, value in data.items() if field != "description"})
    # A model form has already copied its values onto the instance; the declaration is what the database says.
    organisation.refresh_from_db(fields=INCLUSIVE_FIELDS)
    for field, value in data.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save(update_fields=list(data))
    if declared is not None:
        inclusive_employer_declare(organisation=organisation, acting_user=acting_user, declared=declared)
    public_pages_changed()  # its name is on the cards of its needs
    return organisation


# Invitations ---------------------------------------------------------------------------------------


def invitation_link_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link's token names, or None when the token is forged or malformed."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organisation", "invited_by").filter(pk=pk).first()


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why an invitation link cannot be used, in words for the person holding it; None when it can."""
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied the whole link.")
    if invitation.accepted_at:
        return _("This invitation has already been used. Log in to reach the organisation.")
    if invitation.revoked_at:
        return _("This invitation was withdrawn. Ask the organisation for a new one.")
    if invitation.is_expired:
        return _("This invitation has expired. Ask the organisation for a new one.")
    if invitation.organisation.status != Organisation.Status.ACTIVE:
        return _("This organisation is not a member at the moment.")
    return None


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, acting_user: User, email: str, role: str, language: str = "nl"
) -> Invitation:
    """An org admin invites a colleague by email. Writes the invitation email to the outbox. A colleague
    already in the organisation, or with an open invitation, is refused with a clear message."""
    require(can_manage_organisation(acting_user, organisation))
    email = email.strip().lower()
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError(_("Only member organisations can invite colleagues."))
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of %(org)s.") % {"org": organisation}})
    if Invitation.objects.open().filter(organisation=organisation, email__iexact=email).exists():
        raise ValidationError({"email": _("An invitation to this address is still open.")})
    now = timezone.now()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=acting_user,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    existing = User.objects.filter(email__iexact=email).first()
    recipient = Recipient.of(existing) if existing else Recipient(email=email, language=language)
    notify(
        recipients=[recipient],
        kind=NotificationKind.INVITATION,
        event_key=f"invitation:{invitation.pk}",
        context={
            "organisation": organisation.name,
            "inviter": acting_user.get_full_name(),
            "role": role,
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
        link=reverse("members:invitation-accept", kwargs={"token": invitation_link_token(invitation)}),
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting_user: User) -> Invitation:
    """Withdraw an open invitation. Safe to repeat; a used invitation cannot be withdrawn."""
    require(can_manage_organisation(acting_user, invitation.organisation))
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    return invitation


def _invitation_claim(invitation: Invitation, user: User) -> Membership:
    """Mark the invitation used by `user` (once) and make the membership."""
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    now = timezone.now()
    won = Invitation.objects.open(now=now).filter(pk=invitation.pk).update(accepted_at=now, accepted_by=user)
    if not won:
        raise ValidationError(_("This invitation has already been used. Log in to reach the organisation."))
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if invitation.invited_by_id and invitation.invited_by.is_active:
        notify(
            recipients=[Recipient.of(invitation.invited_by)],
            kind=NotificationKind.INVITATION_ACCEPTED,
            event_key=f"invitation:{invitation.pk}:accepted",
            context={"organisation": invitation.organisation.name, "person": user.get_full_name()},
            link=invitation.organisation.get_absolute_url(),
        )
    return membership


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """A signed-in user accepts an invitation sent to their own address. The link works once."""
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    return _invitation_claim(invitation, user)


@transaction.atomic
def invitation_accept_with_signup(*, invitation: Invitation, full_name: str, password: str, language: str) -> User:
    """Someone without an account accepts an invitation: their account is created with the invited
    address (proven by the link, so verified) and joins the organisation. The link works once."""
    # Of two sign-ups through the same link at once (a double click), the second waits for this lock and then
    # finds the invitation used, instead of failing on the address the first one just took.
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation", "invited_by")
        .filter(pk=invitation.pk)
        .first()
    )
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    user = user_create(
        account=NewAccount(email=invitation.email, full_name=full_name, password=password, language=language),
        email_verified=True,
    )
    _invitation_claim(invitation, user)
    return user


# Memberships ---------------------------------------------------------------------------------------


def _last_admin_refusal() -> ValidationError:
    return ValidationError(_("An organisation needs at least one administrator. Make someone else admin first."))


def _lock_for_change(membership: Membership) -> tuple[Membership, int]:
    """Lock the organisation's admin memberships and `membership` itself, always in the order of their ids, and
    return the membership as it is now and how many admins the organisation has.

    One order for everyone: of two admins demoting or removing each other at once, the second waits for the
    first and then sees the outcome (and is told the last-admin rule), instead of each holding one row and
    waiting for the other's (a deadlock). The caller's copy may be stale; the locked row is what counts."""
    rows = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id)
        .filter(Q(role=Membership.Role.ADMIN) | Q(pk=membership.pk))
        .order_by("pk")
    )
    current = next((row for row in rows if row.pk == membership.pk), None)
    if current is None:
        raise ValidationError(_("This person is no longer a member of the organisation."))
    return current, sum(1 for row in rows if row.role == Membership.Role.ADMIN)


@transaction.atomic
def membership_change_role(*, membership: Membership, acting_user: User, role: str) -> Membership:
    """An org admin or coordinator changes a member's role; the member is notified. The last admin of an
    organisation cannot be made a member. Safe to repeat; two admins changing each other at once are served
    one after the other."""
    require(can_manage_organisation(acting_user, membership.organisation))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    current, admins = _lock_for_change(membership)
    membership.role = current.role
    if current.role == role:
        return membership
    if current.role == Membership.Role.ADMIN and admins <= 1:
        raise _last_admin_refusal()
    # Asked again under the lock: an admin demoted a moment ago may no longer change roles.
    require(can_manage_organisation(acting_user, membership.organisation))
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    notify(
        recipients=[Recipient.of(membership.user)],
        kind=NotificationKind.MEMBERSHIP_CHANGED,
        event_key=f"membership:{membership.pk}:role:{role}:{timezone.now().timestamp()}",
        context={"organisation": membership.organisation.name, "role": role},
        link=membership.organisation.get_absolute_url(),
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, acting_user: User) -> None:
    """An org admin or coordinator removes a member, or a member leaves. The last admin cannot be removed.
    The removed person is notified. Safe to repeat; two admins removing each other at once are served one
    after the other."""
    own = membership.user_id == acting_user.pk
    require(own or can_manage_organisation(acting_user, membership.organisation))
    try:
        current, admins = _lock_for_change(membership)
    except ValidationError:
        return  # already gone: removing again changes nothing
    if current.role == Membership.Role.ADMIN and admins <= 1:
        raise _last_admin_refusal()
    require(own or can_manage_organisation(acting_user, membership.organisation))
    deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
    if deleted and not own:
        notify(
            recipients=[Recipient.of(membership.user)],
            kind=NotificationKind.MEMBERSHIP_CHANGED,
            event_key=f"membership:{membership.pk}:removed",
            context={"organisation": membership.organisation.name, "role": "removed"},
            link=reverse("members:dashboard"),
        )


# Notifications -------------------------------------------------------------------------------------


def notification_preferences_update(*, user: User, frequencies: dict) -> None:
    """Store the user's email frequency per kind. Applies to notifications written from now on.
    Safe to repeat."""
    valid = set(Frequency.values)
    for kind, frequency in frequencies.items():
        if frequency not in valid:
            raise ValidationError({kind: _("Choose immediately, daily digest or off.")})
    with transaction.atomic():
        for kind, frequency in frequencies.items():
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"frequency": frequency})


def notifications_mark_read(*, user: User, notification_ids=None) -> int:
    """Mark the user's notifications read (all when no ids are given). Safe to repeat."""
    qs = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
