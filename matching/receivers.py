"""Matching reacts to what the members app announces (`members.events`): each announcement becomes a
durable matching request, written in the announcing transaction."""

from django.dispatch import receiver

from members import events

from .models import MatchingRequest, MatchingRun
from .services import matching_request_create


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
