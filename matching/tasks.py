"""Celery tasks of matching: each takes ids, calls one service and is safe to run twice."""

import logging

from celery import shared_task
from celery.signals import worker_process_init

from . import services
from .models import MatchingRun

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True)
def matching_refresh_need(need_id: int) -> int:
    """After a need is published: propose volunteers for it."""
    return services.matches_refresh(need_ids=[need_id], trigger=MatchingRun.Trigger.PUBLISHED).proposals


@shared_task(ignore_result=True, acks_late=True)
def matching_refresh_for_supply(supply_id: int) -> int:
    """After a volunteer (its pk) or an offer (minus its pk) becomes active: propose it where it fits best."""
    return services.matches_refresh_for_supply(supply_id=supply_id)


@shared_task(ignore_result=True, acks_late=True)
def matching_refresh_all() -> int:
    """The nightly batch over every open need."""
    return services.matches_refresh(trigger=MatchingRun.Trigger.NIGHTLY).proposals


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
