"""Needs nobody answers: open needs without an approved or agreed match, longest waiting first, with what
was tried and what a coordinator can do next."""

import datetime
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Match, MatchingRequest
from members.models import Membership, Need
from tests.factories import MembershipFactory, coordinator, municipality
from tests.factories_needs import programme
from tests.matching.test_review_queue import charity, fresh_feature_cache, need_of, proposal  # noqa: F401

pytestmark = pytest.mark.django_db

UNANSWERED = reverse("matching:needs-unanswered")
Status = Match.Status


@pytest.fixture
def coordinator_client(client):
    client.force_login(coordinator())
    return client


def shown(response) -> list[int]:
    return [need.pk for need in response.context["needs"]]


def test_open_needs_without_an_approved_or_agreed_match_longest_waiting_first(coordinator_client):
    newest = need_of(days_ago=1)
    oldest = need_of(days_ago=40)
    only_tried = need_of(days_ago=10)
    for status in [Status.PROPOSED, Status.REJECTED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED]:
        proposal(only_tried, status=status)
    for status in [Status.APPROVED, Status.ACCEPTED, Status.ACTIVE, Status.COMPLETED]:
        proposal(need_of(days_ago=50), status=status)
    need_of(days_ago=60, status=Need.Status.PAUSED)
    need_of(days_ago=70, status=Need.Status.MATCHED)

    page = coordinator_client.get(UNANSWERED)

    assert page.status_code == 200
    assert shown(page) == [oldest.pk, only_tried.pk, newest.pk]
    assert "3 needs without an answer" in page.text


def test_each_need_shows_what_was_tried(coordinator_client):
    need = need_of(days_ago=12)
    for status in [Status.PROPOSED, Status.REJECTED, Status.REJECTED, Status.DECLINED, Status.EXPIRED]:
        proposal(need, status=status)
    finished = timezone.make_aware(datetime.datetime(2030, 5, 4, 10, 30))
    MatchingRequest.objects.create(
        kind="need", object_id=need.pk, status="done", created_at=finished, finished_at=finished
    )
    MatchingRequest.objects.create(
        kind="volunteer", object_id=need.pk, created_at=finished + datetime.timedelta(days=1)
    )
    untried = need_of(days_ago=2)

    page = coordinator_client.get(UNANSWERED)

    [tried, fresh] = page.context["needs"]
    assert (tried.proposals, tried.waiting, tried.rejected, tried.declined, tried.ended) == (5, 1, 2, 1, 1)
    assert "1 waiting for review, 2 rejected, 1 declined, 1 withdrawn or expired" in page.text
    assert tried.last_matching_finished_at == finished
    assert "4 May 2030 10:30" in page.text
    assert "waiting 12 days" in page.text
    assert (fresh.pk, fresh.proposals, fresh.last_matching_at) == (untried.pk, 0, None)
    assert "none recorded" in page.text


def test_the_actions_run_matching_again_show_candidates_and_email_the_organisation(coordinator_client):
    organisation = charity()
    need = need_of(organisation, title="Maatje gezocht")

    text = coordinator_client.get(UNANSWERED).text

    assert f'action="{reverse("matching:need-match-now", args=[need.pk])}"' in text
    assert f'href="{reverse("matching:need-candidates", args=[need.pk])}"' in text
    mailto = unquote(text.split('href="mailto:')[1].split('"')[0])
    recipients, subject = mailto.split("?subject=")
    assert recipients.split(",") == [organisation.contact.email, organisation.admin.email]
    assert "Maatje gezocht" in subject


def test_running_matching_again_from_the_list_asks_for_a_run(coordinator_client):
    need = need_of()

    response = coordinator_client.post(reverse("matching:need-match-now", args=[need.pk]))

    assert response.status_code == 302
    assert MatchingRequest.objects.filter(kind="need", object_id=need.pk).exists()


def test_without_a_contact_person_the_admins_are_emailed(coordinator_client):
    organisation = charity()
    second_admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    need_of(organisation, contact_person=None)

    text = coordinator_client.get(UNANSWERED).text

    recipients = unquote(text.split('href="mailto:')[1].split("?")[0]).split(",")
    assert sorted(recipients) == sorted([organisation.admin.email, second_admin.email])


@pytest.mark.parametrize(
    "query", ["programme=work", "subregion=De+Peel", "municipality={helmond}", "organisation=peelrand"]
)
def test_filters(coordinator_client, query):
    wanted = need_of(
        charity(slug="peelrand"), programme=programme("work"), municipality=municipality("Helmond"), days_ago=1
    )
    need_of(municipality=municipality("Veldhoven"), days_ago=5)

    page = coordinator_client.get(UNANSWERED + "?" + query.format(helmond=municipality("Helmond").pk))

    assert shown(page) == [wanted.pk]


# session, user, coordinator group, memberships, unread count; count, rows, the organisations' admins;
# programmes, municipalities, organisations (the filter's choices).
UNANSWERED_QUERIES = 11


def add_needs(n):
    organisations = [charity() for _ in range(3)]
    for number in range(n):
        need = need_of(organisations[number % 3], days_ago=number % 9)
        proposal(need, status=[Status.PROPOSED, Status.REJECTED, Status.DECLINED][number % 3])
        MatchingRequest.objects.create(kind="need", object_id=need.pk)


@pytest.mark.parametrize("query", ["", "?subregion=Stedelijk+gebied+Eindhoven&page=1"])
def test_the_list_costs_the_same_with_one_need_or_fifty(coordinator_client, django_assert_num_queries, query):
    add_needs(1)
    coordinator_client.get(UNANSWERED + query)

    with django_assert_num_queries(UNANSWERED_QUERIES):
        one = coordinator_client.get(UNANSWERED + query)
    add_needs(49)
    with django_assert_num_queries(UNANSWERED_QUERIES):
        many = coordinator_client.get(UNANSWERED + query)

    assert len(shown(one)) == 1 and len(shown(many)) == 50
