"""Celery tasks of the members app. Each takes ids, calls one function and is safe to run twice."""

from celery import shared_task

from . import notifications


@shared_task(ignore_result=True, acks_late=True)
def notification_deliver(notification_id: int) -> bool:
    return notifications.notification_deliver(notification_id=notification_id)


@shared_task(ignore_result=True)
def notifications_sweep() -> int:
    return notifications.notifications_sweep()


@shared_task(ignore_result=True)
def notifications_send_digests() -> int:
    user_ids = notifications.digest_recipients()
    for user_id in user_ids:
        notification_digest_deliver.delay(user_id)
    return len(user_ids)


@shared_task(ignore_result=True, acks_late=True)
def notification_digest_deliver(user_id: int) -> int:
    return notifications.digest_deliver(user_id=user_id)


@shared_task(ignore_result=True)
def privacy_inactive_volunteers() -> tuple[int, int]:
    from .services import inactive_volunteers_process

    return inactive_volunteers_process()
