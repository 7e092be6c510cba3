"""What a completed need achieved beyond the residents it helped: the people a need of the Work programme
placed into work or into a work-study (BBL) placement, and with which employer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .needs import Need
from .organisations import Organisation

WORK_PROGRAMME = "work"


class WorkPlacement(models.Model):
    """People a completed Work need placed with one employer (an organisation of the portal), recorded by the
    need's organisation when it completes the need. One row per need and employer."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="work_placements")
    employer = models.ForeignKey(
        Organisation, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="work_placements"
    )
    into_work = models.PositiveIntegerField(_("people placed into work"), default=0)
    work_study = models.PositiveIntegerField(_("people placed in a work-study (BBL) placement"), default=0)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("work placement")
        verbose_name_plural = _("work placements")
        ordering = ["need", "employer__name"]
        constraints = [
            models.UniqueConstraint(fields=["need", "employer"], name="work_placement_once_per_employer"),
            models.CheckConstraint(condition=Q(into_work__gt=0) | Q(work_study__gt=0), name="work_placement_people"),
        ]

    def __str__(self):
        return f"{self.need_id} @ {self.employer_id}: {self.into_work} + {self.work_study}"

    @property
    def people(self) -> int:
        return self.into_work + self.work_study
