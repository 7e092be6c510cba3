"""Forms for inclusive employers: the organisation's declaration and a coordinator's review of it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import StyledForm


class InclusiveDeclareForm(StyledForm, forms.Form):
    declared = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes", widget=forms.HiddenInput
    )


class InclusiveReviewForm(StyledForm, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm: it counts as an inclusive employer")), ("withdraw", _("Withdraw"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the organisation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Required when you withdraw: say why."),
    )

    def __init__(self, *args, state: str, **kwargs):
        super().__init__(*args, **kwargs)
        # What can still be decided: a confirmed declaration can only be withdrawn, a withdrawn one confirmed.
        self.fields["decision"].choices = [
            (value, label)
            for value, label in self.fields["decision"].choices
            if not (state == "confirmed" and value == "confirm") and not (state == "withdrawn" and value == "withdraw")
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "withdraw" and not cleaned.get("note", "").strip():
            self.add_error("note", _("Tell the organisation why its declaration is withdrawn."))
        return cleaned
