"""From proposal to impact through the pages, as the people involved do it: a coordinator approves, both sides
accept, contact details appear only then, the volunteer logs hours, the organisation confirms them, both give
feedback and the need is completed with the residents it reached. And an offer's company names its people."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import HoursEntry, Match, MatchFeedback, MatchParticipant
from members.models import Membership, Need, Offer
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_offers import OfferFactory
from tests.matching.test_sides_permissions import approved, current_need, proposal, volunteer_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n):
    return (TODAY - datetime.timedelta(days=n)).isoformat()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def charity():
    return OrganisationFactory(name="Voedselbank Eindhoven", slug="voedselbank", kind="social")


@pytest.fixture
def contact(charity):
    return MembershipFactory(
        organisation=charity,
        role=Membership.Role.ADMIN,
        user=UserFactory(full_name="Ans de Vries", email="ans@voedselbank.example"),
    ).user


@pytest.fixture
def volunteer():
    company = OrganisationFactory(name="ASML", slug="asml")
    return volunteer_of(company, user=UserFactory(full_name="Bram Jansen", email="bram@asml.example"))


def test_from_proposal_to_impact(client, charity, contact, volunteer):
    need = current_need(charity, title="Pakketten inpakken", contact_person=contact, residents_helped=40)
    match = proposal(need, volunteer=volunteer)
    detail = reverse("matching:match-detail", args=[match.pk])

    # A coordinator approves the proposal.
    services.match_approve(match=match, acting_user=coordinator(), note="Past goed.")

    # The need's side accepts; the contact details are not shown yet, to either side.
    client.force_login(contact)
    page = client.get(detail)
    assert "bram@asml.example" not in page.text
    assert "appear here once both sides have accepted" in page.text
    response = client.post(reverse("matching:match-accept", args=[match.pk]), {"side": "need"})
    assert response.status_code == 302
    assert "bram@asml.example" not in client.get(detail).text

    client.force_login(volunteer.user)
    page = client.get(detail)
    assert "ans@voedselbank.example" not in page.text
    assert reverse("matching:match-accept", args=[match.pk]) in page.text

    # The volunteer accepts: both see the other's contact details now.
    response = client.post(reverse("matching:match-accept", args=[match.pk]), {"side": "supply"}, follow=True)
    assert "You both accepted" in " ".join(messages_of(response))
    assert "ans@voedselbank.example" in response.text
    assert Match.objects.get(pk=match.pk).status == Match.Status.ACCEPTED
    client.force_login(contact)
    assert "bram@asml.example" in client.get(detail).text

    # The volunteer logs hours; bad values are refused at the field and nothing is saved.
    client.force_login(volunteer.user)
    hours_url = reverse("matching:hours-log", args=[match.pk])
    refusals = {
        ("0", days_ago(1)): ("hours", "Enter more than 0 hours."),
        ("-2", days_ago(1)): ("hours", "Enter more than 0 hours."),
        ("25", days_ago(1)): ("hours", "A day has no more than 24 hours."),
        ("3", (TODAY + datetime.timedelta(days=1)).isoformat()): (
            "date",
            "You can only log hours for today or earlier.",
        ),
        ("3", days_ago(40)): ("date", "This need started on"),
    }
    for (hours, day), (field, message) in refusals.items():
        response = client.post(hours_url, {"date": day, "hours": hours, "description": "Inpakken"})
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert message in response.text
    assert not HoursEntry.objects.exists()

    for day, hours in [(days_ago(2), "3"), (days_ago(1), "4.5")]:
        response = client.post(hours_url, {"date": day, "hours": hours, "description": "Inpakken"})
        assert response.status_code == 302
    assert HoursEntry.objects.filter(match=match, status=HoursEntry.Status.LOGGED).count() == 2
    assert Match.objects.get(pk=match.pk).status == Match.Status.ACTIVE

    # The organisation confirms both entries at once, correcting one.
    client.force_login(contact)
    first, second = HoursEntry.objects.order_by("date")
    page = client.get(reverse("matching:need-matches", args=[need.pk]))
    assert f'name="confirm_{first.pk}"' in page.text and f'name="hours_{second.pk}"' in page.text
    response = client.post(
        reverse("matching:hours-confirm", args=[need.pk]),
        {f"confirm_{first.pk}": "on", f"confirm_{second.pk}": "on", f"hours_{second.pk}": "4"},
        follow=True,
    )
    assert "2 entries of hours are confirmed." in messages_of(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.confirmed_hours) == (HoursEntry.Status.CONFIRMED, 3)
    assert (second.status, second.hours, second.confirmed_hours) == (HoursEntry.Status.CONFIRMED, 4.5, 4)
    assert "No hours are waiting for confirmation." in response.text

    # Both sides give feedback.
    feedback = reverse("matching:match-feedback", args=[match.pk])
    assert client.post(feedback, {"helped": "yes", "rating": "5", "comment": "Top."}).status_code == 302
    client.force_login(volunteer.user)
    assert client.post(feedback, {"helped": "yes", "rating": "4", "comment": "Leuk."}).status_code == 302
    assert set(MatchFeedback.objects.filter(match=match).values_list("side", "rating", "helped")) == {
        ("need", 5, True),
        ("supply", 4, True),
    }

    # The organisation completes the need with the residents it really reached.
    client.force_login(contact)
    page = client.get(reverse("matching:need-matches", args=[need.pk]))
    assert 'name="residents_reached" value="40"' in page.text  # what it planned
    response = client.post(reverse("matching:need-complete", args=[need.pk]), {"residents_reached": "35"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.residents_reached) == (Need.Status.COMPLETED, 35)
    assert Match.objects.get(pk=match.pk).status == Match.Status.COMPLETED


def test_the_volunteer_sees_their_matches_grouped_by_what_to_do(client, charity, contact, volunteer):
    the_coordinator = coordinator()
    waiting = proposal(current_need(charity, title="Nog in review"), volunteer=volunteer)
    answer = approved(current_need(charity, title="Graag antwoord"), by=the_coordinator, volunteer=volunteer)
    replied = approved(current_need(charity, title="Al geantwoord"), by=the_coordinator, volunteer=volunteer)
    services.match_accept(match=replied, acting_user=volunteer.user, side="supply")
    client.force_login(volunteer.user)

    response = client.get(reverse("matching:my-matches"))

    groups = {label: [m.need.title for m in matches] for _step, label, matches in response.context["groups"]}
    assert groups == {
        "Please answer": ["Graag antwoord"],
        "Waiting for review": ["Nog in review"],
        "Waiting for the other side": ["Al geantwoord"],
    }
    assert waiting.get_absolute_url() in response.text and answer.get_absolute_url() in response.text


def test_a_company_names_three_of_its_people_for_a_need_that_wants_five(client, charity, contact):
    company = OrganisationFactory(name="Philips", slug="philips")
    admin = MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user
    people = [volunteer_of(company) for _ in range(4)]
    paused = volunteer_of(company, status="paused")
    offer = OfferFactory(organisation=company, people=5, status=Offer.Status.ACTIVE, created_by=admin)
    need = current_need(charity, volunteers_needed=5, contact_person=contact)
    match = approved(need, by=coordinator(), offer=offer, people=5)
    accept = reverse("matching:match-accept", args=[match.pk])
    client.force_login(admin)

    form_page = client.get(accept)
    assert form_page.status_code == 200
    offered = form_page.context["form"].fields["participants"].queryset
    assert set(offered) == set(people)  # the active ones, not the paused colleague
    for person in people:
        assert person.user.get_full_name() in form_page.text
    assert paused.user.get_full_name() not in form_page.text

    # A number that does not match the people named is refused at the field, and nothing changes.
    chosen = [str(p.pk) for p in people[:3]]
    refused = client.post(accept, {"people": "2", "participants": chosen})
    assert refused.status_code == 200
    assert "The number of people must match the people you named." in refused.context["form"].errors["people"]
    nobody = client.post(accept, {"people": "0", "participants": []})
    assert "Name the people who take part." in nobody.context["form"].errors["participants"]
    assert Match.objects.get(pk=match.pk).supply_accepted_at is None
    assert not MatchParticipant.objects.exists()

    response = client.post(accept, {"people": "3", "participants": chosen})

    assert response.status_code == 302
    match.refresh_from_db()
    assert match.people == 3
    assert match.supply_accepted_at is not None and match.status == Match.Status.APPROVED
    assert set(MatchParticipant.objects.filter(match=match).values_list("volunteer", flat=True)) == {
        p.pk for p in people[:3]
    }
    # The named people find the match among theirs, and may log hours once the need's side accepted.
    services.match_accept(match=match, acting_user=contact, side="need")
    client.force_login(people[0].user)
    mine = client.get(reverse("matching:my-matches"))
    assert [m.pk for _s, _l, matches in mine.context["groups"] for m in matches] == [match.pk]
    assert client.get(reverse("matching:hours-log", args=[match.pk])).status_code == 200
    client.force_login(people[3].user)
    assert client.get(reverse("matching:hours-log", args=[match.pk])).status_code == 404


def test_declining_and_withdrawing_ask_for_a_reason_at_the_field(client, charity, contact, volunteer):
    match = approved(current_need(charity), by=coordinator(), volunteer=volunteer)
    client.force_login(volunteer.user)

    decline = client.post(reverse("matching:match-decline", args=[match.pk]), {"reason": "  "})
    withdraw = client.post(reverse("matching:match-withdraw", args=[match.pk]), {"reason": ""})

    assert decline.status_code == withdraw.status_code == 200
    assert "Please give a short reason" in " ".join(decline.context["form"].errors["reason"])
    assert "Please give a short reason." in withdraw.context["form"].errors["reason"]
    assert "aria-invalid" in decline.text or "is-invalid" in decline.text
    assert Match.objects.get(pk=match.pk).status == Match.Status.APPROVED

    response = client.post(reverse("matching:match-decline", args=[match.pk]), {"reason": "Geen tijd."})

    assert response.status_code == 302
    assert Match.objects.get(pk=match.pk).status == Match.Status.DECLINED


def test_a_decision_on_a_match_that_moved_on_is_refused_with_a_message(client, charity, contact, volunteer):
    match = approved(current_need(charity), by=coordinator(), volunteer=volunteer)
    services.match_withdraw(match=match, acting_user=volunteer.user, reason="Verhuisd.")
    client.force_login(contact)

    accepted = client.post(reverse("matching:match-accept", args=[match.pk]), {"side": "need"}, follow=True)
    declined = client.post(
        reverse("matching:match-decline", args=[match.pk]), {"side": "need", "reason": "Toch niet."}, follow=True
    )

    assert "cannot become" in " ".join(messages_of(accepted)) and "Nothing was changed." in " ".join(
        messages_of(accepted)
    )
    assert "Nothing was changed." in " ".join(messages_of(declined))
    match.refresh_from_db()
    assert match.status == Match.Status.WITHDRAWN
    assert match.need_accepted_at is None
    assert list(match.events.values_list("action", flat=True)) == ["approve", "withdraw"]


def test_answering_twice_for_the_same_side_is_refused_with_a_message(client, charity, contact, volunteer):
    match = approved(current_need(charity), by=coordinator(), volunteer=volunteer)
    client.force_login(contact)
    client.post(reverse("matching:match-accept", args=[match.pk]), {"side": "need"})
    first = Match.objects.get(pk=match.pk).need_accepted_at

    again = client.get(reverse("matching:match-accept", args=[match.pk]), follow=True)
    posted = client.post(reverse("matching:match-accept", args=[match.pk]), {"side": "need"}, follow=True)

    assert "This match is not waiting for your answer." in messages_of(again)
    assert "Your side has already accepted this match. Nothing was changed." in messages_of(posted)
    assert Match.objects.get(pk=match.pk).need_accepted_at == first


def test_coordinators_see_the_history_and_the_review_forms(client, charity, contact, volunteer):
    the_coordinator = coordinator(full_name="Carla Coördinator")
    waiting = proposal(current_need(charity), volunteer=volunteer)
    decided = approved(current_need(charity), by=the_coordinator, volunteer=volunteer)
    client.force_login(the_coordinator)

    proposal_page = client.get(reverse("matching:match-detail", args=[waiting.pk]))
    decided_page = client.get(reverse("matching:match-detail", args=[decided.pk]))

    review = reverse("matching:match-review", args=[waiting.pk])
    assert proposal_page.text.count(f'action="{review}"') == 2
    assert 'value="approve"' in proposal_page.text and 'value="reject"' in proposal_page.text
    assert reverse("matching:match-review", args=[decided.pk]) not in decided_page.text
    [event] = decided_page.context["history"]
    assert (event.actor, event.from_status, event.to_status) == (the_coordinator, "proposed", "approved")
    assert "Carla Coördinator" in decided_page.text
    # The sides do not see the history.
    client.force_login(contact)
    side_page = client.get(reverse("matching:match-detail", args=[decided.pk]))
    assert side_page.context["history"] == [] and "Carla Coördinator" not in side_page.text


def test_the_review_policy_is_named_in_the_history(client, charity, volunteer):
    match = proposal(current_need(charity), volunteer=volunteer)
    services.matches_approve(match_ids=[match.pk], acting_user=None, by_policy=True, note="auto≥0.8")
    client.force_login(coordinator())

    page = client.get(reverse("matching:match-detail", args=[match.pk]))

    assert "review policy" in page.text


def test_someone_who_speaks_for_both_sides_chooses_the_side(client, charity, contact):
    """The need's admin is also staff of the company whose offer was matched to it."""
    company = OrganisationFactory(name="Fontys", slug="fontys")
    MembershipFactory(organisation=company, user=contact, role=Membership.Role.MEMBER)
    offer = OfferFactory(organisation=company, people=2, status=Offer.Status.ACTIVE)
    match = approved(current_need(charity, volunteers_needed=2), by=coordinator(), offer=offer, people=2)
    accept = reverse("matching:match-accept", args=[match.pk])
    client.force_login(contact)

    form = client.get(accept).context["form"]
    unchosen = client.post(accept, {})
    chosen = client.post(accept, {"side": "need"})

    assert [value for value, _label in form.fields["side"].choices] == ["need", "supply"]
    assert unchosen.status_code == 200 and "side" in unchosen.context["form"].errors
    assert chosen.status_code == 302
    match.refresh_from_db()
    assert match.need_accepted_at is not None and match.supply_accepted_at is None
    # Only the side still to answer is left: the company names its people.
    second = client.get(accept).context["form"]
    assert "side" not in second.fields and "participants" in second.fields


def test_the_dashboard_and_the_workspace_link_to_the_matches(client, charity, contact):
    client.force_login(contact)

    assert reverse("matching:my-matches") in client.get(reverse("members:dashboard")).text
    assert reverse("matching:organisation-matches", args=[charity.slug]) in client.get(charity.get_absolute_url()).text
