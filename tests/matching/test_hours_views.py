"""Hours, feedback and completing a need through the pages: refusals appear at the field and change nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.forms import HoursForm
from matching.models import HoursEntry, Match, MatchFeedback
from members.models import Membership, Need, Offer
from tests.factories import MembershipFactory, OrganisationFactory, coordinator
from tests.factories_offers import OfferFactory
from tests.matching.test_sides_permissions import agreed, approved, current_need, volunteer_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def charity():
    return OrganisationFactory(kind="social")


@pytest.fixture
def staff(charity):
    return MembershipFactory(organisation=charity, role=Membership.Role.MEMBER).user


@pytest.fixture
def volunteer():
    return volunteer_of(OrganisationFactory())


@pytest.fixture
def match(charity, staff, volunteer):
    return agreed(
        current_need(charity), by=coordinator(), need_user=staff, supply_user=volunteer.user, volunteer=volunteer
    )


def log(match, volunteer, hours, day=YESTERDAY):
    return services.hours_log(match=match, acting_user=volunteer.user, day=day, hours=hours)


def test_the_form_asks_the_services_rule(match, volunteer):
    log(match, volunteer, "20")
    form = HoursForm(
        {"date": YESTERDAY.isoformat(), "hours": "5"},
        match=Match.objects.with_related().get(pk=match.pk),
        volunteer=volunteer,
    )

    assert not form.is_valid()
    [error] = form.errors["hours"]
    assert error.startswith("With the 20") and error.endswith(
        "hours you logged on that day already, that is more than 24."
    )


def test_more_than_a_day_in_total_is_refused_at_the_field(client, match, volunteer):
    log(match, volunteer, "20")
    client.force_login(volunteer.user)

    response = client.post(
        reverse("matching:hours-log", args=[match.pk]), {"date": YESTERDAY.isoformat(), "hours": "5"}
    )

    assert response.status_code == 200
    assert "that is more than 24" in response.text
    assert HoursEntry.objects.count() == 1


def test_the_hours_page_lists_only_ones_own_hours(client, charity, staff, volunteer):
    company = OrganisationFactory()
    colleague = volunteer_of(company)
    own = volunteer_of(company)
    offer_need = current_need(charity, volunteers_needed=2)
    admin = MembershipFactory(organisation=company, role=Membership.Role.ADMIN).user
    offer = OfferFactory(organisation=company, people=2, status=Offer.Status.ACTIVE)
    match = approved(offer_need, by=coordinator(), offer=offer, people=2)
    services.match_accept(match=match, acting_user=admin, side="supply", people=2, participants=[own, colleague])
    services.match_accept(match=match, acting_user=staff, side="need")
    services.hours_log(match=match, acting_user=colleague.user, day=YESTERDAY, hours="7", description="Schilderen")
    services.hours_log(match=match, acting_user=own.user, day=YESTERDAY, hours="2", description="Koffie zetten")
    client.force_login(own.user)

    page = client.get(reverse("matching:hours-log", args=[match.pk]))

    assert "Koffie zetten" in page.text and "Schilderen" not in page.text


def test_hours_cannot_be_logged_once_the_match_is_completed(client, match, volunteer, staff):
    log(match, volunteer, "2")
    services.need_complete(need=match.need, acting_user=staff, residents_reached=3)
    client.force_login(volunteer.user)
    url = reverse("matching:hours-log", args=[match.pk])

    page = client.get(url)
    response = client.post(url, {"date": YESTERDAY.isoformat(), "hours": "2"}, follow=True)

    assert 'name="hours"' not in page.text
    assert "Hours can be logged once both sides accepted, until the match is closed." in [
        str(m) for m in response.context["messages"]
    ]
    assert HoursEntry.objects.count() == 1


def test_a_correction_out_of_range_is_shown_at_its_field_and_nothing_is_confirmed(client, match, volunteer, staff):
    first = log(match, volunteer, "3", day=YESTERDAY - datetime.timedelta(days=1))
    second = log(match, volunteer, "4")
    client.force_login(staff)

    response = client.post(
        reverse("matching:hours-confirm", args=[match.need_id]),
        {f"confirm_{first.pk}": "on", f"confirm_{second.pk}": "on", f"hours_{second.pk}": "30"},
    )

    assert response.status_code == 200
    assert response.context["hours_form"].errors[f"hours_{second.pk}"] == ["Enter between 0 and 24 hours."]
    assert "Enter between 0 and 24 hours." in response.text
    assert set(HoursEntry.objects.values_list("status", flat=True)) == {HoursEntry.Status.LOGGED}


def test_confirming_without_ticking_anything_says_so(client, match, volunteer, staff):
    entry = log(match, volunteer, "3")
    client.force_login(staff)

    response = client.post(reverse("matching:hours-confirm", args=[match.need_id]), {f"hours_{entry.pk}": "2"})

    assert response.status_code == 200
    assert response.context["hours_form"].non_field_errors() == ["Tick the hours you want to confirm."]
    assert HoursEntry.objects.get(pk=entry.pk).status == HoursEntry.Status.LOGGED


def test_hours_of_another_need_cannot_be_confirmed_through_this_one(client, charity, match, volunteer, staff):
    other_org = OrganisationFactory(kind="social")
    other_staff = MembershipFactory(organisation=other_org, role=Membership.Role.ADMIN).user
    theirs = agreed(
        current_need(other_org),
        by=coordinator(),
        need_user=other_staff,
        supply_user=volunteer.user,
        volunteer=volunteer,
    )
    their_entry = services.hours_log(match=theirs, acting_user=volunteer.user, day=YESTERDAY, hours="2")
    log(match, volunteer, "3", day=YESTERDAY - datetime.timedelta(days=1))
    client.force_login(staff)

    client.post(reverse("matching:hours-confirm", args=[match.need_id]), {f"confirm_{their_entry.pk}": "on"})

    assert HoursEntry.objects.get(pk=their_entry.pk).status == HoursEntry.Status.LOGGED


def test_feedback_is_given_once_per_side(client, match, volunteer):
    client.force_login(volunteer.user)
    url = reverse("matching:match-feedback", args=[match.pk])

    bad = client.post(url, {"helped": "yes", "rating": "7"})
    assert bad.status_code == 200 and "rating" in bad.context["form"].errors
    assert not MatchFeedback.objects.exists()
    assert client.post(url, {"helped": "no", "rating": "2", "comment": "Te weinig te doen."}).status_code == 302
    again = client.post(url, {"helped": "yes", "rating": "5"}, follow=True)
    later = client.get(url, follow=True)

    assert "Your side already gave feedback on this match. Thank you!" in [str(m) for m in again.context["messages"]]
    assert "Your side already gave feedback on this match. Thank you!" in [str(m) for m in later.context["messages"]]
    feedback = MatchFeedback.objects.get()
    assert (feedback.side, feedback.helped, feedback.rating) == ("supply", False, 2)


def test_feedback_waits_until_both_sides_accepted(client, charity, volunteer):
    match = approved(current_need(charity), by=coordinator(), volunteer=volunteer)
    client.force_login(volunteer.user)

    response = client.get(reverse("matching:match-feedback", args=[match.pk]), follow=True)
    posted = client.post(
        reverse("matching:match-feedback", args=[match.pk]), {"helped": "yes", "rating": "5"}, follow=True
    )

    assert "Feedback can be given once both sides accepted the match." in [str(m) for m in response.context["messages"]]
    assert "Feedback can be given once both sides accepted the match." in [str(m) for m in posted.context["messages"]]
    assert not MatchFeedback.objects.exists()


def test_completing_with_a_negative_number_of_residents_is_refused_at_the_field(client, match, staff):
    client.force_login(staff)

    response = client.post(reverse("matching:need-complete", args=[match.need_id]), {"residents_reached": "-3"})

    assert response.status_code == 200
    assert response.context["complete_form"].errors["residents_reached"] == [
        "Enter the number of residents helped (0 or more)."
    ]
    need = Need.objects.get(pk=match.need_id)
    assert need.status != Need.Status.COMPLETED and need.residents_reached is None


def test_a_need_nobody_took_part_in_cannot_be_completed(client, charity, staff, volunteer):
    need = current_need(charity)
    approved(need, by=coordinator(), volunteer=volunteer)
    client.force_login(staff)

    response = client.post(reverse("matching:need-complete", args=[need.pk]), {"residents_reached": "4"}, follow=True)

    assert "No volunteer has taken part in this need yet, so it cannot be completed." in [
        str(m) for m in response.context["messages"]
    ]
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN and need.residents_reached is None


def test_confirmed_hours_keep_what_was_logged_and_what_counts(client, match, volunteer, staff):
    entry = log(match, volunteer, "3.5")
    client.force_login(staff)

    client.post(
        reverse("matching:hours-confirm", args=[match.need_id]), {f"confirm_{entry.pk}": "on", f"hours_{entry.pk}": "3"}
    )
    client.force_login(volunteer.user)
    page = client.get(match.get_absolute_url())

    entry.refresh_from_db()
    assert (entry.hours, entry.confirmed_hours, entry.confirmed_by) == (Decimal("3.50"), Decimal("3.00"), staff)
    assert "3.50 → 3.00" in page.text
