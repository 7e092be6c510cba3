"""Journey 1 in real Chromium, in Dutch, with a real Celery worker delivering the emails.

A visitor applies for their organisation (a first try with empty fields is refused with one error summary that
takes the focus and links to each field), confirms their email address, a coordinator approves the application,
the applicant finds the decision in their inbox and themselves as the organisation's administrator, invites a
colleague, and the colleague joins through the link in the invitation email. Every page on the way is checked
with axe-core and for CSP violations, and photographed.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from members.models import Membership, MembershipApplication, Organisation, User
from tests.browser.conftest import emails_to, log_in, main_nav, tr, wait_for
from tests.factories import PASSWORD, coordinator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

NL = "nl"
ORG = "Buurthuis De Boog"
APPLICANT = {"name": "Fatima el Amrani", "email": "fatima@deboog.example"}
COLLEAGUE = {"name": "Joris van Dijk", "email": "joris@deboog.example"}
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")
INVITATION_LINK = re.compile(r"https?://\S+/invitations/[^/\s]+/")


def link_in(mailoutbox, email, pattern):
    """The path of the first link matching `pattern` in an email to `email` (the worker's emails carry the site's
    public address, not the live server's)."""
    for message in mailoutbox:
        if message.to == [email] and (found := pattern.search(message.body)):
            return urlsplit(found.group(0)).path
    return None


def unread_inbox(page, count):
    return main_nav(page).get_by_role("link", name=re.compile(rf"^{tr(NL, 'Inbox')}\s+{count}\s+{tr(NL, 'unread')}$"))


def open_button(page, title):
    """The inbox's "Open" button, whose accessible name carries the notification's title."""
    return page.get_by_role("button", name=re.compile(rf"^{tr(NL, 'Open')}\s*:\s*{re.escape(title)}$"))


def test_apply_confirm_approve_invite_join(new_page, audit, worker, mailoutbox):
    coord = coordinator(email="kees@brainport.example", full_name="Kees Coördinator", preferred_language=NL)

    # A visitor finds the application form from the home page.
    page = applicant_page = new_page()
    page.goto("/")
    audit(page, "journey1-01-home")
    main_nav(page).get_by_role("link", name=tr(NL, "Become a member")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(NL, "Become a member"))
    audit(page, "journey1-02-apply")

    # Sent empty: one summary takes the focus and links to each field; the message is read with the field.
    page.get_by_role("button", name=tr(NL, "Send application")).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page.get_by_role("heading", name=tr(NL, "Please correct the following:"))).to_have_count(1)
    required = tr(NL, "This field is required.")
    for label in (tr(NL, "Name of the organisation"), tr(NL, "Your email address")):
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label(label)).to_have_accessible_description(required)
    audit(page, "journey1-03-apply-errors")
    summary.get_by_role("link", name=f"{tr(NL, 'Your email address')}: {required}").click()
    expect(page.get_by_label(tr(NL, "Your email address"))).to_be_focused()

    # Every field is found by its label.
    page.get_by_label(tr(NL, "Name of the organisation")).fill(ORG)
    page.get_by_label(tr(NL, "Kind of organisation")).select_option(label=tr(NL, "Company"))
    page.get_by_label(tr(NL, "Municipality")).select_option(label="Eindhoven")
    page.get_by_label(tr(NL, "What does your organisation do?")).fill("Een plek waar de buurt elkaar helpt.")
    page.get_by_label("Website").fill("https://www.example.nl")
    page.get_by_label(tr(NL, "Your name")).fill(APPLICANT["name"])
    page.get_by_label(tr(NL, "Your email address")).fill(APPLICANT["email"])
    page.get_by_label(tr(NL, "Choose a password")).fill(PASSWORD)
    page.get_by_role("button", name=tr(NL, "Send application")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(NL, "Thank you for your application"))
    audit(page, "journey1-04-thanks")
    applicant = User.objects.get(email=APPLICANT["email"])
    assert applicant.preferred_language == NL
    assert Organisation.objects.get(name=ORG).status == Organisation.Status.PENDING

    # The applicant confirms their address through the link in the email.
    confirm_url = wait_for(lambda: link_in(mailoutbox, APPLICANT["email"], CONFIRMATION_LINK), "the confirmation")
    page.goto(confirm_url)
    audit(page, "journey1-05-confirm-email")
    page.get_by_role("button", name=tr(NL, "Confirm")).click()
    expect(page.locator("input[name=password]")).to_be_visible()
    assert applicant.emailaddress_set.get(primary=True).verified

    # The worker told the coordinator by email, in their language.
    received = tr(NL, "New membership application: %(organisation)s", organisation=ORG)
    wait_for(lambda: emails_to(mailoutbox, coord.email) == [received], "the coordinator's email")

    # The coordinator signs in, sees one unread notification and opens the application from the inbox.
    page = new_page()
    page.goto("/")
    main_nav(page).get_by_role("link", name=tr(NL, "Log in")).click()
    audit(page, "journey1-06-login")
    log_in(page, coord.email)
    audit(page, "journey1-07-dashboard-coordinator")
    main_nav(page).get_by_role("link", name=tr(NL, "Applications"), exact=True).click()
    expect(page.get_by_role("link", name=ORG)).to_be_visible()
    audit(page, "journey1-08-applications")
    unread_inbox(page, 1).click()
    audit(page, "journey1-09-inbox-coordinator")
    open_button(page, received).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ORG)
    audit(page, "journey1-10-application-detail")

    # Approve with a note.
    page.get_by_label(tr(NL, "Approve")).check()
    page.get_by_label(tr(NL, "Note to the applicant")).fill("Welkom bij de vereniging!")
    page.get_by_role("button", name=tr(NL, "Save decision")).click()
    expect(page.get_by_role("status")).to_contain_text(tr(NL, "%(org)s is now a member.", org=ORG))
    application = MembershipApplication.objects.get(organisation__name=ORG)
    assert (application.status, application.decided_by) == (MembershipApplication.Status.APPROVED, coord)
    decided = tr(
        NL,
        "Your membership application for %(organisation)s was %(decision)s",
        organisation=ORG,
        decision=tr(NL, "approved"),
    )
    wait_for(lambda: decided in emails_to(mailoutbox, APPLICANT["email"]), "the decision email")

    # The applicant signs in, follows the decision from the inbox to their organisation: they are its admin.
    page = applicant_page
    main_nav(page).get_by_role("link", name=tr(NL, "Log in")).click()
    log_in(page, APPLICANT["email"])
    audit(page, "journey1-11-dashboard-applicant")
    unread_inbox(page, 1).click()
    audit(page, "journey1-12-inbox-applicant")
    open_button(page, decided).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ORG)
    own_row = page.get_by_role("row").filter(has_text=APPLICANT["email"])
    expect(own_row.get_by_role("cell", name=tr(NL, "Administrator"), exact=True)).to_be_visible()
    audit(page, "journey1-13-organisation")

    # The new admin invites a colleague.
    page.get_by_label(tr(NL, "Email address of your colleague")).fill(COLLEAGUE["email"])
    page.get_by_role("button", name=tr(NL, "Send invitation")).click()
    expect(page.get_by_role("listitem").filter(has_text=COLLEAGUE["email"])).to_be_visible()
    audit(page, "journey1-14-invited")
    invitation_url = wait_for(lambda: link_in(mailoutbox, COLLEAGUE["email"], INVITATION_LINK), "the invitation")

    # The colleague follows the link, creates an account and joins.
    colleague_page = new_page()
    colleague_page.goto(invitation_url)
    expect(colleague_page.get_by_role("heading", level=1)).to_have_text(tr(NL, "Join %(org)s", org=ORG))
    audit(colleague_page, "journey1-15-invitation")
    colleague_page.get_by_label(tr(NL, "Your name")).fill(COLLEAGUE["name"])
    colleague_page.get_by_label(tr(NL, "Choose a password")).fill(PASSWORD)
    colleague_page.get_by_role("button", name=tr(NL, "Create account and join")).click()
    expect(colleague_page.get_by_role("heading", level=1)).to_have_text(ORG)
    expect(colleague_page.get_by_role("status")).to_contain_text(tr(NL, "Welcome to %(org)s!", org=ORG))
    audit(colleague_page, "journey1-16-joined")
    membership = Membership.objects.get(user__email=COLLEAGUE["email"], organisation__name=ORG)
    assert membership.role == Membership.Role.MEMBER

    # The admin hears that the colleague joined.
    joined = tr(NL, "%(person)s joined %(organisation)s", person=COLLEAGUE["name"], organisation=ORG)
    wait_for(lambda: joined in emails_to(mailoutbox, APPLICANT["email"]), "the admin's notice")
