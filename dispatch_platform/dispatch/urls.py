from django.urls import path

from . import plan_views, views

urlpatterns = [
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<int:ticket_id>/assign/", views.ticket_assign, name="ticket-assign"),
    path("tickets/<int:ticket_id>/transition/", views.ticket_transition, name="ticket-transition"),
    path("tickets/<int:ticket_id>/notes/", views.ticket_note, name="ticket-note"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/new/", plan_views.plan_create, name="plan-create"),
    path("plans/<int:plan_id>/", plan_views.plan_detail, name="plan-detail"),
    path("plans/<int:plan_id>/apply/", plan_views.plan_apply, name="plan-apply"),
    path("plans/<int:plan_id>/discard/", plan_views.plan_discard, name="plan-discard"),
]
