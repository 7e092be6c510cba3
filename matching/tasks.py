"""Celery tasks of matching: each takes ids (or nothing, when periodic), calls one service and is safe to
run twice."""

import logging

from celery import shared_task
from celery.signals import worker_process_init

from . import reminders, services
from .models import MatchingRun

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True)
def matching_request_process(request_id: int) -> int:
    """Run matching for one durable request (a need published, a volunteer or an offer active)."""
    return services.matching_request_process(request_id=request_id)


@shared_task(ignore_result=True)
def matching_requests_sweep() -> int:
    return services.matching_requests_sweep()


@shared_task(ignore_result=True, acks_late=True)
def matching_refresh_all() -> int:
    """The nightly batch over every open need."""
    return services.matches_refresh(trigger=MatchingRun.Trigger.NIGHTLY).proposals


@shared_task(ignore_result=True, expires=600)
def impact_snapshot_refresh() -> int:
    """Rebuild the impact snapshot the coordinators' dashboard reads. Safe to run twice (each run replaces the
    last); a run that waited too long in the queue is dropped, the next one follows."""
    from .impact_snapshot import impact_snapshot_refresh as refresh

    snapshot = refresh()
    return snapshot.cells if snapshot else 0


@shared_task(ignore_result=True)
def matches_expire() -> int:
    return services.matches_expire()


@shared_task(ignore_result=True)
def matches_start() -> int:
    return services.matches_start()


@shared_task(ignore_result=True)
def reminders_send() -> int:
    """Reminders for reviews, answers, starts and hours; each selected by state and event key."""
    return reminders.reminders_send()


@shared_task(ignore_result=True)
def recommendations_weekly() -> int:
    return reminders.recommendations_weekly()


@worker_process_init.connect
def warm_the_feature_cache(**kwargs):
    """Bookkeeping only: a worker loads the volunteers' features (and the compiled kernel) when it starts,
    so the first need published afterwards is matched as fast as the rest."""
    from django.db import close_old_connections

    try:
        services.warm_up()
    except Exception:  # noqa: BLE001 - a cold cache only costs time; the first run loads it instead
        logger.warning("Could not warm the matching cache.", exc_info=True)
    finally:
        close_old_connections()
