from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from governance.models import Role
from governance.navigation import home_url_name
from governance.selectors.departments import department_home_data


@login_required
def home(request):
    """Each role lands on its own home page."""
    return redirect(home_url_name(request.user))


@login_required
def resident_home(request):
    return render(request, "governance/resident_home.html", {})


@login_required
def department_home(request):
    if request.user.role != Role.DEPARTMENT_HANDLER:
        raise Http404
    return render(request, "governance/department_home.html", department_home_data(user=request.user))
