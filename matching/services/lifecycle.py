"""The match lifecycle: review, acceptance by both sides, withdrawal, expiry, start and completion.

proposed → approved | rejected → (each side accepts) accepted | declined → active → completed; withdrawn
from any open state; expired when an approved match waits too long for an answer. `TRANSITIONS` is the one
home of that machine. Every service locks the match row, checks the current status and the actor against
`matching.permissions`, moves the row, records a `MatchEvent` (who, when, from, to, why) and writes its
notifications in the same transaction. Of two people acting at once, the second waits for the first's lock,
then finds the match moved on and is refused with a message saying why; a refusal changes nothing.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Need, Offer, User, Volunteer
from members.notifications import fixed_text
from members.permissions import require
from members.services import need_advance

from .. import permissions
from ..models import Match, MatchEvent, MatchParticipant, ReviewPolicy
from . import notices

Status = Match.Status
Action = MatchEvent.Action
Side = MatchEvent.Side

# Every status a match may move to from each status; nothing leaves the closed ones.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PROPOSED: frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}),
    Status.APPROVED: frozenset({Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED}),
    Status.ACCEPTED: frozenset({Status.ACTIVE, Status.COMPLETED, Status.WITHDRAWN}),
    Status.ACTIVE: frozenset({Status.COMPLETED, Status.WITHDRAWN}),
    **{status: frozenset() for status in Match.CLOSED_STATUSES},
}


def sources_of(to_status: str) -> list[str]:
    return [status for status, targets in TRANSITIONS.items() if to_status in targets]


def _refusal(match: Match, to_status: str) -> ValidationError:
    return ValidationError(
        _("This match is “%(current)s” now, so it cannot become “%(target)s”. Nothing was changed.")
        % {"current": match.get_status_display(), "target": Status(to_status).label}
    )


def _locked(match: Match) -> Match:
    return Match.objects.select_for_update(of=("self",)).with_related().get(pk=match.pk)


def _record(match, *, action, side, actor, from_status, note="", at=None) -> MatchEvent:
    return MatchEvent.objects.create(
        match=match,
        action=action,
        side=side,
        actor=actor,
        from_status=from_status,
        to_status=match.status,
        note=note,
        at=at or timezone.now(),
    )


def _move(match: Match, *, to_status: str, action: str, side: str, actor, note="", **changes) -> Match:
    """Move a locked match along `TRANSITIONS` and record it; refuse when its current status does not allow it."""
    if to_status not in TRANSITIONS[match.status]:
        raise _refusal(match, to_status)
    now = timezone.now()
    from_status = match.status
    match.status = to_status
    match.status_changed_at = now
    for field, value in changes.items():
        setattr(match, field, value)
    match.save(update_fields=["status", "status_changed_at", *changes])
    _record(match, action=action, side=side, actor=actor, from_status=from_status, note=note, at=now)
    return match


# Review (coordinators) ------------------------------------------------------------------------------


@transaction.atomic
def match_approve(*, match: Match, acting_user: User, note: str = "") -> Match:
    """A coordinator approves a proposal (proposed → approved); both sides are asked to accept. Refused,
    changing nothing, when the match is no longer a proposal. Not repeatable: the second call is refused."""
    require(permissions.can_review_match(acting_user, match))
    match = _locked(match)
    _move(
        match,
        to_status=Status.APPROVED,
        action=Action.APPROVE,
        side=Side.COORDINATOR,
        actor=acting_user,
        note=note,
        decided_at=timezone.now(),
        decided_by=acting_user,
    )
    notices.match_approved([match], batch=f"match:{match.pk}")
    return match


@transaction.atomic
def match_reject(*, match: Match, acting_user: User, note: str) -> Match:
    """A coordinator rejects a proposal with a note (proposed → rejected). The pair is never proposed again.
    The volunteer is not told (they were never asked); a volunteer who offered to help is."""
    require(permissions.can_review_match(acting_user, match))
    if not note.strip():
        raise ValidationError({"note": _("Please say why, for the history and for whoever looks next.")})
    match = _locked(match)
    _move(
        match,
        to_status=Status.REJECTED,
        action=Action.REJECT,
        side=Side.COORDINATOR,
        actor=acting_user,
        note=note,
        decided_at=timezone.now(),
        decided_by=acting_user,
    )
    if match.source == Match.Source.VOLUNTEER:
        notices.match_ended(match, event="rejected", note=note, audience=("supply",))
    return match


def matches_approve(*, match_ids, acting_user: User | None, note: str = "", by_policy: bool = False) -> int:
    """Approve many proposals at once (a coordinator's selection, or the review policy with `acting_user`
    None and `by_policy`). Only those still proposed move; the rest are left as they are. Each recipient gets
    one notification for the whole batch. Returns how many were approved. Safe to repeat."""
    if not by_policy:
        require(permissions.can_review_match(acting_user))
    with transaction.atomic():
        now = timezone.now()
        ids = list(
            Match.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(pk__in=list(match_ids), status=Status.PROPOSED)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Match.objects.filter(pk__in=ids).update(
            status=Status.APPROVED, status_changed_at=now, decided_at=now, decided_by=acting_user
        )
        side = Side.POLICY if by_policy else Side.COORDINATOR
        MatchEvent.objects.bulk_create(
            MatchEvent(
                match_id=pk,
                action=Action.APPROVE,
                side=side,
                actor=acting_user,
                from_status=Status.PROPOSED,
                to_status=Status.APPROVED,
                note=note,
                at=now,
            )
            for pk in ids
        )
        matches = list(Match.objects.filter(pk__in=ids).with_related())
        notices.match_approved(matches, batch=uuid.uuid4().hex)
    return len(ids)


def policy_apply(*, match_ids) -> int:
    """Approve the proposals the association's review policy lets through: engine proposals at or above its
    score, for needs that do not work with vulnerable people. Returns how many. Safe to repeat."""
    policy = ReviewPolicy.current()
    if not policy.auto_approve:
        return 0
    routine = Match.objects.filter(
        pk__in=list(match_ids),
        status=Status.PROPOSED,
        source=Match.Source.ENGINE,
        score__gte=policy.auto_approve_min_score,
        need__works_with_vulnerable_people=False,
    ).values_list("pk", flat=True)
    return matches_approve(match_ids=list(routine), acting_user=None, by_policy=True, note=str(policy))


@transaction.atomic
def match_replace(
    *,
    match: Match,
    acting_user: User,
    volunteer: Volunteer | None = None,
    offer: Offer | None = None,
    note: str = "",
    score: float = 0.0,
    reasons=None,
) -> Match:
    """A coordinator picks another of the need's candidates instead of the proposed one: the proposal is
    rejected with the note and the chosen candidate's match is created approved. Returns the new match.
    Refused, changing nothing, when the proposal moved on or the candidate already has a match for the need."""
    require(permissions.can_review_match(acting_user, match))
    if (volunteer is None) == (offer is None):
        raise ValueError("Choose a volunteer or an offer.")
    if not note.strip():
        raise ValidationError({"note": _("Please say why, for the history and for whoever looks next.")})
    match = _locked(match)
    if Match.objects.filter(need=match.need, volunteer=volunteer, offer=offer).exists():
        raise ValidationError(_("That candidate already has a match for this need. Nothing was changed."))
    _move(
        match,
        to_status=Status.REJECTED,
        action=Action.REPLACE,
        side=Side.COORDINATOR,
        actor=acting_user,
        note=note,
        decided_at=timezone.now(),
        decided_by=acting_user,
    )
    now = timezone.now()
    chosen = Match.objects.create(
        need=match.need,
        volunteer=volunteer,
        offer=offer,
        status=Status.APPROVED,
        source=Match.Source.COORDINATOR,
        score=score,
        reasons=reasons or [],
        decided_at=now,
        decided_by=acting_user,
        status_changed_at=now,
    )
    _record(chosen, action=Action.APPROVE, side=Side.COORDINATOR, actor=acting_user, from_status="", note=note, at=now)
    chosen = Match.objects.with_related().get(pk=chosen.pk)
    notices.match_approved([chosen], batch=f"match:{chosen.pk}")
    return chosen


@transaction.atomic
def match_offer_help(*, need: Need, acting_user: User, note: str = "") -> Match:
    """A volunteer says "I want to help" on an open need: a proposal marked as volunteer-started, which
    always goes through a coordinator's review. Refused when they already have a match for the need."""
    if not permissions.can_offer_help(acting_user, need):
        raise ValidationError(_("Only volunteers with an active profile can offer to help with an open need."))
    volunteer = Volunteer.objects.get(user=acting_user)
    if Match.objects.filter(need=need, volunteer=volunteer).exists():
        raise ValidationError(_("You already offered to help with this need, or were proposed for it."))
    now = timezone.now()
    match = Match.objects.create(
        need=need, volunteer=volunteer, source=Match.Source.VOLUNTEER, score=0.0, created_at=now, status_changed_at=now
    )
    _record(match, action=Action.PROPOSE, side=Side.SUPPLY, actor=acting_user, from_status="", note=note, at=now)
    notices.proposals_waiting(count=1, key=f"match:{match.pk}")
    return match


# Both sides ------------------------------------------------------------------------------------------


def _places_left(need: Need, *, besides: Match) -> int:
    taken = (
        Match.objects.agreed()
        .filter(need=need)
        .exclude(pk=besides.pk)
        .exclude(status=Status.COMPLETED)
        .aggregate(n=Sum("people"))["n"]
        or 0
    )
    return max(need.volunteers_needed - taken, 0)


@transaction.atomic
def match_accept(
    *,
    match: Match,
    acting_user: User,
    side: str,
    people: int | None = None,
    participants: list[Volunteer] | None = None,
) -> Match:
    """One side accepts an approved match. For an offer, the offering company names how many of its people
    take part (up to the places the need has left and the people the offer has) and who they are. When both
    sides have accepted the match becomes accepted: contact details are exchanged and both are told; a need
    whose places are all agreed becomes matched. Refused, changing nothing, when the match is not waiting for
    this side's answer. Not repeatable."""
    if not permissions.can_answer_match(acting_user, match, side):
        raise PermissionDenied
    match = _locked(match)
    if match.status != Status.APPROVED:
        raise _refusal(match, Status.ACCEPTED)
    accepted_field = "need_accepted_at" if side == permissions.NEED_SIDE else "supply_accepted_at"
    if getattr(match, accepted_field):
        raise ValidationError(_("Your side has already accepted this match. Nothing was changed."))
    now = timezone.now()
    changes = {accepted_field: now, accepted_field.replace("_at", "_by"): acting_user}
    if side == permissions.SUPPLY_SIDE:
        participants = _participants_for(match, people=people, participants=participants)
        changes["people"] = len(participants)
    for field, value in changes.items():
        setattr(match, field, value)
    both = match.need_accepted_at and match.supply_accepted_at
    if both:
        _move(match, to_status=Status.ACCEPTED, action=Action.ACCEPT, side=side, actor=acting_user, **changes)
    else:
        match.save(update_fields=list(changes))
        _record(match, action=Action.ACCEPT, side=side, actor=acting_user, from_status=match.status, at=now)
    if side == permissions.SUPPLY_SIDE:
        MatchParticipant.objects.bulk_create(MatchParticipant(match=match, volunteer=v) for v in participants)
    if both:
        notices.match_accepted(match)
        need = Need.objects.get(pk=match.need_id)
        if need.status == Need.Status.OPEN and _places_left(need, besides=match) <= match.people:
            need_advance(need=need, to_status=Need.Status.MATCHED, acting_user=acting_user)
    return match


def _participants_for(match: Match, *, people, participants) -> list[Volunteer]:
    if match.volunteer_id:
        return [match.volunteer]
    participants = list(participants or [])
    errors = {}
    need = Need.objects.get(pk=match.need_id)
    most = min(_places_left(need, besides=match), match.offer.people)
    if not participants:
        errors["participants"] = _("Name the people who take part.")
    elif any(v.organisation_id != match.offer.organisation_id for v in participants):
        errors["participants"] = _("Only your own organisation's volunteers can take part.")
    elif len(participants) > most:
        errors["participants"] = _("This need has room for %(most)s more people.") % {"most": most}
    if people is not None and people != len(participants):
        errors["people"] = _("The number of people must match the people you named.")
    if errors:
        raise ValidationError(errors)
    return participants


@transaction.atomic
def match_decline(*, match: Match, acting_user: User, side: str, reason: str) -> Match:
    """One side declines an approved match, with a reason (approved → declined). The other side is told.
    Refused, changing nothing, unless the match waits for an answer."""
    if not permissions.can_answer_match(acting_user, match, side):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a short reason; it helps the coordinators match better.")})
    match = _locked(match)
    _move(match, to_status=Status.DECLINED, action=Action.DECLINE, side=side, actor=acting_user, note=reason)
    notices.match_ended(match, event="declined", note=reason)
    return match


@transaction.atomic
def match_withdraw(*, match: Match, acting_user: User, reason: str, reason_key: str = "") -> Match:
    """The volunteer, the organisation or a coordinator withdraws a match that is not yet completed. A need
    that had all its places agreed opens again (and so is matched again). Refused, changing nothing, when the
    match is already closed. A reason the portal gives rather than a person names its `reason_key` (one of
    `members.notifications.FIXED_TEXTS`): the sides are told it in their own language."""
    require(permissions.can_withdraw_match(acting_user, match))
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a short reason.")})
    match = _locked(match)
    sides = permissions.sides_of(acting_user, match)
    side = (
        Side.COORDINATOR
        if not sides
        else (permissions.NEED_SIDE if permissions.NEED_SIDE in sides else permissions.SUPPLY_SIDE)
    )
    was_agreed = match.contacts_exchanged
    _move(match, to_status=Status.WITHDRAWN, action=Action.WITHDRAW, side=side, actor=acting_user, note=reason)
    notices.match_ended(match, event="withdrawn", note=fixed_text(reason_key) if reason_key else reason)
    need = Need.objects.get(pk=match.need_id)
    if was_agreed and need.status == Need.Status.MATCHED:
        need_advance(need=need, to_status=Need.Status.OPEN, acting_user=acting_user)
    return match


# Time passing (the periodic jobs that call these are in `clock.py`) ---------------------------------


def match_start(*, match: Match, acting_user: User | None = None) -> Match:
    """Accepted → active (the work started: its first day came, or hours were logged); the need is then in
    progress. Does nothing for a match that is not accepted. Safe to repeat."""
    with transaction.atomic():
        match = _locked(match)
        if match.status != Status.ACCEPTED:
            return match
        _move(match, to_status=Status.ACTIVE, action=Action.START, side=Side.SYSTEM, actor=acting_user)
        need = Need.objects.get(pk=match.need_id)
        if need.status in (Need.Status.OPEN, Need.Status.MATCHED):
            need_advance(need=need, to_status=Need.Status.IN_PROGRESS, acting_user=acting_user)
    return match


@transaction.atomic
def match_complete(*, match: Match, acting_user: User) -> Match:
    """The need's organisation (or a coordinator) marks an agreed match done (accepted or active → completed)."""
    match = _locked(match)
    coordinator = permissions.can_review_match(acting_user)
    if not (coordinator or permissions.NEED_SIDE in permissions.sides_of(acting_user, match)):
        raise PermissionDenied
    side = Side.COORDINATOR if coordinator else Side.NEED
    return _move(match, to_status=Status.COMPLETED, action=Action.COMPLETE, side=side, actor=acting_user)
