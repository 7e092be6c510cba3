"""The filters of the impact pages, read from the address so that a filtered view can be shared."""

import calendar

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models.reference import Subregion

from .impact import ImpactFilter


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    date_to = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned

    def impact_filter(self, **extra) -> ImpactFilter:
        """The filter of the valid fields; an invalid form filters nothing (its errors are shown)."""
        if not self.is_valid():
            return ImpactFilter(**extra)
        data = self.cleaned_data
        return ImpactFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            subregion=data.get("subregion") or "",
            programme=data.get("programme") or "",
            **extra,
        )


class MonthField(forms.DateField):
    """A month ("2026-03"; a full date counts as its month), cleaned to the month's first day, or to its last day
    with `end=True`. The dashboard filters by whole months, which its snapshot answers exactly."""

    widget = forms.DateInput(attrs={"type": "month", "class": "form-control", "placeholder": "2026-01"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def __init__(self, *args, end=False, **kwargs):
        self.end = end
        super().__init__(*args, input_formats=self.input_formats, **kwargs)
        self.widget.format = "%Y-%m"

    def to_python(self, value):
        day = super().to_python(value)
        if day is None:
            return None
        if self.end:
            return day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return day.replace(day=1)


class ImpactFilterForm(PeriodForm):
    """Period (whole months), subregion and programme. The programmes are passed in (already read), so the form
    costs no query of its own."""

    date_from = MonthField(label=_("From (month)"), required=False, help_text=_("For example 2026-01."))
    date_to = MonthField(
        label=_("Up to and including (month)"), required=False, end=True, help_text=_("For example 2026-12.")
    )

    subregion = forms.ChoiceField(
        label=_("Subregion"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    programme = forms.ChoiceField(
        label=_("Programme"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subregion"].choices = [("", _("All subregions")), *Subregion.choices]
        self.fields["programme"].choices = [("", _("All programmes"))] + [(p.code, p.name) for p in programmes]
