"""Reference data: the region's municipalities, the programmes with their targets, themes, skills and
spoken languages. Names are kept in Dutch and English."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """A name in Dutch and English; `name` answers in the active language."""

    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl


class Subregion(models.TextChoices):
    EINDHOVEN = "Stedelijk gebied Eindhoven", _("Eindhoven urban area")
    DE_KEMPEN = "De Kempen", _("De Kempen")
    DE_PEEL = "De Peel", _("De Peel")
    A2 = "A2-gemeenten", _("A2 municipalities")


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    subregion = models.CharField(_("subregion"), max_length=40, choices=Subregion.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=7, decimal_places=4)
    longitude = models.DecimalField(_("longitude"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Programme(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    target = models.PositiveIntegerField(_("target"))
    target_unit_nl = models.CharField(_("target unit (Dutch)"), max_length=120)
    target_unit_en = models.CharField(_("target unit (English)"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["position", "code"]

    @property
    def target_unit(self):
        return self.target_unit_en if (get_language() or "nl").startswith("en") else self.target_unit_nl


class Theme(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["code"]


class SkillCategory(models.TextChoices):
    DATA_TECH = "data_tech", _("Data and technology")
    COMMUNICATION = "communication", _("Communication and marketing")
    BUSINESS = "business", _("Business and finance")
    PEOPLE = "people", _("People and organisation")
    EDUCATION = "education", _("Education and coaching")
    CARE = "care", _("Care and wellbeing")
    LANGUAGE = "language", _("Language and culture")
    PRACTICAL = "practical", _("Practical and technical work")
    CREATIVE = "creative", _("Creative")
    LEGAL = "legal", _("Legal and administration")


class Skill(BilingualName):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=SkillCategory.choices)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["category", "code"]


class SpokenLanguage(BilingualName):
    """A language people speak, asked of needs and offered by volunteers (not the portal's own language)."""

    code = models.SlugField(_("code"), max_length=10, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["position", "code"]
