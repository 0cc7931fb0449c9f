from django.shortcuts import render

from dispatch_platform.tenancy.decorators import role_required


@role_required("technician")
def my_jobs(request):
    technician = getattr(request.user, "technician", None)
    jobs = technician.tickets.all() if technician else []
    return render(request, "technicians/my_jobs.html", {"technician": technician, "jobs": jobs})
