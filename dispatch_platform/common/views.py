from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .health import health_report


@require_GET
def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
