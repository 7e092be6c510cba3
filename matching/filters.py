"""Filters for the coordinators' workspace: the review queue and the needs nobody answers. Each is applied to
a queryset already limited to what the user may see, and filters by joins that are one-to-one from a match
or a need (never to-many), so no row appears twice and counting the pages stays one cheap query."""

from html import escape

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from members.forms.base import StyledForm
from members.models import Municipality, Need, Organisation, Programme, Subregion

from .models import Match


class FilterForm(StyledForm, forms.Form):
    pass


class LongSelect(forms.Select):
    """A select for long lists (the region's organisations), and for every list of the review queue's filter,
    which each coordinator's request renders: its options are written here rather than through one template
    each, so a thousand of them cost milliseconds, not a fifth of a second."""

    def render(self, name, value, attrs=None, renderer=None):
        # Straight from the choices: building Django's option dictionaries for each of them is what is slow.
        chosen = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in (None, "")}
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>{escape(str(label))}</option>'
            for key, label in self.choices
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        # Safe: every value and label is escaped above, and flatatt escapes the attributes.
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final_attrs)}>{options}</select>')


def organisations_with_needs() -> list[tuple[str, str]]:
    """(slug, name) of every organisation that has posted a need: plain rows, no model instances, because
    there are two thousand of them."""
    return list(
        Organisation.objects.filter(Exists(Need.objects.filter(organisation=OuterRef("pk"))))
        .order_by("name")
        .values_list("slug", "name")
    )


class ReviewQueueFilter(django_filters.FilterSet):
    """Proposals by the need's programme, place and organisation, by who started them, and by a lowest score."""

    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        field_name="need__programme",
        queryset=Programme.objects.all(),
        to_field_name="code",
        empty_label=_("All programmes"),
        widget=LongSelect,
    )
    subregion = django_filters.ChoiceFilter(
        label=_("Subregion"),
        field_name="need__municipality__subregion",
        choices=Subregion.choices,
        empty_label=_("All subregions"),
        widget=LongSelect,
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        field_name="need__municipality",
        queryset=Municipality.objects.all(),
        empty_label=_("All municipalities"),
        widget=LongSelect,
    )
    organisation = django_filters.ChoiceFilter(
        label=_("Organisation asking"),
        field_name="need__organisation__slug",
        choices=organisations_with_needs,
        empty_label=_("All organisations"),
        widget=LongSelect,
    )
    source = django_filters.ChoiceFilter(
        label=_("Started by"),
        choices=[(Match.Source.ENGINE, _("Matching")), (Match.Source.VOLUNTEER, _("The volunteer"))],
        empty_label=_("Matching or the volunteer"),
    )
    min_score = django_filters.NumberFilter(
        label=_("Lowest score"),
        field_name="score",
        lookup_expr="gte",
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
        help_text=_("Between 0 and 1."),
    )

    class Meta:
        model = Match
        fields = []
        form = FilterForm


class UnansweredNeedFilter(django_filters.FilterSet):
    """Open needs nobody answers, by programme, place and organisation."""

    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.all(), to_field_name="code", empty_label=_("All programmes")
    )
    subregion = django_filters.ChoiceFilter(
        label=_("Subregion"),
        field_name="municipality__subregion",
        choices=Subregion.choices,
        empty_label=_("All subregions"),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.all(), empty_label=_("All municipalities")
    )
    organisation = django_filters.ChoiceFilter(
        label=_("Organisation asking"),
        field_name="organisation__slug",
        choices=organisations_with_needs,
        empty_label=_("All organisations"),
        widget=LongSelect,
    )

    class Meta:
        model = Need
        fields = []
        form = FilterForm
