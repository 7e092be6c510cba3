"""Who may do what with a match. Views scope their lookups with `Match.objects.visible_to(user)`; the
services re-check with these predicates, so a task, an admin action and a shell obey the same rules."""

from members.models import Membership, Need
from members.permissions import is_coordinator

NEED_SIDE = "need"
SUPPLY_SIDE = "supply"


def _staff_of(user, organisation_id) -> bool:
    return Membership.objects.staff().filter(user=user, organisation_id=organisation_id).exists()


def sides_of(user, match) -> frozenset[str]:
    """For which side of the match the user may speak: the need's organisation (its staff), the supply (the
    volunteer themselves, or the offering organisation's staff). Coordinators speak for neither side."""
    if not (user and user.is_authenticated):
        return frozenset()
    sides = set()
    if _staff_of(user, match.need.organisation_id):
        sides.add(NEED_SIDE)
    if match.volunteer_id and match.volunteer.user_id == user.pk:
        sides.add(SUPPLY_SIDE)
    if match.offer_id and _staff_of(user, match.offer.organisation_id):
        sides.add(SUPPLY_SIDE)
    return frozenset(sides)


def can_review_match(user, match=None) -> bool:
    """Approve, reject, replace and bulk-approve proposals; set the review policy; run matching."""
    return is_coordinator(user)


def can_answer_match(user, match, side: str) -> bool:
    """Accept or decline for one side."""
    return side in sides_of(user, match)


def can_withdraw_match(user, match) -> bool:
    return is_coordinator(user) or bool(sides_of(user, match))


def can_see_contacts(user, match) -> bool:
    """Contact details of the other side appear only once both sides accepted: to both sides, to the people
    an offering company named (they do the work), and to coordinators."""
    if not match.contacts_exchanged:
        return False
    return is_coordinator(user) or bool(sides_of(user, match)) or is_participant(user, match)


def is_participant(user, match) -> bool:
    return bool(user and user.is_authenticated) and match.participants.filter(volunteer__user=user).exists()


def can_log_hours(user, match, volunteer) -> bool:
    """A participant logs their own hours."""
    return bool(user and user.is_authenticated and volunteer.user_id == user.pk and match.contacts_exchanged)


def can_confirm_hours(user, match) -> bool:
    """The need's organisation confirms (or corrects) the hours logged on its needs."""
    return NEED_SIDE in sides_of(user, match)


def can_complete_need(user, need: Need) -> bool:
    return is_coordinator(user) or _staff_of(user, need.organisation_id)


def can_offer_help(user, need: Need) -> bool:
    """A signed-in volunteer with an active profile may say "I want to help" on an open need."""
    from members.models import Volunteer

    if not (user and user.is_authenticated) or need.status != Need.Status.OPEN:
        return False
    return Volunteer.objects.active().filter(user=user).exists()
