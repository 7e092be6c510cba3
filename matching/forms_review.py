"""Forms of the coordinators' review workspace. They validate and clean; the views pass `cleaned_data` to the
services in `matching.services`, which hold the rules (a rejection needs a note, only proposals move)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms.base import StyledForm

from .models import MatchEvent, ReviewPolicy

NOTE_MAX = MatchEvent._meta.get_field("note").max_length


class IdListField(forms.Field):
    """The ids of the ticked checkboxes (any number, each a positive whole number)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            ids = [int(item) for item in (value or [])]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(
                _("The selection could not be read; please tick the proposals again.")
            ) from error
        if any(pk <= 0 for pk in ids):
            raise forms.ValidationError(_("The selection could not be read; please tick the proposals again."))
        return ids


class ReviewForm(StyledForm, forms.Form):
    """Approve or reject one proposal; the buttons send the decision."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))], widget=forms.HiddenInput, label=_("Decision")
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the match's history. Required when you reject."),
    )


class BulkApproveForm(StyledForm, forms.Form):
    """Approve the ticked proposals, or (with `all`) every proposal of the current selection."""

    match = IdListField(required=False)
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note for all of them"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("Kept in the history of each approved match."),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all") and not cleaned.get("match") and "match" not in self.errors:
            raise forms.ValidationError(_("Tick at least one proposal, or approve all proposals in this selection."))
        return cleaned


class ReplaceForm(StyledForm, forms.Form):
    """Choose another of the need's candidates instead of the proposed one; `choices` are the candidates'
    keys ("volunteer:12", "offer:3") with their labels."""

    candidate = forms.ChoiceField(
        label=_("Candidate"), widget=forms.RadioSelect, error_messages={"required": _("Choose a candidate.")}
    )
    note = forms.CharField(
        label=_("Why this candidate instead?"),
        max_length=NOTE_MAX,
        error_messages={"required": _("Please say why, for the history and for whoever looks next.")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the history of both matches."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = choices
        self.fields["candidate"].error_messages["invalid_choice"] = _(
            "Choose one of the candidates shown; the list may have changed."
        )


class ReviewPolicyForm(StyledForm, forms.ModelForm):
    """The review policy's two settings; `services.review_policy_update` saves them."""

    class Meta:
        model = ReviewPolicy
        fields = ["auto_approve", "auto_approve_min_score"]
        widgets = {"auto_approve_min_score": forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"})}
