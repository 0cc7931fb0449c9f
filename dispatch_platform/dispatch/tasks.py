import datetime as dt
import os

from celery import shared_task

# The plan tasks go to the `optimize` queue (settings.CELERY_TASK_ROUTES: dispatch_platform.dispatch.tasks.*).

# Looks at a split plan whose merge is under way (the service fails it on the second), or at a plan whose
# check was delivered before its deadline.
OVERDUE_CHECKS = 3


@shared_task(name="dispatch_platform.dispatch.tasks.dispatch_plan_run", ignore_result=True)
def dispatch_plan_run(plan_id: int) -> None:
    """`optimize` queue: solve one queued plan (or split it into parts queued as dispatch_plan_part_solve)."""
    from .services import dispatch_plan_run as run

    run(plan_id=plan_id)


@shared_task(name="dispatch_platform.dispatch.tasks.dispatch_plan_overdue", ignore_result=True, bind=True)
def dispatch_plan_overdue(self, plan_id: int, due: str, looks: int = 1) -> None:
    """`optimize` queue, at a plan's deadline plus a grace: fail it if it is still running (worker lost)."""
    from .services import dispatch_plan_overdue as overdue

    again = overdue(plan_id=plan_id, due_at=dt.datetime.fromisoformat(due))
    if again is not None and looks < OVERDUE_CHECKS:
        self.apply_async(args=[plan_id, due, looks + 1], countdown=again)


@shared_task(name="dispatch_platform.dispatch.tasks.dispatch_plan_part_solve", ignore_result=True, bind=True)
def dispatch_plan_part_solve(self, plan_id: int, index: int) -> None:
    """`optimize` queue: solve one regional part of a split plan; the last part to finish merges them."""
    from .plan_parts import dispatch_plan_part_solve as solve_part

    solve_part(plan_id=plan_id, index=index, worker=f"{self.request.hostname or 'local'} pid {os.getpid()}")


@shared_task(name="dispatch_platform.dispatch.tasks.dispatch_plan_parts_overdue", ignore_result=True, bind=True)
def dispatch_plan_parts_overdue(self, plan_id: int, looks: int = 1) -> None:
    """`optimize` queue, at a split plan's deadline plus a grace: merge without the parts that never ended."""
    from .plan_parts import dispatch_plan_parts_overdue as overdue

    again = overdue(plan_id=plan_id)
    if again is not None and looks < OVERDUE_CHECKS:
        self.apply_async(args=[plan_id, looks + 1], countdown=again)


@shared_task(name="dispatch_platform.dispatch.tasks.replan_watch", ignore_result=True)
def replan_watch() -> int:
    """Beat, every 5 minutes: re-plan regions with late or off-shift technicians."""
    from .services import replan_watch as watch

    return len(watch())


@shared_task(name="dispatch_platform.dispatch.tasks.dispatch_plan_parts_slim", ignore_result=True)
def dispatch_plan_parts_slim() -> int:
    """Beat, daily: split plans' part problems and solutions past their retention are dropped."""
    from .plan_parts import dispatch_plan_parts_slim as slim

    return slim()
