"""Forms of the privacy pages: confirming an account's deletion, and answering a new privacy statement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import StyledForm


class AccountDeleteForm(StyledForm, forms.Form):
    """The person confirms with their password; an account that never had one (imported, never logged in with a
    password) confirms by typing its email address."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                help_text=_("To be sure it is you."),
            )
        else:
            self.fields["email"] = forms.CharField(
                label=_("Your email address"), help_text=_("Type your email address to confirm it is you.")
            )
        self.style_fields()

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password. Nothing was deleted."))
        return password

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not your email address. Nothing was deleted."))
        return email
