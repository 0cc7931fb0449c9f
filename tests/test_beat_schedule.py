"""Beat's schedule names tasks by string: a misspelt name would only show as errors in a running beat."""

from django.conf import settings


def test_every_beat_entry_names_a_registered_task():
    from dispatch_platform.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "dispatch_platform.dispatch.tasks.dispatch_plan_parts_slim" in names
    assert names - set(app.tasks) == set()
