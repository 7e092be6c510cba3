from .models import Membership, Notification
from .permissions import coordinator_needs_two_factor, is_coordinator

CURRENT_ORGANISATION_KEY = "current_organisation_id"


def current_membership(request):
    """The membership of the organisation the user works in now (chosen in the switcher), cached on the
    request. Falls back to the first organisation when the chosen one is gone."""
    if not hasattr(request, "_current_membership"):
        memberships = []
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.filter(user=request.user)
                .select_related("organisation")
                .order_by("organisation__name")
            )
        chosen = request.session.get(CURRENT_ORGANISATION_KEY) if hasattr(request, "session") else None
        current = next((m for m in memberships if m.organisation_id == chosen), memberships[0] if memberships else None)
        request._memberships = memberships
        request._current_membership = current
    return request._current_membership


def navigation(request):
    """What the navigation needs: the user's organisations, the current one, unread count and role."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    current = current_membership(request)
    return {
        "my_memberships": request._memberships,
        "current_membership": current,
        "unread_count": Notification.objects.for_user(request.user).unread().count(),
        "user_is_coordinator": is_coordinator(request.user),
        # A coordinator still to set up two-factor authentication sees the coordinator links, which lead there.
        "user_needs_two_factor": coordinator_needs_two_factor(request.user),
    }
