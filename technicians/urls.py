from django.urls import path

from . import views

urlpatterns = [
    path("my/jobs/", views.my_jobs, name="my-jobs"),
]
