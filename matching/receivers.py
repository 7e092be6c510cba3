"""Matching reacts to what the members app announces (`members.events`): a need, volunteer or offer that opens
becomes a durable matching request, written in the announcing transaction; a deleted account has its texts
erased and its open matches withdrawn; a data download gets matching's sections."""

from django.dispatch import receiver

from members import events

from .models import MatchingRequest, MatchingRun
from .services import matching_request_create, privacy


@receiver(events.need_opened, dispatch_uid="matching-need-opened")
def need_opened(sender, need_id, acting_user=None, **kwargs):
    matching_request_create(
        kind=MatchingRequest.Kind.NEED,
        object_id=need_id,
        trigger=MatchingRun.Trigger.PUBLISHED,
        requested_by=acting_user,
    )


@receiver(events.volunteer_activated, dispatch_uid="matching-volunteer-activated")
def volunteer_activated(sender, volunteer_id, **kwargs):
    matching_request_create(
        kind=MatchingRequest.Kind.VOLUNTEER, object_id=volunteer_id, trigger=MatchingRun.Trigger.VOLUNTEER
    )


@receiver(events.offer_activated, dispatch_uid="matching-offer-activated")
def offer_activated(sender, offer_id, acting_user=None, **kwargs):
    matching_request_create(
        kind=MatchingRequest.Kind.OFFER,
        object_id=offer_id,
        trigger=MatchingRun.Trigger.VOLUNTEER,
        requested_by=acting_user,
    )


@receiver(events.account_anonymised, dispatch_uid="matching-account-anonymised")
def account_anonymised(sender, user, terms, **kwargs):
    """Returns the organisations of the person's matches, where others may have written their name."""
    organisations = privacy.organisations_of_matches(user=user)
    privacy.account_texts_erase(user=user, terms=terms)
    privacy.matches_close_for_account(user=user)
    return {"organisations": organisations}


@receiver(events.personal_data_requested, dispatch_uid="matching-personal-data")
def personal_data_requested(sender, user, **kwargs):
    return privacy.personal_data(user=user)
