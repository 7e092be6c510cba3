"""Factories for needs: explicit data, overridable per test."""

import datetime

import factory
from django.db import connection
from django.utils import timezone

from members.models import Need, NeedSkill, Programme, Skill, SpokenLanguage, Theme, WorkLocation
from members.models.needs import need_search_vector
from tests.factories import OrganisationFactory, municipality


def programme(code="corporate-volunteering"):
    return Programme.objects.get(code=code)


def theme(code):
    return Theme.objects.get(code=code)


def skill(code):
    return Skill.objects.get(code=code)


def language(code):
    return SpokenLanguage.objects.get(code=code)


class NeedFactory(factory.django.DjangoModelFactory):
    """An open one-off need in Eindhoven for one volunteer, 8 hours, starting 1 March 2031.

    `themes` and `languages` take instances; `skills` takes a mapping of skill → required. On PostgreSQL
    the search vector is filled, as the services do.
    """

    class Meta:
        model = Need
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, kind="social")
    title = factory.Sequence(lambda n: f"Hulpvraag {n}")
    description = "Wij zoeken iemand die een dag wil helpen."
    programme = factory.LazyFunction(programme)
    kind = Need.Kind.ONE_OFF
    location = WorkLocation.ON_SITE
    municipality = factory.LazyFunction(municipality)
    start_date = datetime.date(2031, 3, 1)
    estimated_hours = 8
    volunteers_needed = 1
    status = Need.Status.OPEN
    published_at = factory.LazyAttribute(lambda need: timezone.now() if need.status != Need.Status.DRAFT else None)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            NeedSkill.objects.bulk_create(
                NeedSkill(need=self, skill=wanted, required=required) for wanted, required in extracted.items()
            )

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        if create and connection.vendor == "postgresql":
            Need.objects.filter(pk=self.pk).update(search_vector=need_search_vector())
