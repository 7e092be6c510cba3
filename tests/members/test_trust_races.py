"""Two admins demoting or removing each other at the same moment: one wins, the other is told why, the
organisation keeps an admin, and the database never deadlocks (which answered 500)."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from members import services
from members.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, coordinator

LAST_ADMIN = "An organisation needs at least one administrator. Make someone else admin first."


def race(actions):
    """Run each action in its own thread and connection, all released at once; their outcomes in order.

    Each action, once its first SELECT … FOR UPDATE returns, waits (up to 2 s) for the others to get that far
    too: the interleaving in which two transactions each hold one row and want the other's, which deadlocked.
    An action whose lock waits for another's simply arrives late, and the others go on after the timeout."""
    barrier = threading.Barrier(len(actions))
    first_locks = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        paused = False

        def pause_after_first_lock(execute, sql, params, many, context):
            nonlocal paused
            result = execute(sql, params, many, context)
            if "FOR UPDATE" in sql and not paused:
                paused = True
                try:
                    first_locks.wait(timeout=2)
                except threading.BrokenBarrierError:
                    pass
            return result

        try:
            barrier.wait(timeout=10)
            with translation.override("en"), connection.execute_wrapper(pause_after_first_lock):
                action()
            outcomes[index] = "won"
        except ValidationError as error:
            outcomes[index] = " ".join(error.messages)
        except PermissionDenied:
            outcomes[index] = "denied"
        except Exception as error:  # noqa: BLE001 - a deadlock or any other failure is what the test reports
            outcomes[index] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def two_admins():
    organisation = OrganisationFactory()
    return [MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN) for _ in range(2)]


def fresh(membership):
    return Membership.objects.select_related("organisation", "user").get(pk=membership.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_demoting_each_other_at_once_one_wins_and_the_other_is_told(attempt):
    first, second = two_admins()

    outcomes = race(
        [
            lambda: services.membership_change_role(
                membership=fresh(second), acting_user=first.user, role=Membership.Role.MEMBER
            ),
            lambda: services.membership_change_role(
                membership=fresh(first), acting_user=second.user, role=Membership.Role.MEMBER
            ),
        ]
    )

    assert sorted(outcomes) == sorted(["won", LAST_ADMIN]), outcomes
    roles = sorted(Membership.objects.filter(pk__in=[first.pk, second.pk]).values_list("role", flat=True))
    assert roles == [Membership.Role.ADMIN, Membership.Role.MEMBER]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_removing_each_other_at_once_one_wins_and_the_other_is_told(attempt):
    first, second = two_admins()

    outcomes = race(
        [
            lambda: services.membership_remove(membership=fresh(second), acting_user=first.user),
            lambda: services.membership_remove(membership=fresh(first), acting_user=second.user),
        ]
    )

    assert sorted(outcomes) == sorted(["won", LAST_ADMIN]), outcomes
    remaining = Membership.objects.filter(pk__in=[first.pk, second.pk])
    assert [m.role for m in remaining] == [Membership.Role.ADMIN]


@pytest.mark.django_db
def test_a_stale_copy_of_a_membership_is_judged_by_its_current_role():
    """The service decides on the row it locked, not on what the caller read earlier: a copy read while the
    person was a member cannot remove them once they became the last admin."""
    organisation = OrganisationFactory()
    first = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    second = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER)
    stale_second = fresh(second)
    services.membership_change_role(membership=fresh(second), acting_user=first.user, role=Membership.Role.ADMIN)
    services.membership_change_role(membership=fresh(first), acting_user=second.user, role=Membership.Role.MEMBER)

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.membership_remove(membership=stale_second, acting_user=coordinator())

    assert LAST_ADMIN in refused.value.messages
    assert Membership.objects.get(pk=second.pk).role == Membership.Role.ADMIN
