"""Two coordinators deciding the same proposal at the same moment, on PostgreSQL: exactly one decision is
made and recorded; the other is refused (or, in a batch, skipped), and the history has exactly one step."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from matching import services
from matching.models import Match, MatchEvent
from tests.factories import coordinator
from tests.matching.test_review_queue import fresh_feature_cache, proposal  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def at_once(*steps):
    """Run each step in its own thread and database connection, released together by a barrier; returns each
    step's outcome: "won", the refusal's messages, or what a batch returned."""
    barrier = threading.Barrier(len(steps))
    outcomes = [None] * len(steps)

    def act(index, step):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                outcomes[index] = step()
        except ValidationError as error:
            outcomes[index] = error.messages
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(index, step)) for index, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_one_approves_and_one_rejects_at_once_exactly_one_wins():
    match = proposal()
    approver, rejecter = coordinator(), coordinator()

    def approve():
        services.match_approve(match=Match.objects.get(pk=match.pk), acting_user=approver, note="Ja")
        return "won"

    def reject():
        services.match_reject(match=Match.objects.get(pk=match.pk), acting_user=rejecter, note="Nee")
        return "won"

    approved, rejected = at_once(approve, reject)

    assert sorted([approved == "won", rejected == "won"]) == [False, True]
    match.refresh_from_db()
    winner, loser = (approver, rejected) if approved == "won" else (rejecter, approved)
    assert match.decided_by == winner
    assert match.status == (Match.Status.APPROVED if winner == approver else Match.Status.REJECTED)
    [message] = loser
    assert message.startswith(f"This match is “{match.get_status_display()}” now") and "Nothing was changed." in message
    event = MatchEvent.objects.get(match=match)
    assert (event.actor, event.to_status) == (winner, match.status)


def test_a_batch_approval_and_a_rejection_at_once_decide_the_proposal_once():
    match = proposal()
    batch, rejecter = coordinator(), coordinator()

    def approve_all():
        return services.matches_approve(match_ids=[match.pk], acting_user=batch)

    def reject():
        services.match_reject(match=Match.objects.get(pk=match.pk), acting_user=rejecter, note="Nee")
        return "won"

    approved, rejected = at_once(approve_all, reject)

    match.refresh_from_db()
    if rejected == "won":
        assert approved == 0 and match.status == Match.Status.REJECTED
    else:
        assert approved == 1 and match.status == Match.Status.APPROVED and isinstance(rejected, list)
    assert MatchEvent.objects.filter(match=match).count() == 1
