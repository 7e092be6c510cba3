"""What every form of the portal shares: accessible Bootstrap rendering, and one line of plain text in every
single-line text field."""

from django import forms
from django.forms.renderers import TemplatesSetting

from ..validators import validate_single_line


class PortalFormRenderer(TemplatesSetting):
    """Every form renders with the portal's accessible Bootstrap markup (templates/forms/)."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


class StyledForm:
    """Gives each widget Bootstrap's class, marks invalid fields for assistive technology, and refuses control
    characters (line breaks, tabs, escapes) in every single-line text field; text areas keep their lines."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.limit_to_one_line()

    def limit_to_one_line(self):
        for field in self.fields.values():
            single_line = isinstance(field, forms.CharField) and not isinstance(
                field.widget, (forms.Textarea, forms.PasswordInput)
            )
            if single_line and validate_single_line not in field.validators:
                field.validators.append(validate_single_line)

    def style_fields(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def full_clean(self):
        # Marked once validation has run, never from __init__: reading `errors` there would validate the form
        # before a subclass finishes setting up its fields (a disabled field would count as missing).
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        super().add_error(field, error)
        # A service's refusal, put next to a field after validation, marks that field too.
        if self.is_bound and hasattr(self, "cleaned_data"):
            self._mark_invalid()

    def _mark_invalid(self):
        for name in self._errors:
            attrs = self.fields[name].widget.attrs if name in self.fields else None
            if attrs is not None and "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
