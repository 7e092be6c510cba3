"""Who hears about a match, and the notifications the lifecycle writes (through the members outbox).

Every function here is called inside the transaction of the change it reports, so a notification is
written exactly when the change commits. Event keys name the event, so writing one twice is harmless.
"""

from collections import defaultdict

from django.urls import reverse

from members.models import Membership, NotificationKind, User
from members.notifications import Recipient, name_of, notify, notify_each
from members.services import coordinators

from ..models import Match


def sides_of_matches(matches) -> dict[int, tuple[list[User], list[User]]]:
    """For each match, (the need side's people, the supply side's people), in two queries for any number of
    matches. The need side: its contact person when they still act for the organisation, else all its staff.
    The supply side: the volunteer; for an offer, whoever posted it if still staff, else the offering
    organisation's admins."""
    matches = list(matches)
    organisations = {m.need.organisation_id for m in matches} | {m.offer.organisation_id for m in matches if m.offer_id}
    staff = defaultdict(list)
    for membership in (
        Membership.objects.staff()
        .filter(organisation_id__in=organisations, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ):
        staff[membership.organisation_id].append(membership)
    volunteer_users = {
        u.pk: u
        for u in User.objects.filter(is_active=True, volunteer__in=[m.volunteer_id for m in matches if m.volunteer_id])
    }
    sides = {}
    for match in matches:
        need_staff = staff[match.need.organisation_id]
        contact = [m.user for m in need_staff if m.user_id == match.need.contact_person_id]
        need_side = contact or [m.user for m in need_staff]
        if match.volunteer_id:
            user = volunteer_users.get(match.volunteer.user_id)
            supply_side = [user] if user else []
        else:
            offer_staff = staff[match.offer.organisation_id]
            poster = [m.user for m in offer_staff if m.user_id == match.offer.created_by_id]
            supply_side = poster or [m.user for m in offer_staff if m.role == Membership.Role.ADMIN]
        sides[match.pk] = (need_side, supply_side)
    return sides


def need_side_users(match: Match) -> list[User]:
    return sides_of_matches([match])[match.pk][0]


def supply_side_users(match: Match) -> list[User]:
    return sides_of_matches([match])[match.pk][1]


def participant_users(match: Match) -> list[User]:
    return [
        p.volunteer.user for p in match.participants.select_related("volunteer__user") if p.volunteer.user.is_active
    ]


def _context(match: Match, **extra) -> dict:
    other = match.supply_name if match.offer_id else name_of(match.volunteer.user)
    return {"subject": match.need.title, "need": match.need.title, "other": other, **extra}


def _send(users, *, kind, event_key, context, link) -> list:
    users = {user.pk: user for user in users}.values()
    if not users:
        return []
    return notify(
        recipients=[Recipient.of(u) for u in users], kind=kind, event_key=event_key, context=context, link=link
    )


def match_approved(matches: list[Match], *, batch: str) -> None:
    """Both sides of each approved match are asked to accept: one notification per recipient for the batch."""
    _per_recipient(matches, kind=NotificationKind.MATCH_APPROVED, event_key=f"approved:{batch}")


def _per_recipient(matches, *, kind, event_key) -> None:
    """One notification per recipient for all of `matches`: about the match when it is one, else a count
    that links to their list."""
    by_user = defaultdict(list)
    users = {}
    for match_pk, (need_side, supply_side) in sides_of_matches(matches).items():
        for user in [*need_side, *supply_side]:
            users[user.pk] = user
            by_user[user.pk].append(match_pk)
    matches = {match.pk: match for match in matches}
    items = []
    for user_pk, theirs in by_user.items():
        if len(theirs) == 1:
            match = matches[theirs[0]]
            context, link = _context(match), match.get_absolute_url()
        else:
            context = {"count": len(theirs)}
            link = reverse("matching:my-matches")
        items.append((Recipient.of(users[user_pk]), f"{event_key}:{user_pk}", context, link))
    notify_each(kind=kind, items=items)


def match_accepted(match: Match) -> None:
    """Both sides agreed: each side gets the other's contact details (shown on the match's page)."""
    _send(
        [*need_side_users(match), *supply_side_users(match), *participant_users(match)],
        kind=NotificationKind.MATCH_ACCEPTED,
        event_key=f"match:{match.pk}:accepted",
        context=_context(match),
        link=match.get_absolute_url(),
    )


def match_ended(match: Match, *, event: str, note: str | dict = "", audience=("need", "supply")) -> None:
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


def reminder(match: Match | None, users, *, event: str, event_key: str, count: int = 0, link: str = "") -> list:
    """A reminder of `event` about one match (or, without a match, about `count` of them) to `users`; returns
    the notifications written. The periodic jobs in `matching.reminders` choose what is due."""
    context = _context(match, event=event) if match else {"count": count, "event": event}
    return _send(
        users,
        kind=NotificationKind.MATCH_REMINDER,
        event_key=f"reminder:{event_key}",
        context=context,
        link=link or (match.get_absolute_url() if match else ""),
    )


def match_reminders(pairs, *, event: str, link_of=None) -> list:
    """Reminders of `event` about many matches at once, each given as `(match, users)`: one notification per
    match and recipient, keyed `reminder:<event>:<match>` as `reminder` keys them, in a fixed number of
    queries. Returns the notifications written."""
    items = []
    for match, users in pairs:
        context = _context(match, event=event)
        link = link_of(match) if link_of else match.get_absolute_url()
        for user in {user.pk: user for user in users}.values():
            items.append((Recipient.of(user), f"reminder:{event}:{match.pk}", context, link))
    return notify_each(kind=NotificationKind.MATCH_REMINDER, items=items) if items else []
