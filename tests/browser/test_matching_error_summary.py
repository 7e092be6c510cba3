"""A coordinator who sends "another candidate" without choosing one or saying why gets the portal's one error
summary, in their language: it has the focus, passes axe, and its first link takes them to the first candidate."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in, tr
from tests.factories import coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.matching.test_review_queue import need_of, proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_summary_takes_the_focus_and_leads_to_the_first_candidate(page, audit, language):
    need = need_of()
    match = proposal(need, volunteer=VolunteerFactory())
    VolunteerFactory.create_batch(2)  # two others who fit the need
    log_in(page, coordinator(preferred_language=language).email)
    page.goto(reverse("matching:match-replace", args=[match.pk]))
    page.get_by_role("button", name=tr(language, "Approve this candidate instead")).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    audit(page, f"polish-replace-summary-{language}")
    summary.locator("a").first.click()
    expect(page.locator("#id_candidate_0")).to_be_focused()
