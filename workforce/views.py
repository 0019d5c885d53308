"""Roster pages: the scoped worker list, a worker's page (masked phone, audited reveal), and for community and
street staff the create/edit forms and grid assignments (workforce.services). Same access rules as the grid
pages: no jurisdiction → 404, outside it → 404, in it but the role may not edit → 403."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.lib.exceptions import InvalidInput
from governance.lib.pii import mask_phone
from grids.services.reveal import pii_reveal
from grids.views.common import paginate, pii_rows, register_page, require, service_form_page
from workforce.forms import AssignmentForm, WorkerFilterSet, WorkerForm
from workforce.selectors import access_worker, worker_assignments, worker_list
from workforce.services import (
    can_edit_roster,
    grade_range,
    worker_assign_to_grid,
    worker_create,
    worker_end_assignment,
    worker_update,
)


@register_page
@require_GET
def worker_list_view(request):
    filterset = WorkerFilterSet(request.GET or None, queryset=worker_list(user=request.user), user=request.user)
    return render(request, "workforce/worker_list.html", {
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "can_edit": can_edit_roster(request.user),
    })


def _worker_page(request, worker, *, revealed=None, reveal_error=None, status=200):
    low, high = grade_range(worker.post)
    return render(request, "workforce/worker_detail.html", {
        "worker": worker,
        "pii": pii_rows(worker, ("phone",), {"phone": mask_phone}, revealed),
        "reveal_url": reverse("workforce:worker_reveal", args=[worker.pk]),
        "reveal_error": reveal_error,
        "assignments": list(worker_assignments(worker=worker)),
        "grade_low": low, "grade_high": high,
        "can_edit": can_edit_roster(request.user),
    }, status=status)


@register_page
@require_GET
def worker_detail(request, pk):
    return _worker_page(request, access_worker(user=request.user, worker_id=pk))


@register_page
@require_POST
def worker_reveal(request, pk):
    worker = access_worker(user=request.user, worker_id=pk)
    field = request.POST.get("field", "")
    try:
        value = pii_reveal(actor=request.user, obj=worker, field=field)
    except InvalidInput as exc:
        return _worker_page(request, worker, reveal_error=exc.message, status=400)
    return _worker_page(request, worker, revealed={field: value})


def _detail_url(worker) -> str:
    return reverse("workforce:worker_detail", args=[worker.pk])


@register_page
@require_http_methods(["GET", "POST"])
def worker_create_view(request):
    require(can_edit_roster, request.user)
    form = WorkerForm(request.POST or None, user=request.user)
    return service_form_page(
        request, form=form, save=lambda data: worker_create(actor=request.user, **data),
        template="workforce/worker_form.html",
        context={"title": _("New community worker"), "back_url": reverse("workforce:worker_list")},
        success_url=_detail_url)


@register_page
@require_http_methods(["GET", "POST"])
def worker_edit_view(request, pk):
    worker = access_worker(user=request.user, worker_id=pk)
    require(can_edit_roster, request.user)
    form = WorkerForm(request.POST or None, user=request.user, instance=worker)
    return service_form_page(
        request, form=form, save=lambda data: worker_update(actor=request.user, worker=worker, **data),
        template="workforce/worker_form.html",
        context={"title": _("Edit %(name)s") % {"name": worker.name}, "back_url": _detail_url(worker)},
        success_url=_detail_url)


@register_page
@require_http_methods(["GET", "POST"])
def worker_assign(request, pk):
    worker = access_worker(user=request.user, worker_id=pk)
    require(can_edit_roster, request.user)
    form = AssignmentForm(request.POST or None, user=request.user, worker=worker)
    return service_form_page(
        request, form=form, save=lambda data: worker_assign_to_grid(actor=request.user, worker=worker, **data),
        template="workforce/worker_assign.html",
        context={"worker": worker, "title": _("Grids of %(name)s") % {"name": worker.name},
                 "assignments": [a for a in worker_assignments(worker=worker) if a.active]},
        success_url=lambda assignment: reverse("workforce:worker_assign", args=[worker.pk]))


@register_page
@require_POST
def worker_assignment_end(request, pk, assignment_pk):
    worker = access_worker(user=request.user, worker_id=pk)
    require(can_edit_roster, request.user)
    assignment = worker_assignments(worker=worker).filter(pk=assignment_pk).first()
    if assignment is None:
        raise Http404
    try:
        worker_end_assignment(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Assignment to %(grid)s ended. 已结束该网格分配。") % {"grid": assignment.grid.name})
    return redirect("workforce:worker_assign", worker.pk)
