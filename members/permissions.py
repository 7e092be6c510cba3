"""Who may do what. Views scope their lookups with the QuerySet methods of the same names; services
re-check with these predicates, so a task, an admin action and a shell obey the same rule."""

from django.core.exceptions import PermissionDenied

from .models import Membership


def is_coordinator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_coordinator)


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
