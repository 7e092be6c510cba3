"""Matching's part of a person's privacy: what it holds about them for their data download, and what it does
when their account is deleted (called from `matching.receivers`, inside the deleting transaction).

Matches, hours and feedback ratings stay, so the impact figures do not change; what the person wrote is
emptied and their name and addresses are erased from what others wrote about their matches.
"""

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from members.erasure import scrub_rows
from members.models import User, Volunteer

from ..models import HoursEntry, Match, MatchEvent, MatchFeedback, MatchParticipant
from .lifecycle import match_withdraw


def _their_matches(user: User):
    """Their own matches and those they take part in through an offer; by the profile's id, so each side of the
    condition is an index lookup."""
    volunteer_ids = list(Volunteer.objects.filter(user=user).values_list("pk", flat=True))
    return Match.objects.filter(
        Q(volunteer_id__in=volunteer_ids)
        | Q(pk__in=MatchParticipant.objects.filter(volunteer_id__in=volunteer_ids).values("match_id"))
    )


def _their_hours(user: User):
    volunteer_ids = list(Volunteer.objects.filter(user=user).values_list("pk", flat=True))
    return HoursEntry.objects.filter(Q(volunteer_id__in=volunteer_ids) | Q(logged_by=user))


def organisations_of_matches(*, user: User) -> set[int]:
    """The organisations on the other side of the person's matches: the needs' and the offers'."""
    rows = _their_matches(user).values_list("need__organisation_id", "offer__organisation_id")
    return {pk for pair in rows for pk in pair if pk is not None}


def matches_close_for_account(*, user: User) -> int:
    """Withdraw the anonymised person's own matches that are still open (proposed, approved, accepted or under
    way), in their name, so the need's organisation hears it (without the name) and a matched need opens again.
    Returns how many."""
    open_matches = list(Match.objects.filter(volunteer__user=user, status__in=Match.ACTIVE_STATUSES).order_by("pk"))
    with translation.override(user.preferred_language):
        reason = _("The volunteer deleted their account.")
    for match in open_matches:
        match_withdraw(match=match, acting_user=user, reason=reason, reason_key="volunteer_deleted_account")
    return len(open_matches)


def account_texts_erase(*, user: User, terms: list[str]) -> None:
    """Empty what the person wrote (hours descriptions, feedback sentences, notes in a match's history) and
    erase their name and addresses from what others wrote about their matches. Ratings, hours and statuses stay."""
    _their_hours(user).update(description="")
    MatchFeedback.objects.filter(author=user).update(comment="")
    MatchEvent.objects.filter(actor=user).update(note="")
    match_ids = list(_their_matches(user).values_list("pk", flat=True))
    scrub_rows(MatchEvent.objects.filter(match_id__in=match_ids), text_fields=("note",), terms=terms)
    scrub_rows(MatchFeedback.objects.filter(match_id__in=match_ids), text_fields=("comment",), terms=terms)
    scrub_rows(HoursEntry.objects.filter(match_id__in=match_ids), text_fields=("description",), terms=terms)
    scrub_rows(Match.objects.filter(pk__in=match_ids), json_fields=("reasons",), terms=terms)


def personal_data(*, user: User) -> dict:
    """The person's matches, hours, feedback and the history entries they made, as plain JSON values."""
    matches = (
        _their_matches(user)
        .select_related("need__organisation", "volunteer", "offer__organisation")
        .order_by("created_at", "pk")
    )
    hours = _their_hours(user).order_by("date", "pk")
    feedback = MatchFeedback.objects.filter(author=user).order_by("created_at", "pk")
    history = MatchEvent.objects.filter(actor=user).order_by("at", "pk")
    return {
        "matches": [
            {
                "id": match.pk,
                "need": match.need.title,
                "organisation": match.need.organisation.name,
                "through_offer": match.offer.title if match.offer_id else None,
                "status": match.status,
                "source": match.source,
                "score": match.score,
                "created_at": match.created_at.isoformat(),
                "status_changed_at": match.status_changed_at.isoformat(),
            }
            for match in matches
        ],
        "hours": [
            {
                "match": entry.match_id,
                "date": entry.date.isoformat(),
                "hours": str(entry.hours),
                "description": entry.description,
                "status": entry.status,
                "confirmed_hours": None if entry.confirmed_hours is None else str(entry.confirmed_hours),
                "logged_at": entry.logged_at.isoformat(),
            }
            for entry in hours
        ],
        "feedback": [
            {
                "match": item.match_id,
                "side": item.side,
                "helped": item.helped,
                "rating": item.rating,
                "comment": item.comment,
                "created_at": item.created_at.isoformat(),
            }
            for item in feedback
        ],
        "match_history": [
            {
                "match": event.match_id,
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "at": event.at.isoformat(),
            }
            for event in history
        ],
    }
