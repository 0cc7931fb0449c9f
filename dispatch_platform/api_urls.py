"""The /api/v1/ router: each app contributes its viewsets and endpoints."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dispatch_platform.dispatch.api import PlanViewSet, TicketRecommendationsApi
from dispatch_platform.sites.api import CustomerViewSet, SiteViewSet
from outbound.api import WebhookSubscriptionViewSet
from reports.api import SlaComplianceApi
from sla.api import SlaPolicyViewSet
from technicians.api import TechnicianViewSet
from tickets.api import TicketViewSet
from tickets.attachments import AttachmentDownloadApi, TicketAttachmentsApi
from tickets.integrations.api import (
    FreshserviceWebhookApi,
    JiraClientWebhookApi,
    JiraWebhookApi,
    ServiceNowIncidentApi,
)

router = DefaultRouter(trailing_slash=True)
router.register("customers", CustomerViewSet, basename="customer")
router.register("sites", SiteViewSet, basename="site")
router.register("technicians", TechnicianViewSet, basename="technician")
router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("plans", PlanViewSet, basename="plan")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")

urlpatterns = [
    path("tickets/<int:pk>/attachments/", TicketAttachmentsApi.as_view(), name="ticket-attachments"),
    path("tickets/<int:pk>/attachments/<int:attachment_id>/download/", AttachmentDownloadApi.as_view(),
         name="ticket-attachment-download"),
    path("tickets/<int:pk>/recommendations/", TicketRecommendationsApi.as_view(), name="ticket-recommendations"),
    path("reports/sla-compliance/", SlaComplianceApi.as_view(), name="report-sla-compliance"),
    path("integrations/servicenow/incidents/", ServiceNowIncidentApi.as_view(), name="integration-servicenow"),
    path("integrations/jira/webhook/", JiraWebhookApi.as_view(), name="integration-jira"),
    path("integrations/jira/webhook/<slug:public_id>/", JiraClientWebhookApi.as_view(),
         name="integration-jira-client"),
    path("integrations/freshservice/webhook/", FreshserviceWebhookApi.as_view(), name="integration-freshservice"),
    path("", include(router.urls)),
]
