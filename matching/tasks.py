"""Celery tasks of matching: each takes ids, calls one service and is safe to run twice."""

from celery import shared_task

from . import services
from .models import MatchingRun


@shared_task(ignore_result=True, acks_late=True)
def matching_refresh_need(need_id: int) -> int:
    """After a need is published: propose volunteers for it."""
    return services.matches_refresh(need_ids=[need_id], trigger=MatchingRun.Trigger.PUBLISHED).proposals


@shared_task(ignore_result=True, acks_late=True)
def matching_refresh_for_volunteer(volunteer_id: int) -> int:
    """After a volunteer becomes active: propose them where they fit best."""
    return services.matches_refresh_for_volunteer(volunteer_id=volunteer_id)


@shared_task(ignore_result=True, acks_late=True)
def matching_refresh_all() -> int:
    """The nightly batch over every open need."""
    return services.matches_refresh(trigger=MatchingRun.Trigger.NIGHTLY).proposals
