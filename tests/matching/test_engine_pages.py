"""The engine behind the pages, against the real database: who is missing for a need nobody fits (counted by
the engine, shown in English and Dutch), the volunteer's recommendations from cached features at a fixed
number of queries, and the feature cache's one-query check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import strip_tags

from matching import engine, features
from matching.engine import Reason
from matching.models import Match
from matching.services import matches_refresh, needs_for_volunteer, reason_text
from matching.services.runs import need_shortfall
from members.models import Need, Volunteer, WorkLocation
from tests.factories import OrganisationFactory, coordinator, municipality
from tests.factories_needs import NeedFactory, language, skill
from tests.factories_volunteers import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_feature_cache():
    features.forget_supply()
    yield
    features.forget_supply()


@pytest.fixture
def company():
    return OrganisationFactory(kind="company")


def person(company, *, skills=None, languages=("nl",), place="Eindhoven", travel=15, hours=16, remote=False):
    return VolunteerFactory(
        organisation=company,
        skills={"data-analysis": 2} if skills is None else skills,
        languages=list(languages),
        municipality=municipality(place),
        travel_km=travel,
        hours_per_month=hours,
        remote_ok=remote,
    )


@pytest.fixture
def unstaffable(company):
    """A need in Helmond for a data analyst who speaks Dutch, 12 hours a month, that nobody fits: of the five
    people with the skill, three live too far away (one of them also lacks the hours), one speaks only
    English and one has too few hours. Two more lack the skill."""
    person(company, place="Reusel-De Mierden", travel=5)
    person(company, place="Veldhoven", travel=5)
    person(company, place="Best", travel=5, hours=2)
    person(company, place="Helmond", languages=("en",))
    person(company, place="Helmond", hours=4)
    person(company, skills={"carpentry": 2}, place="Helmond")
    person(company, skills={}, place="Helmond")
    need = NeedFactory(
        municipality=municipality("Helmond"),
        estimated_hours=36,
        skills={skill("data-analysis"): True},
        languages=[language("nl")],
    )
    return need


def test_who_is_missing_counts_what_rules_people_out(unstaffable):
    shortfall = need_shortfall(need=unstaffable)

    assert (shortfall["people"], shortfall["with_skills"], shortfall["fit"]) == (7, 5, 0)
    counts = {rule["code"]: (rule["count"], rule["only"]) for rule in shortfall["rules"]}
    assert counts == {"distance": (3, 2), "hours": (2, 1), "language": (1, 1)}
    assert [rule["code"] for rule in shortfall["rules"]] == ["distance", "hours", "language"], "largest first"


def test_a_coordinator_sees_who_is_missing_in_english(client, unstaffable):
    client.force_login(coordinator())

    response = client.get(f"/matching/needs/{unstaffable.pk}/candidates/", HTTP_ACCEPT_LANGUAGE="en")

    text = " ".join(strip_tags(response.text).split())
    assert response.context["rows"] == []
    assert "Who is missing" in text
    assert "Of 5 volunteers and offers with enough of the required skills:" in text
    assert "3 live too far away (for 2 of them this is the only obstacle)" in text
    assert "2 have too few hours (for 1 of them this is the only obstacle)" in text
    assert "1 does not speak Dutch (for 1 of them this is the only obstacle)" in text
    assert "0 meet every condition" in text


def test_a_coordinator_sees_who_is_missing_in_dutch(client, unstaffable):
    """The counts and the language's Dutch name; the sentences are the Dutch catalogue's (locale/)."""
    user = coordinator()
    user.preferred_language = "nl"
    user.save()
    client.force_login(user)

    with translation.override("nl"):
        response = client.get(f"/matching/needs/{unstaffable.pk}/candidates/", HTTP_ACCEPT_LANGUAGE="nl")

    text = " ".join(strip_tags(response.text).split())
    assert response.context["shortfall"]["languages"] == "nederlands"
    assert "nederlands" in text
    for count in ("5", "3", "2", "1", "0"):
        assert f"{count} " in text


def test_a_need_with_enough_candidates_does_not_say_who_is_missing(client, company):
    for _ in range(3):
        person(company)
    need = NeedFactory(skills={skill("data-analysis"): True}, languages=[language("nl")])
    client.force_login(coordinator())

    response = client.get(f"/matching/needs/{need.pk}/candidates/")

    assert len(response.context["rows"]) == 3
    assert response.context["shortfall"] is None
    assert "Who is missing" not in response.text


def test_a_need_asking_for_skills_nobody_has_says_so(client, company):
    person(company, skills={"carpentry": 2})
    need = NeedFactory(skills={skill("data-analysis"): True})
    client.force_login(coordinator())

    response = client.get(f"/matching/needs/{need.pk}/candidates/")

    text = " ".join(strip_tags(response.text).split())
    assert "The 1 active volunteer or offer does not have enough of the required skills." in text


# The volunteer's recommendations --------------------------------------------------------------------


def recommended_queries(client, user):
    client.force_login(user)
    client.get("/matching/recommended/")  # warm: the features are cached per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/matching/recommended/")
    return response, len(queries)


def test_recommendations_cost_the_same_few_queries_for_one_need_or_thirty(client, company):
    volunteer = person(company, skills={"data-analysis": 2, "communication": 2})
    NeedFactory(skills={skill("data-analysis"): True})
    response, one = recommended_queries(client, volunteer.user)
    assert len(response.context["rows"]) == 1
    for _ in range(29):
        NeedFactory(skills={skill("communication"): True})

    response, thirty = recommended_queries(client, volunteer.user)

    assert len(response.context["rows"]) == 10
    # Session, user, profile; the supply's version, the volunteer's load, the open needs' latest and number;
    # the needs shown; and the page's memberships, unread count and coordinator role. None scores a need
    # from the database.
    assert one == thirty == 11


def test_recommendations_are_the_engines_best_over_every_open_need(client, company):
    volunteer = person(company, skills={"data-analysis": 2, "communication": 2}, remote=True, travel=10)
    for place in ("Eindhoven", "Helmond", "Veldhoven", "Best"):
        NeedFactory(municipality=municipality(place), skills={skill("data-analysis"): True})
        NeedFactory(municipality=municipality(place), skills={skill("communication"): True}, estimated_hours=80)
    NeedFactory(location=WorkLocation.REMOTE, municipality=None, skills={skill("data-analysis"): True})
    Match.objects.create(need=NeedFactory(skills={skill("communication"): True}), volunteer=volunteer, score=0.5)

    shown = needs_for_volunteer(volunteer=volunteer, limit=20)

    vocabulary, supply = features.current()
    open_ids = list(Need.objects.open().values_list("pk", flat=True))
    needs = features.load_needs(open_ids, vocabulary, today=timezone.localdate())
    row = supply.row_of(engine.VOLUNTEER, volunteer.pk)
    expected = engine.best_needs(needs, supply, row, vocabulary.distances, limit=20)
    assert [r["need_id"] for r in shown] == [int(needs.ids[i]) for i in expected.need]
    assert [r["score"] for r in shown] == expected.score.tolist()
    assert any(r["code"] == "busy" for row_ in shown for r in row_["reasons"]), "the open proposal shows"


# The feature cache ------------------------------------------------------------------------------------


def test_a_warm_cache_check_is_one_query_and_sees_every_change(company, django_assert_num_queries):
    first = person(company)
    vocabulary, supply = features.current(usage=False)
    with django_assert_num_queries(1):
        assert features.current(usage=False)[1] is supply

    Volunteer.objects.filter(pk=first.pk).update(travel_km=40, updated_at=first.updated_at.replace(year=2040))
    assert features.current(usage=False)[1] is not supply, "a changed profile"
    supply = features.current(usage=False)[1]
    person(company)
    assert len(features.current(usage=False)[1]) == len(supply) + 1, "a new volunteer"


def test_a_volunteer_deleted_since_the_cache_was_loaded_is_not_proposed(company):
    kept, gone = person(company), person(company)
    gone_pk = gone.pk
    need = NeedFactory(skills={skill("data-analysis"): True}, volunteers_needed=2)
    features.current()
    Volunteer.objects.filter(pk=gone_pk).delete()  # the latest id and change time stay the same

    run = matches_refresh(need_ids=[need.pk])

    assert run.proposals == 1
    assert list(Match.objects.values_list("volunteer_id", flat=True)) == [kept.pk]


def test_the_busy_reason_says_how_many_proposals_lower_the_score():
    with translation.override("en"):
        assert reason_text(Reason("busy", {"count": 2})) == "already has 2 proposals or matches, which lowers the score"
        assert reason_text(Reason("busy", {})) == "already helps elsewhere", "reasons stored before counts"


def test_load_and_people_left_follow_the_matches_without_rereading_them_all(company):
    from tests.factories_offers import OfferFactory

    busy = person(company)
    offer = OfferFactory(organisation=company, status="active", people=5, skills=[skill("data-analysis")])
    first, second = NeedFactory(), NeedFactory()
    proposal = Match.objects.create(need=first, volunteer=busy, score=0.5)
    Match.objects.create(need=second, volunteer=busy, score=0.5)
    Match.objects.create(need=first, offer=offer, people=3, score=0.5, status=Match.Status.ACCEPTED)

    def usage():
        _vocabulary, supply = features.current()
        row_of = {(int(k), int(i)): r for r, (k, i) in enumerate(zip(supply.kind, supply.ids, strict=True))}
        return int(supply.load[row_of[engine.VOLUNTEER, busy.pk]]), int(supply.capacity[row_of[engine.OFFER, offer.pk]])

    assert usage() == (2, 2)
    Match.objects.filter(pk=proposal.pk).update(status=Match.Status.REJECTED, status_changed_at=timezone.now())
    assert usage() == (1, 2), "a rejected proposal no longer counts"
    assert usage() == (1, 2), "reading the same changes again changes nothing"
    Match.objects.filter(offer=offer).update(status=Match.Status.WITHDRAWN, status_changed_at=timezone.now())
    assert usage() == (1, 5), "a withdrawn offer has its people back"


def test_every_stored_reason_agrees_with_the_stored_components_and_score(company, settings):
    helper = person(company, skills={"data-analysis": 3, "communication": 2}, remote=True)
    for place, travel in (("Eindhoven", 5), ("Veldhoven", 20), ("Helmond", 30)):
        person(company, place=place, travel=travel)
    needs = [
        NeedFactory(skills={skill("data-analysis"): True, skill("communication"): True}, volunteers_needed=2),
        NeedFactory(location=WorkLocation.REMOTE, municipality=None, skills={skill("data-analysis"): True}),
        NeedFactory(municipality=municipality("Veldhoven"), skills={skill("data-analysis"): True}),
    ]
    Match.objects.create(need=NeedFactory(), volunteer=helper, score=0.5)  # the helper is busy already

    matches_refresh(need_ids=[need.pk for need in needs])

    stored = list(Match.objects.filter(need__in=needs))
    assert len(stored) >= 4
    for match in stored:
        parts, reasons = match.components, {r["code"]: r["values"] for r in match.reasons}
        score = sum(settings.MATCHING_WEIGHTS[name] * parts[name] for name in engine.COMPONENTS)
        assert abs(score - match.score) < 1e-3
        required = reasons["required"]
        assert abs(required["covered"] / required["total"] - parts["required"]) < 1e-4
        assert ("remote" in reasons) == (match.need.location == WorkLocation.REMOTE)
        busy = reasons.get("busy", {}).get("count", 0)
        assert abs(parts["load"] - 1 / (1 + busy)) < 1e-4
        assert ("waiting" in reasons) == (parts["waiting"] >= 1.0)
    assert any("busy" in {r["code"] for r in match.reasons} for match in stored if match.volunteer_id == helper.pk)
