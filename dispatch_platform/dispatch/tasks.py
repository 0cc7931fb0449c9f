from celery import shared_task


@shared_task(name="dispatch_platform.dispatch.tasks.dispatch_plan_run", ignore_result=True)
def dispatch_plan_run(plan_id: int) -> None:
    """`optimize` queue: solve one queued plan."""
    from .services import dispatch_plan_run as run

    run(plan_id=plan_id)


@shared_task(name="dispatch_platform.dispatch.tasks.replan_watch", ignore_result=True)
def replan_watch() -> int:
    """Beat, every 5 minutes: re-plan regions with late or off-shift technicians."""
    from .services import replan_watch as watch

    return len(watch())
