"""Lists and dashboards cost the same number of queries with one row as with many."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services
from members.models import Membership, NotificationKind
from members.notifications import Recipient, notify
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory, coordinator

pytestmark = pytest.mark.django_db

MANY = 30


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def assert_same_cost(client, url, add_rows, *, rows_shown):
    """Render with one row, add MANY - 1, render again: the count of queries must not move."""
    client.get(url)  # warm caches that are not per-request (content types, templates)
    with_one, first = queries_for(client, url)
    assert rows_shown(first) == 1
    add_rows(MANY - 1)
    with_many, second = queries_for(client, url)
    assert rows_shown(second) == MANY
    assert with_many == with_one, f"{url}: {with_one} queries with 1 row, {with_many} with {MANY}"


def test_inbox(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)

    counter = itertools.count()

    def add(n):
        for number in itertools.islice(counter, n):
            notify(
                recipients=[Recipient.of(user)],
                kind=NotificationKind.MEMBERSHIP_CHANGED,
                event_key=f"query-count:{number}",
                context={"organisation": f"Organisatie {number}", "role": "admin"},
                link="/",
            )

    add(1)
    assert_same_cost(
        client,
        reverse("members:inbox"),
        add,
        rows_shown=lambda r: len(r.context["notifications"]),
    )


def test_organisation_workspace_for_an_admin(client):
    admin = MembershipFactory(role=Membership.Role.ADMIN, user__preferred_language="en")
    organisation = admin.organisation
    client.force_login(admin.user)
    counter = itertools.count()

    def add(n):
        for _ in range(n):
            MembershipFactory(organisation=organisation)
            services.invitation_create(
                organisation=organisation,
                acting_user=admin.user,
                email=f"gast{next(counter)}@example.org",
                role="member",
            )

    services.invitation_create(
        organisation=organisation, acting_user=admin.user, email="eerste@example.org", role="member"
    )
    # The admin is the first row; colleagues and open invitations are added alongside.
    assert_same_cost(
        client,
        organisation.get_absolute_url(),
        add,
        rows_shown=lambda r: len(r.context["invitations"]),
    )
    response = client.get(organisation.get_absolute_url())
    assert len(response.context["memberships"]) == MANY


def test_organisation_workspace_for_a_coordinator(client):
    organisation = MembershipFactory(role=Membership.Role.ADMIN).organisation
    client.force_login(coordinator(preferred_language="en"))

    assert_same_cost(
        client,
        organisation.get_absolute_url(),
        lambda n: MembershipFactory.create_batch(n, organisation=organisation),
        rows_shown=lambda r: len(r.context["memberships"]),
    )


def test_application_list(client):
    client.force_login(coordinator(preferred_language="en"))
    ApplicationFactory()

    assert_same_cost(
        client,
        reverse("members:application-list"),
        lambda n: ApplicationFactory.create_batch(n),
        rows_shown=lambda r: len(r.context["applications"]),
    )


def test_application_list_of_decided_applications(client):
    coord = coordinator(preferred_language="en")
    client.force_login(coord)

    def add(n):
        for application in ApplicationFactory.create_batch(n):
            services.membership_application_decide(application=application, acting_user=coord, approve=True)

    add(1)
    assert_same_cost(
        client,
        reverse("members:application-list") + "?status=approved",
        add,
        rows_shown=lambda r: len(r.context["applications"]),
    )


def test_dashboard_with_many_organisations_and_applications(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)

    def add(n):
        for _ in range(n):
            MembershipFactory(user=user)
            ApplicationFactory(applicant=user)

    add(1)
    assert_same_cost(
        client,
        reverse("members:dashboard"),
        add,
        rows_shown=lambda r: len(r.context["my_memberships"]),
    )
    response = client.get(reverse("members:dashboard"))
    assert len(response.context["applications"]) == MANY


def test_coordinator_dashboard(client):
    coord = coordinator(preferred_language="en")
    MembershipFactory(user=coord)
    client.force_login(coord)

    def add(n):
        MembershipFactory.create_batch(n, user=coord)
        ApplicationFactory.create_batch(n)

    assert_same_cost(
        client,
        reverse("members:dashboard"),
        add,
        rows_shown=lambda r: len(r.context["my_memberships"]),
    )
    response = client.get(reverse("members:dashboard"))
    assert f"{MANY - 1} membership applications are waiting for review." in response.text
