"""The match lifecycle against a real broker and a real Celery worker: outages, repeats and dead workers.

The worker runs in a thread of the test process (see tests/members/test_outbox_broker.py, whose worker and
outage helpers these tests share): it shares the locmem mailbox, so `mailoutbox` counts the emails really
sent. An outage is made real on the publishing side only: a closed port (refused at once) or a stalled
broker (a server that accepts connections and never answers), while the worker keeps its real broker.
What a person would notice: the action they took completes at once, and every email arrives exactly once.
"""

import multiprocessing
import socket
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from brainport_voor_elkaar import publish
from matching import features
from matching import tasks as matching_tasks
from matching.models import Match, MatchingRequest, MatchingRun
from matching.services import match_approve, match_decline
from members import tasks as member_tasks
from members.models import Need, Notification
from members.services import need_publish
from tests.factories import OrganisationFactory, coordinator
from tests.factories_needs import NeedFactory, language, skill
from tests.factories_volunteers import VolunteerFactory, admin_of
from tests.members import test_outbox_broker as outbox

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

# The worker and its record of finished tasks, shared with the outbox's broker tests.
finished = outbox.finished
worker = outbox.worker
wait_until, runs_of, broker_unreachable, queued = (
    outbox.wait_until,
    outbox.runs_of,
    outbox.broker_unreachable,
    outbox.queued,
)

Sent = Notification.EmailStatus
DELIVER = member_tasks.notification_deliver.name
PROCESS = matching_tasks.matching_request_process.name
NOTIFICATIONS_SWEEP = member_tasks.notifications_sweep.name
REQUESTS_SWEEP = matching_tasks.matching_requests_sweep.name


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Every test here is transactional."""
    features.forget_supply()
    yield
    features.forget_supply()


class StalledBroker:
    """A TCP server that accepts every connection and never answers: the slowest outage there is."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def stalled_broker():
    broker = StalledBroker()
    yield broker
    broker.close()


@pytest.fixture
def world():
    """A charity with a contact person, a volunteer proposed for one of its needs, a draft need that fits
    her, and a coordinator."""
    charity = OrganisationFactory(kind="social")
    contact = admin_of(charity).user
    volunteer = VolunteerFactory(skills={"data-analysis": 2}, languages=["nl"])
    proposed = NeedFactory(organisation=charity, contact_person=contact, title="Taalmaatje")
    draft = NeedFactory(
        organisation=charity,
        contact_person=contact,
        title="Cijfers op orde",
        status=Need.Status.DRAFT,
        is_flexible=True,
        start_date=None,
        skills={skill("data-analysis"): True},
        languages=[language("nl")],
    )
    match = Match.objects.create(need=proposed, volunteer=volunteer, score=0.7)
    return SimpleNamespace(
        coordinator=coordinator(), contact=contact, volunteer=volunteer, match=match, draft=draft, charity=charity
    )


def sweep_through_the_broker(finished):
    """What beat does every SWEEP_INTERVAL_SECONDS: both sweeps, as tasks through the (real) broker."""
    before = len(runs_of(finished, NOTIFICATIONS_SWEEP)), len(runs_of(finished, REQUESTS_SWEEP))
    member_tasks.notifications_sweep.delay()
    matching_tasks.matching_requests_sweep.delay()
    wait_until(
        lambda: (
            (len(runs_of(finished, NOTIFICATIONS_SWEEP)), len(runs_of(finished, REQUESTS_SWEEP)))
            == (before[0] + 1, before[1] + 1)
        ),
        what="both sweeps",
    )
    return runs_of(finished, NOTIFICATIONS_SWEEP)[-1], runs_of(finished, REQUESTS_SWEEP)[-1]


def test_a_stalled_broker_holds_up_neither_approving_nor_publishing_and_the_sweeps_deliver_once(
    worker, finished, mailoutbox, settings, world, stalled_broker
):
    with broker_unreachable(stalled_broker.url):
        match_approve(match=world.match, acting_user=world.coordinator)
        need_publish(need=world.draft, acting_user=world.contact)

        # Both changes are committed and returned, while the publisher is still talking to the broker that
        # never answers: the request path did not wait for it.
        wait_until(lambda: stalled_broker.connections, what="the publisher to reach the stalled broker")
        assert not publish.wait_until_idle(timeout=0.2), "the publisher is stuck on the stalled broker"
        approval = list(Notification.objects.filter(kind="match_approved"))
        assert {n.recipient for n in approval} == {world.contact, world.volunteer.user}
        request = MatchingRequest.objects.get(kind=MatchingRequest.Kind.NEED, object_id=world.draft.pk)
        assert {n.email_status for n in approval} == {Sent.PENDING} and request.status == "pending"

        timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"]
        assert publish.wait_until_idle(timeout=4 * timeout + 10), "the publisher gives up on the stalled broker"

    assert finished == [] and mailoutbox == [], "nothing reached the worker during the outage"
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Sent.PENDING}

    # The broker is back: the sweeps, not the publisher, deliver what waited.
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    assert sweep_through_the_broker(finished) == (2, 1)
    wait_until(lambda: len(runs_of(finished, DELIVER)) == 2 and runs_of(finished, PROCESS), what="delivery")

    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.contact.email, world.volunteer.user.email])
    assert all(m.subject == "Approved: Taalmaatje — please accept or decline" for m in mailoutbox)
    assert {(n.email_status, n.attempts) for n in Notification.objects.filter(kind="match_approved")} == {
        (Sent.SENT, 1)
    }
    request.refresh_from_db()
    assert (request.status, request.attempts) == (MatchingRequest.Status.DONE, 1)
    assert request.proposals == Match.objects.filter(need=world.draft).count() == 1, "matching really ran"

    # Beat keeps sweeping: nothing is sent or run twice.
    assert sweep_through_the_broker(finished) == (0, 0)
    assert len(mailoutbox) == 2 and len(runs_of(finished, PROCESS)) == 1
    assert MatchingRun.objects.count() == 1
    assert queued() == 0


def test_a_decline_while_the_broker_refuses_connections_reaches_the_other_side_once(
    worker, finished, mailoutbox, settings, world
):
    Match.objects.filter(pk=world.match.pk).update(status=Match.Status.APPROVED)

    with broker_unreachable():
        match_decline(match=world.match, acting_user=world.volunteer.user, side="supply", reason="Geen tijd meer")
        assert publish.wait_until_idle(), "publishing to a closed port fails at once"

    [notification] = Notification.objects.filter(recipient=world.contact)
    assert (notification.email_status, mailoutbox) == (Sent.PENDING, [])

    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    assert sweep_through_the_broker(finished) == (2, 0)
    wait_until(lambda: len(runs_of(finished, DELIVER)) == 2, what="both deliveries")
    assert sweep_through_the_broker(finished) == (0, 0)

    [message] = outbox_for(mailoutbox, world.contact)
    assert message.subject == "Declined: Taalmaatje"
    assert "Reason given: Geen tijd meer" in message.body
    assert len(mailoutbox) == 2, "the volunteer hears of her own decline too, once"
    assert runs_of(finished, DELIVER) == [True, True]


def outbox_for(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_a_match_notice_delivered_twice_sends_one_email(worker, finished, mailoutbox, world):
    match_approve(match=world.match, acting_user=world.coordinator)
    wait_until(lambda: runs_of(finished, DELIVER) == [True, True], what="the approval's deliveries")
    notification = Notification.objects.get(recipient=world.contact)

    member_tasks.notification_deliver.delay(notification.pk)
    member_tasks.notification_deliver.delay(notification.pk)

    wait_until(lambda: len(runs_of(finished, DELIVER)) == 4, what="the repeated deliveries")
    assert runs_of(finished, DELIVER) == [True, True, False, False]
    assert len(outbox_for(mailoutbox, world.contact)) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (Sent.SENT, 1)


def test_a_matching_request_processed_twice_runs_matching_once(worker, finished, world):
    need_publish(need=world.draft, acting_user=world.contact)
    wait_until(lambda: runs_of(finished, PROCESS), what="matching for the published need")
    request = MatchingRequest.objects.get(object_id=world.draft.pk)

    matching_tasks.matching_request_process.delay(request.pk)
    matching_tasks.matching_request_process.delay(request.pk)

    wait_until(lambda: len(runs_of(finished, PROCESS)) == 3, what="the repeated requests")
    assert runs_of(finished, PROCESS) == [1, 0, 0]
    request.refresh_from_db()
    assert (request.status, request.attempts, request.proposals) == (MatchingRequest.Status.DONE, 1, 1)
    assert MatchingRun.objects.count() == 1
    assert Match.objects.filter(need=world.draft).count() == 1


def test_a_worker_that_died_while_sending_leaves_its_claim_to_the_lease_and_the_sweep_sends_once(
    worker, finished, mailoutbox, settings, world
):
    """kill -9 between the claim and the send: the row stays `sending`. A redelivery of the task finds it
    claimed and sends nothing; once the claim is older than the lease, the sweep releases it and it is sent
    exactly once."""
    with broker_unreachable():
        match_approve(match=world.match, acting_user=world.coordinator)
        assert publish.wait_until_idle()
    notification = Notification.objects.get(recipient=world.contact)
    claimed = timezone.now() - timedelta(seconds=30)
    Notification.objects.filter(pk=notification.pk).update(email_status=Sent.SENDING, claimed_at=claimed, attempts=1)
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 60

    member_tasks.notification_deliver.delay(notification.pk)
    wait_until(lambda: runs_of(finished, DELIVER) == [False], what="the redelivered task")
    assert outbox_for(mailoutbox, world.contact) == [], "within the lease the dead worker's claim holds"
    assert sweep_through_the_broker(finished)[0] == 1, "the sweep sends the volunteer's, which nobody claimed"
    wait_until(lambda: len(runs_of(finished, DELIVER)) == 2, what="the volunteer's delivery")
    assert outbox_for(mailoutbox, world.contact) == []

    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 10
    assert sweep_through_the_broker(finished)[0] == 1, "the lease ran out: the claim is released and re-sent"
    wait_until(lambda: len(runs_of(finished, DELIVER)) == 3, what="the released delivery")
    assert sweep_through_the_broker(finished)[0] == 0

    assert len(outbox_for(mailoutbox, world.contact)) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (Sent.SENT, 2)


class _Recorder:
    """A stand-in task that hands what it is given to a pipe."""

    name = "recorder"
    app = SimpleNamespace(conf=SimpleNamespace(task_always_eager=False))

    def __init__(self, connection):
        self.connection = connection

    def apply_async(self, args):
        self.connection.send(args)


def _publish_in_child(connection):
    publish.publish(_Recorder(connection), 42)
    publish.wait_until_idle(timeout=5)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
def test_a_process_forked_while_the_publisher_held_its_queue_still_publishes():
    """A prefork worker or a preloading web server forks at any moment, also while the parent's publisher
    thread holds its queue's lock: the child must not inherit that lock, or its first publish waits forever."""
    parent_end, child_end = multiprocessing.Pipe()
    publish._queue.mutex.acquire()
    try:
        child = multiprocessing.get_context("fork").Process(target=_publish_in_child, args=(child_end,))
        child.start()
    finally:
        publish._queue.mutex.release()
    try:
        assert parent_end.poll(10), "the forked child's publish never reached the broker"
        assert parent_end.recv() == (42,)
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
