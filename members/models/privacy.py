"""Consent to the privacy statement: each time a person agrees to a version of it, or withdraws."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrivacyConsent(models.Model):
    """One answer of one person to one version of the privacy statement: the record that shows when they
    agreed to what. `User.privacy_version` holds the latest agreed version for the per-request check."""

    class Action(models.TextChoices):
        GIVEN = "given", _("Agreed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_consents")
    version = models.CharField(_("version of the privacy statement"), max_length=20)
    action = models.CharField(_("answer"), max_length=10, choices=Action.choices, default=Action.GIVEN)
    at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["user", "at"], name="privacy_consent_user_at_idx")]

    def __str__(self):
        return f"{self.user_id} {self.action} {self.version}"
