"""The technician's phone: today's jobs in route order, status taps, notes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.tenancy.decorators import role_required
from inventory.selectors import parts_by_sku, van_stock

from . import lifecycle, selectors, services
from .choices import ResolutionCode, TicketStatus


def _technician(request):
    technician = getattr(request.user, "technician", None)
    if technician is None or technician.organization_id != request.organization.pk:
        raise PermissionDenied("Your account is not linked to a technician of this organization.")
    return technician


def _own_job_or_404(request, technician, ticket_id: int):
    ticket = selectors.ticket_get(organization=request.organization, ticket_id=ticket_id)
    if ticket is None or ticket.technician_id != technician.pk:
        raise Http404("No such job")
    return ticket


@dataclass(frozen=True)
class PartRow:
    """One row of a parts form: a requested part (SKU fixed, quantity editable) or a free one (both typed)."""

    sku: str
    quantity: str
    requested: bool
    known: bool = True  # in the catalogue: only those can be recorded as used


def _part_rows(job, catalogue: set[str], prefill: bool, posted=None) -> list[PartRow]:
    """The requested parts, then a free row; after a refused post, what was sent.

    Requested parts are prefilled with their quantity (`prefill`) when in the catalogue; an intake may name a
    SKU the catalogue lacks, which would refuse the completion, so those start at 0."""
    requested = [line["sku"] for line in job.parts]
    if posted is None:
        rows = [PartRow(line["sku"], str(line["quantity"]) if prefill and line["sku"] in catalogue else "0", True,
                        line["sku"] in catalogue) for line in job.parts]
    else:
        pairs = zip(posted.getlist("part_sku"), posted.getlist("part_quantity"), strict=False)
        rows = [PartRow(sku, quantity, index < len(requested) and sku == requested[index], sku in catalogue)
                for index, (sku, quantity) in enumerate(pairs)]
    if not rows or rows[-1].requested or rows[-1].sku or rows[-1].quantity:
        rows.append(PartRow("", "", False))
    return rows


def _render_jobs(request, technician, refused: tuple[int, str] | None = None):
    """The phone page. `refused` (ticket id, status) re-shows a refused status form with what was typed in it."""
    jobs = list(selectors.technician_jobs(organization=request.organization, technician_id=technician.pk))
    catalogue = set(parts_by_sku(organization=request.organization,
                                 skus=[line["sku"] for job in jobs for line in job.parts]))
    for job in jobs:
        job.taps = lifecycle.TECHNICIAN_TAPS.get(job.status, ())
        job.other_taps = [s for s in job.taps if s != TicketStatus.COMPLETED]
        refused_here = refused is not None and refused[0] == job.pk
        completing = refused_here and refused[1] == TicketStatus.COMPLETED
        ending = refused_here and not completing
        job.complete_form = {**(request.POST.dict() if completing else {}),
                             "rows": _part_rows(job, catalogue, prefill=True, posted=request.POST if completing else None)}
        job.other_form = {**(request.POST.dict() if ending else {}), "open": ending,
                          "rows": _part_rows(job, catalogue, prefill=False, posted=request.POST if ending else None)}
    return render(request, "tickets/my_jobs.html", {
        "technician": technician, "jobs": jobs, "resolution_codes": ResolutionCode.choices,
        # Offered for a part used beyond the requested ones.
        "van_skus": [level.part.sku for level in van_stock(organization=request.organization,
                                                          technician_id=technician.pk)],
    })


@role_required("technician")
def my_jobs(request):
    return _render_jobs(request, _technician(request))


def _parts_used_from_form(post) -> list[dict] | None:
    """The form's part rows (part_sku, part_quantity pairs in order) → parts used; None when all are empty.

    A row with no quantity or 0 is a part not used (requested parts come prefilled, the tech corrects them)."""
    lines = []
    for index, (sku, quantity) in enumerate(zip(post.getlist("part_sku"), post.getlist("part_quantity"),
                                                strict=False)):
        sku, quantity = sku.strip(), quantity.strip()
        if quantity in ("", "0"):
            continue
        if not quantity.isdigit():
            raise ApplicationError("Invalid parts used", {"parts_used": [
                f"Line {index + 1}: '{quantity}' is not a whole number."]})
        if not sku:
            raise ApplicationError("Invalid parts used", {"parts_used": [f"Line {index + 1}: which part (SKU)?"]})
        lines.append({"sku": sku, "quantity": int(quantity)})
    return lines or None


def _error_text(ticket, exc: ApplicationError) -> str:
    details = [m for field, messages_ in exc.extra.items() if field != "allowed" for m in messages_]
    return f"{ticket.number}: {exc.message}." + (f" {' '.join(details)}" if details else "")


@require_POST
@role_required("technician")
def job_status(request, ticket_id: int):
    technician = _technician(request)
    ticket = _own_job_or_404(request, technician, ticket_id)
    status = request.POST.get("status", "")
    if status not in lifecycle.TECHNICIAN_TAPS.get(ticket.status, ()):
        messages.error(request, f"{ticket.number}: you cannot set {status.replace('_', ' ')} from {ticket.get_status_display()}.")
        return redirect("my-jobs")
    try:
        done = services.ticket_transition(
            organization=request.organization, actor=services.Actor.for_user(request.user), ticket=ticket,
            status=status, note=request.POST.get("note", ""), signed_off_by=request.POST.get("signed_off_by", ""),
            resolution_code=request.POST.get("resolution_code") or None,
            parts_used=_parts_used_from_form(request.POST))
        messages.success(request, f"{ticket.number}: {status.replace('_', ' ')}.")
        if done.van_shortfall:
            lacking = ", ".join(f"{line['quantity']} × {line['sku']}" for line in done.van_shortfall)
            messages.warning(request, f"{ticket.number}: not in your van's stock count: {lacking}. "
                                      "Recorded for the stores team.")
    except ApplicationError as exc:
        messages.error(request, _error_text(ticket, exc))
        # Shown again with what the technician typed (notes, parts), to correct rather than retype.
        return _render_jobs(request, technician, refused=(ticket.pk, status))
    return redirect("my-jobs")


@require_POST
@role_required("technician")
def job_note(request, ticket_id: int):
    technician = _technician(request)
    ticket = _own_job_or_404(request, technician, ticket_id)
    try:
        services.ticket_note_add(organization=request.organization, actor=services.Actor.for_user(request.user),
                                 ticket=ticket, text=request.POST.get("text", ""))
        messages.success(request, f"{ticket.number}: note added.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("my-jobs")


@require_POST
@role_required("technician")
def job_photo(request, ticket_id: int):
    technician = _technician(request)
    ticket = _own_job_or_404(request, technician, ticket_id)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, f"{ticket.number}: choose a photo first.")
        return redirect("my-jobs")
    try:
        services.ticket_attachment_add(organization=request.organization, actor=services.Actor.for_user(request.user),
                                       ticket=ticket, upload=upload, kind="photo")
        messages.success(request, f"{ticket.number}: photo added.")
    except ApplicationError as exc:
        messages.error(request, f"{ticket.number}: {exc.message}. {' '.join(exc.extra.get('file', []))}")
    return redirect("my-jobs")
