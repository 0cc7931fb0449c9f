"""Optimiser plans in the browser: run one, watch it, review the proposal and its diff, apply it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.tenancy.decorators import DISPATCH_ROLES, role_required
from tickets.services import Actor

from . import selectors, services
from .models import DispatchPlan

# A queued plan that no worker has picked up this long after it was due to start: every worker on the
# `optimize` queue is busy, or none is running. The page says so instead of only spinning.
WAITING_NOTICE_AFTER_SECONDS = 15


def _plan_or_404(request, plan_id: int):
    plan = selectors.plan_get(organization=request.organization, plan_id=plan_id)
    if plan is None:
        raise Http404("No such plan")
    return plan


@role_required(*DISPATCH_ROLES)
def plan_list(request):
    return render(request, "dispatch/plans.html", {"plans": selectors.plan_list(organization=request.organization)[:20]})


@require_POST
@role_required(*DISPATCH_ROLES)
def plan_create(request):
    try:
        limit = int(request.POST.get("time_limit", "10"))
    except ValueError:
        limit = 0
    try:
        plan = services.dispatch_plan_create(organization=request.organization, user=request.user, time_limit=limit)
    except ApplicationError as exc:
        messages.error(request, f"{exc.message}: {' '.join(exc.extra.get('time_limit', []))}")
        return redirect("plans")
    return redirect("plan-detail", plan_id=plan.pk)


@role_required(*DISPATCH_ROLES)
def plan_detail(request, plan_id: int):
    plan = _plan_or_404(request, plan_id)
    context = {"plan": plan, "routes": selectors.plan_routes(plan), "diff": services.plan_diff(plan),
               "waiting_since": _waiting_since(plan)}
    template = "dispatch/partials/_plan.html" if request.htmx else "dispatch/plan.html"
    return render(request, template, context)


def _waiting_since(plan: DispatchPlan) -> dt.datetime | None:
    if plan.status != DispatchPlan.Status.QUEUED:
        return None
    due = services.dispatch_plan_start_due(plan)
    return due if timezone.now() - due >= dt.timedelta(seconds=WAITING_NOTICE_AFTER_SECONDS) else None


@require_POST
@role_required(*DISPATCH_ROLES)
def plan_apply(request, plan_id: int):
    plan = _plan_or_404(request, plan_id)
    ticket_ids = [int(x) for x in request.POST.getlist("ticket") if x.isdigit()] or None
    try:
        result = services.dispatch_plan_apply(organization=request.organization, plan=plan,
                                              actor=Actor.for_user(request.user), ticket_ids=ticket_ids)
        messages.success(request, f"Applied {len(result['applied'])} assignment(s); skipped {len(result['skipped'])}.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("plan-detail", plan_id=plan.pk)


@require_POST
@role_required(*DISPATCH_ROLES)
def plan_discard(request, plan_id: int):
    plan = _plan_or_404(request, plan_id)
    try:
        services.dispatch_plan_discard(organization=request.organization, plan=plan)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("plans")
