"""Matches between a need and a volunteer, and the record of every matching run."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MatchQuerySet(models.QuerySet):
    def active(self):
        """Matches that hold a place in a need: waiting for review or acceptance, or accepted."""
        return self.filter(status__in=Match.ACTIVE_STATUSES)

    def undecided(self):
        return self.filter(status=Match.Status.PROPOSED)

    def with_related(self):
        return self.select_related(
            "need__organisation", "volunteer__user", "volunteer__organisation", "offer__organisation"
        )


class Match(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for review")
        APPROVED = "approved", _("Approved, waiting for acceptance")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected by a coordinator")
        DECLINED = "declined", _("Declined")

    class Source(models.TextChoices):
        ENGINE = "engine", _("Proposed by matching")
        VOLUNTEER = "volunteer", _("Volunteer offered to help")

    ACTIVE_STATUSES = (Status.PROPOSED, Status.APPROVED, Status.ACCEPTED)

    need = models.ForeignKey("members.Need", on_delete=models.CASCADE, related_name="matches")
    # One of the two: a person, or an organisation's offer of people.
    volunteer = models.ForeignKey(
        "members.Volunteer", null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    offer = models.ForeignKey("members.Offer", null=True, blank=True, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ENGINE)
    score = models.FloatField(_("score"))
    components = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    run = models.ForeignKey("MatchingRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="matches")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score", "id"]
        constraints = [
            # No volunteer is proposed twice for the same need.
            models.UniqueConstraint(fields=["need", "volunteer"], name="match_unique_need_volunteer"),
            models.UniqueConstraint(fields=["need", "offer"], name="match_unique_need_offer"),
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False, offer__isnull=True)
                | Q(volunteer__isnull=True, offer__isnull=False),
                name="match_volunteer_or_offer",
            ),
        ]
        indexes = [
            models.Index(fields=["need", "status"], name="match_need_status_idx"),
            models.Index(fields=["volunteer", "status"], name="match_volunteer_status_idx"),
        ]

    def __str__(self):
        return f"{self.need} ↔ {self.volunteer or self.offer} ({self.status})"


class MatchingRun(models.Model):
    """One run of `matches_refresh`, with its statistics."""

    class Trigger(models.TextChoices):
        PUBLISHED = "published", _("A need was published")
        VOLUNTEER = "volunteer", _("A volunteer became active")
        NIGHTLY = "nightly", _("Nightly batch")
        MANUAL = "manual", _("Run by a coordinator")

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    needs_considered = models.PositiveIntegerField(default=0)
    volunteers_considered = models.PositiveIntegerField(default=0)
    pairs_scored = models.BigIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    open_needs_with_proposal_share = models.FloatField(default=0.0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-started_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(duration_ms__gte=0), name="matching_run_duration")]

    def __str__(self):
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M}"
