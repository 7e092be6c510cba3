"""Forms for accounts, membership applications, organisations and invitations."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from ..models import Frequency, Membership, Municipality, Organisation, User
from ..notifications import CONFIGURABLE_KINDS
from .base import StyledForm


class OrganisationForm(StyledForm, forms.ModelForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(), label=_("Municipality"), empty_label=_("Choose a municipality")
    )
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", _("Choose a kind of organisation")), *Organisation.Kind.choices],
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "municipality",
            "description",
            "website",
            "is_inclusive_employer",
            "may_be_named_publicly",
        ]
        labels = {
            "name": _("Name of the organisation"),
            "kind": _("Kind of organisation"),
            "description": _("What does your organisation do?"),
            "website": _("Website"),
            "is_inclusive_employer": _("We are an inclusive employer (we give people who need support a job)"),
            "may_be_named_publicly": _("You may name our organisation on the public impact page"),
        }
        help_texts = {
            "website": _("For example https://www.example.nl"),
            "is_inclusive_employer": _("A coordinator confirms this before it counts toward the target."),
            "may_be_named_publicly": _(
                "For example among the inclusive employers of its subregion. Without this, the public pages "
                "count your work but never name you."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ApplicationForm(OrganisationForm):
    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        help_text=_("Tell us briefly what your organisation wants to give or needs."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class NewAccountForm(StyledForm, forms.Form):
    """The applicant's or invitee's own account."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Your email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits and not a common password."),
    )

    def clean_email(self):
        # Whether the address has an account is not said here: the page answers the same either way and the
        # service tells the owner (services.AccountExists).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class InvitationSignupForm(NewAccountForm):
    """Accepting an invitation without an account: the address is the invited one."""

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = email
        self.fields["email"].disabled = True


class DecisionForm(StyledForm, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the applicant"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("note", "").strip():
            self.add_error("note", _("Please tell the applicant why the application is rejected."))
        return cleaned


class InvitationForm(StyledForm, forms.Form):
    email = forms.EmailField(label=_("Email address of your colleague"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(StyledForm, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ProfileForm(StyledForm, forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=User._meta.get_field("preferred_language").choices)


class PreferencesForm(StyledForm, forms.Form):
    """One choice per kind of notification."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in CONFIGURABLE_KINDS:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Frequency.choices,
                initial=current.get(kind.value, Frequency.IMMEDIATELY),
                widget=forms.RadioSelect,
            )
        self.style_fields()


class ContactForm(StyledForm, forms.Form):
    message = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=_("Say who you are and what you would like to do together. The coordinators answer by email."),
    )
