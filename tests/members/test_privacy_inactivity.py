"""Volunteers who stopped using the portal: told a month before, then anonymised by the daily job, which is safe
to run twice. People who came back, staff and coordinators are left alone."""

import datetime
import importlib

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from members import services
from members.models import Membership, Notification, NotificationKind, User, Volunteer
from members.tasks import privacy_inactive_volunteers
from tests.factories import coordinator
from tests.factories_volunteers import VolunteerFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def away(days, **kwargs) -> User:
    """A volunteer whose last login, registration and profile change were `days` ago."""
    then = NOW - datetime.timedelta(days=days)
    volunteer = VolunteerFactory(**kwargs)
    User.objects.filter(pk=volunteer.user_id).update(
        last_login=then, last_seen_at=then, date_joined=then - datetime.timedelta(days=1)
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(updated_at=then, created_at=then)
    return User.objects.get(pk=volunteer.user_id)


def warnings_to(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.ACCOUNT_INACTIVE)


def later(days):
    return NOW + datetime.timedelta(days=days)


def test_the_job_runs_daily_from_beat():
    assert settings.CELERY_BEAT_SCHEDULE["privacy-inactive-volunteers"]["task"] == (
        "members.tasks.privacy_inactive_volunteers"
    )


def test_a_volunteer_is_told_a_month_before_once_and_removed_after_the_period(django_capture_on_commit_callbacks):
    period = settings.PRIVACY_INACTIVE_AFTER_DAYS
    # Their period ends in 29 days: today they are told, and get a month.
    quiet = away(period - 29, user__full_name="Sanne Stil", user__preferred_language="nl")
    recent = away(10)

    with django_capture_on_commit_callbacks(execute=True):
        told, removed = services.inactive_volunteers_process(now=NOW)
        again = services.inactive_volunteers_process(now=NOW)

    assert (told, removed) == (1, 0)
    assert again == (0, 0)
    [warning] = warnings_to(quiet)
    removal = (NOW + datetime.timedelta(days=30)).date()
    assert warning.context == {"date": removal.isoformat()}
    [email] = mail.outbox
    assert email.to == [quiet.email]
    with translation.override("nl"):
        assert (
            email.subject == f"Je account bij Brainport voor Elkaar wordt op {date_format(removal, 'j F Y')} verwijderd"
        )
    assert "Log dan voor die datum één keer in" in email.body
    assert not warnings_to(recent).exists()

    # Twenty days on, the period is over but the warning is not a month old yet: nothing happens.
    assert services.inactive_volunteers_process(now=later(20)) == (0, 0)
    # A month after the warning they are removed, once.
    assert services.inactive_volunteers_process(now=later(31)) == (0, 1)
    assert services.inactive_volunteers_process(now=later(32)) == (0, 0)
    quiet.refresh_from_db()
    assert quiet.anonymised_at is not None and quiet.full_name == "" and not quiet.is_active
    assert User.objects.get(pk=recent.pk).anonymised_at is None


def test_someone_away_longer_than_the_period_is_still_told_a_month_ahead_first():
    gone = away(settings.PRIVACY_INACTIVE_AFTER_DAYS + 100)

    assert services.inactive_volunteers_process(now=NOW) == (1, 0)

    assert warnings_to(gone).get().context == {"date": (NOW + datetime.timedelta(days=30)).date().isoformat()}
    assert services.inactive_volunteers_process(now=later(29)) == (0, 0)
    assert services.inactive_volunteers_process(now=later(31)) == (0, 1)


def test_logging_in_after_the_warning_keeps_the_account_and_a_later_absence_is_told_again():
    period = settings.PRIVACY_INACTIVE_AFTER_DAYS
    back = away(period - 10)
    services.inactive_volunteers_process(now=NOW)
    User.objects.filter(pk=back.pk).update(last_login=later(5), last_seen_at=later(5))

    assert services.inactive_volunteers_process(now=later(40)) == (0, 0)
    assert User.objects.get(pk=back.pk).anonymised_at is None
    # Gone quiet again for a whole period: a new warning, then removal.
    assert services.inactive_volunteers_process(now=later(5 + period - 20)) == (1, 0)
    assert warnings_to(back).count() == 2


def test_staff_and_coordinators_are_not_removed_for_inactivity():
    staff = away(settings.PRIVACY_INACTIVE_AFTER_DAYS + 100)
    Membership.objects.filter(user=staff).update(role=Membership.Role.MEMBER)
    association = away(settings.PRIVACY_INACTIVE_AFTER_DAYS + 100, user=coordinator())

    assert services.inactive_volunteers_process(now=NOW) == (0, 0)
    assert services.inactive_volunteers_process(now=later(40)) == (0, 0)
    assert not warnings_to(staff).exists() and not warnings_to(association).exists()


def test_the_task_calls_the_job():
    away(settings.PRIVACY_INACTIVE_AFTER_DAYS + 1)

    assert privacy_inactive_volunteers.delay().get() == (1, 0)


def test_the_period_is_a_setting(settings):
    settings.PRIVACY_INACTIVE_AFTER_DAYS = 100
    away(80)

    assert services.inactive_volunteers_process(now=NOW) == (1, 0)


def test_someone_who_keeps_using_a_long_session_without_logging_in_is_not_inactive(client):
    """The last login can be long ago while the person uses the portal every day in the same session."""
    regular = away(settings.PRIVACY_INACTIVE_AFTER_DAYS + 100)
    client.force_login(regular)
    User.objects.filter(pk=regular.pk).update(last_login=NOW - datetime.timedelta(days=1000))

    client.get(reverse("members:dashboard"))

    assert services.inactive_volunteers_process(now=NOW) == (0, 0)
    assert services.inactive_volunteers_process(now=later(40)) == (0, 0)


def test_the_day_a_person_was_last_seen_is_written_at_most_once_a_day(client):
    person = away(3)
    client.force_login(person)

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("members:dashboard"))
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("members:dashboard"))

    def writes(queries):
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "last_seen_at" in q["sql"]]

    assert len(writes(first.captured_queries)) == 1
    assert writes(second.captured_queries) == []
    assert User.objects.get(pk=person.pk).last_seen_at > NOW


def test_the_migration_records_earlier_consents_as_the_terms_before_the_statement():
    from django.apps import apps

    migration = importlib.import_module("members.migrations.0010_privacy")
    volunteer = VolunteerFactory()
    never = VolunteerFactory(consent_at=None)

    migration.record_earlier_consents(apps, None)

    assert list(volunteer.user.privacy_consents.values_list("version", "action", "at")) == [
        ("0", "given", volunteer.consent_at)
    ]
    assert User.objects.get(pk=volunteer.user_id).must_agree_again
    assert not never.user.privacy_consents.exists()
    assert not User.objects.get(pk=never.user_id).must_agree_again


def test_a_run_removes_at_most_its_limit_the_longest_inactive_first():
    oldest = away(settings.PRIVACY_INACTIVE_AFTER_DAYS + 300)
    others = [away(settings.PRIVACY_INACTIVE_AFTER_DAYS + 100) for _ in range(2)]
    assert services.inactive_volunteers_process(now=NOW) == (3, 0)

    assert services.inactive_volunteers_process(now=later(31), remove_limit=1) == (0, 1)

    assert User.objects.get(pk=oldest.pk).anonymised_at is not None
    assert services.inactive_volunteers_process(now=later(32), remove_limit=5) == (0, 2)
    assert all(User.objects.get(pk=u.pk).anonymised_at for u in others)
