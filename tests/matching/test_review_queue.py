"""The review queue: what a coordinator sees of each proposal, in which order, filtered how, and at a cost
that does not grow with the number of rows. The builders here are shared by the other review tests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import features
from matching.models import Match
from members.models import Membership, Offer
from tests.factories import MembershipFactory, OrganisationFactory, coordinator, municipality
from tests.factories_needs import NeedFactory, programme
from tests.factories_offers import OfferFactory
from tests.factories_volunteers import VolunteerFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("matching:review-queue")

# What the engine stores with a proposal; shown translated.
REASONS = [
    {"code": "required", "values": {"covered": 2, "total": 2}},
    {"code": "distance", "values": {"km": 3}},
    {"code": "language", "values": {"language": "nl"}},
]
REASON_TEXTS = "covers 2 of 2 required skills · 3 km away · speaks Dutch"


@pytest.fixture(autouse=True)
def fresh_feature_cache():
    features.forget_supply()
    yield
    features.forget_supply()


def charity(**overrides):
    """A social organisation with a contact person (a member) and an admin."""
    organisation = OrganisationFactory(kind="social", **overrides)
    organisation.contact = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    organisation.admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    return organisation


def need_of(organisation=None, *, days_ago=0, **overrides):
    organisation = organisation or charity()
    overrides.setdefault("published_at", timezone.now() - datetime.timedelta(days=days_ago))
    overrides.setdefault("contact_person", getattr(organisation, "contact", None))
    return NeedFactory(organisation=organisation, **overrides)


def proposal(need=None, *, volunteer=None, offer=None, score=0.7, source=Match.Source.ENGINE, **fields):
    """A match waiting for review; a new volunteer of a new company unless a volunteer or offer is given."""
    if volunteer is None and offer is None:
        volunteer = VolunteerFactory()
    return Match.objects.create(
        need=need or need_of(),
        volunteer=volunteer,
        offer=offer,
        score=score,
        source=source,
        reasons=fields.pop("reasons", REASONS),
        **fields,
    )


def offer_of(company=None):
    company = company or OrganisationFactory(kind="company")
    poster = MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user
    return OfferFactory(
        organisation=company, status=Offer.Status.ACTIVE, created_by=poster, title="Vijf data-analisten"
    )


def shown(response) -> list[int]:
    return [match.pk for match in response.context["matches"]]


@pytest.fixture
def coordinator_client(client):
    client.force_login(coordinator())
    return client


# What a row shows ----------------------------------------------------------------------------------


def test_a_row_shows_the_need_the_candidate_the_reasons_and_how_long_it_waits(coordinator_client):
    need = need_of(days_ago=3, title="Taalmaatjes in Woensel", start_date=datetime.date(2031, 3, 1))
    person = VolunteerFactory(user__full_name="Anna de Vries", organisation__name="ASML")
    match = proposal(need, volunteer=person, score=0.84)

    page = coordinator_client.get(QUEUE)

    assert page.status_code == 200
    assert shown(page) == [match.pk]
    text = page.text
    assert f'href="{need.get_absolute_url()}"' in text and "Taalmaatjes in Woensel" in text
    assert need.organisation.name in text
    assert "Anna de Vries · ASML" in text
    assert "score 0.84" in text
    assert REASON_TEXTS in text
    assert "waiting 3 days" in text
    assert "from 1 March 2031" in text
    assert "Proposed by matching" in text
    assert f'name="match" value="{match.pk}" form="review-bulk"' in text
    assert reverse("matching:match-review", args=[match.pk]) in text
    assert reverse("matching:match-replace", args=[match.pk]) in text


def test_an_offer_and_a_volunteers_own_offer_to_help_are_told_apart(coordinator_client):
    analysts = offer_of(OrganisationFactory(kind="company", name="Philips"))
    proposal(offer=analysts)
    proposal(source=Match.Source.VOLUNTEER, score=0.0, reasons=[])

    text = coordinator_client.get(QUEUE).text

    assert "Vijf data-analisten · Philips" in text
    assert "Volunteer offered to help" in text


def test_only_proposals_wait_in_the_queue(coordinator_client):
    waiting = proposal()
    for status in [Match.Status.APPROVED, Match.Status.REJECTED, Match.Status.ACCEPTED]:
        proposal(status=status)

    page = coordinator_client.get(QUEUE)

    assert shown(page) == [waiting.pk]
    assert "1 proposal waiting for review" in page.text


# Priority ------------------------------------------------------------------------------------------


def test_priority_band_then_waiting_then_starting_soonest_then_oldest(coordinator_client):
    published = timezone.now() - datetime.timedelta(days=5)
    same = {"published_at": published, "start_date": datetime.date(2031, 6, 1)}
    low = proposal(need_of(days_ago=30), score=0.52)  # band 5, however long it waited
    top = proposal(need_of(days_ago=0), score=0.97)  # band 10
    fresh = proposal(need_of(days_ago=1), score=0.94)  # band 9, waited one day
    old = proposal(need_of(days_ago=9), score=0.86)  # band 9, waited nine days
    flexible = proposal(need_of(published_at=published, start_date=None, is_flexible=True), score=0.9)
    soon = proposal(need_of(published_at=published, start_date=datetime.date(2031, 1, 2)), score=0.9)
    first_of_two = proposal(need_of(**same), score=0.9)
    second_of_two = proposal(need_of(**same), score=0.88)

    order = shown(coordinator_client.get(QUEUE))

    assert order == [
        top.pk,
        old.pk,  # nine days waiting
        soon.pk,  # five days waiting, starts in January
        first_of_two.pk,  # five days, June: the older proposal first
        second_of_two.pk,
        flexible.pk,  # five days, no start date: last of those
        fresh.pk,  # one day
        low.pk,
    ]


def test_fifty_to_a_page(coordinator_client):
    need = need_of()
    for _ in range(51):
        proposal(need)

    first = coordinator_client.get(QUEUE)
    second = coordinator_client.get(QUEUE + "?page=2")

    assert len(shown(first)) == 50 and len(shown(second)) == 1
    assert "51 proposals waiting for review" in first.text
    assert "Page 1 of 2" in first.text


# Filters -------------------------------------------------------------------------------------------


def filter_world():
    """Two proposals that differ in everything the queue filters by; each filter keeps only `wanted`."""
    helmond = charity(name="Stichting Peelrand", slug="peelrand")
    wanted = proposal(
        need_of(helmond, municipality=municipality("Helmond"), programme=programme("work")),
        score=0.91,
        source=Match.Source.VOLUNTEER,
    )
    other = proposal(need_of(municipality=municipality("Veldhoven")), score=0.4)
    return wanted, other


@pytest.mark.parametrize(
    "query",
    [
        "programme=work",
        "subregion=De+Peel",
        "municipality={helmond}",
        "organisation=peelrand",
        "source=volunteer",
        "min_score=0.9",
    ],
)
def test_each_filter_keeps_only_what_it_asks_for(coordinator_client, query):
    wanted, other = filter_world()

    page = coordinator_client.get(QUEUE + "?" + query.format(helmond=municipality("Helmond").pk))

    assert shown(page) == [wanted.pk]


def test_filters_combine_and_an_engine_filter_leaves_out_volunteers_offers(coordinator_client):
    wanted, other = filter_world()

    assert shown(coordinator_client.get(QUEUE + "?source=engine")) == [other.pk]
    assert shown(coordinator_client.get(QUEUE + "?subregion=De+Peel&min_score=0.95")) == []


def test_an_unreadable_filter_is_shown_as_an_error(coordinator_client):
    proposal()

    page = coordinator_client.get(QUEUE + "?min_score=lots")

    assert page.status_code == 200
    assert page.context["filter"].form.errors["min_score"]
    assert "Enter a number." in page.text


# Cost ----------------------------------------------------------------------------------------------

# session, user, coordinator group, memberships, unread count (navigation); count, ids, rows (the queue);
# programmes, municipalities, organisations (the filter form's choices); and one more to read a chosen
# programme.
QUEUE_QUERIES = 11


def add_varied(n):
    """Rows of every kind: volunteers and offers, volunteer-started, vulnerable people, several charities."""
    organisations = [charity() for _ in range(3)]
    for number in range(n):
        need = need_of(
            organisations[number % 3],
            days_ago=number % 7,
            works_with_vulnerable_people=number % 4 == 0,
            municipality=municipality(["Eindhoven", "Best", "Veldhoven"][number % 3]),
        )
        if number % 3 == 0:
            proposal(need, offer=offer_of(), score=0.5 + number / 200)
        else:
            source = Match.Source.VOLUNTEER if number % 5 == 0 else Match.Source.ENGINE
            proposal(need, score=0.5 + number / 200, source=source)


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("", QUEUE_QUERIES),
        ("?page=1&subregion=Stedelijk+gebied+Eindhoven&source=&min_score=0.1", QUEUE_QUERIES),
        ("?programme=corporate-volunteering", QUEUE_QUERIES + 1),
    ],
)
def test_the_queue_costs_the_same_with_one_row_or_fifty(coordinator_client, django_assert_num_queries, query, queries):
    add_varied(1)
    coordinator_client.get(QUEUE + query)  # caches that outlive a request (language names for the reasons)

    with django_assert_num_queries(queries):
        one = coordinator_client.get(QUEUE + query)
    add_varied(49)
    with django_assert_num_queries(queries):
        many = coordinator_client.get(QUEUE + query)

    assert len(shown(one)) == 1 and len(shown(many)) == 50


def test_the_queue_filters_on_one_row_per_match_however_many_staff_an_organisation_has(coordinator_client):
    organisation = charity()
    for _ in range(3):
        MembershipFactory(organisation=organisation)
    match = proposal(need_of(organisation))

    page = coordinator_client.get(QUEUE + f"?organisation={organisation.slug}")

    assert shown(page) == [match.pk]
    assert page.context["page_obj"].paginator.count == 1


def test_the_organisation_filter_lists_organisations_that_ask_for_help_and_keeps_the_choice(coordinator_client):
    wanted, other = filter_world()
    tricky = charity(name="Zorg & <Welzijn>", slug="zorg-welzijn")
    need_of(tricky)
    OrganisationFactory(kind="company", name="Bedrijf zonder hulpvragen")

    text = coordinator_client.get(QUEUE + "?organisation=peelrand").text

    assert '<option value="peelrand" selected>Stichting Peelrand</option>' in text
    assert '<option value="zorg-welzijn">Zorg &amp; &lt;Welzijn&gt;</option>' in text
    assert "Bedrijf zonder hulpvragen" not in text
    assert '<select name="organisation" class="form-select" id="id_organisation">' in text
