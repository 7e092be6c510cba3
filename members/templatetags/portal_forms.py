"""The form error summary: one per page, focused after a failed submit, with a link to each field to correct."""

from django import template

register = template.Library()

# Widgets drawn as a group of inputs: their label points at no single input, so the link goes to the first one.
GROUPED = {"radioselect", "checkboxselectmultiple"}


def _target(bound_field) -> str:
    if bound_field.widget_type in GROUPED:
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


@register.inclusion_tag("forms/_error_summary.html")
def error_summary(*forms):
    """Render the page's error summary for all its forms. A form summarised here is not summarised again by its
    own template (`forms/div.html`), so a page with two forms shows one summary."""
    forms = [form for form in forms if form is not None]
    general, at_fields = [], []
    for form in forms:
        form.error_summary_shown = True
        if not form.is_bound:
            continue
        general.extend(form.non_field_errors())
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            bound = form[name]
            if bound.is_hidden:
                general.extend(errors)
                continue
            at_fields.extend((_target(bound), bound.label, error) for error in errors)
    return {"general": general, "at_fields": at_fields, "has_errors": bool(general or at_fields)}
