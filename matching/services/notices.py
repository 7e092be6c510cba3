"""Who hears about a match, and the notifications the lifecycle writes (through the members outbox).

Every function here is called inside the transaction of the change it reports, so a notification is
written exactly when the change commits. Event keys name the event, so writing one twice is harmless.
"""

from collections import defaultdict

from django.urls import reverse

from members.models import Membership, NotificationKind, User
from members.notifications import Recipient, notify
from members.services import coordinators

from ..models import Match


def need_side_users(match: Match) -> list[User]:
    """The need's contact person when they still act for the organisation; else all of its staff."""
    need = match.need
    staff = User.objects.filter(
        is_active=True, memberships__organisation_id=need.organisation_id, memberships__role__in=Membership.STAFF_ROLES
    )
    if need.contact_person_id:
        contact = list(staff.filter(pk=need.contact_person_id))
        if contact:
            return contact
    return list(staff.order_by("pk"))


def supply_side_users(match: Match) -> list[User]:
    """The volunteer; for an offer, whoever posted it if still staff, else the offering organisation's admins."""
    if match.volunteer_id:
        return [match.volunteer.user] if match.volunteer.user.is_active else []
    staff = User.objects.filter(
        is_active=True,
        memberships__organisation_id=match.offer.organisation_id,
        memberships__role__in=Membership.STAFF_ROLES,
    )
    if match.offer.created_by_id:
        poster = list(staff.filter(pk=match.offer.created_by_id))
        if poster:
            return poster
    return list(staff.filter(memberships__role=Membership.Role.ADMIN).order_by("pk"))


def participant_users(match: Match) -> list[User]:
    return [
        p.volunteer.user for p in match.participants.select_related("volunteer__user") if p.volunteer.user.is_active
    ]


def _context(match: Match, **extra) -> dict:
    return {"subject": match.need.title, "need": match.need.title, "other": match.supply_name, **extra}


def _send(users, *, kind, event_key, context, link) -> None:
    users = {user.pk: user for user in users}.values()
    if users:
        notify(recipients=[Recipient.of(u) for u in users], kind=kind, event_key=event_key, context=context, link=link)


def match_approved(matches: list[Match], *, batch: str) -> None:
    """Both sides of each approved match are asked to accept: one notification per recipient for the batch."""
    _per_recipient(matches, kind=NotificationKind.MATCH_APPROVED, event_key=f"approved:{batch}")


def _per_recipient(matches, *, kind, event_key) -> None:
    by_user = defaultdict(list)
    users = {}
    for match in matches:
        for user in [*need_side_users(match), *supply_side_users(match)]:
            users[user.pk] = user
            by_user[user.pk].append(match)
    for user_pk, theirs in by_user.items():
        if len(theirs) == 1:
            match = theirs[0]
            context, link = _context(match), match.get_absolute_url()
        else:
            context = {"subject": _count_subject(len(theirs)), "count": len(theirs)}
            link = reverse("matching:my-matches")
        _send([users[user_pk]], kind=kind, event_key=f"{event_key}:{user_pk}", context=context, link=link)


def _count_subject(count: int) -> str:
    # Titles are formatted in the reader's language when shown; a number reads the same in both.
    return f"{count} ×"


def match_accepted(match: Match) -> None:
    """Both sides agreed: each side gets the other's contact details (shown on the match's page)."""
    _send(
        [*need_side_users(match), *supply_side_users(match), *participant_users(match)],
        kind=NotificationKind.MATCH_ACCEPTED,
        event_key=f"match:{match.pk}:accepted",
        context=_context(match),
        link=match.get_absolute_url(),
    )


def match_ended(match: Match, *, event: str, note: str = "", audience=("need", "supply")) -> None:
    """Declined, rejected, withdrawn or expired: tell the sides that were involved."""
    users = []
    if "need" in audience:
        users += need_side_users(match)
    if "supply" in audience:
        users += supply_side_users(match)
    _send(
        users,
        kind=NotificationKind.MATCH_ENDED,
        event_key=f"match:{match.pk}:{event}",
        context=_context(match, event=event, note=note),
        link=match.get_absolute_url(),
    )


def proposals_waiting(*, count: int, key: str) -> None:
    """Coordinators hear that proposals wait for review (a daily digest unless they chose otherwise)."""
    if count:
        _send(
            list(coordinators()),
            kind=NotificationKind.PROPOSALS_WAITING,
            event_key=f"proposals:{key}",
            context={"count": count},
            link=reverse("matching:review-queue"),
        )


def hours_logged(match: Match, *, day_key: str) -> None:
    _send(
        need_side_users(match),
        kind=NotificationKind.HOURS_LOGGED,
        event_key=f"match:{match.pk}:hours-logged:{day_key}",
        context=_context(match),
        link=match.get_absolute_url(),
    )


def hours_confirmed(match: Match, users, *, batch: str) -> None:
    _send(
        users,
        kind=NotificationKind.HOURS_CONFIRMED,
        event_key=f"match:{match.pk}:hours-confirmed:{batch}",
        context=_context(match),
        link=match.get_absolute_url(),
    )


def reminder(match: Match | None, users, *, event: str, event_key: str, count: int = 0, link: str = "") -> None:
    context = (
        _context(match, event=event) if match else {"subject": _count_subject(count), "count": count, "event": event}
    )
    _send(
        users,
        kind=NotificationKind.MATCH_REMINDER,
        event_key=f"reminder:{event_key}",
        context=context,
        link=link or (match.get_absolute_url() if match else ""),
    )
