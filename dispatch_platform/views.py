from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from dispatch_platform.tenancy.models import Membership


@login_required
def home(request):
    """Sends each role to the page it works in."""
    membership = request.membership
    if membership is None:
        return render(request, "no_membership.html", status=403)
    if membership.role == Membership.Role.TECHNICIAN:
        return redirect("my-jobs")
    if membership.role == Membership.Role.VIEWER:
        return redirect("reports")
    return redirect("queue")
