"""The notification outbox: writing notifications with the change that causes them, and delivering them.

Services call `notify` inside their transaction. After commit a Celery task is enqueued per immediate
email; if the broker is unreachable the row stays pending and the periodic sweep enqueues it later.
Delivery claims a row with a conditional update (pending → sending), so a task that runs twice sends one
email. Rows waiting for the daily digest are claimed the same way by the digest task.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from brainport_voor_elkaar.publish import publish_on_commit

from .models import Frequency, Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)

# What a user can choose the frequency of; an invitation goes to an address, always immediately.
CONFIGURABLE_KINDS = [
    NotificationKind.APPLICATION_RECEIVED,
    NotificationKind.APPLICATION_DECIDED,
    NotificationKind.INVITATION_ACCEPTED,
    NotificationKind.MEMBERSHIP_CHANGED,
    NotificationKind.PROPOSALS_WAITING,
    NotificationKind.MATCH_APPROVED,
    NotificationKind.MATCH_ACCEPTED,
    NotificationKind.MATCH_ENDED,
    NotificationKind.HOURS_LOGGED,
    NotificationKind.HOURS_CONFIRMED,
    NotificationKind.MATCH_REMINDER,
    NotificationKind.NEEDS_RECOMMENDED,
    NotificationKind.CONTACT_REQUEST,
    NotificationKind.INCLUSIVE_DECLARED,
    NotificationKind.INCLUSIVE_REVIEWED,
]

# What a user gets when they never chose: immediately, except what arrives in numbers.
DEFAULT_FREQUENCY = {
    NotificationKind.PROPOSALS_WAITING: Frequency.DAILY,
}

# Kinds that share one email template: what happened to a match, told by its title and context.
TEMPLATE_OF = {
    kind: "match_notice"
    for kind in (
        NotificationKind.PROPOSALS_WAITING,
        NotificationKind.MATCH_APPROVED,
        NotificationKind.MATCH_ACCEPTED,
        NotificationKind.MATCH_ENDED,
        NotificationKind.HOURS_LOGGED,
        NotificationKind.HOURS_CONFIRMED,
        NotificationKind.MATCH_REMINDER,
        NotificationKind.NEEDS_RECOMMENDED,
    )
}

# The title of each kind, shown as the email subject and in the inbox; formatted with the context.
TITLES = {
    NotificationKind.INVITATION: _("You are invited to join %(organisation)s on Brainport voor Elkaar"),
    NotificationKind.APPLICATION_RECEIVED: _("New membership application: %(organisation)s"),
    NotificationKind.APPLICATION_DECIDED: _("Your membership application for %(organisation)s was %(decision)s"),
    NotificationKind.INVITATION_ACCEPTED: _("%(person)s joined %(organisation)s"),
    NotificationKind.MEMBERSHIP_CHANGED: _("Your role in %(organisation)s changed"),
    NotificationKind.VOLUNTEER_REGISTERED: _("%(organisation)s registered you as a volunteer on Brainport voor Elkaar"),
    NotificationKind.CONTACT_REQUEST: _("%(person)s asks about %(organisation)s"),
    # Matching writes these; each title says what happened and to what (the context's `event` picks one).
    NotificationKind.PROPOSALS_WAITING: ngettext_lazy(
        "%(count)s new proposal is waiting for your review",
        "%(count)s new proposals are waiting for your review",
        "count",
    ),
    NotificationKind.MATCH_APPROVED: _("Approved: %(subject)s — please accept or decline"),
    NotificationKind.MATCH_ACCEPTED: _("Accepted by both sides: %(subject)s"),
    NotificationKind.MATCH_ENDED: _("%(event_label)s: %(subject)s"),
    NotificationKind.HOURS_LOGGED: _("Hours logged for %(subject)s: please confirm them"),
    NotificationKind.HOURS_CONFIRMED: _("Your hours for %(subject)s were confirmed"),
    NotificationKind.MATCH_REMINDER: _("Reminder: %(event_label)s — %(subject)s"),
    NotificationKind.NEEDS_RECOMMENDED: ngettext_lazy(
        "%(count)s new need that fits you", "%(count)s new needs that fit you", "count"
    ),
    NotificationKind.ACCOUNT_INACTIVE: _("Your Brainport voor Elkaar account will be removed on %(date)s"),
    NotificationKind.INCLUSIVE_DECLARED: _("%(organisation)s declares itself an inclusive employer: please confirm"),
    NotificationKind.INCLUSIVE_REVIEWED: _("Inclusive employer %(organisation)s: %(decision)s"),
}

# Words for `event` in a notification's context, in the reader's language when the title is made.
EVENT_LABELS = {
    "declined": _("Declined"),
    "rejected": _("Not approved"),
    "withdrawn": _("Withdrawn"),
    "expired": _("Expired"),
    "review": _("proposals wait for review"),
    "accept": _("a match waits for your answer"),
    "start": _("the work starts soon"),
    "hours": _("please log your hours"),
}
DECISION_LABELS = {True: _("approved"), False: _("rejected")}
INCLUSIVE_LABELS = {True: _("confirmed"), False: _("withdrawn")}

# Words a context holds as a marker (`{"text": key}`, see `fixed_text`) rather than as text: the notification is
# made in whoever's language was active then, and these are written in the reader's language when it is shown.
FIXED_TEXTS = {
    "deleted_account": _("Deleted account"),
    "volunteer_deleted_account": _("The volunteer deleted their account."),
    "need_completed": _("The need is completed."),
}
# Context keys that hold a day (an ISO date, as JSON keeps it), written out in the reader's language when shown.
DATE_KEYS = {"date"}


def fixed_text(key: str) -> dict:
    """A marker for one of `FIXED_TEXTS`, to put in a notification's context."""
    if key not in FIXED_TEXTS:
        raise KeyError(key)
    return {"text": key}


def name_of(user):
    """The person's name for a notification's context: a deleted account is named in each reader's language."""
    return fixed_text("deleted_account") if user.anonymised_at else user.get_full_name()


def readable(context: dict) -> dict:
    """The context as its reader reads it, in the active language: markers as words, days as dates."""
    shown = dict(context)
    for key, value in context.items():
        if isinstance(value, dict) and value.keys() == {"text"} and value["text"] in FIXED_TEXTS:
            shown[key] = str(FIXED_TEXTS[value["text"]])
        elif key in DATE_KEYS and isinstance(value, str):
            try:
                day = parse_date(value)
            except ValueError:
                day = None
            if day is not None:
                shown[key] = date_format(day, "j F Y")
    return shown


@dataclass(frozen=True)
class Recipient:
    """Who a notification goes to: a user, or an email address without an account."""

    email: str
    language: str
    user: object = None

    @classmethod
    def of(cls, user):
        return cls(email=user.email, language=user.preferred_language, user=user)


def frequencies_for(users, kind) -> dict:
    """Each user's chosen frequency for `kind` (the kind's default when they never chose)."""
    chosen = dict(NotificationPreference.objects.filter(user__in=users, kind=kind).values_list("user_id", "frequency"))
    default = DEFAULT_FREQUENCY.get(kind, Frequency.IMMEDIATELY)
    return {user.pk: chosen.get(user.pk, default) for user in users}


def notify(*, recipients, kind, event_key, context=None, link="") -> list[Notification]:
    """Write one notification per recipient for the event `event_key`. Safe to repeat: an event already
    written for a recipient is not written again. Enqueues delivery of immediate emails after commit, without
    waiting for the broker (`brainport_voor_elkaar.publish`): what it cannot take, the sweep sends."""
    return notify_each(kind=kind, items=[(r, event_key, context, link) for r in recipients])


def notify_each(*, kind, items) -> list[Notification]:
    """As `notify`, for many events of one kind at once, each `(recipient, event_key, context, link)`: a fixed
    number of queries however many there are (one for the preferences, one insert, one read back)."""
    items = list(items)
    users = [r.user for r, *_rest in items if r.user is not None]
    frequency = frequencies_for(users, kind) if kind in CONFIGURABLE_KINDS else {}
    email_status = {
        Frequency.IMMEDIATELY: Notification.EmailStatus.PENDING,
        Frequency.DAILY: Notification.EmailStatus.DIGEST,
        Frequency.OFF: Notification.EmailStatus.SKIPPED,
    }
    rows = [
        Notification(
            recipient=r.user,
            email=r.email,
            language=r.language,
            kind=kind,
            event_key=f"{event_key}:to:{r.user.pk if r.user else r.email.lower()}",
            context=context or {},
            link=link,
            email_status=email_status[frequency.get(r.user.pk if r.user else None, Frequency.IMMEDIATELY)],
        )
        for r, event_key, context, link in items
    ]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    written = list(Notification.objects.filter(event_key__in=[row.event_key for row in rows]))
    pending_ids = [n.pk for n in written if n.email_status == Notification.EmailStatus.PENDING]
    if pending_ids:
        from .tasks import notification_deliver

        for pk in pending_ids:
            publish_on_commit(notification_deliver, pk)
    return written


def enqueue_deliveries(notification_ids) -> int:
    """Hand notifications to the broker; returns how many it took. A broker outage is logged, not raised:
    the rows stay pending for the sweep. The first failure ends the batch, so an outage costs the caller
    (often a request, just after commit) one broker timeout rather than one per notification."""
    from .tasks import notification_deliver

    notification_ids = list(notification_ids)
    for enqueued, notification_id in enumerate(notification_ids):
        try:
            notification_deliver.delay(notification_id)
        except Exception:  # noqa: BLE001 - any broker failure leaves the rows pending for the sweep
            logger.warning(
                "Could not enqueue notification %s; %s left pending for the sweep.",
                notification_id,
                len(notification_ids) - enqueued,
                exc_info=True,
            )
            return enqueued
    return len(notification_ids)


def title_of(notification) -> str:
    with translation.override(notification.language):
        context = _TitleContext(readable(notification.context))
        if context.get("event") in EVENT_LABELS:
            context["event_label"] = str(EVENT_LABELS[context["event"]])
        if "approved" in context:
            context["decision"] = str(DECISION_LABELS[bool(context["approved"])])
        if "confirmed" in context:
            context["decision"] = str(INCLUSIVE_LABELS[bool(context["confirmed"])])
        count = int(context.get("count") or 0)
        if "subject" not in context and count:
            # A notification about several matches at once names how many.
            context["subject"] = ngettext("%(count)s match", "%(count)s matches", count) % {"count": count}
        context["count"] = count
        # A lazy plural title picks its form by the context's count.
        return str(TITLES[notification.kind] % context)


class _TitleContext(dict):
    """A context whose missing keys format as empty text rather than raising."""

    def __missing__(self, key):
        return ""


def absolute(link: str) -> str:
    return f"{settings.SITE_URL}{link}" if link.startswith("/") else link


def choice_labels(context: dict) -> dict:
    """Labels, in the active language, of the choice codes a notification's context holds."""
    from .models import Membership, Organisation

    labels = {}
    if context.get("kind") in Organisation.Kind.values:
        labels["kind_label"] = Organisation.Kind(context["kind"]).label
    if context.get("role") in Membership.Role.values:
        labels["role_label"] = Membership.Role(context["role"]).label
    return labels


def render_email(notification) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one notification, in the recipient's language."""
    with translation.override(notification.language):
        context = {
            **readable(notification.context),
            **choice_labels(notification.context),
            "title": title_of(notification),
            "link": absolute(notification.link),
            "site_url": settings.SITE_URL,
            "preferences_url": absolute(reverse("members:account-settings")),
            "is_user": notification.recipient_id is not None,
            # No request, so no i18n context processor: the email's <html lang> comes from here.
            "LANGUAGE_CODE": notification.language,
        }
        template = f"members/email/{TEMPLATE_OF.get(notification.kind, notification.kind)}"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return context["title"], text, html


def message_id(notification) -> str:
    """One Message-ID per notification, whatever the attempt."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "brainportvoorelkaar.nl"
    digest = hashlib.sha256(notification.event_key.encode()).hexdigest()[:16]
    return f"<notification-{notification.pk}.{digest}@{domain}>"


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification's email and mark it sent. Returns whether this call sent it.

    Safe to repeat and to run concurrently: only the call that moves the row from pending to sending
    sends. A failed send returns the row to pending (or to failed after the last attempt) for the sweep.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING).update(
        email_status=Notification.EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    subject, text, html = render_email(notification)
    # The id travels with the email, so a message sent twice can be recognised (and counted) downstream. The
    # Message-ID is the same for every attempt: a worker killed after the mail server took the message but
    # before the row was marked sent leads to one resend after the lease, and mail systems that see the same
    # Message-ID twice keep one.
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[notification.email],
        headers={"X-Notification-Id": str(notification.pk), "Message-ID": message_id(notification)},
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any mail failure is recorded and retried by the sweep
        failed = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id, email_status=Notification.EmailStatus.SENDING).update(
            email_status=Notification.EmailStatus.FAILED if failed else Notification.EmailStatus.PENDING,
            claimed_at=None,
            last_error=str(error)[:500],
        )
        logger.warning("Sending notification %s failed: %s", notification_id, error)
        return False
    Notification.objects.filter(pk=notification_id, email_status=Notification.EmailStatus.SENDING).update(
        email_status=Notification.EmailStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def notifications_sweep(*, limit: int = 500) -> int:
    """Re-enqueue emails left pending (a broker outage) and release claims of workers that died.
    Returns how many were enqueued. Safe to repeat: delivery itself claims each row once."""
    now = timezone.now()
    Notification.objects.filter(
        email_status=Notification.EmailStatus.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS),
    ).update(email_status=Notification.EmailStatus.PENDING, claimed_at=None)
    ids = list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING,
            created_at__lte=now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS),
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue_deliveries(ids)


def digest_deliver(*, user_id: int) -> int:
    """Send one user the daily digest of their notifications waiting for it. Returns how many it held.
    Safe to repeat: the rows are claimed (digest → sending) before anything is sent."""
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    ids = list(
        Notification.objects.filter(recipient=user, email_status=Notification.EmailStatus.DIGEST).values_list(
            "pk", flat=True
        )
    )
    now = timezone.now()
    claimed = Notification.objects.filter(pk__in=ids, email_status=Notification.EmailStatus.DIGEST).update(
        email_status=Notification.EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return 0
    items = list(Notification.objects.filter(pk__in=ids, email_status=Notification.EmailStatus.SENDING, claimed_at=now))
    with translation.override(user.preferred_language):
        entries = [{"title": title_of(n), "link": absolute(n.link)} for n in items]
        subject = str(_("Your daily summary from Brainport voor Elkaar"))
        context = {
            "title": subject,
            "LANGUAGE_CODE": user.preferred_language,
            "is_user": True,
            "user": user,
            "entries": entries,
            "inbox_url": absolute(reverse("members:inbox")),
            "preferences_url": absolute(reverse("members:account-settings")),
        }
        text = render_to_string("members/email/digest.txt", context)
        html = render_to_string("members/email/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - left for the next digest run
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            email_status=Notification.EmailStatus.DIGEST, claimed_at=None, last_error=str(error)[:500]
        )
        logger.warning("Sending the digest to user %s failed: %s", user_id, error)
        return 0
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(
        email_status=Notification.EmailStatus.SENT, sent_at=timezone.now()
    )
    return len(items)


def digest_recipients() -> list[int]:
    return list(
        Notification.objects.filter(email_status=Notification.EmailStatus.DIGEST, recipient__isnull=False)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
