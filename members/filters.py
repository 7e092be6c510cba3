"""Filters for the public list of needs. Applied to a queryset already limited to what the user may see.

Filters on themes, skills and languages use EXISTS subqueries rather than joins, so a need is never counted
twice and the list needs no DISTINCT: counting the results for the pages stays one cheap query.
"""

import re

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramStrictWordSimilarity
from django.db import connections
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from .forms.base import StyledForm
from .geo import distances_from
from .models import Municipality, Need, NeedSkill, Programme, Skill, SpokenLanguage, Subregion, Theme, WorkLocation

NEWEST = ("-published_at", "-id")


# At most this many words of a search take part in the prefix query.
PREFIX_WORDS = 8


def search_postgresql(queryset, value: str):
    """Needs that match the search, closest first. A need matches when every word is found

    - as written, stemmed in Dutch or English, in the title or description ("taalmaatjes" finds "taalmaatje";
      quotes and -word work as in a web search engine), or
    - as the start of a word (Dutch joins words: "taal" finds "taalmaatje", "budget" finds "budgetcoach").

    When nothing matches that way, the search is compared with parts of the titles by trigrams instead: a
    typo ("taalmatje") or a part inside a word ("maatje") still finds the needs whose title has a stretch
    that close (pg_trgm's word similarity, threshold 0.6). Trigrams only as the fallback: comparing them with
    every title costs more than the rest of the page (docs/PERFORMANCE.md).

    The rank adds the full-text rank and the trigram similarity of the search to the title's closest whole
    words, so a title holding the word as typed comes first ("taal": "eenvoudige taal" before "taalmaatje"). Uses the GIN indexes on `search_vector` and on the titles' trigrams."""
    query = SearchQuery(value, config="dutch", search_type="websearch") | SearchQuery(
        value, config="english", search_type="websearch"
    )
    words = re.findall(r"[^\W_]+", value.lower())[:PREFIX_WORDS]
    if words:
        query |= SearchQuery(" & ".join(f"{word}:*" for word in words), config="simple", search_type="raw")
    similarity = TrigramStrictWordSimilarity(Value(value), "title")
    found = queryset.filter(search_vector=query)
    if not found.exists():
        return queryset.filter(title__trigram_word_similar=value).annotate(rank=similarity)
    return found.annotate(rank=SearchRank(F("search_vector"), query) + similarity)


class NeedFilterForm(StyledForm, forms.Form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sort") == NeedFilter.NEAREST and not cleaned.get("near") and "near" not in self.errors:
            self.add_error("near", _("Choose the municipality to measure the distance from."))
        return cleaned


class NeedFilter(django_filters.FilterSet):
    RELEVANCE, NEWEST, SOONEST, NEAREST = "", "newest", "soonest", "nearest"

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        to_field_name="code",
        empty_label=_("All programmes"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="code",
        empty_label=_("All themes"),
        method="with_theme",
    )
    skill = django_filters.ModelChoiceFilter(
        label=_("Skill"),
        queryset=Skill.objects.all(),
        to_field_name="code",
        empty_label=_("All skills"),
        method="with_skill",
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.all(), empty_label=_("All municipalities")
    )
    subregion = django_filters.ChoiceFilter(
        label=_("Subregion"),
        choices=Subregion.choices,
        field_name="municipality__subregion",
        empty_label=_("All subregions"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind of help"), choices=Need.Kind.choices, empty_label=_("All kinds"))
    remote = django_filters.BooleanFilter(
        label=_("Only work you can do (partly) from home"), method="remote_only", widget=forms.CheckboxInput
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        queryset=SpokenLanguage.objects.all(),
        to_field_name="code",
        empty_label=_("All languages"),
        method="with_language",
    )
    starts_from = django_filters.DateFilter(
        label=_("Starts on or after"),
        method="starting_from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needs with flexible dates are always shown."),
    )
    starts_until = django_filters.DateFilter(
        label=_("Starts on or before"),
        method="starting_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            (NEWEST, _("Newest first")),
            (SOONEST, _("Starting soonest")),
            (NEAREST, _("Nearest first")),
        ],
        empty_label=_("Best match"),
        method="applied_last",
    )
    near = django_filters.ModelChoiceFilter(
        label=_("Distance from"),
        queryset=Municipality.objects.all(),
        empty_label=_("Choose a municipality"),
        method="applied_last",
    )

    class Meta:
        model = Need
        fields = []
        form = NeedFilterForm

    def search(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        if connections[queryset.db].vendor == "postgresql":
            return search_postgresql(queryset, value)
        for word in words:
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset

    def with_theme(self, queryset, name, value):
        return queryset.filter(Exists(Need.themes.through.objects.filter(need_id=OuterRef("pk"), theme=value)))

    def with_skill(self, queryset, name, value):
        return queryset.filter(Exists(NeedSkill.objects.filter(need_id=OuterRef("pk"), skill=value)))

    def with_language(self, queryset, name, value):
        return queryset.filter(
            Exists(Need.languages.through.objects.filter(need_id=OuterRef("pk"), spokenlanguage=value))
        )

    def remote_only(self, queryset, name, value):
        return queryset.filter(location__in=[WorkLocation.REMOTE, WorkLocation.HYBRID]) if value else queryset

    def starting_from(self, queryset, name, value):
        return queryset.filter(Q(start_date__gte=value) | Q(is_flexible=True))

    def starting_until(self, queryset, name, value):
        return queryset.filter(Q(start_date__lte=value) | Q(is_flexible=True))

    def applied_last(self, queryset, name, value):
        return queryset  # the order is applied once every filter has run, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        cleaned = self.form.cleaned_data
        sort, near = cleaned.get("sort") or self.RELEVANCE, cleaned.get("near")
        if near is not None:
            # One CASE over the region's municipalities: no join, and the distance is shown on each card.
            distances = distances_from(near.pk)
            queryset = queryset.annotate(
                distance=Case(
                    *[When(municipality_id=pk, then=Value(km)) for pk, km in sorted(distances.items())],
                    default=None,
                    output_field=FloatField(),
                )
            )
        if sort == self.NEAREST and near is not None:
            return queryset.order_by(F("distance").asc(nulls_last=True), *NEWEST)
        if sort == self.SOONEST:
            return queryset.order_by(F("start_date").asc(nulls_last=True), *NEWEST)
        if sort == self.RELEVANCE and "rank" in queryset.query.annotations:
            return queryset.order_by("-rank", *NEWEST)
        return queryset.order_by(*NEWEST)
