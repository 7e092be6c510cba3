"""Journey 2 in real Chromium, in Dutch, by keyboard alone: an organisation member posts a need.

From the dashboard to the organisation's needs, the new-need form sent empty (the error summary takes the focus
and its links lead to the fields), filled in with Tab, typing, arrow keys and the space bar, saved as a draft and
published; matching then runs for it on the real worker. Every page is checked with axe-core and for CSP
violations, and photographed.
"""

import re

import pytest
from playwright.sync_api import expect

from matching.models import MatchingRequest
from members.models import Membership, Need, Organisation
from tests.browser.conftest import log_in, tab_to, tr, wait_for
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, municipality

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

NL = "nl"


def focused(page, target):
    return target.evaluate("element => element === document.activeElement")


def activate(page, target):
    """Reach a link or button with Tab and press Enter."""
    tab_to(page, target)
    page.keyboard.press("Enter")


def type_into(page, field, text):
    tab_to(page, field)
    page.keyboard.type(text)


def choose_option(page, select, label, limit=40):
    """Move through a closed drop-down with the arrow keys until `label` is chosen."""
    tab_to(page, select)
    for _ in range(limit):
        if select.evaluate("s => s.selectedIndex >= 0 && s.options[s.selectedIndex].text") == label:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{label!r} was not reached with the arrow keys in {select}")


def choose_radio(page, group_first, target, limit=20):
    """Tab into a group of radio buttons and move to `target` with the arrow keys."""
    tab_to(page, group_first)
    for _ in range(limit):
        if focused(page, target):
            page.keyboard.press("Space")
            expect(target).to_be_checked()
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{target} was not reached with the arrow keys")


def tick(page, checkbox):
    tab_to(page, checkbox)
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()


def test_an_organisation_member_posts_a_need_by_keyboard(new_page, audit, worker):
    charity = OrganisationFactory(name="Taalhuis Helmond", slug="taalhuis", kind=Organisation.Kind.SOCIAL)
    member = UserFactory(full_name="Lotte Smits", email="lotte@taalhuis.example", preferred_language=NL)
    MembershipFactory(organisation=charity, user=member, role=Membership.Role.MEMBER)

    page = new_page()
    log_in(page, member.email, by_keyboard=True)
    activate(page, page.get_by_role("navigation").first.get_by_role("link", name=charity.name))
    expect(page.get_by_role("heading", level=1)).to_have_text(charity.name)
    activate(page, page.get_by_role("main").get_by_role("link", name=tr(NL, "Needs"), exact=True))
    activate(page, page.get_by_role("link", name=tr(NL, "Post a new need")))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(NL, "New need for %(org)s", org=charity.name))
    audit(page, "journey2-01-new-need")

    # Sent empty: the focus moves to the summary, whose first link leads to the first field to correct.
    activate(page, page.get_by_role("button", name=tr(NL, "Save as draft")))
    expect(page.locator("#error-summary")).to_be_focused()
    audit(page, "journey2-02-errors")
    page.keyboard.press("Tab")
    first_link = page.locator("#error-summary a").first
    expect(first_link).to_be_focused()
    expect(first_link).to_have_text(re.compile(rf"^{tr(NL, 'Title')}: "))
    page.keyboard.press("Enter")
    title = page.get_by_role("textbox", name=tr(NL, "Title"), exact=True)
    expect(title).to_be_focused()
    assert not Need.objects.exists()

    # Filled in by keyboard alone.
    page.keyboard.type("Taalcafé op dinsdagavond")
    type_into(
        page,
        page.get_by_label(tr(NL, "Description")),
        "Praat een avond mee met nieuwkomers die Nederlands leren, bij koffie en thee.",
    )
    kinds = page.get_by_role("group", name=tr(NL, "Kind of help"))
    choose_radio(page, kinds.get_by_role("radio").first, kinds.get_by_label(tr(NL, "Buddy or mentoring")))
    choose_option(page, page.get_by_label(tr(NL, "Programme")), "(Digitale) vaardigheden")
    where = page.get_by_role("group", name=tr(NL, "Where does the work take place?"))
    choose_radio(page, where.get_by_role("radio").first, where.get_by_role("radio").first)
    choose_option(page, page.get_by_role("combobox", name=tr(NL, "Municipality"), exact=True), "Helmond")
    tick(page, page.get_by_label(tr(NL, "The dates are flexible")))
    hours = page.get_by_label(tr(NL, "Estimated hours per volunteer"))
    tab_to(page, hours)
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    tick(
        page, page.get_by_role("group", name=tr(NL, "Languages volunteers should speak")).get_by_role("checkbox").first
    )
    audit(page, "journey2-03-filled")
    activate(page, page.get_by_role("button", name=tr(NL, "Save as draft")))

    need = wait_for(lambda: Need.objects.filter(title="Taalcafé op dinsdagavond").first(), "the need to be saved")
    expect(page.get_by_role("heading", level=1)).to_have_text(need.title)
    assert (need.status, need.kind, need.municipality, need.estimated_hours) == (
        Need.Status.DRAFT,
        Need.Kind.BUDDY,
        municipality("Helmond"),
        12,
    )
    audit(page, "journey2-04-draft")

    # Published by keyboard; matching for it runs on the worker.
    activate(page, page.get_by_role("button", name=re.compile(rf"^{tr(NL, 'Publish')}")).first)
    expect(page.get_by_role("status")).to_be_visible()
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    audit(page, "journey2-05-published")
    wait_for(
        lambda: MatchingRequest.objects.filter(
            kind=MatchingRequest.Kind.NEED, object_id=need.pk, status=MatchingRequest.Status.DONE
        ).exists(),
        "matching to run on the worker",
    )
