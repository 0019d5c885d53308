"""网格吹哨、部门报到: who may blow, what a summons creates, and the report-in once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden, PermissionDeniedError
from governance.models import Notification
from grids.models import Assignment, Incident, IncidentEvent, WhistleSummons
from grids.services.whistle import whistle_blow, whistle_report_in
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
S = Incident.Status
NOW = timezone.now().replace(microsecond=0)


def test_whistle_summons_departments(world, settings):
    settings.GONGZHI_REPORT_IN_HOURS = 2
    incident = world.advance(world.incident("community"), to=S.IN_HAND)
    call = whistle_blow(actor=world.community_staff, incident_id=incident.pk,
                        departments=[world.department, world.other_department.pk, world.department],
                        reason="违建涉及城管和市场监管", now=NOW)
    summonses = list(call.summonses.order_by("pk"))
    assert [s.department for s in summonses] == [world.department, world.other_department]
    assert all(s.report_by == NOW + datetime.timedelta(hours=2) and s.reported_at is None for s in summonses)
    co = Assignment.objects.filter(incident=incident, role="co").order_by("pk")
    assert [a.department for a in co] == [world.department, world.other_department]
    assert Assignment.objects.get(incident=incident, role="lead").region == world.community
    told = set(Notification.objects.filter(kind="incident_whistle").values_list("recipient", flat=True))
    assert told == {world.handler.pk, world.other_handler.pk}
    event = IncidentEvent.objects.get(incident=incident, kind="whistle")
    assert event.actor == world.community_staff and not event.public


@pytest.mark.parametrize("who", ["grid_worker", "handler", "other_community_staff", "other_street_staff",
                                 "district_official", "resident"])
def test_only_community_or_street_staff_within_jurisdiction_blow(world, who):
    incident = world.advance(world.incident("grid"), to=S.SIGNED)
    with pytest.raises(PermissionDeniedError):
        whistle_blow(actor=getattr(world, who), incident_id=incident.pk, departments=[world.department],
                     reason="需要协调")


def test_whistle_input_and_state(world):
    incident = world.advance(world.incident("grid"), to=S.SIGNED)
    with pytest.raises(ValidationError):
        whistle_blow(actor=world.street_staff, incident_id=incident.pk, departments=[], reason="需要协调")
    closed_dept = DepartmentFactory(district=world.tree.district, is_active=False)
    with pytest.raises(ValidationError):
        whistle_blow(actor=world.street_staff, incident_id=incident.pk, departments=[closed_dept], reason="需要协调")
    with pytest.raises(ValidationError):
        whistle_blow(actor=world.street_staff, incident_id=incident.pk, departments=[world.department], reason="")
    answered = world.advance(incident, to=S.ANSWERED)
    with pytest.raises(InvalidTransition):
        whistle_blow(actor=world.street_staff, incident_id=answered.pk, departments=[world.department], reason="x")


def test_report_in_once(world):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    call = whistle_blow(actor=world.street_staff, incident_id=incident.pk, departments=[world.department],
                        reason="占道需执法")
    summons = call.summonses.get()
    with pytest.raises(PermissionDeniedError):
        whistle_report_in(actor=world.other_handler, summons_id=summons.pk, part="我们来")
    with pytest.raises(PermissionDeniedError):
        whistle_report_in(actor=world.street_staff, summons_id=summons.pk, part="我们来")
    with pytest.raises(ValidationError):
        whistle_report_in(actor=world.handler, summons_id=summons.pk, part="")
    first = whistle_report_in(actor=world.handler, summons_id=summons.pk, part="明早派执法队", now=NOW)
    assert (first.reported_at, first.reported_by, first.part) == (NOW, world.handler, "明早派执法队")
    co = Assignment.objects.get(incident=incident, role="co")
    assert (co.state, co.assignee) == ("signed", world.handler)
    again = whistle_report_in(actor=world.handler, summons_id=summons.pk, part="改主意了",
                              now=NOW + datetime.timedelta(hours=1))
    assert (again.reported_at, again.part) == (NOW, "明早派执法队")
    assert IncidentEvent.objects.filter(incident=incident, kind="report_in").count() == 1
    with pytest.raises(NotFoundOrForbidden):
        whistle_report_in(actor=world.handler, summons_id=999999, part="x")
    assert WhistleSummons.objects.get(pk=summons.pk).escalated_at is None
