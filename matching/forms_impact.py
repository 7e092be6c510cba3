"""The filters of the impact pages, read from the address so that a filtered view can be shared."""

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


class ImpactFilterForm(PeriodForm):
    """Period, subregion and programme. The programmes are passed in (already read), so the form costs no
    query of its own."""

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
