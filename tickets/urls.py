from django.urls import path

from . import mobile, views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("my/jobs/", mobile.my_jobs, name="my-jobs"),
    path("my/jobs/<int:ticket_id>/status/", mobile.job_status, name="my-job-status"),
    path("my/jobs/<int:ticket_id>/notes/", mobile.job_note, name="my-job-note"),
]
