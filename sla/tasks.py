"""Celery interfaces of the SLA app: thin wrappers that call sla.services."""

from celery import shared_task


@shared_task(name="sla.tasks.sla_sweep", ignore_result=True)
def sla_sweep() -> dict:
    """Beat, every minute: the safety net that marks at-risk and breached clocks."""
    from .services import sla_sweep as sweep

    return sweep()


@shared_task(name="sla.tasks.sla_clock_timer", ignore_result=True)
def sla_clock_timer(clock_ids: list[int] | int) -> dict:
    """ETA task at clocks' at-risk or due moment; idempotent with the sweep (conditional updates)."""
    from .services import sla_sweep as sweep

    return sweep(clock_ids=[clock_ids] if isinstance(clock_ids, int) else list(clock_ids))


@shared_task(name="sla.tasks.sla_escalate", ignore_result=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def sla_escalate(clock_ids: list[int], event: str) -> int:
    from .services import sla_escalate as escalate

    return escalate(clock_ids=clock_ids, event=event)
