"""After the work: hours logged by participants and confirmed by the need's organisation, feedback from
both sides, and completing a need with the residents it actually helped."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Need, User, Volunteer
from members.services import need_advance

from .. import permissions
from ..models import HoursEntry, Match, MatchFeedback
from . import lifecycle, notices, outcomes

MAX_HOURS_A_DAY = Decimal(24)


def hours_errors(*, match: Match, volunteer: Volunteer, day, hours, today: date) -> dict[str, str]:
    """What is wrong with an hours entry, by field: the one home of the rules a form and the service share."""
    errors = {}
    need = match.need
    try:
        hours = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        return {"hours": _("Enter a number of hours, such as 2 or 1.5.")}
    if hours <= 0:
        errors["hours"] = _("Enter more than 0 hours.")
    elif hours > MAX_HOURS_A_DAY:
        errors["hours"] = _("A day has no more than 24 hours.")
    if day is None:
        errors["date"] = _("Enter the date you worked.")
    elif day > today:
        errors["date"] = _("You can only log hours for today or earlier.")
    elif need.start_date and day < need.start_date:
        errors["date"] = _("This need started on %(date)s; log hours from then on.") % {"date": need.start_date}
    elif need.end_date and day > need.end_date:
        errors["date"] = _("This need ended on %(date)s; log hours up to then.") % {"date": need.end_date}
    if not errors:
        already = HoursEntry.objects.filter(volunteer=volunteer, date=day).aggregate(n=Sum("hours"))["n"] or 0
        if already + hours > MAX_HOURS_A_DAY:
            errors["hours"] = _("With the %(already)s hours you logged on that day already, that is more than 24.") % {
                "already": already
            }
    return errors


@transaction.atomic
def hours_log(
    *, match: Match, acting_user: User, day: date, hours, description: str = "", today: date | None = None
) -> HoursEntry:
    """A participant logs hours worked on an agreed match. Bad values (zero, negative, over 24 a day, outside
    the need's period, in the future) are refused by field and nothing is saved. The first entry starts the
    match (accepted → active). The need's organisation is told once a day per match. Not repeatable: each call
    adds an entry."""
    match = Match.objects.select_for_update(of=("self",)).with_related().get(pk=match.pk)
    volunteer = Volunteer.objects.filter(user=acting_user).first()
    is_participant = volunteer is not None and match.participants.filter(volunteer=volunteer).exists()
    if not (is_participant and permissions.can_log_hours(acting_user, match, volunteer)):
        raise PermissionDenied
    if match.status not in (Match.Status.ACCEPTED, Match.Status.ACTIVE):
        raise ValidationError(_("Hours can be logged once both sides accepted, until the match is closed."))
    today = today or timezone.localdate()
    errors = hours_errors(match=match, volunteer=volunteer, day=day, hours=hours, today=today)
    if errors:
        raise ValidationError(errors)
    entry = HoursEntry.objects.create(
        match=match,
        volunteer=volunteer,
        date=day,
        hours=Decimal(str(hours)),
        description=description.strip(),
        logged_by=acting_user,
    )
    lifecycle.match_start(match=match, acting_user=acting_user)
    notices.hours_logged(match, day_key=today.isoformat())
    return entry


@transaction.atomic
def hours_confirm(*, entries, acting_user: User, corrections: dict[int, Decimal] | None = None) -> int:
    """The need's organisation confirms logged hours, several at once, correcting some (`corrections` maps an
    entry's id to the hours that really count). Entries of matches the user cannot confirm are refused and
    nothing changes. Each volunteer is told once for the batch. Returns how many were confirmed. Safe to
    repeat: confirmed entries are left as they are."""
    corrections = corrections or {}
    entries = list(
        HoursEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=[e.pk for e in entries], status=HoursEntry.Status.LOGGED)
        .select_related("match__need__organisation", "match__offer", "match__volunteer", "volunteer__user")
    )
    for entry in entries:
        if not permissions.can_confirm_hours(acting_user, entry.match):
            raise PermissionDenied
    errors = {}
    for pk, value in corrections.items():
        if value is None or not (Decimal(0) <= Decimal(value) <= MAX_HOURS_A_DAY):
            errors[f"hours_{pk}"] = _("Enter between 0 and 24 hours.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    by_match = defaultdict(set)
    for entry in entries:
        entry.status = HoursEntry.Status.CONFIRMED
        entry.confirmed_hours = Decimal(corrections.get(entry.pk, entry.hours))
        entry.confirmed_by = acting_user
        entry.confirmed_at = now
        by_match[entry.match].add(entry.volunteer.user)
    HoursEntry.objects.bulk_update(entries, ["status", "confirmed_hours", "confirmed_by", "confirmed_at"])
    batch = uuid.uuid4().hex
    for match, users in by_match.items():
        notices.hours_confirmed(match, users, batch=batch)
    return len(entries)


@transaction.atomic
def feedback_give(
    *, match: Match, acting_user: User, side: str, helped: bool, rating: int, comment: str = ""
) -> MatchFeedback:
    """One side's short feedback on an agreed match: did it really help, a rating from 1 to 5 and a sentence.
    Once per side; refused, changing nothing, the second time or before both sides agreed."""
    match = Match.objects.with_related().get(pk=match.pk)
    if not permissions.can_answer_match(acting_user, match, side):
        raise PermissionDenied
    if not match.contacts_exchanged:
        raise ValidationError(_("Feedback can be given once both sides accepted the match."))
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    if MatchFeedback.objects.filter(match=match, side=side).exists():
        raise ValidationError(_("Your side already gave feedback on this match. Thank you!"))
    return MatchFeedback.objects.create(
        match=match, side=side, author=acting_user, helped=helped, rating=int(rating), comment=comment.strip()
    )


@transaction.atomic
def need_complete(
    *, need: Need, acting_user: User, residents_reached: int, placements: list[outcomes.Placement] | None = None
) -> Need:
    """The need's organisation says the work is done and records the residents actually helped and, for a need
    of the Work programme, the people placed into work or a work-study placement per employer (`placements`).
    Its agreed matches are completed; proposals and approvals still waiting are withdrawn. Refused by field,
    changing nothing, when a number is wrong, when no volunteer took part yet or the need is not matched or
    under way."""
    if not permissions.can_complete_need(acting_user, need):
        raise PermissionDenied
    need = Need.objects.select_for_update(of=("self",)).select_related("programme").get(pk=need.pk)
    errors = {}
    if residents_reached is None or int(residents_reached) < 0:
        errors["residents_reached"] = _("Enter the number of residents helped (0 or more).")
    errors.update(outcomes.placement_errors(need=need, placements=placements or []))
    if errors:
        raise ValidationError(errors)
    if need.status not in (Need.Status.OPEN, Need.Status.MATCHED, Need.Status.IN_PROGRESS):
        raise ValidationError(
            _("A need that is “%(status)s” cannot be completed.") % {"status": need.get_status_display()}
        )
    agreed = list(Match.objects.filter(need=need, status__in=(Match.Status.ACCEPTED, Match.Status.ACTIVE)))
    if not agreed and not Match.objects.filter(need=need, status=Match.Status.COMPLETED).exists():
        raise ValidationError(_("No volunteer has taken part in this need yet, so it cannot be completed."))
    for match in agreed:
        lifecycle.match_complete(match=match, acting_user=acting_user)
    for match in Match.objects.filter(need=need, status__in=(Match.Status.PROPOSED, Match.Status.APPROVED)):
        lifecycle.match_withdraw(
            match=match, acting_user=acting_user, reason=_("The need is completed."), reason_key="need_completed"
        )
    need.refresh_from_db()
    if need.status != Need.Status.IN_PROGRESS:
        need_advance(need=need, to_status=Need.Status.IN_PROGRESS, acting_user=acting_user)
    Need.objects.filter(pk=need.pk).update(residents_reached=int(residents_reached))
    outcomes.placements_record(need=need, placements=placements or [], acting_user=acting_user)
    return need_advance(need=need, to_status=Need.Status.COMPLETED, acting_user=acting_user)
