"""Journey 3 in real Chromium, in Dutch, with a real Celery worker: a company admin imports volunteers.

The first file has a bad row: the preview names the line, the column and the problem (readable on the error
row's colour), nothing is imported. The corrected file imports everyone; the new colleague gets an email
through the worker with their own welcome link, chooses a password at once and lands on their profile. The
volunteer list shows languages by name. Every page is checked with axe-core and for CSP violations, and
photographed.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from members.models import Membership, Organisation, Volunteer
from tests.browser.conftest import emails_to, log_in, tr, wait_for
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

NL = "nl"
HEADER = "email;full_name;municipality;languages;hours_per_month\n"
GOOD = "sanne@chipmakers.example;Sanne Bakker;Veldhoven;nl|en|tr;8\n"
BAD = "daan@chipmakers.example;Daan Smit;Atlantis;nl;4\n"
FIXED = "daan@chipmakers.example;Daan Smit;Eindhoven;nl;4\n"
WELCOME_LINK = re.compile(r"https?://\S+/welcome/[^/\s]+/")

# WCAG 1.4.3: the contrast of an element's text colour on the background it is drawn on.
CONTRAST_JS = """element => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let back = element;
  while (back && getComputedStyle(back).backgroundColor.match(/[\\d.]+/g)?.[3] === '0') back = back.parentElement;
  const [a, b] = [lum(rgb(getComputedStyle(element).color)), lum(rgb(getComputedStyle(back).backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def upload(page, name, text):
    page.get_by_label(tr(NL, "CSV file with your volunteers")).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    page.get_by_role("button", name=tr(NL, "Upload and check")).click()


def test_a_company_admin_imports_volunteers_fixes_a_bad_row_and_imports_again(new_page, audit, worker, mailoutbox):
    company = OrganisationFactory(name="Chipmakers Veldhoven", slug="chipmakers", kind=Organisation.Kind.COMPANY)
    admin = UserFactory(full_name="Ilse de Graaf", email="ilse@chipmakers.example", preferred_language=NL)
    MembershipFactory(organisation=company, user=admin, role=Membership.Role.ADMIN)

    page = new_page()
    log_in(page, admin.email)
    page.goto(company.get_absolute_url())
    page.get_by_role("link", name=tr(NL, "Import volunteers"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(NL, "Import volunteers from a CSV file"))
    audit(page, "journey3-01-import")

    # A file with a bad row: the preview says where and what, and nothing can be imported.
    upload(page, "team.csv", HEADER + GOOD + BAD)
    expect(page.get_by_role("alert")).to_contain_text(
        tr(NL, "Correct the file in your spreadsheet and upload it again.")
    )
    bad_row = page.locator("tr.table-danger")
    expect(bad_row).to_have_count(1)
    expect(bad_row).to_contain_text("daan@chipmakers.example")
    column = bad_row.locator("code").first
    expect(column).to_have_text("municipality")
    assert column.evaluate(CONTRAST_JS) >= 4.5, "the column name on the error row is too faint"
    expect(page.get_by_role("button", name=re.compile(tr(NL, "Import")))).to_have_count(0)
    audit(page, "journey3-02-preview-with-error")
    assert not Volunteer.objects.exists()

    # The corrected file imports both.
    page.get_by_role("link", name=tr(NL, "Upload a corrected file")).click()
    upload(page, "team.csv", HEADER + GOOD + FIXED)
    audit(page, "journey3-03-preview-ok")
    with translation.override(NL):
        import_all = ngettext("Import %(counter)s volunteer", "Import all %(counter)s volunteers", 2) % {"counter": 2}
    page.get_by_role("button", name=import_all).click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert Volunteer.objects.filter(organisation=company).count() == 2

    # The list shows languages by name, not by code.
    page.goto(f"/organisations/{company.slug}/volunteers/")
    sanne_row = page.get_by_role("row").filter(has_text="Sanne Bakker")
    expect(sanne_row).to_contain_text("Nederlands, Engels, Turks")
    audit(page, "journey3-04-volunteers")

    # The worker emails each new colleague their own welcome link; Sanne chooses a password at once.
    subject = tr(
        NL, "%(organisation)s registered you as a volunteer on Brainport voor Elkaar", organisation=company.name
    )
    wait_for(lambda: subject in emails_to(mailoutbox, "sanne@chipmakers.example"), "Sanne's welcome email")
    [email] = [m for m in mailoutbox if m.to == ["sanne@chipmakers.example"]]
    sanne = new_page()
    sanne.goto(urlsplit(WELCOME_LINK.search(email.body).group(0)).path)
    expect(sanne.get_by_role("heading", level=1)).to_have_text(tr(NL, "Welcome, %(name)s", name="Sanne Bakker"))
    audit(sanne, "journey3-05-welcome")
    sanne.get_by_label(tr(NL, "New password")).first.fill("Taalmaatje-2027!")
    sanne.get_by_label(tr(NL, "New password confirmation")).fill("Taalmaatje-2027!")
    sanne.get_by_role("button", name=tr(NL, "Save password")).click()
    expect(sanne.get_by_role("status")).to_contain_text(
        tr(NL, "Your password is set. Check your profile and agree to the privacy terms.")
    )
    audit(sanne, "journey3-06-profile")
