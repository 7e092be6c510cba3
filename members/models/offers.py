"""Offers: capacity a member organisation puts at the association's disposal."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Membership, Organisation
from .reference import Municipality, Skill, Theme


class OfferQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Offer.Status.ACTIVE)

    def visible_to(self, user):
        """Offers are seen by the offering organisation's staff (not its volunteers) and by coordinators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.filter(
            organisation__memberships__user=user, organisation__memberships__role__in=Membership.STAFF_ROLES
        )

    def with_related(self):
        return self.select_related("organisation").prefetch_related("skills", "themes", "municipalities")


class Offer(models.Model):
    class Kind(models.TextChoices):
        SKILLS = "skills", _("Individual skills-based volunteering")
        TEAM_DAY = "team_day", _("Team day")
        PRO_BONO = "pro_bono", _("Pro bono expertise")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="offers"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), related_name="offers", blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="offers", blank=True)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities served"), related_name="offers", blank=True
    )
    remote = models.BooleanField(_("can work remotely"), default=False)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    people = models.PositiveSmallIntegerField(
        _("number of people"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    hours_each = models.PositiveSmallIntegerField(
        _("hours per person"), default=8, validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="offer_org_status_idx"),
            models.Index(fields=["updated_at"], name="offer_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="offer_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("members:offer-detail", kwargs={"pk": self.pk})
