"""The offer form: what an organisation offers, validated field by field. The view hands `cleaned_data` to
`services.offer_create` or `services.offer_update`, which check the rules that span fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Municipality, Offer, Skill, Theme
from ..services.offers import offer_rule_errors
from .base import StyledForm


class GroupedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes in a fieldset per group (skill category, subregion), so a long list stays easy to scan and
    each group is announced by screen readers."""

    template_name = "members/_offer_grouped_checkboxes.html"


def grouped(items, group_of):
    """Choices grouped under a label, in the order the items come in."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(str(group_of(item)), []).append((item.pk, str(item)))
    return list(groups.items())


class OfferForm(StyledForm, forms.ModelForm):
    kind = forms.ChoiceField(label=_("Kind of offer"), choices=Offer.Kind.choices, widget=forms.RadioSelect)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=GroupedCheckboxSelectMultiple,
        help_text=_("What your people are good at."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The causes your people would like to work on."),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities served"),
        queryset=Municipality.objects.all(),
        required=False,
        widget=GroupedCheckboxSelectMultiple,
        help_text=_("Where your people can go. Choose at least one, or tick that they can work remotely."),
    )

    class Meta:
        model = Offer
        fields = [
            "title",
            "description",
            "kind",
            "people",
            "hours_each",
            "start_date",
            "end_date",
            "skills",
            "themes",
            "municipalities",
            "remote",
        ]
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "people": _("Number of people"),
            "hours_each": _("Hours per person"),
            "start_date": _("Available from"),
            "end_date": _("Available until"),
            "remote": _("The work can also be done remotely"),
        }
        help_texts = {
            "title": _("For example: 5 data analysts, 40 hours each, in the first quarter."),
            "description": _("What can your people do, and what would they like to do?"),
            "people": _("How many colleagues take part. A team of 12 for one day: 12."),
            "hours_each": _("How many hours each person gives in total. One working day: 8."),
            "start_date": _("Leave both dates empty when the timing is flexible."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query each for the choices; the grouped labels come from the same rows.
        self.fields["skills"].choices = grouped(Skill.objects.all(), lambda skill: skill.get_category_display())
        self.fields["municipalities"].choices = grouped(
            Municipality.objects.all(), lambda municipality: municipality.get_subregion_display()
        )
        for name in ("people", "hours_each"):
            self.fields[name].widget.attrs.update({"min": 1, "inputmode": "numeric"})

    def clean(self):
        cleaned = super().clean()
        errors = offer_rule_errors(
            start_date=cleaned.get("start_date"),
            end_date=cleaned.get("end_date"),
            remote=cleaned.get("remote", False),
            municipalities=cleaned.get("municipalities"),
        )
        for field, messages in errors.items():
            if field not in self.errors:
                self.add_error(field, messages)
        return cleaned
