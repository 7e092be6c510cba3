"""Who may do what. Views scope their lookups with the QuerySet methods of the same names; services
re-check with these predicates, so a task, an admin action and a shell obey the same rule."""

from django.core.exceptions import PermissionDenied

from .models import Membership


def is_coordinator(user) -> bool:
    """A member of the coordinators group with an authenticator app: the one rule for the coordinator role,
    asked by views, querysets (`visible_to`) and services alike, so without the app nothing a coordinator may
    do is open to the account."""
    return bool(user and user.is_authenticated and user.is_coordinator)


def has_authenticator_app(user) -> bool:
    """Two-factor authentication is on: the user has an authenticator app (TOTP)."""
    from allauth.mfa.models import Authenticator

    return (
        bool(user and user.is_authenticated)
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


def coordinator_needs_two_factor(user) -> bool:
    """A coordinator who has not set up an authenticator app yet: sent to set it up instead of refused."""
    return bool(user and user.is_authenticated and user.coordinator_needs_two_factor)


def membership_role(user, organisation) -> str | None:
    if not (user and user.is_authenticated):
        return None
    return Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()


def can_manage_organisation(user, organisation) -> bool:
    """Edit the profile, invite colleagues, change roles: the organisation's admins and coordinators."""
    return is_coordinator(user) or membership_role(user, organisation) == Membership.Role.ADMIN


def can_view_organisation_workspace(user, organisation) -> bool:
    """The organisation's staff (admins and members) and coordinators; its volunteers act only for themselves."""
    return is_coordinator(user) or membership_role(user, organisation) in Membership.STAFF_ROLES


def can_review_application(user) -> bool:
    return is_coordinator(user)


def require(allowed: bool) -> None:
    """Refuse the action when the predicate does not hold."""
    if not allowed:
        raise PermissionDenied


def can_declare_inclusive_employer(user, organisation) -> bool:
    """Declare the organisation an inclusive employer, or take that back: its admins (and coordinators)."""
    return can_manage_organisation(user, organisation)


def can_review_inclusive_employer(user) -> bool:
    """Confirm or withdraw an organisation's declaration of being an inclusive employer: coordinators."""
    return is_coordinator(user)
