"""Factories for tests: explicit data, overridable per test."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import Membership, MembershipApplication, Municipality, Organisation, User
from members.services import coordinator_grant, totp_activate

PASSWORD = "Een-goed-wachtwoord-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="nl_NL")
    preferred_language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=extracted is not False)


def coordinator(*, two_factor=True, **kwargs):
    """A coordinator; with an authenticator app (tests.totp computes its codes) unless `two_factor=False`, when
    every coordinator page sends them to set one up."""
    user = UserFactory(**kwargs)
    coordinator_grant(user=user)
    if two_factor:
        totp_activate(user=user)
    return user


def municipality(name="Eindhoven"):
    return Municipality.objects.get(name=name)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    kind = Organisation.Kind.COMPANY
    municipality = factory.LazyFunction(municipality)
    status = Organisation.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)
    # An inclusive employer made by a test is one a coordinator confirmed, unless the test says otherwise.
    is_inclusive_employer = False
    inclusive_confirmed_at = factory.LazyAttribute(lambda o: timezone.now() if o.is_inclusive_employer else None)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipApplication

    organisation = factory.SubFactory(OrganisationFactory, status=Organisation.Status.PENDING, joined_at=None)
    applicant = factory.SubFactory(UserFactory)
    motivation = "Wij willen graag helpen."
