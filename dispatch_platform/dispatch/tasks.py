from celery import shared_task


@shared_task(name="dispatch_platform.dispatch.tasks.dispatch_plan_run", ignore_result=True)
def dispatch_plan_run(plan_id: int) -> None:
    """`optimize` queue: solve one queued plan."""
    from .services import dispatch_plan_run as run

    run(plan_id=plan_id)
