import os

# Playwright's sync API runs an event loop in the test thread; the ORM is used beside it in e2e tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # Unit tests run Celery tasks in-process; the integration pass starts real workers (tests/integration)
    # and sends its tasks with send_task, which never runs eagerly.
    from dispatch_platform.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
