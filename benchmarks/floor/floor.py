"""The floor of the stack, for comparison with ticket intake (issue 3): a bare Django + DRF endpoint that
validates four fields and INSERTs one row (plus DRF's uniqueness SELECT) on the same PostgreSQL, under the
same gunicorn — no middleware, no authentication, no tenant, no audit, no SLA clocks, no webhooks.
Whatever it cannot do on this machine, the platform cannot either. Run by benchmarks/intake_floor.sh.
"""

import os
import sys

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-benchmark-only",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "floorapp"],
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("FLOOR_DB", "dispatch_floor"),
                           "USER": "postgres", "HOST": "127.0.0.1", "CONN_MAX_AGE": 60}},
    MIDDLEWARE=[],
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": [],
                    "UNAUTHENTICATED_USER": None},
    USE_TZ=True,
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from floorapp.models import Thing  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class ThingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Thing
        fields = ["id", "source", "external_id", "title", "priority", "created_at"]


class ThingView(APIView):
    def post(self, request):
        serializer = ThingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=201)


urlpatterns = [path("api/v1/tickets/", ThingView.as_view())]
application = get_wsgi_application()

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
