from django.urls import path

from . import attachments, mobile, views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("my/jobs/", mobile.my_jobs, name="my-jobs"),
    path("my/jobs/<int:ticket_id>/status/", mobile.job_status, name="my-job-status"),
    path("my/jobs/<int:ticket_id>/notes/", mobile.job_note, name="my-job-note"),
    path("my/jobs/<int:ticket_id>/photos/", mobile.job_photo, name="my-job-photo"),
    path("tickets/<int:ticket_id>/attachments/<int:attachment_id>/", attachments.attachment_download_page,
         name="attachment"),
]
