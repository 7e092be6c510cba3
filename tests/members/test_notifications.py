"""The notification outbox without a broker: writing, delivering, the digest, the sweep, the inbox and the
email preferences. Celery tasks run in-process here (see tests/conftest.py); tests/members/
test_outbox_broker.py runs the same flow through a real broker and worker."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from members import tasks
from members.models import Frequency, Notification, NotificationKind, NotificationPreference
from members.notifications import CONFIGURABLE_KINDS, Recipient, notify, title_of
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Notification.EmailStatus


def notify_received(users, *, event_key="application:1:received", organisation="Buurthuis De Hoek", link=None):
    """Notify `users` that an application came in: the kind every coordinator can choose the frequency of."""
    return notify(
        recipients=[Recipient.of(user) for user in users],
        kind=NotificationKind.APPLICATION_RECEIVED,
        event_key=event_key,
        context={"organisation": organisation, "applicant": "Anna de Vries", "kind": "social"},
        link=link if link is not None else reverse("members:inbox"),
    )


def prefer(user, kind, frequency):
    NotificationPreference.objects.create(user=user, kind=kind, frequency=frequency)


def html_of(message):
    htmls = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(htmls) == 1, "the email has exactly one HTML alternative"
    return htmls[0]


# Writing -------------------------------------------------------------------------------------------


def test_notify_writes_one_row_per_recipient(django_capture_on_commit_callbacks):
    anna, bram = UserFactory(preferred_language="nl"), UserFactory(preferred_language="en")

    with django_capture_on_commit_callbacks():
        written = notify_received([anna, bram])

    assert len(written) == 2
    rows = Notification.objects.order_by("email")
    assert {(n.recipient, n.email, n.language) for n in rows} == {(anna, anna.email, "nl"), (bram, bram.email, "en")}
    assert all(n.kind == NotificationKind.APPLICATION_RECEIVED for n in rows)
    assert all(n.email_status == Status.PENDING for n in rows)


def test_the_same_event_never_makes_two_notifications(django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = notify_received([anna], event_key="application:7:received")
    with django_capture_on_commit_callbacks(execute=True):
        again = notify_received([anna], event_key="application:7:received")

    assert Notification.objects.count() == 1
    assert [n.pk for n in again] == [n.pk for n in first]
    assert len(mailoutbox) == 1


def test_a_different_event_for_the_same_recipient_is_a_new_notification(django_capture_on_commit_callbacks):
    anna = UserFactory()

    with django_capture_on_commit_callbacks():
        notify_received([anna], event_key="application:7:received")
        notify_received([anna], event_key="application:8:received")

    assert Notification.objects.filter(recipient=anna).count() == 2


# Frequencies ---------------------------------------------------------------------------------------


def test_immediately_sends_one_email_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_received([anna])
        assert mailoutbox == [], "nothing is sent before the transaction commits"

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [anna.email]
    notification = Notification.objects.get()
    assert notification.email_status == Status.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory()

    # Callbacks captured but not executed: what happens when the change that notified is rolled back.
    with django_capture_on_commit_callbacks(execute=False):
        notify_received([anna])

    assert mailoutbox == []


def test_daily_waits_for_one_digest_listing_them_all(django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory(preferred_language="en")
    prefer(anna, NotificationKind.APPLICATION_RECEIVED, Frequency.DAILY)

    with django_capture_on_commit_callbacks(execute=True):
        notify_received([anna], event_key="application:1:received", organisation="Buurthuis De Hoek")
        notify_received([anna], event_key="application:2:received", organisation="Repair Café Woensel")

    assert mailoutbox == []
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Status.DIGEST}

    tasks.notifications_send_digests.delay()

    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == [anna.email]
    assert "Buurthuis De Hoek" in digest.body and "Repair Café Woensel" in digest.body
    assert "Buurthuis De Hoek" in html_of(digest) and "Repair Café Woensel" in html_of(digest)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Status.SENT}
    assert all(n.sent_at is not None for n in Notification.objects.all())

    tasks.notifications_send_digests.delay()
    assert len(mailoutbox) == 1, "a second digest run sends nothing"


def test_a_digest_that_fails_to_send_waits_for_the_next_run(django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory()
    prefer(anna, NotificationKind.APPLICATION_RECEIVED, Frequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        notify_received([anna])

    with mock.patch.object(LocmemBackend, "send_messages", side_effect=ConnectionRefusedError("SMTP is down")):
        tasks.notifications_send_digests.delay()

    notification = Notification.objects.get()
    assert (notification.email_status, notification.last_error) == (Status.DIGEST, "SMTP is down")

    tasks.notifications_send_digests.delay()

    assert len(mailoutbox) == 1
    assert all(href.startswith(settings.SITE_URL) for href in re.findall(r'href="([^"]+)"', html_of(mailoutbox[0])))
    notification.refresh_from_db()
    assert notification.email_status == Status.SENT


def test_the_digest_goes_to_each_user_separately(django_capture_on_commit_callbacks, mailoutbox):
    anna, bram = UserFactory(), UserFactory()
    for user in (anna, bram):
        prefer(user, NotificationKind.APPLICATION_RECEIVED, Frequency.DAILY)

    with django_capture_on_commit_callbacks(execute=True):
        notify_received([anna, bram])

    tasks.notifications_send_digests.delay()

    assert sorted(m.to[0] for m in mailoutbox) == sorted([anna.email, bram.email])


def test_off_sends_no_email_but_shows_in_the_inbox(client, django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory(preferred_language="en")
    prefer(anna, NotificationKind.APPLICATION_RECEIVED, Frequency.OFF)

    with django_capture_on_commit_callbacks(execute=True):
        notify_received([anna], organisation="Buurthuis De Hoek")
    tasks.notifications_send_digests.delay()
    tasks.notifications_sweep.delay()

    assert mailoutbox == []
    assert Notification.objects.get().email_status == Status.SKIPPED
    client.force_login(anna)
    response = client.get(reverse("members:inbox"))
    assert response.status_code == 200
    assert "New membership application: Buurthuis De Hoek" in response.content.decode()


def test_each_recipient_gets_their_own_frequency(django_capture_on_commit_callbacks, mailoutbox):
    right_away, daily, off = UserFactory(), UserFactory(), UserFactory()
    prefer(daily, NotificationKind.APPLICATION_RECEIVED, Frequency.DAILY)
    prefer(off, NotificationKind.APPLICATION_RECEIVED, Frequency.OFF)

    with django_capture_on_commit_callbacks(execute=True):
        notify_received([right_away, daily, off])

    assert [m.to for m in mailoutbox] == [[right_away.email]]
    status = dict(Notification.objects.values_list("recipient", "email_status"))
    assert status == {right_away.pk: Status.SENT, daily.pk: Status.DIGEST, off.pk: Status.SKIPPED}


# Delivery ------------------------------------------------------------------------------------------


def test_delivering_the_same_notification_twice_sends_one_email(django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        [notification] = notify_received([anna])

    first = tasks.notification_deliver.delay(notification.pk)
    second = tasks.notification_deliver.delay(notification.pk)

    assert (first.get(), second.get()) == (True, False)
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Status.SENT
    assert notification.attempts == 1


def test_delivering_a_notification_that_is_gone_does_nothing(mailoutbox):
    assert tasks.notification_deliver.delay(987654).get() is False
    assert mailoutbox == []


@pytest.mark.parametrize("language", ["en", "nl"])
def test_email_has_text_and_html_in_the_recipients_language(language, django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory(preferred_language=language)
    application = ApplicationFactory(organisation__name="Jansen & Zn")

    # The ambient language is the other one: the email must follow the recipient, not the request.
    other = "nl" if language == "en" else "en"
    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        [notification] = notify_received([anna], organisation="Jansen & Zn", link=application.get_absolute_url())

    assert notification.language == language
    [message] = mailoutbox
    with translation.override(language):
        expected_subject = title_of(notification)
        expected_action = gettext("Review the application")
    assert message.subject == expected_subject
    assert "Jansen & Zn" in message.subject
    link = f"{settings.SITE_URL}{application.get_absolute_url()}"
    assert link.startswith(("http://", "https://"))

    assert "Jansen & Zn" in message.body, "the plain text part is not HTML-escaped"
    assert link in message.body
    assert expected_action in message.body

    html = html_of(message)
    assert f'<html lang="{language}"' in html
    assert "Jansen &amp; Zn" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert link in hrefs
    assert all(href.startswith(settings.SITE_URL) for href in hrefs), hrefs
    assert expected_action in html


def test_email_is_rendered_in_the_language_stored_on_the_notification(django_capture_on_commit_callbacks, mailoutbox):
    anna = UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=False):
        [notification] = notify_received([anna])
    # The user switches language after the event: the notification keeps the language it was written in.
    anna.preferred_language = "nl"
    anna.save()

    tasks.notification_deliver.delay(notification.pk)

    assert '<html lang="en"' in html_of(mailoutbox[0])


def test_a_mail_server_failure_leaves_the_row_pending_for_the_sweep(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    anna = UserFactory()
    with mock.patch.object(LocmemBackend, "send_messages", side_effect=ConnectionRefusedError("SMTP is down")):
        with django_capture_on_commit_callbacks(execute=True):
            [notification] = notify_received([anna])

    assert mailoutbox == []
    notification.refresh_from_db()
    assert notification.email_status == Status.PENDING
    assert notification.attempts == 1
    assert "SMTP is down" in notification.last_error
    assert notification.claimed_at is None

    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    assert tasks.notifications_sweep.delay().get() == 1

    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Status.SENT
    assert notification.attempts == 2
    assert notification.last_error == ""

    assert tasks.notifications_sweep.delay().get() == 0
    assert len(mailoutbox) == 1


def test_the_sweep_leaves_fresh_pending_rows_to_the_task_already_enqueued(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=False):
        notify_received([UserFactory()])

    assert tasks.notifications_sweep.delay().get() == 0
    assert mailoutbox == []


def test_after_the_last_attempt_a_notification_is_failed_not_retried_forever(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    with mock.patch.object(LocmemBackend, "send_messages", side_effect=ConnectionRefusedError("SMTP is down")):
        with django_capture_on_commit_callbacks(execute=True):
            [notification] = notify_received([UserFactory()])
        tasks.notifications_sweep.delay()
        notification.refresh_from_db()
        assert (notification.email_status, notification.attempts) == (Status.FAILED, 2)
        assert tasks.notifications_sweep.delay().get() == 0

    tasks.notifications_sweep.delay()
    assert mailoutbox == []


def test_the_sweep_releases_a_claim_past_its_lease_and_delivers_once(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 600
    anna, bram = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        [stuck] = notify_received([anna], event_key="application:1:received")
        [busy] = notify_received([bram], event_key="application:2:received")
    long_ago = timezone.now() - timedelta(seconds=601)
    # A worker claimed `stuck` and died; another worker is still sending `busy` right now.
    Notification.objects.filter(pk=stuck.pk).update(
        email_status=Status.SENDING, claimed_at=long_ago, created_at=long_ago, attempts=1
    )
    Notification.objects.filter(pk=busy.pk).update(
        email_status=Status.SENDING, claimed_at=timezone.now(), created_at=long_ago, attempts=1
    )

    assert tasks.notifications_sweep.delay().get() == 1

    assert [m.to for m in mailoutbox] == [[anna.email]]
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.email_status == Status.SENT
    assert busy.email_status == Status.SENDING

    tasks.notifications_sweep.delay()
    assert len(mailoutbox) == 1


# Inbox ---------------------------------------------------------------------------------------------


def unread_badge(response):
    """The unread count shown next to Inbox in the navigation, or None when there is no badge."""
    inbox = re.escape(reverse("members:inbox"))
    link = re.search(rf'<a[^>]*href="{inbox}"[^>]*>(.*?)</a>', response.content.decode(), re.S)
    assert link, "the navigation links to the inbox"
    badge = re.search(r'class="badge[^"]*">(\d+)', link.group(1))
    return int(badge.group(1)) if badge else None


def test_the_navigation_shows_the_unread_count(client, django_capture_on_commit_callbacks):
    anna = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify_received([anna], event_key="application:1:received")
        notify_received([anna], event_key="application:2:received")
        notify_received([UserFactory()], event_key="application:3:received")
    client.force_login(anna)

    assert unread_badge(client.get(reverse("members:dashboard"))) == 2

    Notification.objects.filter(recipient=anna).update(read_at=timezone.now())
    assert unread_badge(client.get(reverse("members:dashboard"))) is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, django_capture_on_commit_callbacks):
    anna = UserFactory()
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [opened] = notify_received([anna], event_key="application:1:received", link=application.get_absolute_url())
        [other] = notify_received([anna], event_key="application:2:received")
    client.force_login(anna)

    response = client.post(reverse("members:notification-open", args=[opened.pk]))

    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    opened.refresh_from_db()
    other.refresh_from_db()
    assert opened.read_at is not None
    assert other.read_at is None
    assert unread_badge(client.get(reverse("members:inbox"))) == 1


def test_opening_needs_a_post(client, django_capture_on_commit_callbacks):
    anna = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify_received([anna])
    client.force_login(anna)

    assert client.get(reverse("members:notification-open", args=[notification.pk])).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_my_notifications(client, django_capture_on_commit_callbacks):
    anna, bram = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify_received([anna, bram], event_key="application:1:received")
        notify_received([anna], event_key="application:2:received")
    client.force_login(anna)

    response = client.post(reverse("members:inbox-read-all"))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:inbox")
    assert not Notification.objects.filter(recipient=anna, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=bram).read_at is None
    assert unread_badge(client.get(reverse("members:inbox"))) is None


def test_another_users_notification_is_not_found(client, django_capture_on_commit_callbacks):
    anna, bram = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify_received([bram])
    client.force_login(anna)

    response = client.post(reverse("members:notification-open", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "Buurthuis De Hoek" not in client.get(reverse("members:inbox")).content.decode()


def test_a_visitor_is_sent_to_the_login_page(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify_received([UserFactory()])

    for response in (
        client.get(reverse("members:inbox")),
        client.post(reverse("members:notification-open", args=[notification.pk])),
        client.post(reverse("members:inbox-read-all")),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    notification.refresh_from_db()
    assert notification.read_at is None


# Preferences ---------------------------------------------------------------------------------------


def test_preferences_are_saved_and_apply_to_the_next_notification(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    anna = UserFactory()
    client.force_login(anna)
    choices = {
        NotificationKind.APPLICATION_RECEIVED: Frequency.OFF,
        NotificationKind.APPLICATION_DECIDED: Frequency.DAILY,
        NotificationKind.INVITATION_ACCEPTED: Frequency.IMMEDIATELY,
        NotificationKind.MEMBERSHIP_CHANGED: Frequency.DAILY,
    }

    others = {kind: Frequency.IMMEDIATELY for kind in CONFIGURABLE_KINDS if kind not in choices}
    response = client.post(
        reverse("members:account-settings"),
        {"preferences": "1", **{kind.value: frequency.value for kind, frequency in {**choices, **others}.items()}},
    )

    assert response.status_code == 302
    saved = dict(NotificationPreference.objects.filter(user=anna, kind__in=choices).values_list("kind", "frequency"))
    assert saved == {kind.value: frequency.value for kind, frequency in choices.items()}
    page = client.get(reverse("members:account-settings")).content.decode()
    for kind, frequency in choices.items():
        assert re.search(
            rf'<input[^>]*name="{kind.value}"[^>]*value="{frequency.value}"[^>]*checked', page
        ) or re.search(rf'<input[^>]*value="{frequency.value}"[^>]*name="{kind.value}"[^>]*checked', page), (
            f"{kind} shows {frequency} as chosen"
        )

    with django_capture_on_commit_callbacks(execute=True):
        notify_received([anna])
        notify(
            recipients=[Recipient.of(anna)],
            kind=NotificationKind.APPLICATION_DECIDED,
            event_key="application:1:decided",
            context={"organisation": "Buurthuis De Hoek"},
            link=reverse("members:dashboard"),
        )
        notify(
            recipients=[Recipient.of(anna)],
            kind=NotificationKind.INVITATION_ACCEPTED,
            event_key="invitation:1:accepted",
            context={"organisation": "Buurthuis De Hoek", "person": "Bram"},
            link=reverse("members:dashboard"),
        )

    status = dict(Notification.objects.values_list("kind", "email_status"))
    assert status == {
        NotificationKind.APPLICATION_RECEIVED: Status.SKIPPED,
        NotificationKind.APPLICATION_DECIDED: Status.DIGEST,
        NotificationKind.INVITATION_ACCEPTED: Status.SENT,
    }
    assert len(mailoutbox) == 1


def test_changing_a_preference_again_replaces_it(client):
    anna = UserFactory()
    prefer(anna, NotificationKind.APPLICATION_RECEIVED, Frequency.OFF)
    client.force_login(anna)
    data = {kind.value: Frequency.IMMEDIATELY.value for kind in NotificationKind if kind != NotificationKind.INVITATION}
    data[NotificationKind.APPLICATION_RECEIVED.value] = Frequency.DAILY.value

    client.post(reverse("members:account-settings"), {"preferences": "1", **data})

    assert NotificationPreference.objects.get(user=anna, kind=NotificationKind.APPLICATION_RECEIVED).frequency == (
        Frequency.DAILY
    )
    assert NotificationPreference.objects.filter(user=anna, kind=NotificationKind.APPLICATION_RECEIVED).count() == 1


def test_an_unknown_frequency_is_refused(client):
    anna = UserFactory()
    client.force_login(anna)
    data = {kind.value: Frequency.IMMEDIATELY.value for kind in NotificationKind if kind != NotificationKind.INVITATION}
    data[NotificationKind.APPLICATION_RECEIVED.value] = "hourly"

    response = client.post(reverse("members:account-settings"), {"preferences": "1", **data})

    assert response.status_code == 200
    assert not NotificationPreference.objects.filter(user=anna).exists()


def test_every_attempt_at_an_email_carries_the_same_message_id(mailoutbox, settings):
    """A resend after a worker died (the lease) must be recognisable as the same message by mail systems."""
    from members.notifications import notification_deliver

    anna = UserFactory()
    notification = Notification.objects.create(
        recipient=anna,
        email=anna.email,
        language="en",
        kind=NotificationKind.APPLICATION_RECEIVED,
        event_key="application:7:received:to:anna",
        context={"organisation": "Buurthuis De Hoek"},
    )
    assert notification_deliver(notification_id=notification.pk)
    # The worker "died" before marking it sent: the lease puts it back and it is sent again.
    Notification.objects.filter(pk=notification.pk).update(email_status=Notification.EmailStatus.PENDING)
    assert notification_deliver(notification_id=notification.pk)

    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.message()["Message-ID"] == first.extra_headers["Message-ID"]
    assert f"notification-{notification.pk}." in first.extra_headers["Message-ID"]
