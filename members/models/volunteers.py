"""Volunteers: employees of member organisations with a profile of what they can give."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Membership, Organisation
from .reference import Municipality, Skill, SpokenLanguage, Theme


def active_volunteer() -> Q:
    """The one home of "an active volunteer": active status and privacy consent given. A condition, so that a
    count can also use it as a filter of an aggregate."""
    return Q(status=Volunteer.Status.ACTIVE, consent_at__isnull=False)


class VolunteerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active_volunteer())

    def visible_to(self, user):
        """A volunteer's details: themselves, their organisation's admins and coordinators. Nobody else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.filter(
            Q(user=user)
            | Q(
                organisation__memberships__user=user,
                organisation__memberships__role=Membership.Role.ADMIN,
            )
        ).distinct()

    def with_related(self):
        return self.select_related("user", "organisation", "municipality").prefetch_related(
            "languages", "themes", "volunteer_skills__skill"
        )


class Volunteer(models.Model):
    """A person's volunteering profile. Active with consent, it is an offer of one person."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="volunteers"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    travel_km = models.PositiveSmallIntegerField(
        _("how far will you travel (km)"), default=15, validators=[MaxValueValidator(200)]
    )
    remote_ok = models.BooleanField(_("I can also help remotely"), default=True)
    hours_per_month = models.PositiveSmallIntegerField(
        _("hours per month"), default=4, validators=[MinValueValidator(1), MaxValueValidator(160)]
    )
    available_weekdays = models.BooleanField(_("weekdays"), default=True)
    available_evenings = models.BooleanField(_("evenings"), default=False)
    available_weekends = models.BooleanField(_("weekends"), default=False)
    skills = models.ManyToManyField(Skill, through="VolunteerSkill", related_name="volunteers", blank=True)
    languages = models.ManyToManyField(
        SpokenLanguage, verbose_name=_("languages"), related_name="volunteers", blank=True
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes I care about"), related_name="volunteers", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    consent_at = models.DateTimeField(_("agreed to the privacy terms"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["user__full_name", "id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="volunteer_org_status_idx"),
            # Matching's cache check reads the latest change: an index lookup, not a scan of 100,000 rows.
            models.Index(fields=["updated_at"], name="volunteer_updated_idx"),
        ]

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("members:volunteer-detail", kwargs={"pk": self.pk})


class VolunteerSkill(models.Model):
    class Level(models.IntegerChoices):
        BASIC = 1, _("Basic")
        GOOD = 2, _("Good")
        EXPERT = 3, _("Expert")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="volunteer_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="volunteer_skills")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.GOOD)

    class Meta:
        verbose_name = _("volunteer skill")
        verbose_name_plural = _("volunteer skills")
        constraints = [models.UniqueConstraint(fields=["volunteer", "skill"], name="volunteer_skill_unique")]

    def __str__(self):
        return f"{self.skill} ({self.get_level_display()})"


class VolunteerImport(models.Model):
    """An uploaded CSV of volunteers: parsed and previewed first, then committed whole or not at all.

    The file's text is kept until it is committed, so the preview and the commit read the same rows.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Waiting for confirmation")
        COMMITTED = "committed", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="volunteer_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    content = models.TextField()
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("volunteer import")
        verbose_name_plural = _("volunteer imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename
