"""The form for writing a need. It validates and cleans; `services.need_create` and `need_update` save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import (
    Membership,
    Municipality,
    Need,
    Programme,
    Skill,
    SkillCategory,
    SpokenLanguage,
    Theme,
    User,
    WorkLocation,
)
from ..services.needs import FIELDS, TEXT_LIMITS, need_data_errors
from .base import StyledForm


class NeedForm(StyledForm, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TEXT_LIMITS["title"],
        help_text=_("In a few words: what do you need help with? For example “Language buddies for newcomers”."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_LIMITS["description"],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What will volunteers do, for whom, and what do they need to know? At most 5000 characters."),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), empty_label=_("Choose a programme")
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label=_("Kind of help"), choices=Need.Kind.choices, widget=forms.RadioSelect)
    location = forms.ChoiceField(
        label=_("Where does the work take place?"),
        choices=WorkLocation.choices,
        initial=WorkLocation.ON_SITE,
        widget=forms.RadioSelect,
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        required=False,
        empty_label=_("Choose a municipality"),
        help_text=_("Needed unless the work is fully remote."),
    )
    is_flexible = forms.BooleanField(label=_("The dates are flexible"), required=False)
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Needed unless the dates are flexible."),
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    estimated_hours = forms.IntegerField(
        label=_("Estimated hours per volunteer"), min_value=1, max_value=2000, widget=forms.NumberInput()
    )
    volunteers_needed = forms.IntegerField(label=_("Number of volunteers"), min_value=1, max_value=500, initial=1)
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages volunteers should speak"),
        queryset=SpokenLanguage.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    residents_helped = forms.IntegerField(
        label=_("Expected number of residents helped"), min_value=0, max_value=1_000_000, initial=0
    )
    works_with_vulnerable_people = forms.BooleanField(
        label=_("This need works with vulnerable people"),
        required=False,
        help_text=_(
            "A coordinator then reviews every proposed volunteer, even when routine proposals are approved "
            "automatically."
        ),
    )
    contact_person = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No contact person yet"),
        help_text=_("Only your organisation and the association's coordinators see who this is."),
    )
    required_skills = forms.ModelMultipleChoiceField(
        label=_("Skills that are required"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nice_skills = forms.ModelMultipleChoiceField(
        label=_("Skills that are nice to have"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation, need: Need | None = None, **kwargs):
        if need is not None:
            initial = {field: getattr(need, field) for field in FIELDS}
            initial["themes"] = list(need.themes.all())
            initial["languages"] = list(need.languages.all())
            wanted = list(need.need_skills.all())
            initial["required_skills"] = [ns.skill_id for ns in wanted if ns.required]
            initial["nice_skills"] = [ns.skill_id for ns in wanted if not ns.required]
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = User.objects.filter(
            memberships__organisation=organisation, memberships__role__in=Membership.STAFF_ROLES, is_active=True
        ).order_by("full_name", "email")
        # Both skill lists show the same skills: read them once, grouped by category for the page.
        self.skills = list(Skill.objects.all())
        for name in ("required_skills", "nice_skills"):
            self.fields[name].choices = [(skill.pk, skill.name) for skill in self.skills]

    def skill_groups(self):
        """Per category: its label and, per skill, the skill and its two checkboxes (required, nice)."""
        required = {int(str(box.data["value"])): box for box in self["required_skills"]}
        nice = {int(str(box.data["value"])): box for box in self["nice_skills"]}
        chosen = {str(value) for name in ("required_skills", "nice_skills") for value in self[name].value() or []}
        groups = []
        for category in SkillCategory:
            rows = [
                {"skill": skill, "required": required[skill.pk], "nice": nice[skill.pk]}
                for skill in self.skills
                if skill.category == category
            ]
            if rows:
                groups.append(
                    {
                        "label": category.label,
                        "rows": rows,
                        "open": any(str(row["skill"].pk) in chosen for row in rows),
                    }
                )
        return groups

    def clean(self):
        cleaned = super().clean()
        required = set(cleaned.get("required_skills") or [])
        nice = set(cleaned.get("nice_skills") or [])
        both = required & nice
        if both:
            self.add_error(
                "nice_skills",
                _("A skill is either required or nice to have, not both: %(skills)s.")
                % {"skills": ", ".join(sorted(skill.name for skill in both))},
            )
        for field, messages in need_data_errors(cleaned).items():
            if field not in self.errors:
                for message in messages:
                    self.add_error(field, message)
        # What the services take: each skill wanted, and whether it is required.
        cleaned["skills"] = {**{skill: False for skill in nice}, **{skill: True for skill in required}}
        return cleaned

    def need_data(self) -> dict:
        """The cleaned data in the shape the services take."""
        data = dict(self.cleaned_data)
        data.pop("required_skills", None)
        data.pop("nice_skills", None)
        return data
