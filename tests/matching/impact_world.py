"""A small, hand-built world of the region's work, whose every impact figure is known by hand.

Three companies (ASML in Eindhoven; Philips; Kempen Techniek in Bladel), a social organisation in Bladel (De
Kempen) and a pending applicant (not yet a member). Five volunteers: three of ASML (active), one
of Philips paused, one of Philips without consent.

needs (published → first approval)         matches                               confirmed hours
n1 Eindhoven, volunteering, care+language  m1 v1 active, m2 ASML offer: v2, v3   v1 3.5 (Jan), v2 5 (Jan), v3 0
   1 Jan → 5 Jan (4 days)                                                       v1 2 logged, not confirmed (Feb)
n2 Bladel, financial health, poverty       m3 v4 completed                       v4 6 (Mar)
   1 Feb → 11 Feb (10 days); completed 10 Mar, planned 50, reached 40
n3 Eindhoven, digital skills, digi-incl.   m4 v1 completed, m6 v5 rejected       v1 2 (Mar)
   1 Mar → 3 Mar (2 days; again 20 Mar); completed 1 Apr, planned 20, reached 25
n4 open, Eindhoven, published 1 Dec 2025   m5 v3 proposed
n5 open, Bladel, published 15 Feb 2026

n6 Helmond (De Peel), work, completed 20 Mar 2026 (planned 0, reached 0), no matches: it placed 2 people into
   work and 1 into a work-study (BBL) placement with Philips, and 3 into work-study with ASML.

Feedback: m3 both sides "helped" (5 and 4), m4 the need's side "did not help" (2).

Inclusive employers: ASML (confirmed; agreed to be named) and Kempen Techniek in Bladel (confirmed, not named)
count; Buurtkracht Bladel's declaration waits for a coordinator, Philips's was withdrawn, and the applicant is no
member yet.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from matching.models import HoursEntry, Match, MatchEvent, MatchFeedback, MatchParticipant
from members.models import Membership, Need, Organisation, Volunteer, WorkPlacement
from tests.factories import MembershipFactory, OrganisationFactory, municipality
from tests.factories_needs import NeedFactory, programme, theme
from tests.factories_offers import OfferFactory
from tests.factories_volunteers import VolunteerFactory


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@dataclass
class World:
    asml: Organisation
    philips: Organisation
    social: Organisation
    volunteers: list
    needs: list
    matches: list


def build_world() -> World:
    asml = OrganisationFactory(name="ASML", slug="asml", is_inclusive_employer=True, may_be_named_publicly=True)
    philips = OrganisationFactory(
        name="Philips",
        slug="philips",
        is_inclusive_employer=True,
        inclusive_confirmed_at=None,
        inclusive_withdrawn_at=at(2026, 2, 1),
    )
    social = OrganisationFactory(
        name="Buurtkracht Bladel",
        slug="buurtkracht",
        kind="social",
        municipality=municipality("Bladel"),
        is_inclusive_employer=True,
        inclusive_confirmed_at=None,
    )
    OrganisationFactory(
        name="Kempen Techniek", slug="kempen-techniek", municipality=municipality("Bladel"), is_inclusive_employer=True
    )
    OrganisationFactory(
        name="Nog geen lid",
        slug="aanvrager",
        status=Organisation.Status.PENDING,
        is_inclusive_employer=True,
        may_be_named_publicly=True,
    )
    v1, v2, v3 = (VolunteerFactory(organisation=asml) for _ in range(3))
    v4 = VolunteerFactory(organisation=philips, status=Volunteer.Status.PAUSED, municipality=municipality("Bladel"))
    v5 = VolunteerFactory(organisation=philips, consent_at=None)

    n1 = NeedFactory(
        organisation=social,
        status=Need.Status.IN_PROGRESS,
        published_at=at(2026, 1, 1),
        themes=[theme("care"), theme("language")],
    )
    n2 = NeedFactory(
        organisation=social,
        municipality=municipality("Bladel"),
        programme=programme("financial-health"),
        status=Need.Status.COMPLETED,
        published_at=at(2026, 2, 1),
        status_changed_at=at(2026, 3, 10),
        residents_helped=50,
        residents_reached=40,
        themes=[theme("poverty")],
    )
    n3 = NeedFactory(
        organisation=social,
        programme=programme("digital-skills"),
        status=Need.Status.COMPLETED,
        published_at=at(2026, 3, 1),
        status_changed_at=at(2026, 4, 1),
        residents_helped=20,
        residents_reached=25,
        themes=[theme("digital-inclusion")],
    )
    n4 = NeedFactory(organisation=social, published_at=at(2025, 12, 1), title="Taalmaatjes op het werk")
    n5 = NeedFactory(organisation=social, municipality=municipality("Bladel"), published_at=at(2026, 2, 15))
    n6 = NeedFactory(
        organisation=social,
        municipality=municipality("Helmond"),
        programme=programme("work"),
        status=Need.Status.COMPLETED,
        published_at=at(2026, 1, 20),
        status_changed_at=at(2026, 3, 20),
        residents_helped=0,
        residents_reached=0,
        title="BBL-plekken techniek",
    )
    WorkPlacement.objects.create(need=n6, employer=philips, into_work=2, work_study=1)
    WorkPlacement.objects.create(need=n6, employer=asml, into_work=0, work_study=3)

    offer = OfferFactory(organisation=asml, status="active")
    S = Match.Status

    def match(need, status, created, *, volunteer=None, offer=None, people=1):
        return Match.objects.create(
            need=need, volunteer=volunteer, offer=offer, people=people, status=status, score=0.8, created_at=created
        )

    m1 = match(n1, S.ACTIVE, at(2026, 1, 2), volunteer=v1)
    m2 = match(n1, S.ACCEPTED, at(2026, 1, 3), offer=offer, people=2)
    MatchParticipant.objects.bulk_create([MatchParticipant(match=m2, volunteer=v) for v in (v2, v3)])
    m3 = match(n2, S.COMPLETED, at(2026, 2, 5), volunteer=v4)
    m4 = match(n3, S.COMPLETED, at(2026, 3, 2), volunteer=v1)
    m5 = match(n4, S.PROPOSED, at(2026, 3, 5), volunteer=v3)
    m6 = match(n3, S.REJECTED, at(2026, 3, 2), volunteer=v5)
    for m, when in (
        (m1, at(2026, 1, 5)),
        (m2, at(2026, 1, 6)),
        (m3, at(2026, 2, 11)),
        (m4, at(2026, 3, 3)),
        (m6, at(2026, 3, 20)),
    ):
        MatchEvent.objects.create(
            match=m, action="approve", side="coordinator", from_status="proposed", to_status="approved", at=when
        )
    MatchEvent.objects.create(
        match=m6, action="reject", side="coordinator", from_status="approved", to_status="rejected", at=at(2026, 3, 21)
    )

    def hours(m, v, day, logged, confirmed=None):
        HoursEntry.objects.create(
            match=m,
            volunteer=v,
            date=day,
            hours=Decimal(logged),
            status=HoursEntry.Status.LOGGED if confirmed is None else HoursEntry.Status.CONFIRMED,
            confirmed_hours=None if confirmed is None else Decimal(confirmed),
        )

    hours(m1, v1, datetime.date(2026, 1, 10), "4", "3.5")
    hours(m1, v1, datetime.date(2026, 2, 3), "2")
    hours(m2, v2, datetime.date(2026, 1, 20), "5", "5")
    hours(m2, v3, datetime.date(2026, 1, 20), "3", "0")
    hours(m3, v4, datetime.date(2026, 3, 1), "6", "6")
    hours(m4, v1, datetime.date(2026, 3, 15), "2", "2")

    MatchFeedback.objects.create(match=m3, side="need", helped=True, rating=5, created_at=at(2026, 3, 11))
    MatchFeedback.objects.create(match=m3, side="supply", helped=True, rating=4, created_at=at(2026, 3, 12))
    MatchFeedback.objects.create(match=m4, side="need", helped=False, rating=2, created_at=at(2026, 4, 2))
    return World(
        asml=asml,
        philips=philips,
        social=social,
        volunteers=[v1, v2, v3, v4, v5],
        needs=[n1, n2, n3, n4, n5, n6],
        matches=[m1, m2, m3, m4, m5, m6],
    )


def admin_of(organisation):
    return MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user


def sign_in(client, user):
    """Sign `user` in by writing the session directly.

    `client.force_login` goes through the login signals (django-axes records the client's address), which the
    test client's bare request cannot answer while the address handling is being reworked; these tests are
    about the impact pages, not about logging in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client
