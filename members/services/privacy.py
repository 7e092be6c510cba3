"""Privacy: consent to the privacy statement, deleting an account, and removing volunteers who stopped coming.

Deleting an account anonymises it in one transaction: the user row stays (nameless, inactive, no password), so
matches, hours and the impact figures keep counting the person, as an anonymous one; everything that says who
they were goes. Their own free texts are emptied; their name and addresses are erased from texts about them
(`members.erasure`). Matching does its part on `events.account_anonymised`, in the same transaction. The
inactivity job uses the same service after telling the person a month before.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events
from ..erasure import scrub_rows, terms_of
from ..models import (
    COORDINATORS_GROUP,
    Invitation,
    Membership,
    MembershipApplication,
    Need,
    Notification,
    NotificationKind,
    NotificationPreference,
    Offer,
    Organisation,
    PrivacyConsent,
    User,
    Volunteer,
    VolunteerImport,
)
from ..models.needs import need_search_vector
from ..notifications import Recipient, notify_each
from .organisations import coordinators

__all__ = [
    "account_delete",
    "account_delete_problem",
    "inactive_volunteers",
    "inactive_volunteers_process",
    "privacy_consent_give",
    "privacy_consent_withdraw",
]


# Consent -------------------------------------------------------------------------------------------


@transaction.atomic
def privacy_consent_give(*, user: User, version: str | None = None) -> User:
    """Record that the person agrees to the privacy statement (the current version unless told), with the date.
    Safe to repeat: agreeing again to the version already agreed to records nothing new."""
    version = version or settings.PRIVACY_STATEMENT_VERSION
    if user.privacy_version == version:
        return user
    PrivacyConsent.objects.create(user=user, version=version, action=PrivacyConsent.Action.GIVEN)
    User.objects.filter(pk=user.pk).update(privacy_version=version)
    user.privacy_version = version
    return user


@transaction.atomic
def privacy_consent_withdraw(*, user: User) -> User:
    """The person no longer agrees: recorded with the date; their volunteer profile stops being matched (its
    consent is withdrawn too). They are not asked again. Safe to repeat."""
    if user.privacy_version:
        PrivacyConsent.objects.create(user=user, version=user.privacy_version, action=PrivacyConsent.Action.WITHDRAWN)
    User.objects.filter(pk=user.pk).update(privacy_version="")
    Volunteer.objects.filter(user=user, consent_at__isnull=False).update(consent_at=None, updated_at=timezone.now())
    user.privacy_version = ""
    return user


# Deleting an account -------------------------------------------------------------------------------


def _organisations_left_without_admin(user: User, *, lock: bool = False) -> list[Organisation]:
    """The organisations where the person is the only admin while others belong to it. With `lock`, the admin
    memberships are locked in id order (as role changes lock them), so an admin leaving and a colleague being
    demoted at once cannot both succeed."""
    own = list(
        Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values_list("organisation_id", flat=True)
    )
    if not own:
        return []
    admins = Membership.objects.filter(organisation_id__in=own, role=Membership.Role.ADMIN).order_by("pk")
    if lock:
        admins = admins.select_for_update()
    count = {}
    for organisation_id in admins.values_list("organisation_id", flat=True):
        count[organisation_id] = count.get(organisation_id, 0) + 1
    alone = [pk for pk in own if count.get(pk, 0) <= 1]
    if not alone:
        return []
    others = Membership.objects.filter(organisation_id__in=alone).exclude(user=user)
    return list(
        Organisation.objects.filter(pk__in=alone)
        .filter(Exists(others.filter(organisation=OuterRef("pk"))))
        .order_by("name")
    )


def account_delete_problem(user: User, *, lock: bool = False) -> str | None:
    """Why the person cannot delete their account now, in words for them; None when they can. The last admin of
    an organisation with other people hands it over first; the last coordinator makes someone else one."""
    organisations = _organisations_left_without_admin(user, lock=lock)
    if organisations:
        return _(
            "You are the only administrator of %(organisations)s. Make a colleague administrator first "
            "(on the organisation's page, under People), then delete your account."
        ) % {"organisations": ", ".join(organisation.name for organisation in organisations)}
    if user.is_coordinator and not coordinators().exclude(pk=user.pk).exists():
        return _(
            "You are the only coordinator of Brainport voor Elkaar. Make a colleague coordinator first, "
            "then delete your account."
        )
    return None


@transaction.atomic
def account_delete(*, user: User, acting_user: User | None) -> User:
    """Delete the person's account: `acting_user` is the person themselves (their password was checked by the
    view), or None for the inactivity job and the admin (a request that reached the association by post).

    Anonymises in one transaction (see the module docstring); their open matches are withdrawn (matching tells
    the other side) and the sessions of the account end. Refused with a ValidationError saying why when the
    person is the last admin of an organisation with other people, or the last coordinator. Safe to repeat: an
    account already deleted is left as it is."""
    if acting_user is not None and acting_user.pk != user.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.anonymised_at is not None:
        return user
    problem = account_delete_problem(user, lock=True)
    if problem:
        raise ValidationError(problem)
    addresses = {user.email.lower()} | {
        address.lower() for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    terms = terms_of(user.full_name, *addresses)
    last_seen = max(filter(None, [user.last_login, user.last_seen_at]), default=None)
    # Where others may have written or received the person's name: the organisations they belonged to, and (from
    # matching) those of the needs and offers of their matches.
    organisations = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    organisations |= set(Volunteer.objects.filter(user=user).values_list("organisation_id", flat=True))
    _anonymise_user(user)
    _erase_personal_rows(user, addresses)
    for _receiver, answer in events.account_anonymised.send(sender=User, user=user, terms=terms):
        organisations |= set((answer or {}).get("organisations", ()))
    _erase_mentions(terms, organisations)
    _end_sessions(user, last_seen=last_seen)
    return user


def _anonymise_user(user: User) -> None:
    now = timezone.now()
    user.full_name = ""
    # Unique and not an address anyone can have: the .invalid top-level domain is reserved for this.
    user.email = f"deleted-{user.pk}@anonymised.invalid"
    user.password = make_password(None)
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.privacy_version = ""
    user.last_login = None
    user.last_seen_at = now
    user.anonymised_at = now
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    Volunteer.objects.filter(user=user).update(
        status=Volunteer.Status.PAUSED,
        consent_at=None,
        municipality=None,
        remote_ok=False,
        available_weekdays=False,
        available_evenings=False,
        available_weekends=False,
        updated_at=now,
    )
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is not None:
        volunteer.volunteer_skills.all().delete()
        volunteer.languages.clear()
        volunteer.themes.clear()


def _erase_personal_rows(user: User, addresses: set[str]) -> None:
    """What is about the person alone goes: addresses, consents, choices, memberships, their inbox, invitations
    to their address, login records; what they wrote in an application is emptied."""
    now = timezone.now()
    EmailAddress.objects.filter(user=user).delete()
    PrivacyConsent.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    by_address = Q()
    for address in addresses:
        by_address |= Q(email__iexact=address)
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.filter(recipient__isnull=True).filter(by_address).delete()
    Invitation.objects.filter(by_address, accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    Invitation.objects.filter(by_address).update(email=user.email)
    MembershipApplication.objects.filter(applicant=user).update(motivation="")
    Need.objects.filter(contact_person=user).update(contact_person=None)
    by_username = Q()
    for address in addresses:
        by_username |= Q(username__iexact=address)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(by_username).delete()
    AccessAttempt.objects.filter(
        Q(*[Q(post_data__icontains=a) | Q(get_data__icontains=a) for a in addresses], _connector=Q.OR)
    ).delete()


def _erase_mentions(terms: list[str], organisations: set[int]) -> None:
    """Take the person's name and addresses out of what others wrote or received: notifications to the people of
    the related organisations, to coordinators and to addresses (invitations); membership decisions; the related
    organisations' needs, offers and profiles; CSV imports waiting for confirmation; the admin's history. Each is
    one search, narrowed first by the cheap conditions, then by the text."""
    people = Membership.objects.filter(organisation_id__in=organisations).values("user_id")
    scrub_rows(
        Notification.objects.filter(
            Q(recipient_id__in=people)
            | Q(recipient_id__in=User.objects.filter(groups__name=COORDINATORS_GROUP).values("pk"))
            | Q(recipient__isnull=True)
        ),
        text_fields=("link", "last_error"),
        json_fields=("context",),
        terms=terms,
    )
    scrub_rows(MembershipApplication.objects.all(), text_fields=("motivation", "decision_note"), terms=terms)
    needs = scrub_rows(
        Need.objects.filter(organisation_id__in=organisations), text_fields=("title", "description"), terms=terms
    )
    if needs and connection.vendor == "postgresql":
        Need.objects.filter(organisation_id__in=organisations, search_vector__isnull=False).update(
            search_vector=need_search_vector()
        )
    scrub_rows(
        Offer.objects.filter(organisation_id__in=organisations), text_fields=("title", "description"), terms=terms
    )
    scrub_rows(Organisation.objects.filter(pk__in=organisations), text_fields=("description",), terms=terms)
    # A previewed CSV that lists the person is discarded whole: its admin uploads the file again without them.
    previews = VolunteerImport.objects.filter(status=VolunteerImport.Status.PREVIEWED).filter(
        Q(*[Q(content__icontains=t) for t in terms], _connector=Q.OR)
    )
    previews.update(status=VolunteerImport.Status.DISCARDED, content="")
    scrub_rows(VolunteerImport.objects.all(), text_fields=("filename",), json_fields=("result",), terms=terms)
    scrub_rows(LogEntry.objects.all(), text_fields=("object_repr", "change_message"), terms=terms)


def _end_sessions(user: User, *, last_seen) -> None:
    """Delete the account's sessions (the browser that deleted it is logged out by the view). Sessions keep the
    user's id inside their signed data, so the unexpired ones are read, unless the person has not been seen for
    longer than a session lives: then none of theirs can be left (the inactivity job's case). Without the password
    they would not work anyway: Django checks the password's hash on every request."""
    if last_seen and timezone.now() - last_seen > timedelta(seconds=settings.SESSION_COOKIE_AGE, days=1):
        return
    key = str(user.pk)
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if session.get_decoded().get("_auth_user_id") == key:
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()


# Inactivity ----------------------------------------------------------------------------------------


def inactive_volunteers(*, before):
    """Volunteers (only that: no organisation role, not association staff) whose last sign of life is older than
    `before`. The one definition of "inactive": their last login, the last day they used the portal
    (`User.last_seen_at`), their registration and the last change to their profile. Logging hours, answering a
    match and changing a profile all happen on the portal, so the last day seen covers them; a volunteer whose
    matches move without them coming by is told a month ahead and can log in once."""
    return (
        User.objects.filter(anonymised_at__isnull=True, is_staff=False, is_superuser=False, volunteer__isnull=False)
        .annotate(
            last_active=Greatest(
                Coalesce("last_login", "date_joined"),
                "last_seen_at",
                Coalesce("volunteer__updated_at", "date_joined"),
            )
        )
        .filter(last_active__lt=before)
        .exclude(memberships__role__in=Membership.STAFF_ROLES)
        .exclude(groups__name=COORDINATORS_GROUP)
    )


# Warnings are written this many at a time (one transaction each); at most this many accounts are removed a run,
# so a first run over years of history catches up over a few days instead of running for hours.
WARN_BATCH = 1000
REMOVE_PER_RUN = 500


def inactive_volunteers_process(*, now=None, remove_limit: int = REMOVE_PER_RUN) -> tuple[int, int]:
    """The daily job: tell volunteers inactive for the period less a month that their account will be removed,
    and anonymise those still inactive after the whole period who were told at least a month ago (at most
    `remove_limit` a run, the longest inactive first). Returns how many were told and how many removed. Safe to
    repeat: a warning is one notification per stretch of inactivity (its event key), and an anonymised account is
    not found again."""
    now = now or timezone.now()
    period = timedelta(days=settings.PRIVACY_INACTIVE_AFTER_DAYS)
    notice = timedelta(days=settings.PRIVACY_INACTIVE_WARNING_DAYS)
    warnings = Notification.objects.filter(recipient=OuterRef("pk"), kind=NotificationKind.ACCOUNT_INACTIVE)
    to_warn = (
        inactive_volunteers(before=now - period + notice)
        .annotate(warned=Exists(warnings.filter(created_at__gt=OuterRef("last_active"))))
        .filter(warned=False)
        .distinct()
        .order_by("pk")
    )
    told = 0
    batch = []
    for user in to_warn.iterator(chunk_size=WARN_BATCH):
        removal = max(user.last_active + period, now + notice)
        batch.append(
            (
                Recipient.of(user),
                f"privacy:inactive:{user.pk}:{user.last_active.date().isoformat()}",
                {"date": removal.date().isoformat()},
                reverse("account_login"),
            )
        )
        if len(batch) >= WARN_BATCH:
            told += _warn(batch)
            batch = []
    told += _warn(batch)
    to_remove = (
        inactive_volunteers(before=now - period)
        .annotate(warned=Exists(warnings.filter(created_at__gt=OuterRef("last_active"), created_at__lte=now - notice)))
        .filter(warned=True)
        .distinct()
        .order_by("last_active", "pk")
    )
    removed = 0
    for user in to_remove[:remove_limit]:
        try:
            account_delete(user=user, acting_user=None)
        except ValidationError:
            continue
        removed += 1
    return told, removed


def _warn(items) -> int:
    if not items:
        return 0
    with transaction.atomic():
        return len(notify_each(kind=NotificationKind.ACCOUNT_INACTIVE, items=items))
