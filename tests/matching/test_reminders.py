"""Reminders along the match lifecycle, the weekly digest of recommended needs, and the match notice email.

Each periodic job is run twice: what a person would notice is one email per event, never two. Dates are
relative to the real clock, as the jobs run on it.
"""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from matching import engine, features, reminders
from matching.models import HoursEntry, Match, MatchParticipant
from matching.services import match_approve, match_decline, match_reject
from members import services as member_services
from members.models import Frequency, Need, Notification, NotificationKind, NotificationPreference
from members.notifications import render_email
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_needs import NeedFactory, language, skill
from tests.factories_offers import OfferFactory
from tests.factories_volunteers import VolunteerFactory, admin_of

pytestmark = pytest.mark.django_db

Status = Match.Status
# Per kind: select what is due, read its reminders back, load the matches and their people, one outbox write.
QUERIES_PER_REMINDER_RUN = 39


@pytest.fixture(autouse=True)
def fresh_feature_cache():
    features.forget_supply()
    yield
    features.forget_supply()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a periodic job as a worker would: its emails go out when each transaction commits."""

    def run_job(job, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return job(**kwargs)

    return run_job


@pytest.fixture
def charity():
    return OrganisationFactory(kind="social", name="Buurthuis De Hoek")


@pytest.fixture
def contact(charity):
    return admin_of(charity).user


@pytest.fixture
def company():
    return OrganisationFactory(kind="company", name="ASML")


def need_of(charity, contact, **fields):
    return NeedFactory(organisation=charity, contact_person=contact, **fields)


def match_of(need, *, volunteer=None, offer=None, status=Status.APPROVED, days_in_status=0, **fields):
    changed = timezone.now() - timedelta(days=days_in_status)
    return Match.objects.create(
        need=need,
        volunteer=volunteer,
        offer=offer,
        status=status,
        score=0.7,
        created_at=changed,
        status_changed_at=changed,
        **fields,
    )


def agreed(need, volunteer, *, status=Status.ACCEPTED):
    now = timezone.now()
    match = match_of(need, volunteer=volunteer, status=status, need_accepted_at=now, supply_accepted_at=now)
    MatchParticipant.objects.create(match=match, volunteer=volunteer)
    return match


def reminders_of(user):
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.MATCH_REMINDER))


def mails_to(mailoutbox, user):
    return [message for message in mailoutbox if message.to == [user.email]]


# Reviews waiting -----------------------------------------------------------------------------------------


def test_coordinators_are_reminded_once_a_day_of_proposals_waiting_longer_than_two_days(
    run, mailoutbox, charity, contact
):
    first, second = coordinator(), coordinator()
    need = need_of(charity, contact)
    for days in (3, 5):
        match_of(need, volunteer=VolunteerFactory(), status=Status.PROPOSED, days_in_status=days)
    match_of(need, volunteer=VolunteerFactory(), status=Status.PROPOSED, days_in_status=1)

    assert run(reminders.reminders_send) == 2
    assert run(reminders.reminders_send) == 0

    for user in (first, second):
        [message] = mails_to(mailoutbox, user)
        assert message.subject == "Reminder: proposals wait for review — 2 matches"
        assert f"Open in the portal: http://127.0.0.1:8000{reverse('matching:review-queue')}" in message.body
        [notification] = reminders_of(user)
        assert notification.context["count"] == 2
    assert len(mailoutbox) == 2

    tomorrow = timezone.now() + timedelta(days=1)
    assert run(reminders.reminders_send, now=tomorrow) == 2
    assert len(mailoutbox) == 4


def test_no_review_reminder_when_every_proposal_is_recent(run, mailoutbox, charity, contact):
    coordinator()
    match_of(need_of(charity, contact), volunteer=VolunteerFactory(), status=Status.PROPOSED, days_in_status=1)

    assert run(reminders.reminders_send) == 0
    assert mailoutbox == []


# Answers waiting -----------------------------------------------------------------------------------------


def test_an_approved_match_waiting_three_days_reminds_only_the_side_that_has_not_accepted(
    run, mailoutbox, charity, contact
):
    volunteer = VolunteerFactory()
    need = need_of(charity, contact, title="Taalmaatje gezocht")
    match_of(need, volunteer=volunteer, days_in_status=4, supply_accepted_at=timezone.now())

    assert run(reminders.reminders_send) == 1
    assert run(reminders.reminders_send) == 0

    [message] = mailoutbox
    assert message.to == [contact.email]
    assert message.subject == "Reminder: a match waits for your answer — Taalmaatje gezocht"
    assert "Please accept or decline in the portal." in message.body
    assert reminders_of(volunteer.user) == []


def test_a_match_nobody_answered_reminds_both_sides_once_and_a_fresh_one_nobody(run, mailoutbox, charity, contact):
    waiting, fresh = VolunteerFactory(), VolunteerFactory()
    match = match_of(need_of(charity, contact), volunteer=waiting, days_in_status=4)
    match_of(need_of(charity, contact), volunteer=fresh, days_in_status=2)

    assert run(reminders.reminders_send) == 2
    run(reminders.reminders_send)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([contact.email, waiting.user.email])
    assert all(match.get_absolute_url() in m.body for m in mailoutbox)
    assert reminders_of(fresh.user) == []


# Starts coming up ----------------------------------------------------------------------------------------


def test_both_sides_hear_once_that_the_work_starts_in_two_days(run, mailoutbox, charity, contact):
    today = timezone.localdate()
    volunteer, later, started = VolunteerFactory(), VolunteerFactory(), VolunteerFactory()
    soon = agreed(need_of(charity, contact, title="Moestuin", start_date=today + timedelta(days=2)), volunteer)
    agreed(need_of(charity, contact, start_date=today + timedelta(days=3)), later)
    agreed(need_of(charity, contact, start_date=today - timedelta(days=1)), started, status=Status.ACTIVE)

    assert run(reminders.reminders_send) == 2
    assert run(reminders.reminders_send) == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted([contact.email, volunteer.user.email])
    assert {m.subject for m in mailoutbox} == {"Reminder: the work starts soon — Moestuin"}
    assert all(soon.get_absolute_url() in m.body for m in mailoutbox)


def test_an_offer_starting_today_tells_the_company_and_its_people(run, mailoutbox, charity, contact, company):
    poster = admin_of(company).user
    offer = OfferFactory(organisation=company, created_by=poster)
    people = [VolunteerFactory(organisation=company) for _ in range(2)]
    now = timezone.now()
    match = match_of(
        need_of(charity, contact, start_date=timezone.localdate(), volunteers_needed=2),
        offer=offer,
        status=Status.ACTIVE,
        people=2,
        need_accepted_at=now,
        supply_accepted_at=now,
    )
    MatchParticipant.objects.bulk_create(MatchParticipant(match=match, volunteer=v) for v in people)

    assert run(reminders.reminders_send) == 4

    assert sorted(m.to[0] for m in mailoutbox) == sorted([contact.email, poster.email, *(v.user.email for v in people)])


# Hours not logged ----------------------------------------------------------------------------------------


def test_participants_are_asked_once_for_their_hours_three_days_after_the_end(run, mailoutbox, charity, contact):
    today = timezone.localdate()
    forgot, recent, logged = VolunteerFactory(), VolunteerFactory(), VolunteerFactory()

    def ended(days_ago, volunteer):
        end = today - timedelta(days=days_ago)
        need = need_of(charity, contact, title=f"Klus {days_ago}", start_date=end - timedelta(days=7), end_date=end)
        return agreed(need, volunteer, status=Status.ACTIVE)

    reminded = ended(3, forgot)
    ended(2, recent)
    done = ended(5, logged)
    HoursEntry.objects.create(match=done, volunteer=logged, date=today - timedelta(days=6), hours=4)

    assert run(reminders.reminders_send) == 1
    assert run(reminders.reminders_send) == 0

    [message] = mailoutbox
    assert message.to == [forgot.user.email]
    assert message.subject == "Reminder: please log your hours — Klus 3"
    assert "Please log the hours you worked" in message.body
    assert reverse("matching:hours-log", kwargs={"pk": reminded.pk}) in message.body
    assert reminders_of(contact) == []


def test_a_need_without_an_end_date_asks_for_no_hours(run, mailoutbox, charity, contact):
    agreed(need_of(charity, contact, is_flexible=True, start_date=None, end_date=None), VolunteerFactory())

    assert run(reminders.reminders_send) == 0
    assert mailoutbox == []


# The weekly digest of recommended needs ------------------------------------------------------------------


def analyst(company, **fields):
    return VolunteerFactory(organisation=company, skills={"data-analysis": 2}, languages=["nl"], **fields)


def analysis_need(charity, contact, *, published_days_ago=None, **fields):
    if published_days_ago is not None:
        fields["published_at"] = timezone.now() - timedelta(days=published_days_ago, hours=1)
    return need_of(
        charity,
        contact,
        is_flexible=True,
        start_date=None,
        skills={skill("data-analysis"): True},
        languages=[language("nl")],
        **fields,
    )


def test_each_volunteer_hears_once_a_week_how_many_new_needs_fit_them(
    run, mailoutbox, charity, contact, company, monkeypatch
):
    fits, carpenter = analyst(company), VolunteerFactory(organisation=company, skills={"carpentry": 2})
    already = analyst(company)
    first = analysis_need(charity, contact, published_days_ago=1)
    analysis_need(charity, contact, published_days_ago=6)
    analysis_need(charity, contact, published_days_ago=9)
    analysis_need(charity, contact, published_days_ago=2, status=Need.Status.PAUSED)
    match_of(first, volunteer=already, status=Status.PROPOSED)
    engine_runs = []
    real_candidates = engine.candidates
    monkeypatch.setattr(engine, "candidates", lambda *a, **k: engine_runs.append(1) or real_candidates(*a, **k))

    assert run(reminders.recommendations_weekly) == 2
    assert run(reminders.recommendations_weekly) == 0

    assert len(engine_runs) == 2, "one engine run per digest, over all new needs and the whole supply"
    [message] = mails_to(mailoutbox, fits.user)
    assert message.subject == "2 new needs that fit you"
    assert f"Open in the portal: http://127.0.0.1:8000{reverse('matching:recommended')}" in message.body
    [told] = mails_to(mailoutbox, already.user)
    assert told.subject == "1 new need that fits you", "a need they are already matched to is not news"
    assert mails_to(mailoutbox, carpenter.user) == []
    iso = timezone.localdate().isocalendar()
    assert Notification.objects.get(recipient=fits.user).event_key == (
        f"recommended:{iso.year}-W{iso.week:02d}:to:{fits.user.pk}"
    )

    analysis_need(charity, contact, published_at=timezone.now())
    next_week = timezone.localdate() + timedelta(days=7)
    assert run(reminders.recommendations_weekly, today=next_week) == 2, "a new week brings news again"
    assert [m.subject for m in mails_to(mailoutbox, fits.user)] == [
        "2 new needs that fit you",
        "1 new need that fits you",
    ]


def test_a_week_without_new_needs_sends_nothing(run, mailoutbox, charity, contact, company):
    analyst(company)
    analysis_need(charity, contact, published_days_ago=8)

    assert run(reminders.recommendations_weekly) == 0
    assert mailoutbox == []


def test_a_volunteer_who_turned_the_digest_off_finds_it_in_the_inbox_only(
    run, mailoutbox, charity, contact, company, client
):
    quiet = analyst(company)
    NotificationPreference.objects.create(
        user=quiet.user, kind=NotificationKind.NEEDS_RECOMMENDED, frequency=Frequency.OFF
    )
    analysis_need(charity, contact, published_days_ago=1)

    assert run(reminders.recommendations_weekly) == 1

    assert mailoutbox == []
    client.force_login(quiet.user)
    assert "1 new need that fits you" in client.get(reverse("members:inbox")).content.decode()


# The match notice email and the inbox --------------------------------------------------------------------


def test_an_approval_email_names_the_need_the_other_side_and_the_link(
    mailoutbox, charity, contact, company, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory(organisation=company, user__full_name="Anna de Vries")
    match = match_of(need_of(charity, contact, title="Taalmaatje gezocht"), volunteer=volunteer, status=Status.PROPOSED)

    with django_capture_on_commit_callbacks(execute=True):
        match_approve(match=match, acting_user=coordinator(), note="Past goed")

    assert sorted(m.to[0] for m in mailoutbox) == sorted([contact.email, volunteer.user.email])
    message = mails_to(mailoutbox, contact)[0]
    assert message.subject == "Approved: Taalmaatje gezocht — please accept or decline"
    assert "Need: Taalmaatje gezocht" in message.body
    assert "Who helps: Anna de Vries" in message.body
    assert f"Open in the portal: http://127.0.0.1:8000{match.get_absolute_url()}" in message.body
    html = message.alternatives[0].content
    assert "<h1" in html and "Approved: Taalmaatje gezocht" in html
    assert f'href="http://127.0.0.1:8000{match.get_absolute_url()}"' in html
    assert message.extra_headers["X-Notification-Id"] == str(Notification.objects.get(recipient=contact).pk)


def test_a_declined_match_tells_the_other_side_the_reason(
    mailoutbox, charity, contact, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory()
    match = match_of(need_of(charity, contact, title="Moestuin"), volunteer=volunteer)

    with django_capture_on_commit_callbacks(execute=True):
        match_decline(match=match, acting_user=volunteer.user, side="supply", reason="Ik verhuis naar Groningen.")

    message = mails_to(mailoutbox, contact)[0]
    assert message.subject == "Declined: Moestuin"
    assert "Reason given: Ik verhuis naar Groningen." in message.body
    assert "Ik verhuis naar Groningen." in message.alternatives[0].content


def test_a_rejected_offer_to_help_carries_the_coordinators_note(
    mailoutbox, charity, contact, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory()
    match = match_of(
        need_of(charity, contact, title="Moestuin"), volunteer=volunteer, status=Status.PROPOSED, source="volunteer"
    )

    with django_capture_on_commit_callbacks(execute=True):
        match_reject(match=match, acting_user=coordinator(), note="Deze klus vraagt een VOG.")

    [message] = mailoutbox
    assert message.to == [volunteer.user.email]
    assert message.subject == "Not approved: Moestuin"
    assert "Note from the coordinator: Deze klus vraagt een VOG." in message.body


def test_the_match_notice_is_written_in_the_recipients_language(charity, contact):
    dutch = UserFactory(preferred_language="nl")
    notification = Notification.objects.create(
        recipient=dutch,
        email=dutch.email,
        language="nl",
        kind=NotificationKind.MATCH_ENDED,
        event_key="match:1:withdrawn:to:test",
        context={"subject": "Moestuin", "need": "Moestuin", "other": "Anna", "event": "withdrawn", "note": "Ziek"},
        link="/matches/1/",
    )

    subject, text, html = render_email(notification)

    with translation.override("nl"):
        assert subject == gettext("%(event_label)s: %(subject)s") % {
            "event_label": gettext("Withdrawn"),
            "subject": "Moestuin",
        }
        assert f"{gettext('Open in the portal:')} http://127.0.0.1:8000/matches/1/" in text
        assert f"{gettext('Reason given:')} Ziek" in text
    assert '<html lang="nl">' in html


def test_the_inbox_shows_what_happened_to_each_match(client, charity, contact, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory()
    approved = match_of(need_of(charity, contact, title="Taalmaatje"), volunteer=volunteer, status=Status.PROPOSED)
    declined = match_of(need_of(charity, contact, title="Moestuin"), volunteer=volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        match_approve(match=approved, acting_user=coordinator())
        match_decline(match=declined, acting_user=volunteer.user, side="supply", reason="Geen tijd")
    Match.objects.filter(pk=approved.pk).update(status_changed_at=timezone.now() - timedelta(days=4))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send()

    client.force_login(contact)
    page = client.get(reverse("members:inbox")).content.decode()

    assert "Approved: Taalmaatje — please accept or decline" in page
    assert "Declined: Moestuin" in page
    assert "Reminder: a match waits for your answer — Taalmaatje" in page


@pytest.mark.parametrize(("approve", "decision"), [(True, "approved"), (False, "rejected")])
def test_the_application_decision_title_says_approved_or_rejected(
    approve, decision, mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(organisation__name="Taalmaatjes op het Werk")

    with django_capture_on_commit_callbacks(execute=True):
        member_services.membership_application_decide(
            application=application, acting_user=coordinator(), approve=approve, note=""
        )

    [message] = mailoutbox
    assert message.subject == f"Your membership application for Taalmaatjes op het Werk was {decision}"


def test_the_digest_window_is_the_seven_days_before_the_run(run, charity, contact, company):
    analyst(company)
    today = timezone.localdate()
    analysis_need(
        charity, contact, published_at=timezone.make_aware(datetime.datetime.combine(today, datetime.time(6, 0)))
    )

    assert run(reminders.recommendations_weekly, today=today) == 0, "published this morning: next week's news"
    assert run(reminders.recommendations_weekly, today=today + timedelta(days=7)) == 1


def test_the_reminders_cost_a_fixed_number_of_queries_however_many_are_due(
    charity, contact, company, django_assert_num_queries
):
    coordinator()
    today = timezone.localdate()

    def due_of_each_kind(n):
        for _ in range(n):
            match_of(need_of(charity, contact), volunteer=VolunteerFactory(), status=Status.PROPOSED, days_in_status=3)
            match_of(need_of(charity, contact), volunteer=VolunteerFactory(), days_in_status=4)
            agreed(need_of(charity, contact, start_date=today + timedelta(days=1)), VolunteerFactory())
            end = today - timedelta(days=4)
            need = need_of(charity, contact, start_date=end - timedelta(days=7), end_date=end)
            agreed(need, VolunteerFactory(), status=Status.ACTIVE)

    due_of_each_kind(1)
    with django_assert_num_queries(QUERIES_PER_REMINDER_RUN):
        first = reminders.reminders_send()
    due_of_each_kind(5)
    tomorrow = timezone.now() + timedelta(days=1)
    with django_assert_num_queries(QUERIES_PER_REMINDER_RUN):
        second = reminders.reminders_send(now=tomorrow)

    assert first == 1 + 2 + 2 + 1
    assert second == 1 + 5 * (2 + 2 + 1)
