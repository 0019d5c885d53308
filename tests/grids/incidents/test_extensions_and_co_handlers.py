"""延期 (the lead unit asks, one level up decides) and 协办 co-handlers (首接负责制: the lead stays)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.lib.exceptions import InvalidTransition, PermissionDeniedError
from governance.models import Notification
from grids.models import Assignment, ExtensionRequest, Incident, IncidentEvent
from grids.services.incidents import (
    extension_decide,
    extension_request,
    incident_add_co_handler,
    incident_contact,
    incident_sign_for,
)

pytestmark = pytest.mark.django_db
S = Incident.Status
NOW = timezone.now().replace(microsecond=0)


def signed(world, level):
    return world.advance(world.incident(level, now=NOW), to=S.SIGNED, now=NOW)


def ask(world, incident, actor=None, days=3, reason="需协调物业"):
    incident.refresh_from_db()
    return extension_request(actor=actor or world.actor_for(world.lead(incident)), incident_id=incident.pk,
                             new_handle_by=incident.handle_by + datetime.timedelta(days=days), reason=reason, now=NOW)


@pytest.mark.parametrize(("level", "decider", "not_deciders"), [
    ("grid", "community_staff", ["street_staff", "other_community_staff", "district_official", "grid_worker"]),
    ("community", "street_staff", ["community_staff", "other_street_staff", "district_official"]),
    ("street", "district_official", ["street_staff", "community_staff"]),
    ("department", "district_official", ["handler", "street_staff"]),
])
def test_extension_is_decided_one_level_up(world, level, decider, not_deciders):
    incident = signed(world, level)
    old_deadline = incident.handle_by
    request = ask(world, incident)
    told = set(Notification.objects.filter(kind="incident_extension_requested").values_list("recipient", flat=True))
    assert told == {getattr(world, decider).pk}
    for who in not_deciders:
        with pytest.raises(PermissionDeniedError):
            extension_decide(actor=getattr(world, who), extension_id=request.pk, approved=True)
    extension_decide(actor=getattr(world, decider), extension_id=request.pk, approved=True, now=NOW)
    incident.refresh_from_db()
    request.refresh_from_db()
    assert incident.handle_by == old_deadline + datetime.timedelta(days=3) == request.new_handle_by
    assert (incident.extension_count, request.state, request.decided_by) == (1, "approved", getattr(world, decider))
    assert IncidentEvent.objects.filter(incident=incident, kind="extension_approved", public=True).exists()
    with pytest.raises(InvalidTransition):  # decided once
        extension_decide(actor=getattr(world, decider), extension_id=request.pk, approved=False, note="x")


def test_refusal_keeps_the_deadline_and_needs_a_note(world):
    incident = signed(world, "grid")
    request = ask(world, incident)
    with pytest.raises(ValidationError):
        extension_decide(actor=world.community_staff, extension_id=request.pk, approved=False, note="")
    extension_decide(actor=world.community_staff, extension_id=request.pk, approved=False, note="一周内可完成")
    refreshed = Incident.objects.get(pk=incident.pk)
    assert (refreshed.handle_by, refreshed.extension_count) == (incident.handle_by, 0)
    assert IncidentEvent.objects.filter(incident=incident, kind="extension_refused", note="一周内可完成").exists()
    assert Notification.objects.filter(kind="incident_extension_decided", recipient=world.grid_worker).exists()
    ask(world, incident, days=2)  # a new request is possible after the decision


def test_extension_request_rules(world):
    incident = world.incident("grid", now=NOW)
    with pytest.raises(InvalidTransition):  # not signed for yet
        ask(world, incident, actor=world.grid_worker)
    incident = world.advance(incident, to=S.IN_HAND, now=NOW)
    with pytest.raises(PermissionDeniedError):
        ask(world, incident, actor=world.community_staff)
    with pytest.raises(ValidationError) as exc:
        ask(world, incident, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ask(world, incident, days=-1)
    assert "new_handle_by" in exc.value.message_dict
    ask(world, incident)
    with pytest.raises(ValidationError):  # one pending at a time
        ask(world, incident, days=5)
    assert ExtensionRequest.objects.filter(incident=incident).count() == 1
    world.advance(incident, to=S.ANSWERED, now=NOW)
    with pytest.raises(InvalidTransition):
        ask(world, incident, days=9)


def test_co_handler_added_by_the_lead_unit(world):
    incident = signed(world, "grid")
    co = incident_add_co_handler(actor=world.grid_worker, incident_id=incident.pk, department=world.department,
                                 note="请城管协助清运")
    assert (co.role, co.state, co.level, co.department) == ("co", "pending", "department", world.department)
    assert world.lead(incident).region == world.grid  # the lead stays
    again = incident_add_co_handler(actor=world.community_staff, incident_id=incident.pk, department=world.department)
    assert again.pk == co.pk
    assert Notification.objects.filter(kind="incident_co_handler", recipient=world.handler).count() == 1
    # The co-handler signs for its part; the case's status does not move.
    incident_sign_for(actor=world.handler, incident_id=incident.pk)
    co.refresh_from_db()
    assert (co.state, co.assignee) == ("signed", world.handler)
    assert Incident.objects.get(pk=incident.pk).status == S.SIGNED
    # ...and may log contacts.
    incident_contact(actor=world.handler, incident_id=incident.pk, method="visit")


def test_co_handler_rules(world):
    incident = signed(world, "grid")
    for who in ("sibling_grid_worker", "handler", "other_street_staff"):
        with pytest.raises(PermissionDeniedError):
            incident_add_co_handler(actor=getattr(world, who), incident_id=incident.pk, department=world.department)
    with pytest.raises(ValidationError):
        incident_add_co_handler(actor=world.grid_worker, incident_id=incident.pk)
    with pytest.raises(ValidationError):  # another district's node
        from tests.factories import make_tree

        elsewhere = make_tree(prefix="110102")
        incident_add_co_handler(actor=world.grid_worker, incident_id=incident.pk, region=elsewhere.communities[0])
    co = incident_add_co_handler(actor=world.street_staff, incident_id=incident.pk, region=world.tree.communities[1])
    assert (co.level, co.region) == ("community", world.tree.communities[1])
    assert Assignment.objects.filter(incident=incident, role="lead").count() == 1
