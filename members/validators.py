"""Rules for single values that many forms and services share.

One line of plain text: names and titles end up in email headers, CSV exports and page titles, where a line
break or another control character breaks the line or smuggles in a header. Every single-line form field
(`forms.base.StyledForm`) and every service that takes a name from elsewhere asks `validate_single_line`.

Dates in a sane range: a need or offer dated 0001-01-01 or 9999-12-31 is a typo, and breaks date arithmetic
downstream. `date_range_errors` is asked by the need and offer data rules.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# C0 and C1 control characters (tab, CR and LF among them), DEL, and Unicode's line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 10


def validate_single_line(value) -> None:
    """Refuse a value with a line break, tab or other control character."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Use one line of plain text: line breaks, tabs and other control characters are not allowed."),
            code="control_characters",
        )


def single_line_errors(values: dict) -> dict[str, list[str]]:
    """The problems of one-line text values, by field name: for services that take names from elsewhere."""
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        try:
            validate_single_line(value)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    return errors


def require_single_line(values: dict) -> None:
    """Raise a ValidationError by field when any of the values is not one line of plain text."""
    errors = single_line_errors(values)
    if errors:
        raise ValidationError(errors)


def latest_date(today: date | None = None) -> date:
    """The last date a need or offer may name: ten years from today (28 February in a leap-day's place)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_range_errors(values: dict, *, today: date | None = None) -> dict[str, list[str]]:
    """The dates among `values` (by field name; None is skipped) outside 2000-01-01 .. today + 10 years."""
    earliest, latest = EARLIEST_DATE, latest_date(today)
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        if isinstance(value, date) and not earliest <= value <= latest:
            errors.setdefault(field, []).append(
                _("Choose a date from %(earliest)s to %(latest)s.")
                % {"earliest": date_format(earliest), "latest": date_format(latest)}
            )
    return errors
