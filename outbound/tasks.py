from celery import shared_task


@shared_task(name="outbound.tasks.deliver", ignore_result=True)
def deliver(delivery_id: int) -> str:
    """`webhooks` queue: one attempt at one delivery."""
    from .services import webhook_deliver

    return webhook_deliver(delivery_id=delivery_id)


@shared_task(name="outbound.tasks.deliver_each", ignore_result=True)
def deliver_each(delivery_ids: list[int]) -> int:
    """`webhooks` queue: queues one `deliver` per delivery (for a batch too large to queue in a request)."""
    for delivery_id in delivery_ids:
        deliver.delay(delivery_id)
    return len(delivery_ids)


@shared_task(name="outbound.tasks.deliver_due", ignore_result=True)
def deliver_due() -> int:
    """Beat, every 30 s: deliveries whose time has come."""
    from .services import webhook_deliveries_due

    return webhook_deliveries_due()
