"""The membership journey in real Chromium, in Dutch and in English.

A visitor applies for their organisation, confirms their email address, a coordinator approves the
application and the applicant finds the decision in their inbox and themselves as administrator of the
organisation. Every distinct page on the way is checked with axe-core and photographed.
"""

import re

import pytest
from playwright.sync_api import expect

from members.models import Membership, MembershipApplication, Organisation, User
from tests.factories import PASSWORD, coordinator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a user reads and clicks, per language: the test fails when a Dutch translation is missing.
TEXT = {
    "nl": {
        "language": "Nederlands",
        "become_member": "Lid worden",
        "log_in": "Inloggen",
        "organisation_name": "Naam van de organisatie",
        "kind": "Soort organisatie",
        "company": "Bedrijf",
        "municipality": "Gemeente",
        "description": "Wat doet je organisatie?",
        "website": "Website",
        "your_name": "Je naam",
        "your_email": "Je e-mailadres",
        "password": "Kies een wachtwoord",
        "send_application": "Aanvraag versturen",
        "required": "Dit veld is verplicht.",
        "thanks": "Bedankt voor je aanvraag",
        "confirm": "Bevestigen",
        "login_email": "E-mail",
        "login_password": "Wachtwoord",
        "inbox": "Berichten",
        "unread": "ongelezen",
        "applications": "Aanvragen",
        "open": "Openen",
        "approve": "Goedkeuren",
        "note": "Toelichting voor de aanvrager",
        "save_decision": "Besluit opslaan",
        "now_member": "{org} is nu lid.",
        "application_received": "Nieuwe lidmaatschapsaanvraag: {org}",
        "application_decided": "Je lidmaatschapsaanvraag voor {org} is goedgekeurd",
        "administrator": "Beheerder",
        "welcome": "Welkom",
    },
    "en": {
        "language": "English",
        "become_member": "Become a member",
        "log_in": "Log in",
        "organisation_name": "Name of the organisation",
        "kind": "Kind of organisation",
        "company": "Company",
        "municipality": "Municipality",
        "description": "What does your organisation do?",
        "website": "Website",
        "your_name": "Your name",
        "your_email": "Your email address",
        "password": "Choose a password",
        "send_application": "Send application",
        "required": "This field is required.",
        "thanks": "Thank you for your application",
        "confirm": "Confirm",
        "login_email": "Email",
        "login_password": "Password",
        "inbox": "Inbox",
        "unread": "unread",
        "applications": "Applications",
        "open": "Open",
        "approve": "Approve",
        "note": "Note to the applicant",
        "save_decision": "Save decision",
        "now_member": "{org} is now a member.",
        "application_received": "New membership application: {org}",
        "application_decided": "Your membership application for {org} was approved",
        "administrator": "Administrator",
        "welcome": "Welcome",
    },
}

APPLICANT = {
    "nl": {"organisation": "Buurthuis De Boog", "name": "Fatima el Amrani", "email": "fatima@deboog.example"},
    "en": {"organisation": "Repair Café Strijp", "name": "Sam Jansen", "email": "sam@repaircafe.example"},
}
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


@pytest.fixture
def audit(axe_check, screenshot):
    """Check one page for accessibility and keep a screenshot of it, named after language and step."""

    def check(page, name):
        page.wait_for_load_state("load")
        axe_check(page)
        screenshot(page, name)

    return check


def choose_language(page, language):
    """Switch with the navigation's language buttons, as a visitor would; Dutch is the default."""
    if language != "nl":
        page.get_by_role("button", name=TEXT[language]["language"], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def main_nav(page):
    return page.get_by_role("navigation").first


def open_button(page, t, title):
    """The inbox's "Open" button, whose accessible name carries the notification's title."""
    return page.get_by_role("button", name=re.compile(rf"^{t['open']}\s*:\s*{re.escape(title)}$"))


def log_in(page, email, t):
    """Through the allauth login page, by keyboard: fill the fields and press Enter."""
    page.get_by_label(t["login_email"]).fill(email)
    page.get_by_label(t["login_password"]).fill(PASSWORD)
    page.get_by_label(t["login_password"]).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(t["welcome"])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_membership_journey(new_page, audit, mailoutbox, language):
    t = TEXT[language]
    who = APPLICANT[language]
    org = who["organisation"]
    coord = coordinator(
        email=f"coordinator-{language}@brainport.example", full_name="Kees Coördinator", preferred_language=language
    )

    # A visitor finds the application form from the home page.
    applicant_page = new_page()
    page = applicant_page
    page.goto("/")
    choose_language(page, language)
    audit(page, f"{language}-01-home")
    main_nav(page).get_by_role("link", name=t["become_member"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["become_member"])
    audit(page, f"{language}-02-apply")

    # Sending it empty marks the fields to correct, with the message read out with the field.
    page.get_by_role("button", name=t["send_application"]).click()
    for label in (t["organisation_name"], t["your_email"]):
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label(label)).to_have_accessible_description(t["required"])
    audit(page, f"{language}-03-apply-errors")

    # Every field is found by its label.
    page.get_by_label(t["organisation_name"]).fill(org)
    page.get_by_label(t["kind"]).select_option(label=t["company"])
    page.get_by_label(t["municipality"]).select_option(label="Eindhoven")
    page.get_by_label(t["description"]).fill("Een plek waar de buurt elkaar helpt.")
    page.get_by_label(t["website"]).fill("https://www.example.nl")
    page.get_by_label(t["your_name"]).fill(who["name"])
    page.get_by_label(t["your_email"]).fill(who["email"])
    page.get_by_label(t["password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["send_application"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["thanks"])
    audit(page, f"{language}-04-thanks")

    applicant = User.objects.get(email=who["email"])
    assert applicant.preferred_language == language
    assert Organisation.objects.get(name=org).status == Organisation.Status.PENDING

    # The applicant confirms their address through the link in the email.
    confirmations = [m for m in mailoutbox if m.to == [who["email"]] and CONFIRMATION_LINK.search(m.body)]
    assert len(confirmations) == 1, [m.subject for m in mailoutbox]
    page.goto(CONFIRMATION_LINK.search(confirmations[0].body).group(0))
    audit(page, f"{language}-05-confirm-email")
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page.get_by_label(t["login_password"])).to_be_visible()
    assert applicant.emailaddress_set.get(primary=True).verified

    # The coordinator was told by email, in their own language.
    received = t["application_received"].format(org=org)
    assert [m.subject for m in mailoutbox if m.to == [coord.email]] == [received]

    # The coordinator logs in by keyboard and sees one unread notification.
    page = new_page()
    page.goto("/")
    choose_language(page, language)
    main_nav(page).get_by_role("link", name=t["log_in"]).click()
    audit(page, f"{language}-06-login")
    log_in(page, coord.email, t)
    audit(page, f"{language}-07-dashboard-coordinator")
    inbox_link = main_nav(page).get_by_role("link", name=re.compile(rf"^{t['inbox']}\s+1\s+{t['unread']}$"))
    expect(inbox_link).to_be_visible()

    # The applications list shows it too.
    main_nav(page).get_by_role("link", name=t["applications"], exact=True).click()
    expect(page.get_by_role("link", name=org)).to_be_visible()
    audit(page, f"{language}-08-applications")

    # From the inbox straight to the application.
    inbox_link.click()
    audit(page, f"{language}-09-inbox-coordinator")
    open_button(page, t, received).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(org)
    audit(page, f"{language}-10-application-detail")

    # Approve with a note.
    page.get_by_label(t["approve"]).check()
    page.get_by_label(t["note"]).fill("Welkom bij de vereniging!")
    page.get_by_role("button", name=t["save_decision"]).click()
    expect(page.get_by_role("status")).to_contain_text(t["now_member"].format(org=org))
    application = MembershipApplication.objects.get(organisation__name=org)
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.decided_by == coord

    # The applicant was told by email, in the language they applied in.
    decided = t["application_decided"].format(org=org)
    notices = [m.subject for m in mailoutbox if m.to == [who["email"]] and m not in confirmations]
    assert notices == [decided]

    # The applicant logs in, finds the decision in the inbox and follows it to their organisation.
    page = applicant_page
    main_nav(page).get_by_role("link", name=t["log_in"]).click()
    log_in(page, who["email"], t)
    audit(page, f"{language}-11-dashboard-applicant")
    main_nav(page).get_by_role("link", name=re.compile(rf"^{t['inbox']}\s+1\s+{t['unread']}$")).click()
    expect(page.get_by_role("listitem").filter(has_text=decided)).to_be_visible()
    audit(page, f"{language}-12-inbox-applicant")
    open_button(page, t, decided).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(org)
    own_row = page.get_by_role("row").filter(has_text=who["email"])
    expect(own_row.get_by_role("cell", name=t["administrator"], exact=True)).to_be_visible()
    audit(page, f"{language}-13-organisation")
    membership = Membership.objects.get(user=applicant, organisation__name=org)
    assert membership.role == Membership.Role.ADMIN
    # Opening the notification marked it read.
    expect(main_nav(page).get_by_role("link", name=t["inbox"], exact=True)).to_be_visible()
