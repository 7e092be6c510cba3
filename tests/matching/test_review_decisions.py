"""Deciding proposals: one at a time (approve, reject with a note), many at once (the ticked ones or all of a
filtered selection, one notification per person), and choosing another candidate instead."""

import re
import time

import pytest
from django.contrib.messages import get_messages
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from matching.models import Match, MatchEvent
from members.models import Notification, NotificationKind, User, Volunteer
from tests.factories import OrganisationFactory, municipality
from tests.factories_needs import programme
from tests.factories_volunteers import VolunteerFactory
from tests.matching.test_review_queue import QUEUE, charity, fresh_feature_cache, need_of, proposal  # noqa: F401

pytestmark = pytest.mark.django_db

Status = Match.Status


def review(client, match, **data):
    return client.post(reverse("matching:match-review", args=[match.pk]), data)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def coordinator_user():
    from tests.factories import coordinator

    return coordinator()


@pytest.fixture
def coordinator_client(client, coordinator_user):
    client.force_login(coordinator_user)
    return client


# One at a time -------------------------------------------------------------------------------------


def test_approving_one_moves_it_records_who_and_returns_to_the_queue_as_it_was(coordinator_client, coordinator_user):
    match = proposal()
    back = QUEUE + "?programme=corporate-volunteering&page=1"

    response = review(coordinator_client, match, decision="approve", note="Goede match", next=back)

    assert response.status_code == 302 and response["Location"] == back
    match.refresh_from_db()
    assert match.status == Status.APPROVED and match.decided_by == coordinator_user
    event = match.events.get()
    assert (event.action, event.side, event.actor, event.note) == (
        "approve",
        "coordinator",
        coordinator_user,
        "Goede match",
    )
    assert any(text.startswith("Approved:") for text in texts(response))


def test_rejecting_needs_a_note_shown_next_to_the_note(coordinator_client):
    match = proposal()

    response = review(coordinator_client, match, decision="reject", note="  ")

    assert response.status_code == 200
    textarea, feedback = re.search(
        r'(<textarea[^>]*id="id_note"[^>]*>).*?<div class="invalid-feedback d-block">(.*?)</div>', response.text, re.S
    ).groups()
    assert "is-invalid" in textarea
    assert "Please say why, for the history and for whoever looks next." in feedback
    match.refresh_from_db()
    assert match.status == Status.PROPOSED and not match.events.exists()


def test_rejecting_with_a_note_keeps_the_note_in_the_history(coordinator_client):
    match = proposal()

    response = review(coordinator_client, match, decision="reject", note="Te ver weg voor deze vrijwilliger")

    assert response.status_code == 302 and response["Location"] == QUEUE
    match.refresh_from_db()
    assert match.status == Status.REJECTED
    assert match.events.get().note == "Te ver weg voor deze vrijwilliger"


def test_a_match_that_moved_on_is_refused_with_a_message_and_nothing_changes(coordinator_client):
    match = proposal(status=Status.APPROVED)

    response = review(coordinator_client, match, decision="reject", note="Toch niet")

    assert response.status_code == 302
    assert texts(response) == [
        "This match is “Approved, waiting for acceptance” now, so it cannot become “Rejected by a coordinator”. "
        "Nothing was changed."
    ]
    match.refresh_from_db()
    assert match.status == Status.APPROVED and not match.events.exists()


def test_a_next_address_elsewhere_is_not_followed(coordinator_client):
    match = proposal()

    response = review(coordinator_client, match, decision="approve", next="https://evil.example/queue")

    assert response["Location"] == QUEUE


def test_an_unknown_decision_changes_nothing(coordinator_client):
    match = proposal()

    response = review(coordinator_client, match, decision="maybe", note="")

    assert response.status_code == 200
    match.refresh_from_db()
    assert match.status == Status.PROPOSED


# Many at once --------------------------------------------------------------------------------------

APPROVE_SELECTED = reverse("matching:review-approve-selected")


def test_approving_the_ticked_proposals_only(coordinator_client):
    ticked = [proposal() for _ in range(3)]
    left = [proposal() for _ in range(2)]

    response = coordinator_client.post(
        APPROVE_SELECTED, {"match": [m.pk for m in ticked], "note": "Prima", "programme": "corporate-volunteering"}
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?programme=corporate-volunteering"
    assert set(Match.objects.filter(status=Status.APPROVED).values_list("pk", flat=True)) == {m.pk for m in ticked}
    assert set(Match.objects.filter(status=Status.PROPOSED).values_list("pk", flat=True)) == {m.pk for m in left}
    assert set(MatchEvent.objects.values_list("note", flat=True)) == {"Prima"}
    assert texts(response) == ["3 proposals were approved: both sides are asked to accept."]


def test_approving_all_of_a_filtered_selection_tells_each_person_once(coordinator_client):
    """Sixty proposals of the programme Work, for three needs of one charity, approved in one go: the charity's
    contact person hears once for all sixty, each volunteer once; the other programme is untouched."""
    organisation = charity()
    needs = [need_of(organisation, programme=programme("work"), volunteers_needed=20) for _ in range(3)]
    selected = [proposal(needs[number % 3]) for number in range(60)]
    elsewhere = [proposal(need_of(organisation)) for _ in range(5)]

    response = coordinator_client.post(APPROVE_SELECTED, {"all": "1", "programme": "work", "note": "Ronde van maandag"})

    assert response.status_code == 302 and response["Location"] == QUEUE + "?programme=work"
    assert texts(response) == ["60 proposals were approved: both sides are asked to accept."]
    assert Match.objects.filter(pk__in=[m.pk for m in selected], status=Status.APPROVED).count() == 60
    assert Match.objects.filter(pk__in=[m.pk for m in elsewhere], status=Status.PROPOSED).count() == 5
    approved = Notification.objects.filter(kind=NotificationKind.MATCH_APPROVED)
    per_person = dict(approved.values_list("recipient_id").annotate(n=Count("id")).values_list("recipient_id", "n"))
    volunteers = {m.volunteer.user_id for m in selected}
    assert set(per_person) == volunteers | {organisation.contact.pk}
    assert set(per_person.values()) == {1}
    assert approved.get(recipient=organisation.contact).context["count"] == 60


def test_approving_all_with_an_unreadable_filter_approves_nothing(coordinator_client):
    proposal(need_of(municipality=municipality("Helmond")))
    proposal()

    response = coordinator_client.post(APPROVE_SELECTED, {"all": "1", "municipality": "not-a-place"})

    assert response.status_code == 302
    assert not Match.objects.filter(status=Status.APPROVED).exists()
    assert texts(response) == ["The filters could not be read, so nothing was approved. Please filter again."]


def test_ticking_nothing_approves_nothing_and_says_so(coordinator_client):
    proposal()

    response = coordinator_client.post(APPROVE_SELECTED, {"note": ""})

    assert not Match.objects.filter(status=Status.APPROVED).exists()
    assert texts(response) == ["Tick at least one proposal, or approve all proposals in this selection."]


def test_a_ticked_proposal_that_moved_on_is_left_as_it_is_and_counted(coordinator_client):
    waiting = proposal()
    rejected = proposal(status=Status.REJECTED)

    response = coordinator_client.post(APPROVE_SELECTED, {"match": [waiting.pk, rejected.pk]})

    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED
    assert texts(response) == [
        "1 proposal was approved: both sides are asked to accept.",
        "1 proposal had already been decided and was left as it is.",
    ]


# Another candidate instead ----------------------------------------------------------------------------


def replace_url(match):
    return reverse("matching:match-replace", args=[match.pk])


@pytest.fixture
def with_candidates():
    """A need with a proposed volunteer, two more who fit, and one who already has a rejected match."""
    need = need_of()
    proposed = VolunteerFactory(user__full_name="Bram Proposed")
    match = proposal(need, volunteer=proposed)
    others = [VolunteerFactory(user__full_name=f"Kandidaat {n}") for n in range(2)]
    turned_down = VolunteerFactory(user__full_name="Eerder Afgewezen")
    proposal(need, volunteer=turned_down, status=Status.REJECTED)
    return match, others


def test_the_other_candidates_are_shown_with_their_reasons_without_those_already_matched(
    coordinator_client, with_candidates
):
    match, others = with_candidates

    page = coordinator_client.get(replace_url(match))

    assert page.status_code == 200
    keys = [row["key"] for row in page.context["rows"]]
    assert sorted(keys) == sorted(f"volunteer:{v.pk}" for v in others)
    assert "Kandidaat 0" in page.text and "Eerder Afgewezen" not in page.text.split("Choose a candidate")[1]
    assert "km away" in page.text.split("Choose a candidate")[1]


def test_choosing_another_candidate_rejects_the_proposal_and_approves_the_choice(coordinator_client, with_candidates):
    match, others = with_candidates

    response = coordinator_client.post(
        replace_url(match), {"candidate": f"volunteer:{others[1].pk}", "note": "Kandidaat 1 woont dichterbij"}
    )

    assert response.status_code == 302 and response["Location"] == QUEUE
    match.refresh_from_db()
    assert match.status == Status.REJECTED
    assert match.events.get().action == MatchEvent.Action.REPLACE
    chosen = Match.objects.get(need=match.need, volunteer=others[1])
    assert (chosen.status, chosen.source) == (Status.APPROVED, Match.Source.COORDINATOR)
    assert chosen.score > 0 and chosen.reasons
    assert chosen.events.get().note == "Kandidaat 1 woont dichterbij"


def test_choosing_another_candidate_needs_a_choice_and_a_note(coordinator_client, with_candidates):
    match, others = with_candidates

    response = coordinator_client.post(replace_url(match), {"candidate": "volunteer:999999", "note": ""})

    assert response.status_code == 200
    assert "Choose one of the candidates shown; the list may have changed." in response.text
    assert "Please say why, for the history and for whoever looks next." in response.text
    match.refresh_from_db()
    assert match.status == Status.PROPOSED and Match.objects.count() == 2


def test_a_match_that_moved_on_cannot_be_replaced(coordinator_client, with_candidates):
    match, others = with_candidates
    Match.objects.filter(pk=match.pk).update(status=Status.APPROVED)

    page = coordinator_client.get(replace_url(match))
    response = coordinator_client.post(replace_url(match), {"candidate": f"volunteer:{others[0].pk}", "note": "x"})

    assert "so it can no longer be replaced" in page.text
    assert response.status_code == 200
    assert not Match.objects.filter(volunteer=others[0]).exists()


@pytest.mark.postgres
def test_approving_a_thousand_at_once_takes_less_than_ten_seconds(coordinator_client):
    """The batch is a few statements whatever its size, and one notification per person: on PostgreSQL a
    thousand proposals for a thousand volunteers are approved in about a second."""
    organisation = charity()
    needs = [need_of(organisation, programme=programme("work"), volunteers_needed=100) for _ in range(10)]
    company = OrganisationFactory(kind="company")
    users = User.objects.bulk_create(
        User(email=f"collega{n}@bedrijf.example", full_name=f"Collega {n}") for n in range(1000)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(user=user, organisation=company, municipality=municipality("Eindhoven"), consent_at=timezone.now())
        for user in users
    )
    Match.objects.bulk_create(
        Match(need=needs[n % 10], volunteer=volunteer, score=0.8, reasons=[]) for n, volunteer in enumerate(volunteers)
    )

    started = time.perf_counter()
    response = coordinator_client.post(APPROVE_SELECTED, {"all": "1", "programme": "work"})
    elapsed = time.perf_counter() - started

    assert texts(response) == ["1000 proposals were approved: both sides are asked to accept."]
    assert elapsed < 10, f"approving 1000 took {elapsed:.1f} s"
    assert Notification.objects.filter(kind=NotificationKind.MATCH_APPROVED).count() == 1001
