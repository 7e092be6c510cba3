"""Forms for the volunteer profile, joining through the company link, and the CSV upload."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .. import csv_import
from ..models import Municipality, Skill, SkillCategory, SpokenLanguage, Theme, Volunteer, VolunteerSkill
from .base import StyledForm

AVAILABILITY_CHOICES = [
    ("weekdays", _("On weekdays")),
    ("evenings", _("In the evening")),
    ("weekends", _("At the weekend")),
]
SKILL_PREFIX = "skill_"


class VolunteerProfileForm(StyledForm, forms.Form):
    """What a volunteer can give. `organisations` adds the choice of employer (a first registration);
    `ask_consent` adds the privacy terms, which only the volunteer can agree to."""

    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(),
        label=_("Municipality where you live or work"),
        empty_label=_("Choose a municipality"),
        required=False,
    )
    travel_km = forms.IntegerField(label=_("How far will you travel (km)?"), min_value=0, max_value=200, initial=15)
    remote_ok = forms.BooleanField(label=_("I can also help remotely"), required=False, initial=True)
    hours_per_month = forms.IntegerField(
        label=_("Hours per month"),
        min_value=1,
        max_value=160,
        initial=4,
        help_text=_("About how many hours a month you can give, for example 4."),
    )
    availability = forms.MultipleChoiceField(
        label=_("When can you help?"),
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["weekdays"],
        required=False,
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=SpokenLanguage.objects.all(),
        label=_("Languages you speak"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        label=_("Themes you care about"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Volunteer.Status.ACTIVE, _("Active: I can be asked to help")),
            (Volunteer.Status.PAUSED, _("Paused: do not ask me for now")),
        ],
        initial=Volunteer.Status.ACTIVE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, volunteer=None, organisations=None, ask_consent=True, **kwargs):
        initial = kwargs.pop("initial", None) or (self.initial_from(volunteer) if volunteer else {})
        super().__init__(*args, initial=initial, **kwargs)
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=organisations,
                label=_("Your employer"),
                empty_label=None,
                help_text=_("The organisation you volunteer for."),
            )
            self.order_fields(["organisation"])
        self.skills = list(Skill.objects.all())
        levels = [("", _("No")), *VolunteerSkill.Level.choices]
        for skill in self.skills:
            self.fields[f"{SKILL_PREFIX}{skill.code}"] = forms.TypedChoiceField(
                label=skill.name, choices=levels, coerce=int, empty_value=None, required=False
            )
        if ask_consent:
            self.fields["consent"] = forms.BooleanField(
                label=_("I agree to the privacy terms"),
                help_text=_(
                    "Your profile is seen only by you, the administrators of your organisation and the "
                    "coordinators of Brainport voor Elkaar. We use it to suggest volunteering work that suits "
                    "you. You can pause your profile at any time."
                ),
                error_messages={"required": _("Agree to the privacy terms to register as a volunteer.")},
            )
        self.style_fields()

    @staticmethod
    def initial_from(volunteer: Volunteer) -> dict:
        """The form's starting values from a volunteer loaded `with_related()`."""
        moments = {
            "weekdays": volunteer.available_weekdays,
            "evenings": volunteer.available_evenings,
            "weekends": volunteer.available_weekends,
        }
        return {
            "municipality": volunteer.municipality_id,
            "travel_km": volunteer.travel_km,
            "remote_ok": volunteer.remote_ok,
            "hours_per_month": volunteer.hours_per_month,
            "availability": [moment for moment, chosen in moments.items() if chosen],
            "languages": [language.pk for language in volunteer.languages.all()],
            "themes": [theme.pk for theme in volunteer.themes.all()],
            "status": volunteer.status,
            "consent": volunteer.consent_at is not None,
            **{f"{SKILL_PREFIX}{vs.skill.code}": vs.level for vs in volunteer.volunteer_skills.all()},
        }

    def skill_groups(self) -> list:
        """(category label, whether any is chosen, bound fields) in the taxonomy's order, for fieldsets."""
        groups = {category: [] for category in SkillCategory.values}
        for skill in self.skills:
            groups.setdefault(skill.category, []).append(self[f"{SKILL_PREFIX}{skill.code}"])
        labels = dict(SkillCategory.choices)
        return [
            (labels.get(category, category), any(field.value() not in (None, "") for field in fields), fields)
            for category, fields in groups.items()
            if fields
        ]

    def other_fields(self) -> list:
        return [self[name] for name in self.fields if not name.startswith(SKILL_PREFIX) and name != "consent"]

    def profile(self) -> dict:
        """The cleaned data as the services take it."""
        data = self.cleaned_data
        moments = set(data["availability"])
        return {
            "municipality": data["municipality"],
            "travel_km": data["travel_km"],
            "remote_ok": data["remote_ok"],
            "hours_per_month": data["hours_per_month"],
            "available_weekdays": "weekdays" in moments,
            "available_evenings": "evenings" in moments,
            "available_weekends": "weekends" in moments,
            "languages": data["languages"],
            "themes": data["themes"],
            "status": data["status"],
            "skills": {
                skill: data[f"{SKILL_PREFIX}{skill.code}"]
                for skill in self.skills
                if data.get(f"{SKILL_PREFIX}{skill.code}") is not None
            },
        }


class VolunteerImportForm(StyledForm, forms.Form):
    file = forms.FileField(
        label=_("CSV file with your volunteers"), widget=forms.FileInput(attrs={"accept": ".csv,text/csv"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A .csv file of at most %(kb)s kB and %(rows)s rows, separated by semicolons or commas."
        ) % {"kb": csv_import.MAX_BYTES // 1000, "rows": csv_import.MAX_ROWS}

    def add_error(self, field, error):
        # A service's refusal arrives after validation: mark the field for assistive technology as well.
        super().add_error(field, error)
        attrs = self.fields[field].widget.attrs if field in self.fields else None
        if attrs is not None and "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.cleaned_data["text"] = csv_import.read_upload(uploaded)
        except csv_import.CsvFileError as error:
            raise forms.ValidationError(error.message) from error
        return uploaded


class WelcomeForm(StyledForm, SetPasswordForm):
    """An imported person chooses their password through the welcome link (Django's checks of a new password)."""
