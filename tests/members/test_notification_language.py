"""Privacy notices read in their reader's language, whoever's language was active when they were made: the day an
inactive account is removed is written as a date of that language, and a deleted account is named in it."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from matching import services as matching_services
from matching.models import Match
from members import services
from members.models import Membership, Notification, NotificationKind, User, Volunteer
from members.notifications import render_email, title_of
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.matching.test_sides_permissions import agreed, approved, current_need, volunteer_of

pytestmark = pytest.mark.django_db

# Thirty days before the removal day the test expects.
NOW = datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC)
REMOVAL = {"nl": "4 januari 2027", "en": "4 January 2027"}


def away_since(days, language) -> User:
    then = NOW - datetime.timedelta(days=days)
    volunteer = VolunteerFactory(user__preferred_language=language)
    User.objects.filter(pk=volunteer.user_id).update(
        last_login=then, last_seen_at=then, date_joined=then - datetime.timedelta(days=1)
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(updated_at=then, created_at=then)
    return User.objects.get(pk=volunteer.user_id)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_removal_day_of_an_inactive_account_is_a_date_in_the_readers_language(
    settings, django_capture_on_commit_callbacks, language
):
    person = away_since(settings.PRIVACY_INACTIVE_AFTER_DAYS - 29, language)

    # The daily job runs in the site's language, not the reader's.
    with translation.override("nl" if language == "en" else "en"), django_capture_on_commit_callbacks(execute=True):
        assert services.inactive_volunteers_process(now=NOW) == (1, 0)

    warning = Notification.objects.get(recipient=person, kind=NotificationKind.ACCOUNT_INACTIVE)
    assert warning.context == {"date": "2027-01-04"}  # a day, written out only when shown
    [email] = mail.outbox
    assert email.subject.endswith(f" {REMOVAL[language]}" + (" verwijderd" if language == "nl" else ""))
    assert REMOVAL[language] in email.body and "2027-01-04" not in email.body
    html = email.alternatives[0][0]
    assert REMOVAL[language] in html and "2027-01-04" not in html
    assert REMOVAL[language] in title_of(warning)


@pytest.fixture
def withdrawn_for_a_deleted_account():
    """A volunteer who reads Dutch deletes their account while a proposal of theirs was approved; the charity's
    two staff, one reading English and one Dutch, are told the match was withdrawn."""
    charity = OrganisationFactory(kind="social")
    readers = {
        language: MembershipFactory(
            organisation=charity, role=Membership.Role.MEMBER, user__preferred_language=language
        ).user
        for language in ("en", "nl")
    }
    volunteer = volunteer_of(OrganisationFactory(), user__preferred_language="nl", user__full_name="Gaat Weg")
    match = approved(current_need(charity, contact_person=None), by=coordinator(), volunteer=volunteer)
    with translation.override("nl"):
        services.account_delete(user=volunteer.user, acting_user=volunteer.user)
    assert Match.objects.get(pk=match.pk).status == Match.Status.WITHDRAWN
    return readers


WORDS = {
    "en": ("Deleted account", "The volunteer deleted their account."),
    "nl": ("Verwijderd account", "De vrijwilliger heeft zijn of haar account verwijderd."),
}


@pytest.mark.parametrize(("language", "other"), [("en", "nl"), ("nl", "en")])
def test_a_deleted_account_and_why_the_match_ended_are_in_each_readers_language(
    withdrawn_for_a_deleted_account, language, other
):
    reader = withdrawn_for_a_deleted_account[language]

    notice = Notification.objects.get(recipient=reader, kind=NotificationKind.MATCH_ENDED)
    _subject, text, html = render_email(notice)

    for words in WORDS[language]:
        assert words in text and words in html
    for words in WORDS[other]:
        assert words not in text and words not in html
    assert "Gaat Weg" not in text


def test_a_day_that_cannot_be_read_is_shown_as_it_was_kept():
    notice = Notification(
        kind=NotificationKind.ACCOUNT_INACTIVE,
        language="en",
        email="someone@example.org",
        context={"date": "2027-02-30"},
    )

    assert title_of(notice) == "Your Brainport voor Elkaar account will be removed on 2027-02-30"


def test_why_a_waiting_proposal_ended_with_its_completed_need_is_in_the_readers_language():
    charity = OrganisationFactory(kind="social")
    staff = MembershipFactory(organisation=charity, role=Membership.Role.MEMBER, user__preferred_language="nl").user
    need = current_need(charity, contact_person=staff, volunteers_needed=2)
    helped = volunteer_of(OrganisationFactory())
    agreed(need, by=coordinator(), need_user=staff, supply_user=helped.user, volunteer=helped)
    waiting = volunteer_of(OrganisationFactory(), user__preferred_language="en")
    approved(need, by=coordinator(), volunteer=waiting)

    with translation.override("nl"):
        matching_services.need_complete(need=need, acting_user=staff, residents_reached=12)

    notice = Notification.objects.get(recipient=waiting.user, kind=NotificationKind.MATCH_ENDED)
    _subject, text, html = render_email(notice)
    assert "Reason given: The need is completed." in text
    assert "afgerond" not in text and "afgerond" not in html
