"""Needs (hulpvragen): what a member organisation asks for."""

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .organisations import Membership, Organisation
from .reference import Municipality, Programme, Skill, SpokenLanguage, Theme


class WorkLocation(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")


class NeedQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Need.Status.OPEN)

    def public(self):
        """What a visitor may see: open needs of member organisations."""
        return self.filter(status=Need.Status.OPEN, organisation__status=Organisation.Status.ACTIVE)

    def visible_to(self, user):
        """Public needs, plus every need of the user's own organisations; coordinators see all."""
        if not user.is_authenticated:
            return self.public()
        if user.is_coordinator:
            return self.all()
        return self.filter(
            Q(status=Need.Status.OPEN, organisation__status=Organisation.Status.ACTIVE)
            | Q(organisation__memberships__user=user, organisation__memberships__role__in=Membership.STAFF_ROLES)
        ).distinct()

    def manageable_by(self, user):
        """Needs the user may edit and move along: the organisation's staff (not its volunteers), coordinators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.filter(
            organisation__memberships__user=user, organisation__memberships__role__in=Membership.STAFF_ROLES
        )

    def with_related(self):
        return self.select_related("organisation", "programme", "municipality").prefetch_related(
            "themes", "languages", "need_skills__skill"
        )


class Need(models.Model):
    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("One-off task")
        RECURRING = "recurring", _("Recurring")
        EXPERTISE = "expertise", _("Expertise project")
        TEAM = "team", _("Team activity")
        BUDDY = "buddy", _("Buddy or mentoring")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("need status", "Open")
        PAUSED = "paused", _("Paused")
        MATCHED = "matched", _("Matched")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="needs"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), max_length=5000)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="needs"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="needs", blank=True)
    skills = models.ManyToManyField(Skill, through="NeedSkill", related_name="needs", blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    location = models.CharField(_("where"), max_length=10, choices=WorkLocation.choices, default=WorkLocation.ON_SITE)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    is_flexible = models.BooleanField(_("dates are flexible"), default=False)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    estimated_hours = models.PositiveIntegerField(
        _("estimated hours per volunteer"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    volunteers_needed = models.PositiveSmallIntegerField(
        _("number of volunteers"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    languages = models.ManyToManyField(SpokenLanguage, verbose_name=_("languages"), related_name="needs", blank=True)
    residents_helped = models.PositiveIntegerField(_("expected number of residents helped"), default=0)
    # Recorded by the organisation when the need completes; `residents_helped` is what it planned.
    residents_reached = models.PositiveIntegerField(_("residents actually helped"), null=True, blank=True)
    works_with_vulnerable_people = models.BooleanField(
        _("works with vulnerable people"),
        default=False,
        help_text=_(
            "A coordinator then reviews every proposed volunteer, even when routine proposals are approved "
            "automatically."
        ),
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for_needs",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Filled by the services on PostgreSQL (Dutch and English stemming); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="need_status_published_idx"),
            models.Index(fields=["status", "start_date"], name="need_status_start_idx"),
            models.Index(fields=["organisation", "status"], name="need_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="need_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(location="on_site") | Q(municipality__isnull=False),
                name="need_on_site_has_municipality",
            ),
            models.CheckConstraint(condition=Q(estimated_hours__gte=1), name="need_hours_positive"),
            models.CheckConstraint(condition=Q(volunteers_needed__gte=1), name="need_volunteers_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("members:need-detail", kwargs={"pk": self.pk})

    @property
    def is_remote(self):
        return self.location != WorkLocation.ON_SITE


def need_search_vector():
    """The expression that fills `Need.search_vector` (PostgreSQL only): the title weighs most, and both
    Dutch and English stemming are applied, so "taalmaatjes" finds "taalmaatje" and "mentors" "mentor"."""
    return (
        SearchVector("title", weight="A", config="dutch")
        + SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="dutch")
        + SearchVector("description", weight="B", config="english")
    )


class NeedSkill(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="need_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="need_skills")
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("skill wanted")
        verbose_name_plural = _("skills wanted")
        constraints = [models.UniqueConstraint(fields=["need", "skill"], name="need_skill_unique")]

    def __str__(self):
        return f"{self.skill} ({'required' if self.required else 'nice to have'})"


__all__ = ["Need", "NeedSkill", "WorkLocation", "need_search_vector"]
