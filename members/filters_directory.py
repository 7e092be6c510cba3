"""The public member directory's filters, applied to active member organisations only."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import StyledForm
from .models import Municipality, Organisation, Subregion


class DirectoryFilterForm(StyledForm, forms.Form):
    pass


class DirectoryFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        lookup_expr="icontains",
        label=_("Search by name"),
        max_length=150,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"), choices=Organisation.Kind.choices, empty_label=_("All kinds")
    )
    subregion = django_filters.ChoiceFilter(
        field_name="municipality__subregion",
        label=_("Subregion"),
        choices=Subregion.choices,
        empty_label=_("All subregions"),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.all(), empty_label=_("All municipalities")
    )
    inclusive = django_filters.BooleanFilter(
        label=_("Only inclusive employers"), widget=forms.CheckboxInput, method="filter_inclusive"
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "subregion", "municipality", "inclusive"]
        form = DirectoryFilterForm

    def filter_inclusive(self, queryset, name, value):
        # An unticked box means "everyone", not "only those who are not inclusive employers".
        return queryset.filter(is_inclusive_employer=True, inclusive_confirmed_at__isnull=False) if value else queryset
