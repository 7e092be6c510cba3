"""The notification outbox through a real broker and a real Celery worker.

The worker runs in a thread of the test process (celery.contrib.testing), so it shares Django's locmem
mailbox and settings with the test; it has its own database connection, so every test commits
(transaction=True). A broker outage is made real by pointing the publishing side at a port nothing listens
on, while the worker keeps consuming from the real broker.
"""

import logging
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

from brainport_voor_elkaar import publish
from brainport_voor_elkaar.celery import app as celery_app
from members import services, tasks
from members.models import Notification, NotificationKind, Organisation
from members.notifications import Recipient, notify
from tests.factories import UserFactory, coordinator, municipality

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

Status = Notification.EmailStatus
DELIVER = tasks.notification_deliver.name
SWEEP = tasks.notifications_sweep.name
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Every test here is transactional."""


def _keep_test_logging(**kwargs):
    """A setup_logging receiver: Celery then leaves the process's logging (and pytest's capture) alone."""


@pytest.fixture
def finished():
    """Every task the worker finished, in order: (task name, return value, thread)."""
    runs = []

    def record(sender=None, retval=None, **kwargs):
        runs.append((sender.name, retval, threading.current_thread()))

    signals.task_postrun.connect(record, weak=False)
    yield runs
    signals.task_postrun.disconnect(record)


@pytest.fixture
def worker(finished, mailoutbox):
    """A real worker on the project's app, consuming from an emptied queue."""
    assert not celery_app.conf.task_always_eager, "broker tests publish to the real broker"
    celery_app.control.purge()
    signals.setup_logging.connect(_keep_test_logging, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=15) as running:
            yield running
    finally:
        signals.setup_logging.disconnect(_keep_test_logging)


def wait_until(condition, *, timeout=10.0, what="the worker"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def runs_of(finished, name):
    return [retval for task, retval, _thread in finished if task == name]


def queued() -> int:
    """Messages waiting in the default queue (read side: always the real broker). The queue is declared as
    the app declares it: a passive declare of an empty queue fails on Redis."""
    queue = celery_app.amqp.queues[celery_app.conf.task_default_queue]
    with celery_app.connection_for_read() as connection:
        return queue.bind(connection.default_channel).queue_declare().message_count


@contextmanager
def broker_unreachable(url=CLOSED_PORT_BROKER):
    """Publishing goes to `url` (a broker that is down) until the block ends. Celery caches the publishing
    pools on the app (kombu keeps them per broker), so the app's references are dropped on the way in and out;
    closing them would close kombu's shared pool of the real broker."""
    stored = celery_app.conf.get("broker_write_url")

    def drop_publishing_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.broker_write_url = url
    drop_publishing_pools()
    assert celery_app.conf.broker_write_url == url, "CELERY_BROKER_WRITE_URL in the environment wins over this"
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = stored
        drop_publishing_pools()


def notify_in_transaction(users, *, event_key="application:1:received"):
    with transaction.atomic():
        return notify(
            recipients=[Recipient.of(user) for user in users],
            kind=NotificationKind.APPLICATION_RECEIVED,
            event_key=event_key,
            context={"organisation": "Buurthuis De Hoek", "applicant": "Anna de Vries", "kind": "social"},
            link=reverse("members:inbox"),
        )


def test_an_application_is_emailed_to_the_coordinator_by_the_worker(worker, finished, mailoutbox):
    coord = coordinator()
    applicant = UserFactory()

    application = services.membership_apply(
        applicant=applicant,
        account=None,
        organisation={"name": "Buurthuis De Hoek", "kind": Organisation.Kind.SOCIAL, "municipality": municipality()},
        motivation="Wij willen graag helpen.",
    )

    wait_until(lambda: runs_of(finished, DELIVER) == [True], what="the delivery task")
    assert [message.to for message in mailoutbox] == [[coord.email]]
    assert "Buurthuis De Hoek" in mailoutbox[0].subject
    assert application.get_absolute_url() in mailoutbox[0].body
    assert all(thread is not threading.main_thread() for _task, _retval, thread in finished), "the worker ran it"
    notification = Notification.objects.get()
    assert (notification.recipient, notification.email_status, notification.attempts) == (coord, Status.SENT, 1)
    assert queued() == 0


def test_each_recipient_is_emailed_once_after_commit(worker, finished, mailoutbox):
    first, second = UserFactory(), UserFactory()

    notify_in_transaction([first, second])

    wait_until(lambda: len(runs_of(finished, DELIVER)) == 2, what="two delivery tasks")
    assert runs_of(finished, DELIVER) == [True, True]
    assert sorted(message.to[0] for message in mailoutbox) == sorted([first.email, second.email])
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Status.SENT}
    assert queued() == 0


def test_the_same_delivery_sent_twice_through_the_broker_sends_one_email(worker, finished, mailoutbox):
    anna = UserFactory()
    notification = Notification.objects.create(
        recipient=anna,
        email=anna.email,
        language=anna.preferred_language,
        kind=NotificationKind.APPLICATION_RECEIVED,
        event_key="application:1:received:to:test",
        context={"organisation": "Buurthuis De Hoek"},
        link=reverse("members:inbox"),
    )

    tasks.notification_deliver.delay(notification.pk)
    tasks.notification_deliver.delay(notification.pk)

    wait_until(lambda: len(runs_of(finished, DELIVER)) == 2, what="both deliveries")
    assert runs_of(finished, DELIVER) == [True, False]
    assert [message.to for message in mailoutbox] == [[anna.email]]
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (Status.SENT, 1)


def test_a_notification_written_during_a_broker_outage_is_delivered_by_the_sweep(
    worker, finished, mailoutbox, settings, caplog
):
    caplog.set_level(logging.WARNING, logger="brainport_voor_elkaar.publish")
    coord = coordinator()

    with broker_unreachable():
        [notification] = notify_in_transaction([coord])
        assert publish.wait_until_idle(), "the publisher gave up on the broker that is down"

    [failure] = [record for record in caplog.records if record.name == "brainport_voor_elkaar.publish"]
    assert failure.levelno == logging.WARNING
    assert isinstance(failure.exc_info[1], OperationalError), "publishing really failed at the broker"
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (Status.PENDING, 0)
    assert queued() == 0
    assert finished == [] and mailoutbox == []

    # The broker is back; the periodic sweep (through the broker, as beat runs it) picks the row up.
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    tasks.notifications_sweep.delay()

    wait_until(lambda: runs_of(finished, DELIVER) == [True], what="the sweep's delivery")
    assert runs_of(finished, SWEEP) == [1]
    assert [message.to for message in mailoutbox] == [[coord.email]]
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (Status.SENT, 1)

    tasks.notifications_sweep.delay()

    wait_until(lambda: len(runs_of(finished, SWEEP)) == 2, what="the second sweep")
    assert runs_of(finished, SWEEP) == [1, 0]
    assert queued() == 0
    assert runs_of(finished, DELIVER) == [True]
    assert len(mailoutbox) == 1


@pytest.fixture
def hung_broker():
    """A broker that accepts connections and never answers: the slowest kind of outage."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


def test_a_stalled_broker_does_not_hold_up_the_change_that_notifies(
    worker, finished, mailoutbox, settings, caplog, hung_broker
):
    caplog.set_level(logging.WARNING, logger="brainport_voor_elkaar.publish")
    coordinators = [coordinator() for _ in range(4)]

    with broker_unreachable(hung_broker):
        notify_in_transaction(coordinators)
        # The change has committed and returned while the publisher still waits on the stalled broker.
        assert not publish.wait_until_idle(timeout=0.5), "the publisher should still be stuck on the broker"
        assert set(Notification.objects.values_list("email_status", flat=True)) == {Status.PENDING}
        assert publish.wait_until_idle(timeout=settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] + 10)

    assert len([record for record in caplog.records if record.name == "brainport_voor_elkaar.publish"]) == 1, (
        "one timeout for the batch, not one per recipient"
    )
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Status.PENDING}

    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    tasks.notifications_sweep.delay()

    wait_until(lambda: len(runs_of(finished, DELIVER)) == 4, what="four deliveries")
    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in coordinators)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Status.SENT}
