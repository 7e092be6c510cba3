"""Journeys 4 and 5 in real Chromium, against PostgreSQL and a real Celery worker.

Journey 4, in Dutch and in English: the food bank publishes a need and matching (on the worker) proposes a
volunteer; a coordinator approves the proposal from the review queue; the organisation and the volunteer each
accept from their inbox; the contact details appear; the volunteer logs hours (a day of 25 hours is refused at the
field); the organisation confirms them; both give feedback; the need completes. Every step's notification arrives
by email through the worker and in the inbox, in the recipient's language.

Journey 5, in Dutch: a volunteer finds a need through search, says "I want to help", and the offer reaches the
coordinators' review queue. Every page on the way is checked with axe-core and for CSP violations, and photographed.
"""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import HoursEntry, Match, MatchFeedback
from members.models import (
    Membership,
    Need,
    NeedSkill,
    Organisation,
    Programme,
    Skill,
    SpokenLanguage,
    Volunteer,
    VolunteerSkill,
)
from members.models.needs import need_search_vector
from members.services import need_publish
from tests.browser.conftest import emails_to, log_in, main_nav, open_from_inbox, tr, wait_for
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator, municipality

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

TODAY = timezone.localdate()


def sign_in(page, email, language):
    """Each person reads the portal in their own language: the browser asks for Dutch, so an English reader
    switches on the login page first, as they would."""
    page.goto("/accounts/login/")
    if language != "nl":
        page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    log_in(page, email)
    expect(page.locator("html")).to_have_attribute("lang", language)


def email_arrives(mailoutbox, user, subject):
    wait_for(lambda: subject in emails_to(mailoutbox, user.email), f"the email {subject!r} to {user.email}")


def market(language):
    """A food bank's need that one company volunteer fits, and a language need found by search later."""
    charity = OrganisationFactory(
        name="Voedselbank Eindhoven",
        slug="voedselbank",
        kind=Organisation.Kind.SOCIAL,
        website="https://voedselbank.example",
    )
    ans = MembershipFactory(
        organisation=charity,
        role=Membership.Role.ADMIN,
        user=UserFactory(
            full_name="Ans de Vries", email=f"ans-{language}@voedselbank.example", preferred_language=language
        ),
    ).user
    company = OrganisationFactory(name="Chipmakers Veldhoven", slug="chipmakers")
    bram = UserFactory(
        full_name="Bram Jansen", email=f"bram-{language}@chipmakers.example", preferred_language=language
    )
    MembershipFactory(organisation=company, user=bram, role=Membership.Role.VOLUNTEER)
    volunteer = Volunteer.objects.create(
        user=bram, organisation=company, municipality=municipality("Eindhoven"), travel_km=15, consent_at=timezone.now()
    )
    VolunteerSkill.objects.create(volunteer=volunteer, skill=Skill.objects.get(code="communication"), level=2)
    volunteer.languages.set(SpokenLanguage.objects.filter(code__in=["nl", "en"]))
    need = Need.objects.create(
        organisation=charity,
        title="Pakketten inpakken",
        description="Help ons op zaterdag de voedselpakketten in te pakken.",
        programme=Programme.objects.get(code="financial-health"),
        kind=Need.Kind.RECURRING,
        municipality=municipality("Eindhoven"),
        start_date=TODAY - datetime.timedelta(days=7),
        end_date=TODAY + datetime.timedelta(days=30),
        estimated_hours=8,
        volunteers_needed=1,
        residents_helped=40,
        contact_person=ans,
        status=Need.Status.DRAFT,
    )
    NeedSkill.objects.create(need=need, skill=Skill.objects.get(code="communication"), required=True)
    need.languages.set(SpokenLanguage.objects.filter(code="nl"))
    buddy = Need.objects.create(
        organisation=charity,
        title="Taalmaatje voor nieuwkomers",
        description="Oefen Nederlands met een nieuwkomer, een uur per week.",
        programme=Programme.objects.get(code="digital-skills"),
        kind=Need.Kind.BUDDY,
        location="remote",
        is_flexible=True,
        estimated_hours=10,
        status=Need.Status.OPEN,
        published_at=timezone.now(),
    )
    if connection.vendor == "postgresql":
        # What the need services keep filled for free-text search; these needs were written directly.
        Need.objects.filter(pk__in=[need.pk, buddy.pk]).update(search_vector=need_search_vector())
    return ans, bram, need, buddy


@pytest.mark.parametrize("language", ["nl", "en"])
def test_from_proposal_to_impact(new_page, audit, worker, mailoutbox, language):
    ans, bram, need, buddy = market(language)
    # The coordinator's saved language is Dutch; the one they choose on the login page wins and is saved.
    coord = coordinator(
        email=f"kees-{language}@brainport.example", full_name="Kees Coördinator", preferred_language="nl"
    )
    # The food bank publishes its need; matching runs on the worker and proposes the volunteer.
    need_publish(need=need, acting_user=ans)
    match = wait_for(lambda: Match.objects.filter(need=need).first(), "matching to propose")
    assert match.volunteer.user == bram

    # The coordinator approves the proposal from the review queue.
    page = new_page()
    sign_in(page, coord.email, language)
    coord.refresh_from_db()
    assert coord.preferred_language == language
    main_nav(page).get_by_role("link", name=tr(language, "Review queue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Review queue"))
    audit(page, f"journey4-{language}-01-review-queue")
    page.get_by_role("button", name=re.compile(rf"^{tr(language, 'Approve')} Bram Jansen")).click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()
    match.refresh_from_db()
    assert match.status == Match.Status.APPROVED

    approved = tr(language, "Approved: %(subject)s — please accept or decline", subject=need.title)
    email_arrives(mailoutbox, ans, approved)
    email_arrives(mailoutbox, bram, approved)

    # The food bank accepts from its inbox; the volunteer's contact details are not shown yet.
    ans_page = new_page()
    sign_in(ans_page, ans.email, language)
    open_from_inbox(ans_page, language, approved)
    expect(ans_page.get_by_role("heading", level=1)).to_contain_text(need.title)
    expect(ans_page.get_by_text(bram.email)).to_have_count(0)
    audit(ans_page, f"journey4-{language}-02-match-approved")
    ans_page.get_by_role("button", name=tr(language, "Accept"), exact=True).click()
    expect(
        ans_page.get_by_text(tr(language, "You accepted. We are waiting for the other side's answer."))
    ).to_be_visible()

    # The volunteer accepts too; now each sees the other's contact details.
    bram_page = new_page()
    sign_in(bram_page, bram.email, language)
    open_from_inbox(bram_page, language, approved)
    bram_page.get_by_role("button", name=tr(language, "Accept"), exact=True).click()
    expect(bram_page.get_by_role("link", name=ans.email)).to_be_visible()
    audit(bram_page, f"journey4-{language}-03-match-accepted")
    match.refresh_from_db()
    assert match.status == Match.Status.ACCEPTED
    accepted = tr(language, "Accepted by both sides: %(subject)s", subject=need.title)
    email_arrives(mailoutbox, ans, accepted)
    email_arrives(mailoutbox, bram, accepted)
    ans_page.reload()
    expect(ans_page.get_by_role("link", name=bram.email)).to_be_visible()

    # The volunteer logs hours: a day of 25 hours is refused at the field, then 3 hours are saved.
    bram_page.get_by_role("link", name=tr(language, "Log your hours")).click()
    audit(bram_page, f"journey4-{language}-04-hours-form")
    worked = (TODAY - datetime.timedelta(days=1)).isoformat()
    bram_page.get_by_label(tr(language, "Date")).fill(worked)
    hours_field = bram_page.get_by_label(re.compile(rf"^{tr(language, 'Hours')}\b"))
    hours_field.fill("25")
    bram_page.get_by_role("button", name=tr(language, "Save hours")).click()
    expect(hours_field).to_have_attribute("aria-invalid", "true")
    expect(hours_field).to_have_accessible_description(
        re.compile(re.escape(tr(language, "A day has no more than 24 hours.")))
    )
    audit(bram_page, f"journey4-{language}-05-hours-refused")
    assert not HoursEntry.objects.exists()
    hours_field.fill("3")
    bram_page.get_by_label(tr(language, "What did you do?")).fill("Pakketten ingepakt")
    bram_page.get_by_role("button", name=tr(language, "Save hours")).click()
    expect(bram_page.get_by_role("cell", name="Pakketten ingepakt")).to_be_visible()
    assert HoursEntry.objects.get().hours == 3
    logged = tr(language, "Hours logged for %(subject)s: please confirm them", subject=need.title)
    email_arrives(mailoutbox, ans, logged)

    # The food bank confirms them from its inbox.
    open_from_inbox(ans_page, language, logged)
    ans_page.get_by_role("link", name=tr(language, "Confirm the hours logged")).click()
    ans_page.get_by_role("checkbox").first.check()
    audit(ans_page, f"journey4-{language}-06-confirm-hours")
    ans_page.get_by_role("button", name=tr(language, "Confirm the ticked hours")).click()
    expect(ans_page.get_by_role("alert").or_(ans_page.get_by_role("status")).first).to_be_visible()
    assert HoursEntry.objects.get().status == HoursEntry.Status.CONFIRMED
    confirmed = tr(language, "Your hours for %(subject)s were confirmed", subject=need.title)
    email_arrives(mailoutbox, bram, confirmed)
    open_from_inbox(bram_page, language, confirmed)

    # Both give feedback.
    for page_, who in ((bram_page, "bram"), (ans_page, "ans")):
        page_.goto(match.get_absolute_url())
        page_.get_by_role("link", name=tr(language, "Give feedback")).click()
        page_.get_by_role("group", name=tr(language, "Did it really help?")).get_by_label(tr(language, "Yes")).check()
        page_.get_by_role("group", name=tr(language, "Rating (1 to 5)")).get_by_label("5").check()
        page_.get_by_label(tr(language, "In one sentence")).fill("Fijne samenwerking.")
        audit(page_, f"journey4-{language}-07-feedback-{who}")
        page_.get_by_role("button", name=tr(language, "Send feedback")).click()
        expect(page_.get_by_role("heading", level=1)).to_be_visible()
    assert MatchFeedback.objects.filter(match=match).count() == 2

    # The food bank completes the need with the residents it actually helped.
    ans_page.goto(match.get_absolute_url())
    ans_page.get_by_role("link", name=tr(language, "Complete this need")).click()
    ans_page.get_by_label(tr(language, "Residents actually helped")).fill("35")
    audit(ans_page, f"journey4-{language}-08-complete")
    ans_page.get_by_role("button", name=tr(language, "Complete this need")).click()
    need.refresh_from_db()
    assert (need.status, need.residents_reached) == (Need.Status.COMPLETED, 35)
    assert Match.objects.get(pk=match.pk).status == Match.Status.COMPLETED
    ans_page.goto(need.get_absolute_url())
    audit(ans_page, f"journey4-{language}-09-need-completed")

    # Nobody got an email twice.
    for person in (ans, bram):
        subjects = emails_to(mailoutbox, person.email)
        assert len(subjects) == len(set(subjects)), subjects


def test_a_volunteer_finds_a_need_through_search_and_offers_to_help(new_page, audit, worker, mailoutbox):
    language = "nl"
    ans, bram, need, buddy = market(language)
    coord = coordinator(email="kees@brainport.example", full_name="Kees Coördinator", preferred_language=language)

    # The volunteer searches the needs; the list updates as one types (htmx, after a pause) and the address
    # follows. The hidden "loading" indicator is not read out.
    bram_page = new_page()
    sign_in(bram_page, bram.email, language)
    main_nav(bram_page).get_by_role("link", name=tr(language, "Needs"), exact=True).click()
    expect(bram_page.get_by_text(tr(language, "Loading…"))).to_be_hidden()
    audit(bram_page, f"journey5-{language}-01-needs")
    search = bram_page.get_by_label(tr(language, "Search"))
    search.fill("Taalmaatje")
    expect(bram_page).to_have_url(re.compile(r"[?&]q=Taalmaatje"))
    bram_page.wait_for_load_state("networkidle")
    expect(bram_page.get_by_role("link", name=need.title, exact=True)).to_have_count(0)
    audit(bram_page, f"journey5-{language}-02-search")
    bram_page.get_by_role("link", name=buddy.title, exact=True).click()
    audit(bram_page, f"journey5-{language}-03-need")
    bram_page.get_by_role("button", name=tr(language, "I want to help")).click()
    expect(bram_page.get_by_text(tr(language, "Thank you — a coordinator will look at your offer."))).to_be_visible()
    audit(bram_page, f"journey5-{language}-04-offered")
    offered = Match.objects.get(need=buddy)
    assert (offered.status, offered.source) == (Match.Status.PROPOSED, Match.Source.VOLUNTEER)

    # The food bank's page shows its website, its open needs and how to reach it: through the coordinators.
    bram_page.get_by_role("main").get_by_role("link", name=buddy.organisation.name, exact=True).first.click()
    expect(bram_page.get_by_role("heading", level=1)).to_have_text(buddy.organisation.name)
    expect(bram_page.get_by_role("link", name="https://voedselbank.example")).to_be_visible()
    expect(bram_page.get_by_role("link", name=buddy.title, exact=True)).to_be_visible()
    expect(bram_page.get_by_role("main").get_by_text(ans.email)).to_have_count(0)
    audit(bram_page, f"journey5-{language}-05-organisation")
    bram_page.get_by_role("link", name=tr(language, "Ask the coordinators a question")).click()
    bram_page.get_by_label(tr(language, "Your question")).fill("Kan mijn team ook een dag komen helpen?")
    audit(bram_page, f"journey5-{language}-06-question")
    bram_page.get_by_role("button", name=tr(language, "Send to the coordinators")).click()
    expect(bram_page.get_by_role("status")).to_contain_text(
        tr(language, "Your question was sent to the coordinators. They answer you by email.")
    )
    asks = tr(
        language, "%(person)s asks about %(organisation)s", person=bram.full_name, organisation=buddy.organisation.name
    )
    email_arrives(mailoutbox, coord, asks)

    # The offer waits in the coordinators' review queue.
    page = new_page()
    sign_in(page, coord.email, language)
    main_nav(page).get_by_role("link", name=tr(language, "Review queue")).click()
    expect(page.get_by_role("link", name=buddy.title, exact=True)).to_be_visible()
    audit(page, f"journey5-{language}-07-queue")
