import socket

from celery import shared_task
from django.utils import timezone


@shared_task(name="dispatch_platform.common.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Proves a worker is consuming: /healthz reads the newest beat_at."""
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(node=socket.gethostname(), defaults={"beat_at": timezone.now()})
