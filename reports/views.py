from django.shortcuts import render

from dispatch_platform.tenancy.decorators import READ_ROLES, role_required


@role_required(*READ_ROLES)
def reports(request):
    return render(request, "reports/reports.html", {})
