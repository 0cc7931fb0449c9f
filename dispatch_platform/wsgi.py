import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_platform.settings")
application = get_wsgi_application()


def _freeze_startup_objects() -> None:
    """Moves everything loaded so far (Django, DRF, OR-Tools, every view: ~150,000 objects) out of the
    garbage collector's reach. Otherwise each full collection walks them all — ~90 ms here, about once
    every 200 requests: the slowest 1 % of API answers (benchmarks/RESULTS.md, issue 3)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view, serializer and service now, not on first use
    gc.collect()
    gc.freeze()


_freeze_startup_objects()
