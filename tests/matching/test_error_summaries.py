"""The coordinators' and organisations' matching pages say what went wrong as the portal's other forms do: one
summary, focused after the failed submit, with a link to each field to correct and the general refusals in words."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from matching.models import HoursEntry, Match
from members.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_volunteers import VolunteerFactory
from tests.matching.test_hours_views import YESTERDAY, log
from tests.matching.test_review_decisions import replace_url
from tests.matching.test_review_queue import QUEUE, fresh_feature_cache, need_of, proposal  # noqa: F401
from tests.matching.test_sides_permissions import agreed, current_need, volunteer_of

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r'<div class="alert alert-danger error-summary"[^>]*>.*?</div>', re.S)


def summary_of(response) -> str:
    """The page's one error summary, checked to take the focus when the page opens."""
    assert response.status_code == 200
    page = response.text
    assert page.count('id="error-summary"') == 1, "one summary on the page"
    assert 'role="alert"' not in page, "no second alert of the page's own"
    summary = SUMMARY.search(page).group(0)
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    return summary


def links_of(summary) -> list[str]:
    return re.findall(r'href="#([^"]+)"', summary)


@pytest.fixture
def coordinator_client(client):
    client.force_login(coordinator())
    return client


@pytest.fixture
def hours():
    """An agreed match of a charity's need with a volunteer: (the match, the volunteer, the charity's staff)."""
    charity = OrganisationFactory(kind="social")
    staff = MembershipFactory(organisation=charity, role=Membership.Role.MEMBER).user
    volunteer = volunteer_of(OrganisationFactory())
    match = agreed(
        current_need(charity), by=coordinator(), need_user=staff, supply_user=volunteer.user, volunteer=volunteer
    )
    return match, volunteer, staff


@pytest.fixture
def replaceable():
    """A proposal for a need that two other volunteers fit."""
    need = need_of()
    match = proposal(need, volunteer=VolunteerFactory())
    VolunteerFactory.create_batch(2)
    return match


def test_rejecting_without_a_note_links_the_summary_to_the_note(coordinator_client):
    match = proposal()

    response = coordinator_client.post(
        reverse("matching:match-review", args=[match.pk]), {"decision": "reject", "note": " "}
    )

    summary = summary_of(response)
    assert links_of(summary) == ["id_note"] and 'id="id_note"' in response.text
    assert "Please say why, for the history and for whoever looks next." in summary


def test_an_unknown_decision_is_said_in_the_summary_although_it_is_no_field_to_correct(coordinator_client):
    match = proposal()

    response = coordinator_client.post(reverse("matching:match-review", args=[match.pk]), {"decision": "maybe"})

    summary = summary_of(response)
    assert links_of(summary) == []
    assert "Select a valid choice." in summary
    assert Match.objects.get(pk=match.pk).status == Match.Status.PROPOSED


def test_choosing_another_candidate_links_the_summary_to_the_first_candidate_and_the_note(
    coordinator_client, replaceable
):
    match = replaceable

    response = coordinator_client.post(replace_url(match), {"candidate": "volunteer:999999", "note": ""})

    summary = summary_of(response)
    assert links_of(summary) == ["id_candidate_0", "id_note"]
    assert 'id="id_candidate_0"' in response.text and 'for="id_candidate_0"' in response.text
    assert "Choose one of the candidates shown; the list may have changed." in summary


def test_a_wrong_correction_of_hours_links_to_its_row_by_name_and_date(client, hours):
    match, volunteer, staff = hours
    entry = log(match, volunteer, "4")
    client.force_login(staff)

    response = client.post(
        reverse("matching:hours-confirm", args=[match.need_id]),
        {f"confirm_{entry.pk}": "on", f"hours_{entry.pk}": "30"},
    )

    summary = summary_of(response)
    assert links_of(summary) == [f"id_hours_{entry.pk}"]
    person, day = volunteer.user.get_full_name(), date_format(YESTERDAY, "j F Y")
    assert f"Corrected hours of {person} on {day}: Enter between 0 and 24 hours." in summary
    assert HoursEntry.objects.get(pk=entry.pk).status == HoursEntry.Status.LOGGED


def test_confirming_nothing_ticked_is_said_in_the_summary_and_nothing_changes(client, hours):
    match, volunteer, staff = hours
    entry = log(match, volunteer, "3")
    client.force_login(staff)

    response = client.post(reverse("matching:hours-confirm", args=[match.need_id]), {f"hours_{entry.pk}": "2"})

    summary = summary_of(response)
    assert "Tick the hours you want to confirm." in summary
    assert HoursEntry.objects.get(pk=entry.pk).status == HoursEntry.Status.LOGGED


def test_completing_with_an_unreadable_number_links_to_it(client, hours):
    match, volunteer, staff = hours
    client.force_login(staff)

    response = client.post(reverse("matching:need-complete", args=[match.need_id]), {"residents_reached": "many"})

    assert links_of(summary_of(response)) == ["id_residents_reached"]


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (reverse("matching:needs-unanswered"), "programme=nonsense", "id_programme"),
        (QUEUE, "min_score=5", "id_min_score"),
    ],
)
def test_an_unreadable_filter_links_the_summary_to_it(coordinator_client, url, query, field):
    response = coordinator_client.get(f"{url}?{query}")

    summary = summary_of(response)
    assert links_of(summary) == [field] and f'id="{field}"' in response.text


def test_without_errors_there_is_no_summary(coordinator_client, replaceable):
    match = replaceable

    pages = [
        coordinator_client.get(replace_url(match)),
        coordinator_client.get(reverse("matching:needs-unanswered")),
        coordinator_client.get(QUEUE + "?min_score=0.5"),
    ]

    assert all(page.status_code == 200 and "error-summary" not in page.text for page in pages)


@pytest.mark.parametrize(("language", "words"), [("nl", "Aangepaste uren van"), ("en", "Corrected hours of")])
def test_each_rows_correction_is_labelled_with_a_date_in_the_readers_language(client, hours, language, words):
    match, volunteer, staff = hours
    entry = log(match, volunteer, "3")
    staff.preferred_language = language
    staff.save(update_fields=["preferred_language"])
    client.force_login(staff)

    page = client.get(reverse("matching:need-matches", args=[match.need_id]))

    with translation.override(language):
        day = date_format(YESTERDAY, "j F Y")
    label = f'<label class="visually-hidden" for="id_hours_{entry.pk}">{words} {volunteer.user.get_full_name()}'
    assert label in page.text and f" {day}</label>" in page.text
