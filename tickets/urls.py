from django.urls import path

from . import views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
]
