"""Factories for offers: explicit data, overridable per test."""

import factory

from members.models import Offer
from tests.factories import OrganisationFactory, municipality


class OfferFactory(factory.django.DjangoModelFactory):
    """A draft offer of five data analysts, 40 hours each, in Eindhoven.

    `municipalities` takes names (default: Eindhoven); pass `municipalities=[]` with `remote=True` for
    remote work. `skills` and `themes` take model instances.
    """

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Data-analisten {n}")
    description = "Onze analisten helpen graag met cijfers."
    kind = Offer.Kind.SKILLS
    people = 5
    hours_each = 40
    status = Offer.Status.DRAFT
    created_by = None

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create:
            names = ["Eindhoven"] if extracted is None else extracted
            self.municipalities.set([municipality(name) for name in names])

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)
