"""Factories for volunteers and CSV files of volunteers: explicit data, overridable per test."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.models import Membership, Skill, SpokenLanguage, Volunteer, VolunteerSkill
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, municipality

HEADER = [
    "email",
    "full_name",
    "municipality",
    "skills",
    "languages",
    "hours_per_month",
    "travel_km",
    "remote",
    "availability",
]


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A volunteer who agreed to the privacy terms, with a member's membership of their organisation."""

    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    municipality = factory.LazyFunction(municipality)
    travel_km = 15
    hours_per_month = 8
    consent_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                user=self.user,
                organisation=self.organisation,
                defaults={"role": extracted or Membership.Role.VOLUNTEER},
            )

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        """skills={"data-analysis": 3}: skill codes and levels."""
        if create and extracted:
            for code, level in extracted.items():
                VolunteerSkill.objects.create(volunteer=self, skill=Skill.objects.get(code=code), level=level)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        """languages=["nl", "uk"]: language codes."""
        if create and extracted:
            self.languages.set(SpokenLanguage.objects.filter(code__in=extracted))


def admin_of(organisation=None, **kwargs):
    """An admin membership, of a new company unless one is given."""
    if organisation is not None:
        kwargs["organisation"] = organisation
    return MembershipFactory(role=Membership.Role.ADMIN, **kwargs)


def volunteer_row(n, **overrides):
    """The cells of one CSV row for person `n`, as a dict by column name."""
    row = {
        "email": f"collega{n}@asml.example",
        "full_name": f"Collega {n}",
        "municipality": "Veldhoven",
        "skills": "data-analysis:expert|Communicatie",
        "languages": "nl|en",
        "hours_per_month": "8",
        "travel_km": "20",
        "remote": "ja",
        "availability": "evenings|weekends",
    }
    row.update(overrides)
    return row


def csv_text(rows, *, delimiter=";", header=None, bom=False, newline="\r\n") -> str:
    header = header or HEADER
    lines = [delimiter.join(header)]
    for row in rows:
        cells = []
        for column in header:
            value = str(row.get(column, ""))
            if delimiter in value or '"' in value:
                value = '"' + value.replace('"', '""') + '"'
            cells.append(value)
        lines.append(delimiter.join(cells))
    return ("\ufeff" if bom else "") + newline.join(lines) + newline


def csv_upload(text, *, name="vrijwilligers.csv", content_type="text/csv", encoding="utf-8"):
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return SimpleUploadedFile(name, data, content_type=content_type)
