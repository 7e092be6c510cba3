"""The notification outbox: one row per event and recipient, and each user's email choices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import Language


class NotificationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation to join an organisation")
    APPLICATION_RECEIVED = "application_received", _("New membership application")
    APPLICATION_DECIDED = "application_decided", _("Decision on your membership application")
    INVITATION_ACCEPTED = "invitation_accepted", _("A colleague accepted an invitation")
    MEMBERSHIP_CHANGED = "membership_changed", _("Changes to your role in an organisation")
    VOLUNTEER_REGISTERED = "volunteer_registered", _("You were registered as a volunteer")
    PROPOSALS_WAITING = "proposals_waiting", _("New proposals waiting for review (coordinators)")
    MATCH_APPROVED = "match_approved", _("A match was approved and waits for your answer")
    MATCH_ACCEPTED = "match_accepted", _("A match was accepted by both sides")
    MATCH_ENDED = "match_ended", _("A match was declined, rejected, withdrawn or expired")
    HOURS_LOGGED = "hours_logged", _("Hours were logged for your need")
    HOURS_CONFIRMED = "hours_confirmed", _("Your hours were confirmed")
    MATCH_REMINDER = "match_reminder", _("Reminders: reviews, answers, starts and hours")
    NEEDS_RECOMMENDED = "needs_recommended", _("Weekly digest of needs that fit you")
    CONTACT_REQUEST = "contact_request", _("Questions about a member organisation (coordinators)")
    ACCOUNT_INACTIVE = "account_inactive", _("Your account will be removed because it is not used")
    INCLUSIVE_DECLARED = "inclusive_declared", _("An organisation declares itself an inclusive employer (coordinators)")
    INCLUSIVE_REVIEWED = "inclusive_reviewed", _("A coordinator confirmed or withdrew your inclusive employer status")


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    OFF = "off", _("Off (inbox only)")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event for one recipient: an inbox entry and, by the recipient's choice, an email.

    Written in the same transaction as the change that causes it (the outbox). `event_key` names the event
    and its recipient and is unique, so the same event never makes two notifications. A notification to an
    address without an account (an invitation) has no recipient and appears in no inbox.
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        DIGEST = "digest", _("Waiting for the daily digest")
        SKIPPED = "skipped", _("Not emailed")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    email = models.EmailField(_("email address"))
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.DUTCH)
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["email_status", "created_at"],
                name="notification_outbox_idx",
                condition=Q(email_status__in=["pending", "sending", "digest"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    frequency = models.CharField(_("email"), max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATELY)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.frequency}"
