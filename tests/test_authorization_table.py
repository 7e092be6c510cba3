"""Every URL the resolver knows, for every kind of person, with GET and (where the view takes one) POST, against
the expected answers in tests/authorization_table.py.

A URL pattern without a row fails `test_every_url_pattern_has_a_row`, which prints the line to add. Each cell is
its own test, named `<url>-<method>-<role>`. POSTs carry a valid CSRF token and an empty body; a refused POST
(login, two-factor setup, 403, 404, 405, 410) must leave every table of the database exactly as it was.

The world is built once for the module, inside a transaction rolled back at its end; each test runs in a
savepoint of its own, so what an allowed POST changes is undone before the next.
"""

import hashlib
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils.crypto import get_random_string

from matching import services as matching_services
from matching.models import Match
from members import services
from members.models import Membership, NotificationKind
from members.notifications import Recipient, notify
from tests.authorization_table import (
    ADMIN,
    LOGIN,
    REFUSED,
    SETUP,
    cases,
    missing_row_hint,
    table,
)
from tests.factories import ApplicationFactory, MembershipFactory, OrganisationFactory, coordinator
from tests.factories_offers import OfferFactory
from tests.factories_volunteers import VolunteerFactory, csv_text, volunteer_row
from tests.matching.test_sides_permissions import agreed, approved, current_need, proposal, volunteer_of

CSRF_TOKEN = get_random_string(32)


# The URL patterns -----------------------------------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=None):
    """(key, route, pattern) for every URL pattern the resolver knows. The key is the namespaced name, or the
    route of an unnamed pattern; a pattern that an earlier one with the same route shadows gets "(shadowed)"."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace if not namespace else f"{namespace}:{pattern.namespace}"
            yield from url_patterns(pattern.url_patterns, route, inner if pattern.namespace else namespace)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name or route, route, pattern


def keyed_patterns() -> dict[str, tuple]:
    """key → (route, pattern)"""
    keys, routes = {}, set()
    for key, route, pattern in url_patterns():
        keys[f"{key}(shadowed)" if route in routes else key] = (route, pattern)
        routes.add(route)
    return keys


def model_admin_of(route: str, pattern):
    """The ModelAdmin behind one of the admin's per-model pages (its old change URL included), else None."""
    model_admin = getattr(pattern.callback, "model_admin", None)
    if model_admin is None and route.startswith("admin/") and route.endswith("/<path:object_id>/"):
        app_label, model_name = route.split("/")[1:3]
        model_admin = next(
            (
                ma
                for model, ma in admin.site._registry.items()
                if model._meta.label_lower == f"{app_label}.{model_name}"
            ),
            None,
        )
    return model_admin


# The world ------------------------------------------------------------------------------------------


def build_world() -> dict:
    """The people of ROLES and one of everything a URL names, with the values the table's kwargs refer to."""
    own = OrganisationFactory(name="Buurtkracht Woensel", slug="buurtkracht", kind="social")
    company = OrganisationFactory(name="ASML", slug="asml", is_inclusive_employer=True)
    elsewhere = OrganisationFactory(name="Signify", slug="signify")
    own_admin = MembershipFactory(organisation=own, role=Membership.Role.ADMIN).user
    own_member = MembershipFactory(organisation=own, role=Membership.Role.MEMBER).user
    colleague = MembershipFactory(organisation=own, role=Membership.Role.MEMBER)
    volunteer = volunteer_of(company)
    the_coordinator = coordinator()
    proposed = proposal(current_need(own, title="Voorgestelde vraag"), volunteer=volunteer)
    waiting = approved(current_need(own, title="Wachtende vraag"), by=the_coordinator, volunteer=volunteer)
    both = agreed(
        current_need(own, title="Afgesproken vraag", contact_person=own_admin),
        by=the_coordinator,
        need_user=own_admin,
        supply_user=volunteer.user,
        volunteer=volunteer,
    )
    matching_services.hours_log(match=both, acting_user=volunteer.user, day=both.need.start_date, hours="3")
    invitation = services.invitation_create(
        organisation=own, acting_user=own_admin, email="revoke.me@example.org", role="member"
    )
    to_accept = services.invitation_create(
        organisation=own, acting_user=own_admin, email="welkom@example.org", role="member"
    )
    [notification] = notify(
        recipients=[Recipient.of(own_member)],
        kind=NotificationKind.MEMBERSHIP_CHANGED,
        event_key="authorization-table",
        context={"organisation": own.name, "role": "member"},
        link=own.get_absolute_url(),
    )
    subject = VolunteerFactory(organisation=own)
    volunteer_import = services.volunteer_import_upload(
        organisation=own, acting_user=own_admin, filename="team.csv", text=csv_text([volunteer_row(1)])
    )
    people = {
        "visitor": None,
        "volunteer": volunteer.user,
        "other_org_member": MembershipFactory(organisation=elsewhere, role=Membership.Role.ADMIN).user,
        "own_member": own_member,
        "own_admin": own_admin,
        "coordinator": the_coordinator,
        "coordinator_without_app": coordinator(two_factor=False),
    }
    return {
        "people": people,
        "sessions": {role: session_of(user) for role, user in people.items()},
        "values": {
            "org": own.slug,
            "employer": company.slug,
            "need": current_need(own, title="Open vraag").pk,
            "agreed_need": both.need_id,
            "proposed": proposed.pk,
            "approved": waiting.pk,
            "agreed": Match.objects.get(pk=both.pk).pk,
            "invitation": invitation.pk,
            "invitation_token": services.invitation_link_token(to_accept),
            "colleague": colleague.pk,
            "application": ApplicationFactory().pk,
            "notification": notification.pk,
            "volunteer": subject.pk,
            "join_token": services.join_link_token(own),
            "import": volunteer_import.pk,
            "offer": OfferFactory(organisation=own, created_by=own_admin).pk,
            "bogus": "bogus-key",
            "user36": "1",
            "any": "1",
            "app": "members",
        },
    }


def session_of(user) -> str | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        yield build_world()
        transaction.set_rollback(True)


def browser_of(world, role) -> Client:
    """A browser signed in as the role, holding a CSRF cookie whose token its POSTs send."""
    client = Client(enforce_csrf_checks=True)
    if world["sessions"][role]:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
    return client


def url_of(world, key: str) -> str:
    row = table()[key]
    kwargs = {name: world["values"][value] for name, value in row.kwargs.items()}
    return reverse_unnamed(key, kwargs) if "/" in key else reverse(key, kwargs=kwargs)


def reverse_unnamed(route: str, kwargs: dict) -> str:
    """An unnamed pattern (the admin's old change URLs, its catch-all): its route with the values filled in."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


# The database, before and after ---------------------------------------------------------------------


def database_snapshot() -> dict[str, str]:
    """A checksum of the rows of every table in the database, one query per table."""
    sums = {}
    with connection.cursor() as cursor:
        for table_name in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table_name)} ORDER BY 1")
            sums[table_name] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return sums


# The tests ------------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_row():
    patterns = keyed_patterns()
    rows = table()
    missing = [
        missing_row_hint(key, route, model_admin=model_admin_of(route, pattern))
        for key, (route, pattern) in patterns.items()
        if key not in rows
    ]
    stale = sorted(set(rows) - set(patterns))

    assert not missing, "URL patterns without a row in tests/authorization_table.py; add:\n" + "\n".join(missing)
    assert not stale, f"Rows in tests/authorization_table.py for URL patterns that no longer exist: {stale}"


def assert_answer(response, url: str, expected) -> None:
    location = response.get("Location", "")
    to_login = f"{reverse('account_login')}?next={quote(url)}"
    if expected == LOGIN:
        assert (response.status_code, location) == (302, to_login)
    elif expected == SETUP:
        assert (response.status_code, location.split("?")[0]) == (302, reverse("mfa_activate_totp"))
    elif expected == ADMIN:
        assert (response.status_code, location.split("?")[0]) == (302, reverse("admin:login"))
    else:
        assert response.status_code == expected
        if expected == 302:  # allowed: not sent to log in for this page, nor to set up two-factor
            assert location != to_login and not location.startswith(reverse("mfa_activate_totp")), location


CASES = cases()


@pytest.mark.parametrize(("key", "method", "role", "expected"), CASES, ids=[f"{k}-{m}-{r}" for k, m, r, _ in CASES])
def test_the_answer_is_the_one_in_the_table(db, world, key, method, role, expected):
    url = url_of(world, key)
    browser = browser_of(world, role)

    if method == "GET":
        response = browser.get(url)
        assert_answer(response, url, expected)
        return
    before = database_snapshot() if expected in REFUSED else None
    response = browser.post(url, {"csrfmiddlewaretoken": CSRF_TOKEN})
    assert_answer(response, url, expected)
    if before is not None:
        assert database_snapshot() == before, "a refused POST changed the database"


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(db, world):
    browser = browser_of(world, "own_admin")
    before = database_snapshot()

    response = browser.post(reverse("members:inbox-read-all"))

    assert response.status_code == 403
    assert database_snapshot() == before
