"""Every impact figure's definition, pinned on the hand-built world of `impact_world` with exact numbers."""

import datetime
from decimal import Decimal

import pytest

from matching import impact
from matching.impact import ImpactFilter
from tests.matching.impact_world import at, build_world

pytestmark = pytest.mark.django_db

ALL = ImpactFilter()
JANUARY = ImpactFilter(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 1, 31))
KEMPEN = ImpactFilter(subregion="De Kempen")
DIGITAL = ImpactFilter(programme="digital-skills")


@pytest.fixture
def world():
    return build_world()


def test_volunteers_deployed_are_distinct_people_with_a_confirmed_hour(world):
    # v1 (3.5 + 2), v2 (5) and v4 (6); v3's hours were confirmed as 0, v1's February hours are unconfirmed.
    assert impact.work_delivered(ALL) == {
        "volunteers_deployed": 3,
        "hours_logged": Decimal("22"),
        "hours_confirmed": Decimal("16.5"),
        "needs_supported": 3,
    }


@pytest.mark.parametrize(
    ("f", "deployed", "logged", "confirmed", "needs"),
    [
        (JANUARY, 2, "12", "8.5", 1),
        (KEMPEN, 1, "6", "6", 1),
        (DIGITAL, 1, "2", "2", 1),
        (ImpactFilter(date_from=datetime.date(2026, 2, 1), date_to=datetime.date(2026, 2, 28)), 0, "2", "0", 0),
    ],
)
def test_work_delivered_follows_the_filter(world, f, deployed, logged, confirmed, needs):
    figures = impact.work_delivered(f)

    assert figures["volunteers_deployed"] == deployed
    assert figures["hours_logged"] == Decimal(logged)
    assert figures["hours_confirmed"] == Decimal(confirmed)
    assert figures["needs_supported"] == needs


def test_registered_and_active_volunteers(world):
    # v4 is paused and v5 gave no consent.
    assert impact.volunteers_registered(ALL) == {"registered": 5, "active": 3}
    assert impact.volunteers_registered(KEMPEN) == {"registered": 1, "active": 0}
    assert impact.volunteers_registered(ImpactFilter(supplier=world.philips.pk)) == {"registered": 2, "active": 0}


def test_matched_volunteers_count_an_offers_named_people_one_by_one(world):
    # agreed: m1 (v1), m2 (the offer's v2 and v3), m3 (v4), m4 (v1 again); v3's proposal and v5's rejection don't.
    assert impact.volunteers_matched(ALL) == 4
    assert impact.volunteers_matched(JANUARY) == 3
    assert impact.volunteers_matched(KEMPEN) == 1
    assert impact.volunteers_matched(ImpactFilter(supplier=world.asml.pk)) == 3


def test_residents_reached_per_programme_with_planned_beside_it(world):
    rows = {row["code"]: row for row in impact.residents_per_programme(ALL)}

    assert {code: (r["reached"], r["planned"], r["needs_completed"]) for code, r in rows.items()} == {
        "corporate-volunteering": (0, 0, 0),
        "work": (0, 0, 1),
        "financial-health": (40, 50, 1),
        "digital-skills": (25, 20, 1),
    }
    assert rows["financial-health"]["target"] == 250_000


def test_residents_reached_count_needs_completed_in_the_period_and_the_subregion(world):
    march = ImpactFilter(date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 31))

    def reached(f):
        return {r["code"]: r["reached"] for r in impact.residents_per_programme(f)}

    assert reached(march)["financial-health"] == 40
    assert reached(march)["digital-skills"] == 0  # completed on 1 April
    assert reached(KEMPEN) == {"corporate-volunteering": 0, "work": 0, "financial-health": 40, "digital-skills": 0}
    assert reached(DIGITAL)["financial-health"] == 0
    assert reached(ImpactFilter(supplier=world.asml.pk))["digital-skills"] == 25
    assert reached(ImpactFilter(supplier=world.asml.pk))["financial-health"] == 0


def test_inclusive_employers_are_members_whose_declaration_a_coordinator_confirmed(world):
    # ASML and Kempen Techniek; Buurtkracht's declaration waits, Philips's was withdrawn, the applicant is no
    # member yet.
    assert impact.inclusive_employers(ALL) == 2
    assert impact.inclusive_employers(KEMPEN) == 1
    assert impact.inclusive_employers(ImpactFilter(subregion="De Peel")) == 0
    assert impact.inclusive_employers(ImpactFilter(supplier=world.philips.pk)) == 0


def test_a_coordinators_confirmation_makes_an_inclusive_employer_count(world):
    from members.models import Organisation

    Organisation.objects.filter(pk=world.social.pk).update(inclusive_confirmed_at=at(2026, 4, 1))

    assert impact.inclusive_employers(ALL) == 3
    assert impact.inclusive_employers(KEMPEN) == 2


def test_people_into_work_are_the_placements_of_completed_work_needs(world):
    # n6 placed 2 into work and 1 into work-study with Philips, 3 into work-study with ASML.
    assert impact.people_into_work(ALL) == {"people": 6, "into_work": 2, "work_study": 4, "employers": 2, "needs": 1}
    assert impact.people_into_work(ImpactFilter(subregion="De Peel"))["people"] == 6
    assert impact.people_into_work(KEMPEN)["people"] == 0
    assert impact.people_into_work(DIGITAL)["people"] == 0
    assert impact.people_into_work(ImpactFilter(programme="work"))["people"] == 6
    march = ImpactFilter(date_from=datetime.date(2026, 3, 1), date_to=datetime.date(2026, 3, 31))
    assert impact.people_into_work(march)["people"] == 6
    assert impact.people_into_work(ImpactFilter(date_from=datetime.date(2026, 4, 1)))["people"] == 0
    # The company report counts what the needs its people supported achieved: none of theirs placed anyone.
    assert impact.people_into_work(ImpactFilter(supplier=world.asml.pk))["people"] == 0


def test_a_work_need_that_is_not_completed_places_nobody_yet(world):
    world.needs[5].status = "in_progress"
    world.needs[5].save()

    assert impact.people_into_work(ALL)["people"] == 0


def test_placements_per_employer(world):
    rows = impact.placements_per_employer(ALL)

    assert [(r["employer__name"], r["placed_into_work"], r["placed_work_study"], r["people"]) for r in rows] == [
        ("ASML", 0, 3, 3),
        ("Philips", 2, 1, 3),
    ]
    assert [bool(r["inclusive"]) for r in rows] == [True, False]


def test_target_progress(world):
    rows = impact.target_progress(
        delivered=impact.work_delivered(ALL),
        residents=impact.residents_per_programme(ALL),
        inclusive=impact.inclusive_employers(ALL),
        into_work=impact.people_into_work(ALL)["people"],
    )

    assert [(r["key"], r["value"], r["target"], r["percent"]) for r in rows] == [
        ("volunteers_deployed", 3, 100_000, 0.0),
        ("people_into_work", 6, 5_000, 0.1),
        ("inclusive_employers", 2, 1_000, 0.2),
        ("residents_financial-health", 40, 250_000, 0.0),
        ("residents_digital-skills", 25, 7_500, 0.3),
    ]


def test_matches_by_state_in_lifecycle_order(world):
    funnel = {row["status"]: row["count"] for row in impact.match_funnel(ALL)}

    assert list(funnel) == [
        "proposed",
        "approved",
        "accepted",
        "active",
        "completed",
        "rejected",
        "declined",
        "withdrawn",
        "expired",
    ]
    assert funnel == {
        "proposed": 1,
        "approved": 0,
        "accepted": 1,
        "active": 1,
        "completed": 2,
        "rejected": 1,
        "declined": 0,
        "withdrawn": 0,
        "expired": 0,
    }
    assert sum(row["count"] for row in impact.match_funnel(JANUARY)) == 2


def test_median_days_from_publishing_to_the_first_approved_match(world):
    # n1 4 days, n2 10, n3 2 (its later approval of m6 does not count); n4 and n5 have none.
    assert impact.median_days_to_first_approval(ALL) == 4.0
    feb_march = ImpactFilter(date_from=datetime.date(2026, 2, 1), date_to=datetime.date(2026, 3, 31))
    assert impact.median_days_to_first_approval(feb_march) == 6.0
    assert impact.median_days_to_first_approval(KEMPEN) == 10.0
    assert impact.median_days_to_first_approval(ImpactFilter(subregion="De Peel")) is None


def test_needs_waiting_longest(world):
    waiting = impact.needs_waiting_longest(ALL)

    assert [n.pk for n in waiting] == [world.needs[3].pk, world.needs[4].pk]
    assert [(n.proposals, n.agreed) for n in waiting] == [(1, 0), (0, 0)]
    assert [n.pk for n in impact.needs_waiting_longest(KEMPEN)] == [world.needs[4].pk]


def test_did_it_really_help_as_a_share(world):
    assert impact.feedback_share(ALL) == {"answers": 3, "helped": 2, "share": 66.7, "average_rating": 3.67}
    assert impact.feedback_share(ImpactFilter(supplier=world.asml.pk)) == {
        "answers": 1,
        "helped": 0,
        "share": 0.0,
        "average_rating": 2.0,
    }
    assert impact.feedback_share(JANUARY) == {"answers": 0, "helped": 0, "share": None, "average_rating": None}


def rows_of(by, f=ALL):
    return [
        (r["key"], r["hours_confirmed"], r["volunteers_deployed"], r["needs_supported"])
        for r in impact.breakdown(f, by)
    ]


def test_breakdown_per_municipality_and_subregion(world):
    assert rows_of("municipality") == [("Eindhoven", Decimal("10.5"), 2, 2), ("Bladel", Decimal("6"), 1, 1)]
    assert rows_of("subregion") == [
        ("Stedelijk gebied Eindhoven", Decimal("10.5"), 2, 2),
        ("De Kempen", Decimal("6"), 1, 1),
    ]
    assert impact.breakdown(ALL, "subregion")[0]["label"] == "Eindhoven urban area"


def test_breakdown_per_programme_and_theme(world):
    assert rows_of("programme") == [
        ("corporate-volunteering", Decimal("8.5"), 2, 1),
        ("financial-health", Decimal("6"), 1, 1),
        ("digital-skills", Decimal("2"), 1, 1),
    ]
    # n1 has two themes: its hours count in each.
    assert rows_of("theme") == [
        ("care", Decimal("8.5"), 2, 1),
        ("language", Decimal("8.5"), 2, 1),
        ("poverty", Decimal("6"), 1, 1),
        ("digital-inclusion", Decimal("2"), 1, 1),
    ]


def test_breakdown_per_member_organisation_and_month(world):
    assert rows_of("organisation") == [("asml", Decimal("10.5"), 2, 2), ("philips", Decimal("6"), 1, 1)]
    assert rows_of("month") == [("2026-01-01", Decimal("8.5"), 2, 1), ("2026-03-01", Decimal("8"), 2, 2)]
    assert rows_of("month", KEMPEN) == [("2026-03-01", Decimal("6"), 1, 1)]


def test_every_figure_is_one_query(world, django_assert_num_queries):
    for read in (
        impact.work_delivered,
        impact.volunteers_registered,
        impact.volunteers_matched,
        impact.residents_per_programme,
        impact.inclusive_employers,
        impact.people_into_work,
        impact.placements_per_employer,
        impact.match_funnel,
        impact.median_days_to_first_approval,
        impact.needs_waiting_longest,
        impact.feedback_share,
    ):
        with django_assert_num_queries(1):
            read(ALL)
    for by in impact.BREAKDOWNS:
        with django_assert_num_queries(1):
            impact.breakdown(KEMPEN, by)
