"""The lists of both sides cost the same number of queries with one match as with fifty."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import HoursEntry, Match, MatchFeedback, MatchParticipant
from members.models import Membership, Offer
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_offers import OfferFactory
from tests.matching.test_sides_permissions import current_need, volunteer_of

pytestmark = pytest.mark.django_db

MANY = 50
Status = Match.Status
# Agreed first, so that the first row already shows participants, hours and feedback.
STATUSES = [Status.ACTIVE, Status.ACCEPTED, Status.APPROVED, Status.PROPOSED, Status.COMPLETED, Status.DECLINED]


def a_match(need, *, status, volunteer=None, offer=None, people=1, hours_by=None):
    """A match in `status`, with what that status brings: participants and hours once agreed, feedback once
    completed."""
    now = timezone.now()
    agreed = status in Match.AGREED_STATUSES
    match = Match.objects.create(
        need=need,
        volunteer=volunteer,
        offer=offer,
        people=people,
        status=status,
        score=0.7,
        need_accepted_at=now if agreed else None,
        supply_accepted_at=now if agreed else None,
    )
    if agreed:
        person = volunteer or hours_by
        MatchParticipant.objects.create(match=match, volunteer=person)
        HoursEntry.objects.create(
            match=match, volunteer=person, date=timezone.localdate() - datetime.timedelta(days=1), hours=2
        )
    if status == Status.COMPLETED:
        MatchFeedback.objects.create(match=match, side="supply", helped=True, rating=4)
    return match


def assert_same_count(client, url, add, *, rows, expected, django_assert_num_queries):
    add(1)
    client.get(url)  # warm what is cached across requests
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert rows(response) == 1
    add(MANY - 1)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert rows(response) == MANY
    return response


def test_my_matches(client, django_assert_num_queries):
    company = OrganisationFactory()
    volunteer = volunteer_of(company)
    offer = OfferFactory(organisation=company, people=5, status=Offer.Status.ACTIVE)
    MembershipFactory(user=volunteer.user, organisation=OrganisationFactory(), role=Membership.Role.ADMIN)
    statuses = itertools.cycle(STATUSES)
    agreed = itertools.cycle(Match.AGREED_STATUSES)
    client.force_login(volunteer.user)

    def add(n):
        for number in range(n):
            need = current_need(OrganisationFactory(kind="social"))
            if number % 3 == 2:  # named by the employer for one of its offers, so agreed
                a_match(need, status=next(agreed), offer=offer, people=2, hours_by=volunteer)
            else:
                a_match(need, status=next(statuses), volunteer=volunteer)

    def rows(response):
        return sum(len(matches) for _step, _label, matches in response.context["groups"])

    # session, user, coordinator check, memberships, unread count; the matches' ids, the matches.
    response = assert_same_count(
        client,
        reverse("matching:my-matches"),
        add,
        rows=rows,
        expected=7,
        django_assert_num_queries=django_assert_num_queries,
    )
    assert {label for _s, label, _m in response.context["groups"]} >= {"Log your hours", "Please answer", "Done"}


@pytest.mark.parametrize("who", ["staff", "coordinator"])
def test_need_matches(client, who, django_assert_num_queries):
    charity = OrganisationFactory(kind="social")
    staff = MembershipFactory(organisation=charity, role=Membership.Role.ADMIN).user
    need = current_need(charity, volunteers_needed=100)
    company = OrganisationFactory()
    statuses = itertools.cycle(STATUSES)
    client.force_login(staff if who == "staff" else coordinator())

    def add(n):
        for _ in range(n):
            a_match(need, status=next(statuses), volunteer=volunteer_of(company))

    response = assert_same_count(
        client,
        reverse("matching:need-matches", args=[need.pk]),
        add,
        rows=lambda r: len(r.context["matches"]),
        # session, user, coordinator check, memberships, unread count; the need, the matches, their
        # participants, the hours waiting; whether the user may complete the need and confirm hours (staff).
        expected={"staff": 11, "coordinator": 10}[who],
        django_assert_num_queries=django_assert_num_queries,
    )
    waiting = HoursEntry.objects.filter(match__need=need, status=HoursEntry.Status.LOGGED).count()
    assert len(response.context["hours_form"].entries) == waiting > 1


@pytest.mark.parametrize("who", ["staff", "coordinator"])
def test_organisation_matches(client, who, django_assert_num_queries):
    charity = OrganisationFactory(kind="social")
    staff = MembershipFactory(organisation=charity, role=Membership.Role.MEMBER).user
    offer = OfferFactory(organisation=charity, people=3, status=Offer.Status.ACTIVE)
    team = volunteer_of(charity)
    company = OrganisationFactory()
    statuses = itertools.cycle(STATUSES)
    client.force_login(staff if who == "staff" else coordinator())

    def add(n):
        for number in range(n):
            if number % 2:  # our offer, for another organisation's need
                a_match(
                    current_need(OrganisationFactory(kind="social")), status=next(statuses), offer=offer, hours_by=team
                )
            else:
                a_match(current_need(charity), status=next(statuses), volunteer=volunteer_of(company))

    response = assert_same_count(
        client,
        reverse("matching:organisation-matches", args=[charity.slug]),
        add,
        rows=lambda r: len(r.context["matches"]),
        # session, user, coordinator check, memberships, unread count; the organisation, count and rows.
        expected={"staff": 8, "coordinator": 8}[who],
        django_assert_num_queries=django_assert_num_queries,
    )
    assert {m.side for m in response.context["matches"]} == {"need", "supply"}
