"""Attachments over REST (`/api/v1/tickets/{id}/attachments/`, multipart) and their downloads.

Files are never served from a public URL: every download checks the caller's tenant.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from dispatch_platform.api.idempotency import IdempotencyMixin
from dispatch_platform.api.pagination import DefaultPagination
from dispatch_platform.tenancy.decorators import READ_ROLES, role_required

from . import selectors, services
from .api import actor_for
from .lookups import ticket_or_404
from .models import Attachment


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "kind", "uploaded_by", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("ticket-attachment-download", args=[attachment.ticket_id, attachment.pk],
                       request=self.context.get("request"))


class TicketAttachmentsApi(IdempotencyMixin, GenericAPIView):
    """List (paginated, oldest first) and upload. An upload honours `Idempotency-Key`: a retry with the same
    fields and file (name, type, content) replays the first answer; another file under the key is a 422."""

    parser_classes = [MultiPartParser, FormParser]
    pagination_class = DefaultPagination
    serializer_class = AttachmentSerializer
    queryset = Attachment.objects.none()  # the schema's model; rows come from selectors, within the tenant

    @extend_schema(responses=AttachmentSerializer(many=True), operation_id="tickets_attachments_list")
    def get(self, request, pk: int):
        ticket = ticket_or_404(request, pk)
        page = self.paginate_queryset(selectors.ticket_attachments(organization=request.organization, ticket=ticket))
        return self.get_paginated_response(AttachmentSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="tickets_attachments_create",
        request={"multipart/form-data": inline_serializer("AttachmentUpload", {
            "file": serializers.FileField(), "kind": serializers.ChoiceField(
                choices=["photo", "signature", "document", "file"], required=False)})},
        responses={201: AttachmentSerializer},
    )
    def post(self, request, pk: int):
        ticket = ticket_or_404(request, pk)
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Send the file as multipart form field 'file'."]}, status=status.HTTP_400_BAD_REQUEST)
        kind = request.data.get("kind", "file")
        if kind not in ("photo", "signature", "document", "file"):
            return Response({"kind": [f"'{kind}' is not one of photo, signature, document, file."]},
                            status=status.HTTP_400_BAD_REQUEST)
        attachment = services.ticket_attachment_add(organization=request.organization, actor=actor_for(request),
                                                    ticket=ticket, upload=upload, kind=kind)
        return Response(AttachmentSerializer(attachment, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class AttachmentDownloadApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes}, operation_id="tickets_attachments_download")
    def get(self, request, pk: int, attachment_id: int):
        return _download(request, pk, attachment_id)


def _download(request, ticket_id: int, attachment_id: int) -> FileResponse:
    attachment = (Attachment.objects.for_organization(request.organization)
                  .filter(ticket_id=ticket_id, pk=attachment_id).first())
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                        as_attachment=not attachment.content_type.startswith("image/"), filename=attachment.filename)


@role_required(*READ_ROLES, "technician")
def attachment_download_page(request, ticket_id: int, attachment_id: int):
    """The same file for a signed-in user of the tenant (a technician: only on their own jobs)."""
    if request.membership.role == "technician":
        technician = getattr(request.user, "technician", None)
        ticket = selectors.ticket_get(organization=request.organization, ticket_id=ticket_id)
        if ticket is None or technician is None or ticket.technician_id != technician.pk:
            raise Http404
    return _download(request, ticket_id, attachment_id)
