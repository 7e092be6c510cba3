"""What every form of the portal shares: accessible Bootstrap rendering."""

from django import forms
from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Every form renders with the portal's accessible Bootstrap markup (templates/forms/)."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


class StyledForm:
    """Gives each widget Bootstrap's class and marks invalid fields for assistive technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

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
