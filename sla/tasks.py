from celery import shared_task


@shared_task(name="sla.tasks.sla_sweep", ignore_result=True)
def sla_sweep() -> dict:
    """Beat, every minute: the safety net that marks at-risk and breached clocks."""
    from .services import sla_sweep as sweep

    return sweep()
