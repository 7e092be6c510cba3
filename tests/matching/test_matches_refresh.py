"""matches_refresh against the real database: proposals, repeatability, decided matches left alone."""

import pytest
from django.utils import timezone, translation

from matching import features
from matching.engine import Reason
from matching.models import Match, MatchingRun
from matching.services import candidates_for_need, matches_refresh, reason_text
from members.models import Need, NeedSkill, Programme, Skill, SpokenLanguage, Volunteer, VolunteerSkill
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_feature_cache():
    features.forget_supply()
    yield
    features.forget_supply()


def volunteer(company, *, skills, languages=("nl",), place="Eindhoven", travel=15, remote=False, hours=8):
    user = UserFactory()
    MembershipFactory(user=user, organisation=company)
    person = Volunteer.objects.create(
        user=user,
        organisation=company,
        municipality=municipality(place),
        travel_km=travel,
        remote_ok=remote,
        hours_per_month=hours,
        consent_at=timezone.now(),
    )
    for code in skills:
        VolunteerSkill.objects.create(volunteer=person, skill=Skill.objects.get(code=code), level=2)
    person.languages.set(SpokenLanguage.objects.filter(code__in=languages))
    return person


def need(org, *, required, people=1, language="nl", place="Eindhoven", hours=8):
    item = Need.objects.create(
        organisation=org,
        title="Taalmaatje op de werkvloer",
        description="Help een collega met Nederlands.",
        programme=Programme.objects.get(code="corporate-volunteering"),
        kind=Need.Kind.BUDDY,
        municipality=municipality(place),
        is_flexible=True,
        estimated_hours=hours,
        volunteers_needed=people,
        status=Need.Status.OPEN,
        published_at=timezone.now(),
    )
    for code in required:
        NeedSkill.objects.create(need=item, skill=Skill.objects.get(code=code), required=True)
    if language:
        item.languages.set(SpokenLanguage.objects.filter(code=language))
    return item


@pytest.fixture
def company():
    return OrganisationFactory(kind="company")


@pytest.fixture
def charity():
    return OrganisationFactory(kind="social")


def test_a_fitting_volunteer_is_proposed_with_reasons(company, charity):
    fits = volunteer(company, skills=["dutch-language", "language-buddy"])
    volunteer(company, skills=["carpentry"])
    wanted = need(charity, required=["dutch-language", "language-buddy"])

    run = matches_refresh(need_ids=[wanted.pk], trigger=MatchingRun.Trigger.MANUAL)

    match = Match.objects.get()
    assert (match.need, match.volunteer, match.status) == (wanted, fits, Match.Status.PROPOSED)
    assert run.proposals == 1 and run.needs_considered == 1 and run.open_needs_with_proposal_share == 1.0
    with translation.override("en"):
        texts = [reason_text(Reason(r["code"], r["values"])) for r in match.reasons]
    assert texts[:3] == ["covers 2 of 2 required skills", "0 km away", "speaks Dutch"]
    with translation.override("nl"):
        dutch = [reason_text(Reason(r["code"], r["values"])) for r in match.reasons]
    assert dutch != texts and "nederlands" in dutch[2]


def test_language_and_distance_are_hard_constraints(company, charity):
    volunteer(company, skills=["dutch-language"], languages=("en",))
    volunteer(company, skills=["dutch-language"], place="Reusel-De Mierden", travel=5)
    wanted = need(charity, required=["dutch-language"], place="Helmond")

    matches_refresh(need_ids=[wanted.pk])

    assert not Match.objects.exists()


def test_running_twice_proposes_nothing_new(company, charity):
    for _ in range(3):
        volunteer(company, skills=["data-analysis"])
    wanted = need(charity, required=["data-analysis"], people=2)

    first = matches_refresh(need_ids=[wanted.pk])
    proposals = set(Match.objects.values_list("need_id", "volunteer_id"))
    second = matches_refresh(need_ids=[wanted.pk])

    assert first.proposals == 2 and second.proposals == 0
    assert set(Match.objects.values_list("need_id", "volunteer_id")) == proposals


def test_a_decided_match_is_left_alone_and_its_place_refilled(company, charity):
    first, second = volunteer(company, skills=["data-analysis"]), volunteer(company, skills=["data-analysis"])
    wanted = need(charity, required=["data-analysis"], people=1)
    matches_refresh(need_ids=[wanted.pk])
    proposed = Match.objects.get()
    Match.objects.filter(pk=proposed.pk).update(status=Match.Status.REJECTED)

    matches_refresh(need_ids=[wanted.pk])

    proposed.refresh_from_db()
    assert proposed.status == Match.Status.REJECTED
    other = Match.objects.exclude(pk=proposed.pk).get()
    assert other.volunteer in {first, second} - {proposed.volunteer}


def test_scarce_people_go_where_they_are_needed_most(company, charity):
    """One volunteer fits two needs; another fits only the first. Both needs get someone."""
    versatile = volunteer(company, skills=["data-analysis", "machine-learning"])
    narrow = volunteer(company, skills=["data-analysis"])
    broad_need = need(charity, required=["data-analysis"])
    special_need = need(charity, required=["machine-learning"])

    matches_refresh(need_ids=[broad_need.pk, special_need.pk])

    pairs = set(Match.objects.values_list("need_id", "volunteer_id"))
    assert pairs == {(broad_need.pk, narrow.pk), (special_need.pk, versatile.pk)}


def test_a_coordinator_sees_the_top_candidates_without_proposing(company, charity):
    for _ in range(12):
        volunteer(company, skills=["communication"])
    wanted = need(charity, required=["communication"])

    top = candidates_for_need(need=wanted)

    assert len(top) == 10
    assert [c["score"] for c in top] == sorted((c["score"] for c in top), reverse=True)
    assert not Match.objects.exists()


def test_a_volunteer_sees_the_needs_that_fit_them(client, company, charity):
    person = volunteer(company, skills=["dutch-language", "language-buddy"])
    fitting = need(charity, required=["dutch-language"])
    need(charity, required=["carpentry"])
    person.user.preferred_language = "en"
    person.user.save()
    client.force_login(person.user)

    response = client.get("/matching/recommended/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert list(response.context["rows"][i]["need"] for i in range(len(response.context["rows"]))) == [fitting]
    assert "covers 1 of 1 required skill" in response.text


@pytest.mark.parametrize("who, status", [("visitor", 302), ("member", 403), ("coordinator", 200)])
def test_only_coordinators_see_a_needs_candidates(client, company, charity, who, status):
    from tests.factories import coordinator

    volunteer(company, skills=["communication"])
    wanted = need(charity, required=["communication"])
    if who == "member":
        client.force_login(MembershipFactory(organisation=charity).user)
    elif who == "coordinator":
        client.force_login(coordinator())

    response = client.get(f"/matching/needs/{wanted.pk}/candidates/")

    assert response.status_code == status


def test_a_coordinator_runs_matching_now_in_the_background(
    client, company, charity, django_capture_on_commit_callbacks
):
    from matching.models import MatchingRequest
    from tests.factories import coordinator

    volunteer(company, skills=["communication"])
    wanted = need(charity, required=["communication"])
    client.force_login(coordinator())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/matching/needs/{wanted.pk}/match-now/", follow=True)

    assert "Matching is running for this need" in response.content.decode()
    assert Match.objects.filter(need=wanted).count() == 0, "no matching run inside the request"
    request = MatchingRequest.objects.get(object_id=wanted.pk)
    assert request.status == MatchingRequest.Status.PENDING
    for callback in callbacks:
        callback()
    request.refresh_from_db()
    assert request.status == MatchingRequest.Status.DONE
    assert Match.objects.filter(need=wanted).count() == 1
    assert MatchingRun.objects.get().trigger == MatchingRun.Trigger.MANUAL


def test_publishing_a_need_enqueues_matching_only_after_commit(company, charity, django_capture_on_commit_callbacks):
    from members.services import need_publish
    from tests.factories import MembershipFactory as Member

    volunteer(company, skills=["communication"])
    draft = need(charity, required=["communication"])
    Need.objects.filter(pk=draft.pk).update(status=Need.Status.DRAFT, published_at=None)
    draft.refresh_from_db()
    author = Member(organisation=charity).user

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        need_publish(need=draft, acting_user=author)
        assert not Match.objects.exists()  # nothing runs inside the transaction
    for callback in callbacks:
        callback()  # the commit: the task runs in-process here (and the visitors' kept pages are emptied)
    assert Match.objects.filter(need=draft).count() == 1
    assert MatchingRun.objects.get().trigger == MatchingRun.Trigger.PUBLISHED


def test_a_volunteer_who_registers_is_proposed_where_they_fit(company, charity, django_capture_on_commit_callbacks):
    from members.services import volunteer_register

    wanted = need(charity, required=["communication"])
    user = UserFactory()
    MembershipFactory(user=user, organisation=company)

    with django_capture_on_commit_callbacks(execute=True):
        person = volunteer_register(
            user=user,
            organisation=company,
            consent=True,
            profile={
                "municipality": municipality("Eindhoven"),
                "travel_km": 10,
                "hours_per_month": 8,
                "skills": {Skill.objects.get(code="communication"): 2},
                "languages": list(SpokenLanguage.objects.filter(code="nl")),
            },
        )

    assert Match.objects.get().volunteer == person
    assert Match.objects.get().need == wanted


def offer(company, *, skills, people=2, serves=("Eindhoven",), remote=False, hours=40):
    from members.models import Municipality, Offer

    item = Offer.objects.create(
        organisation=company,
        title="5 data-analisten, 40 uur per persoon",
        kind=Offer.Kind.PRO_BONO,
        people=people,
        hours_each=hours,
        remote=remote,
        status=Offer.Status.ACTIVE,
    )
    item.skills.set(Skill.objects.filter(code__in=skills))
    item.municipalities.set(Municipality.objects.filter(name__in=serves))
    return item


def test_an_offer_is_proposed_where_it_serves_and_up_to_its_people(company, charity):
    analysts = offer(company, skills=["data-analysis"], people=2, serves=("Eindhoven",))
    here = [need(charity, required=["data-analysis"]) for _ in range(3)]
    elsewhere = need(charity, required=["data-analysis"], place="Helmond")

    matches_refresh(need_ids=[n.pk for n in [*here, elsewhere]])

    matched = Match.objects.filter(offer=analysts)
    assert matched.count() == 2  # its two people, not more
    assert not matched.filter(need=elsewhere).exists()  # Helmond is not served
    assert not Match.objects.filter(volunteer__isnull=False).exists()


def test_publishing_an_offer_enqueues_matching_after_commit(company, charity, django_capture_on_commit_callbacks):
    from members.models import Offer
    from members.services import offer_activate

    wanted = need(charity, required=["data-analysis"])
    draft = offer(company, skills=["data-analysis"])
    Offer.objects.filter(pk=draft.pk).update(status=Offer.Status.DRAFT)
    draft.refresh_from_db()
    author = MembershipFactory(organisation=company).user

    with django_capture_on_commit_callbacks(execute=True):
        offer_activate(offer=draft, acting_user=author)

    assert Match.objects.get().offer == draft
    assert Match.objects.get().need == wanted


def test_a_coordinator_sees_offers_among_the_candidates(client, company, charity):
    from tests.factories import coordinator

    analysts = offer(company, skills=["data-analysis"])
    wanted = need(charity, required=["data-analysis"])
    client.force_login(coordinator())

    response = client.get(f"/matching/needs/{wanted.pk}/candidates/")

    assert analysts.title in response.text
