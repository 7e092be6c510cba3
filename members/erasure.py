"""Erasing a person's name and email address from free texts and JSON that others wrote or that were made about
them: notes, descriptions, notification payloads, admin history.

A deleted account's own texts are emptied by the services; these helpers take their name and addresses out of
everything else. Matching uses them too (for notes and feedback about a match), so the rule is written once.
"""

import json
import re

from django.db.models import Q, TextField
from django.db.models.functions import Cast

# What stands where a name or an address was.
ERASED = "[…]"


def terms_of(*values) -> list[str]:
    """The strings to erase: each non-empty value once, longest first (a full name before a part of it)."""
    terms = {value.strip() for value in values if value and value.strip()}
    return sorted(terms, key=len, reverse=True)


def _pattern(terms) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def scrub_text(text: str, terms) -> str:
    pattern = _pattern(terms)
    return pattern.sub(ERASED, text) if pattern and text else text


def scrub_value(value, terms):
    """`value` (a JSON document: dicts, lists, strings) with every term erased from its strings and keys."""
    if isinstance(value, str):
        return scrub_text(value, terms)
    if isinstance(value, list):
        return [scrub_value(item, terms) for item in value]
    if isinstance(value, dict):
        return {scrub_text(key, terms): scrub_value(item, terms) for key, item in value.items()}
    return value


def _mentions(field: str, terms, *, json_field: bool) -> Q:
    """Rows whose `field` holds any of the terms, case-insensitively. A JSON field is searched as its text, in
    both spellings a database may keep a non-ASCII character in (as is, or escaped as \\uXXXX)."""
    lookup = f"{field}_text__icontains" if json_field else f"{field}__icontains"
    condition = Q()
    for term in terms:
        condition |= Q(**{lookup: term})
        escaped = json.dumps(term)[1:-1]
        if json_field and escaped != term:
            condition |= Q(**{lookup: escaped})
    return condition


def scrub_rows(queryset, *, text_fields=(), json_fields=(), terms) -> int:
    """Erase the terms from the given fields of every row of `queryset` that mentions one of them. Returns how
    many rows changed: one query to find them, one per 500 to write them."""
    terms = list(terms)
    if not terms or not (text_fields or json_fields):
        return 0
    annotations = {f"{field}_text": Cast(field, TextField()) for field in json_fields}
    condition = Q()
    for field in text_fields:
        condition |= _mentions(field, terms, json_field=False)
    for field in json_fields:
        condition |= _mentions(field, terms, json_field=True)
    rows = list(queryset.annotate(**annotations).filter(condition).only("pk", *text_fields, *json_fields))
    for row in rows:
        for field in text_fields:
            setattr(row, field, scrub_text(getattr(row, field) or "", terms))
        for field in json_fields:
            setattr(row, field, scrub_value(getattr(row, field), terms))
    queryset.model.objects.bulk_update(rows, [*text_fields, *json_fields], batch_size=500)
    return len(rows)
