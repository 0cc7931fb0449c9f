from celery import shared_task


@shared_task(name="dispatch_platform.api.tasks.idempotency_keys_purge", ignore_result=True)
def idempotency_keys_purge() -> int:
    """Beat, hourly: forget Idempotency-Keys past their retention."""
    from .idempotency import idempotency_keys_purge as purge

    return purge()
