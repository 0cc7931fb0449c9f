from django.urls import path

from . import views

urlpatterns = [
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<int:ticket_id>/assign/", views.ticket_assign, name="ticket-assign"),
    path("tickets/<int:ticket_id>/transition/", views.ticket_transition, name="ticket-transition"),
    path("tickets/<int:ticket_id>/notes/", views.ticket_note, name="ticket-note"),
]
