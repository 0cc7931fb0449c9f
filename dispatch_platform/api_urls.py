"""The /api/v1/ router: each app contributes its viewsets and endpoints."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)

urlpatterns = [
    path("", include(router.urls)),
]
