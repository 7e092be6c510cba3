"""After a volunteer with a long history deletes their account, their name and email address are nowhere in
the database: every text and JSON column of every table (Django's, allauth's, axes', ours) is read and searched.
Their matches, hours and the impact figures stay, counted as an anonymous person.

Runs on the database of the test run: SQLite on a laptop, PostgreSQL in CI.
"""

import datetime
import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from matching.impact import ImpactFilter, volunteers_registered, work_delivered
from matching.models import HoursEntry, Match, MatchFeedback
from members import services
from members.models import (
    Frequency,
    Membership,
    Need,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
    Volunteer,
    VolunteerImport,
)
from members.notifications import notification_deliver, render_email
from members.personal_data import personal_data
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_needs import NeedFactory
from tests.factories_volunteers import csv_text, volunteer_row
from tests.matching.test_sides_permissions import current_need, proposal

NAME = "Olena Kovalenkó"
EMAIL = "olena.kovalenko@asml.example"
HOME_EMAIL = "o.kovalenko@thuis.example"

# Column types that hold text or JSON, as the introspection of either database names them.
TEXT_TYPES = ("char", "text", "json", "clob", "varchar", "string")


def text_columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    columns = []
    for column in description:
        try:
            field_type = connection.introspection.get_field_type(column.type_code, column)
        except KeyError:
            # A type Django has no field for (PostgreSQL's tsvector, say): read it too, as text.
            field_type = "text"
        if any(kind in field_type.lower() for kind in TEXT_TYPES):
            columns.append(column.name)
    return columns


def occurrences(needles: list[str]) -> list[str]:
    """Every (table, column, value) in the whole database that holds one of the needles, case-insensitively,
    as written or as JSON escapes it."""
    forms = set()
    for needle in needles:
        forms |= {needle.lower(), json.dumps(needle)[1:-1].lower()}
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert len(tables) > 30, tables  # every app's tables, not a few
    for table in tables:
        columns = text_columns(table)
        if not columns:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if any(form in text.lower() for form in forms):
                        found.append(f"{table}.{column}: {text[:200]}")
    return found


@pytest.fixture
def history():
    """A volunteer who came in through a CSV import and did a bit of everything since."""
    the_coordinator = coordinator(full_name="Karin Coördinator")
    company = OrganisationFactory(name="ASML", slug="asml")
    company_admin = MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user
    charity = OrganisationFactory(name="Voedselbank Eindhoven", slug="voedselbank", kind="social")
    contact = MembershipFactory(organisation=charity, role=Membership.Role.ADMIN, user__full_name="Ans de Vries").user

    # Imported by the employer, with a second import still waiting for confirmation that lists them again.
    row = volunteer_row(1, email=EMAIL, full_name=NAME)
    first = services.volunteer_import_upload(
        organisation=company, acting_user=company_admin, filename="team.csv", text=csv_text([row])
    )
    services.volunteer_import_commit(volunteer_import=first, acting_user=company_admin)
    services.volunteer_import_upload(
        organisation=company,
        acting_user=company_admin,
        filename="team-2.csv",
        text=csv_text([row, volunteer_row(2)]),
    )
    user = User.objects.get(email=EMAIL)
    user.set_password(PASSWORD)
    user.save()
    volunteer = Volunteer.objects.get(user=user)
    services.volunteer_update(volunteer=volunteer, acting_user=user, profile={}, consent=True)
    services.user_update_profile(user=user, full_name=NAME, language="en")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=HOME_EMAIL, verified=True, primary=False)
    NotificationPreference.objects.create(user=user, kind=NotificationKind.MATCH_APPROVED, frequency=Frequency.DAILY)

    # Invited to help at the food bank's office too (accepted), and by a third organisation (still open).
    invitation = services.invitation_create(organisation=charity, acting_user=contact, email=EMAIL, role="member")
    services.invitation_accept(invitation=invitation, user=user)
    third = MembershipFactory(role=Membership.Role.ADMIN, organisation__name="Lumens").user
    services.invitation_create(
        organisation=third.memberships.get().organisation, acting_user=third, email=HOME_EMAIL, role="member"
    )
    # As staff of the food bank they wrote a need with their address in it.
    NeedFactory(
        organisation=charity,
        created_by=user,
        contact_person=user,
        title="Taalmaatje gezocht",
        description=f"Vragen? Mail {EMAIL} of vraag naar {NAME}.",
    )

    # Matches in several states, with notes naming them, hours and feedback.
    done = current_need(charity, title="Pakketten inpakken", contact_person=contact)
    completed = proposal(done, volunteer=volunteer)
    matching.match_approve(match=completed, acting_user=the_coordinator, note=f"{NAME} spreekt Oekraïens.")
    matching.match_accept(match=completed, acting_user=contact, side="need")
    matching.match_accept(match=completed, acting_user=user, side="supply")
    today = timezone.localdate()
    entry = matching.hours_log(
        match=completed,
        acting_user=user,
        day=today - datetime.timedelta(days=2),
        hours=Decimal("3"),
        description=f"Ingepakt met {NAME}",
    )
    matching.hours_confirm(entries=[entry], acting_user=contact)
    matching.feedback_give(
        match=completed, acting_user=contact, side="need", helped=True, rating=5, comment=f"{NAME} was geweldig!"
    )
    matching.feedback_give(match=completed, acting_user=user, side="supply", helped=True, rating=4, comment="Mooi.")
    matching.need_complete(need=done, acting_user=contact, residents_reached=30)

    running = proposal(current_need(charity, title="Huiswerkbegeleiding", contact_person=contact), volunteer=volunteer)
    matching.match_approve(match=running, acting_user=the_coordinator)
    matching.match_accept(match=running, acting_user=contact, side="need")
    matching.match_accept(match=running, acting_user=user, side="supply")
    matching.hours_log(match=running, acting_user=user, day=today, hours=Decimal("2"), description="Rekenen")
    waiting = proposal(current_need(charity, title="Boodschappen"), volunteer=volunteer)
    matching.match_approve(match=waiting, acting_user=the_coordinator, note=f"Mail {EMAIL.upper()} als het kan")
    proposal(current_need(charity, title="Voorlezen"), volunteer=volunteer)
    declined = proposal(current_need(charity, title="Klussen"), volunteer=volunteer)
    matching.match_approve(match=declined, acting_user=the_coordinator)
    matching.match_decline(match=declined, acting_user=user, side="supply", reason=f"Sorry, {NAME} heeft geen tijd.")

    # A login that failed, one that worked, and the admin's history of changing their account.
    browser = Client()
    browser.post(reverse("account_login"), {"login": EMAIL, "password": "verkeerd"})
    assert browser.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD}).status_code == 302
    Client().post(reverse("account_login"), {"login": EMAIL.upper(), "password": "geraden"})
    LogEntry.objects.log_actions(
        user_id=the_coordinator.pk, queryset=[user], action_flag=CHANGE, change_message=f"Changed {EMAIL}"
    )
    assert AccessAttempt.objects.filter(username=EMAIL).exists() or AccessLog.objects.filter(username=EMAIL).exists()
    # One email went out, others wait to be sent or for the daily digest.
    pending = Notification.objects.filter(recipient=user, email_status=Notification.EmailStatus.PENDING)
    notification_deliver(notification_id=pending.order_by("pk").first().pk)
    assert Notification.objects.filter(recipient=user, email_status=Notification.EmailStatus.DIGEST).exists()
    assert Notification.objects.filter(recipient=user, email_status=Notification.EmailStatus.SENT).exists()
    assert any(
        NAME in json.dumps(n.context, ensure_ascii=False) for n in Notification.objects.filter(recipient=contact)
    )
    return {"user": user, "browser": browser, "contact": contact, "company": company}


def figures():
    everything = ImpactFilter()
    return {
        "registered": volunteers_registered(everything)["registered"],
        "delivered": work_delivered(everything),
        "matches": sorted(Match.objects.values_list("need__title", "status")),
        "hours": sorted(HoursEntry.objects.values_list("hours", "confirmed_hours", "status")),
        "ratings": sorted(MatchFeedback.objects.values_list("side", "rating", "helped")),
    }


@pytest.mark.django_db
def test_after_deleting_their_account_a_volunteers_name_and_email_are_nowhere_in_the_database(history):
    user, browser = history["user"], history["browser"]
    elsewhere = Client()
    elsewhere.force_login(user)  # a second browser, still signed in
    assert occurrences([NAME, EMAIL, HOME_EMAIL])  # the search finds them before
    before = figures()

    response = browser.post(reverse("members:account-delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert occurrences([NAME, EMAIL, HOME_EMAIL]) == []
    # Their history stays, anonymous: the same matches (the open ones withdrawn), hours, ratings and figures.
    after = figures()
    assert after["registered"] == before["registered"]
    assert after["delivered"] == before["delivered"]
    assert after["hours"] == before["hours"]
    assert after["ratings"] == before["ratings"]
    statuses = dict(after["matches"])
    assert statuses["Pakketten inpakken"] == Match.Status.COMPLETED
    assert {statuses[title] for title in ("Huiswerkbegeleiding", "Boodschappen", "Voorlezen")} == {"withdrawn"}
    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password(), str(user)) == (False, False, "Deleted account")
    # The session that deleted the account and every other one are gone.
    assert browser.get(reverse("members:dashboard")).status_code == 302
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    assert not VolunteerImport.objects.filter(status=VolunteerImport.Status.PREVIEWED).exists()
    assert Need.objects.get(title="Taalmaatje gezocht").contact_person is None
    # The food bank hears that the open matches were withdrawn, without the name.
    told = Notification.objects.filter(
        recipient=history["contact"], kind=NotificationKind.MATCH_ENDED, context__event="withdrawn"
    )
    assert told.count() == 3
    for notification in told:
        subject, text, _html = render_email(notification)
        assert "Withdrawn" in subject and NAME not in text and "Deleted account" in text


@pytest.mark.django_db
def test_the_data_download_holds_everything_about_them_in_a_stable_structure(history):
    user = history["user"]

    data = personal_data(user)
    bare = personal_data(UserFactory())

    assert set(data) == set(bare)  # the same sections for everyone
    assert json.loads(json.dumps(data)) == data  # plain JSON values
    assert data["account"]["full_name"] == NAME and data["account"]["email"] == EMAIL
    assert {a["email"] for a in data["email_addresses"]} == {EMAIL, HOME_EMAIL}
    assert data["volunteer_profile"]["organisation"] == "ASML"
    assert {m["organisation"] for m in data["memberships"]} == {"ASML", "Voedselbank Eindhoven"}
    assert {i["email"] for i in data["invitations"]} == {EMAIL, HOME_EMAIL}
    assert {m["need"]: m["status"] for m in data["matches"]} == {
        "Pakketten inpakken": "completed",
        "Huiswerkbegeleiding": "active",
        "Boodschappen": "approved",
        "Voorlezen": "proposed",
        "Klussen": "declined",
    }
    assert sorted((h["hours"], h["description"]) for h in data["hours"]) == [
        ("2.00", "Rekenen"),
        ("3.00", f"Ingepakt met {NAME}"),
    ]
    assert [(f["rating"], f["comment"]) for f in data["feedback"]] == [(4, "Mooi.")]
    assert f"Sorry, {NAME} heeft geen tijd." in [e["note"] for e in data["match_history"]]
    assert len(data["notifications"]) >= 5 and all(n["title"] for n in data["notifications"])
    assert len(data["logins"]) == 1 and len(data["failed_logins"]) == 1
    assert [c["version"] for c in data["privacy_consents"]] == ["1.0"]
