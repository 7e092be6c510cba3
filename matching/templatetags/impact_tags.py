"""How impact figures are shown, and the headline figures for the home page: `{% load impact_tags %}`.

The home page (a members template) shows the public figures through `{% impact_headline %}`, so no Python
import goes from members to matching."""

import datetime
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..impact_public import public_target_rows

register = template.Library()


@register.filter
def impact_cell(value):
    """A table cell: numbers grouped, hours without trailing zeros, dates in the page's language, and a dash
    for what is not recorded."""
    if value is None:
        return _("not recorded")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize(), use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return intcomma(value)
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


@register.inclusion_tag("matching/_impact_headline.html")
def impact_headline():
    """The public headline figures against the targets, from the cache (no query on a hit)."""
    from ..views.impact import public_impact_figures

    figures = public_impact_figures()
    english = (get_language() or "nl").startswith("en")
    return {"figures": figures, "targets": public_target_rows(figures, english=english)}
