"""What axe does not catch, measured in real Chromium: contrast of the fields' borders, the menu at 1280 px, and
the needs pages on a 390 px phone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Membership, Notification, NotificationKind, Organisation
from tests.browser.conftest import csp_violations, log_in, tr, wait_for
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_needs import NeedFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NL = "nl"

# WCAG 1.4.11: contrast of an element's border against the page's white.
BORDER_CONTRAST_JS = """element => {
  const lum = (css) => {
    const c = css.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const border = lum(getComputedStyle(element).borderTopColor);
  return (1 + 0.05) / (border + 0.05);
}"""
PAGE_WIDTH_JS = "() => document.documentElement.scrollWidth"


def test_text_fields_checkboxes_and_radio_buttons_have_borders_of_3_to_1(page):
    charity = OrganisationFactory(name="Taalhuis Helmond", slug="taalhuis", kind=Organisation.Kind.SOCIAL)
    member = UserFactory(email="lotte@taalhuis.example", preferred_language=NL)
    MembershipFactory(organisation=charity, user=member, role=Membership.Role.MEMBER)
    log_in(page, member.email)
    page.goto(f"/organisations/{charity.slug}/needs/new/")

    for selector in ("input[type=text]", "select", "textarea", "input[type=checkbox]", "input[type=radio]"):
        field = page.locator(f"main {selector}").first
        assert field.evaluate(BORDER_CONTRAST_JS) >= 3, f"the border of {selector} is too faint"


def test_the_menu_of_a_coordinator_who_is_an_admin_with_unread_messages_fits_1280_px(page, screenshot):
    user = coordinator(email="kees@brainport.example", full_name="Kees Coördinator", preferred_language=NL)
    organisation = OrganisationFactory(name="Stichting Maatschappelijke Dienstverlening Eindhoven")
    MembershipFactory(organisation=organisation, user=user, role=Membership.Role.ADMIN)
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            email=user.email,
            language=NL,
            kind=NotificationKind.INVITATION_ACCEPTED,
            event_key=f"test:{n}",
            context={"organisation": organisation.name, "person": "Joris"},
            created_at=timezone.now(),
        )
        for n in range(12)
    )
    log_in(page, user.email)

    log_out = page.get_by_role("button", name=tr(NL, "Log out"))
    expect(log_out).to_be_visible()
    assert page.evaluate(PAGE_WIDTH_JS) <= 1280
    box = log_out.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, f"“Uitloggen” is cut off: {box}"
    screenshot(page, "menu-1280-coordinator")


def test_on_a_phone_the_first_need_shows_on_the_first_screen_and_the_filters_fold_away(new_page, screenshot):
    NeedFactory(title="Voorlezen op de basisschool")
    page = new_page(viewport=PHONE)
    page.goto("/needs/")

    first = page.get_by_role("link", name="Voorlezen op de basisschool")
    assert first.bounding_box()["y"] < PHONE["height"], "the first need is below the first screen"
    screenshot(page, "phone-01-needs")
    programme = page.get_by_label(tr(NL, "Programme"))
    expect(programme).to_be_hidden()
    page.get_by_role("button", name=tr(NL, "More filters and order")).click()
    expect(programme).to_be_visible()
    screenshot(page, "phone-02-needs-filters")
    assert page.evaluate(PAGE_WIDTH_JS) <= PHONE["width"]


def test_on_a_phone_an_organisations_needs_table_scrolls_in_its_box(new_page, screenshot):
    charity = OrganisationFactory(name="Voedselbank Eindhoven", slug="voedselbank", kind=Organisation.Kind.SOCIAL)
    admin = UserFactory(email="ans@voedselbank.example", preferred_language=NL)
    MembershipFactory(organisation=charity, user=admin, role=Membership.Role.ADMIN)
    for n in range(3):
        NeedFactory(organisation=charity, title=f"Pakketten inpakken op zaterdag {n}")
    page = new_page(viewport=PHONE)
    log_in(page, admin.email)

    for path in (f"/organisations/{charity.slug}/needs/", f"/organisations/{charity.slug}/"):
        page.goto(path)
        expect(page.get_by_role("table").first).to_be_visible()
        assert page.evaluate(PAGE_WIDTH_JS) <= PHONE["width"], f"{path} is wider than the phone"
        screenshot(page, f"phone-03-{path.strip('/').replace('/', '-')}")


def test_the_audit_sees_a_content_security_policy_violation(page):
    """The check every journey relies on can fail: an inline script is refused and reported."""
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.append(s); }"
    )

    violations = wait_for(lambda: csp_violations(page), "the violation to be reported", timeout=5)
    assert any("script-src" in v or "Content Security Policy" in v for v in violations), violations
    assert page.evaluate("window.x") is None, "the inline script did not run"
    page.csp_console.clear()  # seen on purpose
