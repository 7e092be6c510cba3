"""Getting in touch with a member organisation through the coordinators, without anyone's address on its page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Membership, Notification, NotificationKind, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, coordinator
from tests.factories_needs import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charity():
    organisation = OrganisationFactory(
        name="Voedselbank Eindhoven", slug="voedselbank", kind="social", website="https://voedselbank.example"
    )
    MembershipFactory(
        organisation=organisation, role=Membership.Role.ADMIN, user=UserFactory(email="ans@voedselbank.example")
    )
    return organisation


def test_the_public_page_shows_the_website_the_open_needs_and_the_way_in_touch_but_no_address(client, charity):
    NeedFactory(organisation=charity, title="Pakketten inpakken")
    NeedFactory(organisation=charity, title="Nog een concept", status="draft")

    page = client.get(charity.get_absolute_url()).text

    assert 'href="https://voedselbank.example"' in page
    assert "Pakketten inpakken" in page
    assert "Nog een concept" not in page, "only open needs are public"
    assert "coordinators of Brainport voor Elkaar put you in touch" in page
    assert "@" not in page.split("<main", 1)[1].split("</main>", 1)[0], "no email address on the public page"


def test_a_question_reaches_every_coordinator_with_the_senders_address(
    client, charity, mailoutbox, django_capture_on_commit_callbacks
):
    kees, mira = coordinator(email="kees@brainport.example"), coordinator(email="mira@brainport.example")
    bram = UserFactory(full_name="Bram Jansen", email="bram@chipmakers.example")
    client.force_login(bram)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:organisation-contact", args=[charity.slug]), {"message": "Kan ons team een dag helpen?"}
        )

    assert response.status_code == 302 and response.url == charity.get_absolute_url()
    notifications = Notification.objects.filter(kind=NotificationKind.CONTACT_REQUEST)
    assert {n.recipient for n in notifications} == {kees, mira}
    assert sorted(m.to[0] for m in mailoutbox) == [kees.email, mira.email]
    message = mailoutbox[0]
    assert message.subject == "Bram Jansen asks about Voedselbank Eindhoven"
    assert "bram@chipmakers.example" in message.body and "Kan ons team een dag helpen?" in message.body
    assert "ans@voedselbank.example" not in message.body


def test_a_second_question_within_the_hour_is_refused_and_sends_nothing(
    client, charity, mailoutbox, django_capture_on_commit_callbacks
):
    coordinator()
    client.force_login(UserFactory())
    url = reverse("members:organisation-contact", args=[charity.slug])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"message": "Eerste vraag"})
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"message": "Tweede vraag"})

    assert again.status_code == 200
    assert "in the past hour" in " ".join(again.context["form"].non_field_errors())
    assert "in the past hour" in again.text, "the error summary says why"
    assert mailoutbox == []
    assert Notification.objects.filter(kind=NotificationKind.CONTACT_REQUEST).count() == 1


def test_an_empty_question_or_an_organisation_that_is_not_a_member_sends_nothing(charity):
    coordinator()
    sender = UserFactory()
    with pytest.raises(ValidationError):
        services.organisation_contact_request(organisation=charity, acting_user=sender, message="   ")
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    with pytest.raises(ValidationError):
        services.organisation_contact_request(organisation=pending, acting_user=sender, message="Hallo")
    assert not Notification.objects.exists()


@pytest.mark.parametrize("needs", [1, 12])
def test_the_public_page_takes_the_same_queries_with_one_or_many_open_needs(
    client, charity, needs, django_assert_num_queries
):
    for n in range(needs):
        NeedFactory(organisation=charity, title=f"Hulpvraag {n}")

    with django_assert_num_queries(2):
        response = client.get(charity.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="list-group-item"') == min(needs, 10)
    assert ("The newest 10 are shown." in page) == (needs > 10)


def test_an_hour_later_one_may_ask_again(charity):
    coordinator()
    sender = UserFactory()
    services.organisation_contact_request(organisation=charity, acting_user=sender, message="Eerste vraag")
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))

    services.organisation_contact_request(organisation=charity, acting_user=sender, message="Tweede vraag")

    assert Notification.objects.filter(kind=NotificationKind.CONTACT_REQUEST).count() == 2
