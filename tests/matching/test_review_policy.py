"""The review policy: a coordinator sets it on its page; with automatic approval on, a matching run approves
routine proposals at or above the score, and always leaves needs that work with vulnerable people and
volunteers' own offers to help for a coordinator. Every automatic approval is recorded as the policy's."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from matching.models import Match, MatchEvent, ReviewPolicy
from matching.services import match_offer_help, matches_refresh, review_policy_update
from members.models import Notification, NotificationKind
from tests.factories import UserFactory, coordinator, municipality
from tests.factories_volunteers import VolunteerFactory
from tests.matching.test_review_queue import fresh_feature_cache, need_of  # noqa: F401

pytestmark = pytest.mark.django_db

POLICY = reverse("matching:review-policy")
Status = Match.Status


# The page ------------------------------------------------------------------------------------------


def test_the_page_explains_what_is_always_reviewed(client):
    client.force_login(coordinator())

    page = client.get(POLICY)

    assert page.status_code == 200
    assert "Proposals for needs that work with vulnerable people: a coordinator always looks at them" in page.text
    assert "Matches a volunteer started by offering to help: a coordinator always looks at them too." in page.text
    assert "recorded in the match’s history as done by the review policy" in page.text
    assert 'name="auto_approve"' in page.text and 'name="auto_approve_min_score"' in page.text


def test_a_coordinator_turns_automatic_approval_on(client):
    person = coordinator(full_name="Carla Coördinator")
    client.force_login(person)

    response = client.post(POLICY, {"auto_approve": "on", "auto_approve_min_score": "0.75"})

    assert response.status_code == 302 and response["Location"] == POLICY
    policy = ReviewPolicy.objects.get()
    assert (policy.auto_approve, policy.auto_approve_min_score, policy.updated_by) == (True, 0.75, person)
    assert "Last changed by Carla Coördinator" in client.get(POLICY).text


def test_a_score_above_one_is_refused_next_to_the_field(client):
    client.force_login(coordinator())

    response = client.post(POLICY, {"auto_approve": "on", "auto_approve_min_score": "1.5"})

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 1.0." in response.text
    assert response.context["form"].errors["auto_approve_min_score"]
    assert not ReviewPolicy.objects.exists()


def test_the_service_keeps_one_row_and_refuses_others_and_bad_scores():
    person = coordinator()
    review_policy_update(acting_user=person, auto_approve=True, min_score=0.9)
    review_policy_update(acting_user=person, auto_approve=False, min_score=0.6)

    assert ReviewPolicy.objects.count() == 1
    assert (ReviewPolicy.current().auto_approve, ReviewPolicy.current().auto_approve_min_score) == (False, 0.6)
    with pytest.raises(ValidationError) as refused:
        review_policy_update(acting_user=person, auto_approve=True, min_score=-0.1)
    assert "auto_approve_min_score" in refused.value.error_dict
    with pytest.raises(PermissionDenied):
        review_policy_update(acting_user=UserFactory(), auto_approve=True, min_score=0.5)
    assert ReviewPolicy.current().auto_approve is False


# What a matching run does with it --------------------------------------------------------------------


def policy(*, on=True, min_score):
    review_policy_update(acting_user=coordinator(), auto_approve=on, min_score=min_score)


@pytest.fixture
def three_needs():
    """Three needs and the volunteers the engine proposes for them: a routine need in Best (a near volunteer,
    score 0.79), a routine need in Helmond for two (only a far one fits, score about 0.69), and a need in Eindhoven that
    works with vulnerable people (score 0.79)."""
    VolunteerFactory(municipality=municipality("Best"), travel_km=5)
    VolunteerFactory(travel_km=20)
    VolunteerFactory(travel_km=5)
    return {
        "high": need_of(municipality=municipality("Best")),
        "low": need_of(municipality=municipality("Helmond"), volunteers_needed=2),
        "vulnerable": need_of(works_with_vulnerable_people=True),
    }


def run(needs):
    matches_refresh(need_ids=[need.pk for need in needs.values()])
    return {name: Match.objects.get(need=need, source=Match.Source.ENGINE) for name, need in needs.items()}


def test_routine_proposals_at_or_above_the_score_are_approved_by_the_policy(three_needs):
    policy(min_score=0.75)

    matches = run(three_needs)

    assert matches["high"].score >= 0.75 > matches["low"].score
    assert matches["vulnerable"].score >= 0.75
    assert matches["high"].status == Status.APPROVED
    assert matches["low"].status == Status.PROPOSED  # below the score: a coordinator looks
    assert matches["vulnerable"].status == Status.PROPOSED  # vulnerable people: always a coordinator
    event = matches["high"].events.get()
    assert (event.action, event.side, event.actor, event.to_status) == ("approve", "policy", None, "approved")
    assert event.note == str(ReviewPolicy.current())
    assert not MatchEvent.objects.filter(match__in=[matches["low"], matches["vulnerable"]]).exists()
    assert Notification.objects.filter(
        kind=NotificationKind.MATCH_APPROVED, recipient=matches["high"].volunteer.user
    ).exists()


def test_a_volunteers_own_offer_to_help_is_always_reviewed(three_needs):
    policy(min_score=0.0)
    helper = VolunteerFactory(municipality=municipality("Helmond"), travel_km=5)
    offered = match_offer_help(need=three_needs["low"], acting_user=helper.user, note="Ik help graag")

    matches = run(three_needs)

    offered.refresh_from_db()
    assert offered.status == Status.PROPOSED and offered.source == Match.Source.VOLUNTEER
    assert matches["high"].status == matches["low"].status == Status.APPROVED
    assert matches["vulnerable"].status == Status.PROPOSED


def test_with_automatic_approval_off_everything_waits(three_needs):
    policy(on=False, min_score=0.0)

    matches = run(three_needs)

    assert {match.status for match in matches.values()} == {Status.PROPOSED}
    assert not MatchEvent.objects.exists()
