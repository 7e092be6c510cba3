"""The impact pages in real Chromium, in Dutch and in English.

A coordinator opens the impact dashboard on the hand-built world of `impact_world`, filters it to De Kempen
and one programme (the filters land in the address), downloads a table as CSV, confirms a waiting inclusive
employer and sees the target move, and produces a member's volunteering report (CSV and the printable page).
A visitor sees the public impact page, which names only the organisation that agreed to be named. Every page
is checked with axe-core and photographed.

The coordinator is signed in with the test client's session cookie rather than the login form, so that a
second factor added to the login later does not break this journey.
"""

import csv
import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from members.models import Organisation
from tests.factories import coordinator
from tests.matching.impact_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tr(language, msgid):
    with translation.override(language):
        text = gettext(msgid)
    if language == "nl":
        assert text != msgid, f"no Dutch translation for {msgid!r}"
    return text


@pytest.fixture
def audit(axe_check, screenshot):
    def check(page, name):
        page.wait_for_load_state("load")
        axe_check(page)
        screenshot(page, name)

    return check


def open_as(new_page, live_server, language, user=None):
    """A browser page in `language`, signed in as `user` through a session made by the test client."""
    page = new_page()
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
    page.context.add_cookies(cookies)
    return page


def download_csv(page, link):
    with page.expect_download() as info:
        link.click()
    download = info.value
    with open(download.path(), encoding="utf-8-sig") as handle:
        return download.suggested_filename, list(csv.reader(io.StringIO(handle.read())))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_coordinator_reads_filters_exports_and_reports(new_page, live_server, audit, language):
    world = build_world()
    page = open_as(new_page, live_server, language, coordinator(preferred_language=language))

    page.goto("/matching/impact/dashboard/")
    assert page.locator("h1").inner_text() == tr(language, "Impact dashboard")
    targets = page.locator("#targets-title + ul")
    assert tr(language, "People needing support into work") in targets.inner_text()
    audit(page, f"impact-dashboard-{language}")

    # Filter to De Kempen and the financial health programme: the filters are in the address.
    page.get_by_label(tr(language, "Subregion"), exact=True).select_option("De Kempen")
    page.get_by_label(tr(language, "Programme"), exact=True).select_option("financial-health")
    page.get_by_role("button", name=tr(language, "Show figures")).click()
    page.wait_for_url("**subregion=De+Kempen&programme=financial-health**")
    figures = page.locator("#table-figures")
    deployed = figures.locator("tr", has_text=tr(language, "Corporate volunteers deployed"))
    assert deployed.locator("td").first.inner_text().strip() == "1"
    audit(page, f"impact-dashboard-kempen-{language}")
    for section in ("targets", "work"):  # what a screen shows of these sections, for a human to look at
        page.locator(f"#{section}-title").scroll_into_view_if_needed()
        page.screenshot(path=f"screenshots/impact-dashboard-{section}-{language}.png")

    # The table of the confirmed work per municipality, as CSV, with the same filters.
    caption = tr(language, "Confirmed work per municipality")
    name, rows = download_csv(page, page.locator("a[href*='export=municipality']"))
    assert name == "impact-municipality.csv"
    assert rows == [
        [
            tr(language, "Municipality"),
            tr(language, "Hours confirmed"),
            tr(language, "Volunteers deployed"),
            tr(language, "Needs supported"),
        ],
        ["Bladel", "6", "1", "1"],
    ], caption

    # A waiting declaration of an inclusive employer, confirmed: the target moves from 2 to 3.
    page.goto("/coordinator/inclusive-employers/")
    assert "Buurtkracht Bladel" in page.locator("#inclusive-employers").inner_text()
    audit(page, f"inclusive-employers-{language}")
    page.locator("a[href$='/coordinator/inclusive-employers/buurtkracht/']").click()
    page.get_by_label(tr(language, "Confirm: it counts as an inclusive employer")).check()
    audit(page, f"inclusive-employer-review-{language}")
    page.get_by_role("button", name=tr(language, "Save decision")).click()
    page.wait_for_url("**/coordinator/inclusive-employers/")
    assert Organisation.objects.get(pk=world.social.pk).inclusive_state == "confirmed"
    page.goto("/matching/impact/dashboard/")
    inclusive = page.locator("#table-targets tr", has_text=tr(language, "Inclusive employers"))
    assert inclusive.locator("td").first.inner_text().strip() == "3"

    # ASML's volunteering report: the printable page and the whole report as CSV.
    page.goto(f"/matching/organisations/{world.asml.slug}/report/")
    assert "ASML" in page.locator("h1").inner_text()
    audit(page, f"impact-report-{language}")
    page.emulate_media(media="print")
    page.screenshot(path=f"screenshots/impact-report-print-{language}.png", full_page=True)
    page.emulate_media(media="screen")
    name, rows = download_csv(page, page.locator("a[href*='export=all']"))
    assert name == "volunteering-report-asml.csv"
    summary = {row[0]: row[1] for row in rows if len(row) > 1}
    assert summary[tr(language, "Hours confirmed")] == "10.5"
    assert summary[tr(language, "People deployed")] == "2"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_visitor_sees_the_public_impact(new_page, live_server, audit, language):
    build_world()
    page = open_as(new_page, live_server, language)

    page.goto("/matching/impact/")

    assert page.locator("h1").inner_text() == tr(language, "Our impact")
    subregions = page.locator("#table-subregions").inner_text()
    assert "De Kempen" in subregions and "40" in subregions
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "ASML" in body  # agreed to be named
    for name in ("Philips", "Kempen Techniek", "Buurtkracht Bladel"):
        assert name not in body
    audit(page, f"impact-public-{language}")

    page.goto("/")
    assert tr(language, "Our impact so far") in page.inner_text("body")
    audit(page, f"home-impact-{language}")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_work_need_records_the_people_it_placed_when_it_completes(new_page, live_server, audit, language):
    from members.models import Membership, Need, WorkPlacement
    from tests.factories import MembershipFactory, OrganisationFactory
    from tests.factories_needs import programme
    from tests.matching.test_sides_permissions import agreed, current_need, volunteer_of

    charity = OrganisationFactory(kind="social", name="Werkplein Kempen")
    employer = OrganisationFactory(name="Kempen Techniek", is_inclusive_employer=True)
    staff = MembershipFactory(organisation=charity, role=Membership.Role.MEMBER, user__preferred_language=language)
    need = current_need(charity, programme=programme("work"), title="BBL-plekken techniek")
    volunteer = volunteer_of(OrganisationFactory())
    agreed(need, by=coordinator(), need_user=staff.user, supply_user=volunteer.user, volunteer=volunteer)
    page = open_as(new_page, live_server, language, staff.user)

    page.goto(f"/matching/needs/{need.pk}/matches/")
    page.locator("#id_residents_reached").fill("0")
    page.locator("#id_into_work_1").fill("2")  # no employer chosen: refused at the field
    page.get_by_role("button", name=tr(language, "Complete this need")).last.click()
    assert tr(language, "Choose the employer that took these people on.") in page.inner_text("#complete")
    assert Need.objects.get(pk=need.pk).status != Need.Status.COMPLETED
    assert page.locator("#id_employer_1").get_attribute("aria-invalid") == "true"
    audit(page, f"need-complete-work-refused-{language}")

    page.locator("#id_employer_1").select_option(str(employer.pk))
    page.locator("#id_work_study_1").fill("1")
    page.get_by_role("button", name=tr(language, "Complete this need")).last.click()
    page.wait_for_url(f"**/needs/{need.pk}/")
    assert Need.objects.get(pk=need.pk).status == Need.Status.COMPLETED
    assert WorkPlacement.objects.get().people == 3


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_admin_declares_an_inclusive_employer_and_agrees_to_be_named(new_page, live_server, audit, language):
    from members.models import Membership, Notification, NotificationKind
    from tests.factories import MembershipFactory, OrganisationFactory

    company = OrganisationFactory(name="Kempen Techniek", slug="kempen-techniek")
    admin = MembershipFactory(organisation=company, role=Membership.Role.ADMIN, user__preferred_language=language)
    coordinator(preferred_language=language)
    page = open_as(new_page, live_server, language, admin.user)

    page.goto(company.get_absolute_url())
    assert tr(language, "The public impact page does not name your organisation.") in page.inner_text("main")
    page.get_by_role("button", name=tr(language, "Declare us an inclusive employer")).click()
    page.wait_for_url(f"**{company.get_absolute_url()}")
    assert tr(language, "Declared; waiting for a coordinator to confirm it") in page.inner_text("main")
    audit(page, f"organisation-inclusive-declared-{language}")
    assert Notification.objects.filter(kind=NotificationKind.INCLUSIVE_DECLARED).count() == 1

    page.goto(f"/organisations/{company.slug}/edit/")
    page.get_by_label(tr(language, "You may name our organisation on the public impact page")).check()
    audit(page, f"organisation-profile-consent-{language}")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{company.get_absolute_url()}")
    assert tr(language, "The public impact page may name your organisation.") in page.inner_text("main")
    assert Organisation.objects.get(pk=company.pk).may_be_named_publicly is True
